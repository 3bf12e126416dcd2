"""The optional S3 publisher against moto's S3 server on loopback; `publish: {to: s3}` needs its bucket."""

import json

import boto3
import pytest

from conftest import NOW

# One worker runs the module (make test's --dist loadgroup), so the server below starts once.
pytestmark = pytest.mark.xdist_group("moto_s3")


@pytest.fixture(scope="module")
def moto():
    """One S3 server for the module: starting and stopping it costs about a second each time."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(moto, monkeypatch):
    """An empty bucket "grids", removed again after the test."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ENDPOINT_URL": moto}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=moto)
    client.create_bucket(Bucket="grids")
    yield client, moto
    for item in client.list_objects_v2(Bucket="grids").get("Contents", []):
        client.delete_object(Bucket="grids", Key=item["Key"])
    client.delete_bucket(Bucket="grids")


def test_run_publishes_to_fixed_keys_with_types_and_short_cache(in_tmp, cli, s3):
    client, endpoint = s3
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: s3, bucket: grids, prefix: datadog/}\n")
    first = cli("run", "--demo", "--now", "2026-11-28T12:00:00Z", "--json")
    assert first.code == 0, first.err
    doc = json.loads(first.out)
    assert doc["changed"] is True
    assert [i["url"] for i in doc["images"]] == [f"{endpoint}/grids/datadog/g.png", f"{endpoint}/grids/datadog/g_dark.png"]
    head = client.head_object(Bucket="grids", Key="datadog/g.png")
    assert head["ContentType"] == "image/png" and head["CacheControl"] == "public, max-age=300"
    body = client.get_object(Bucket="grids", Key="datadog/g.png")["Body"].read()
    assert body == (in_tmp / "healthgrid-out" / "g.png").read_bytes()
    assert {o["Key"] for o in client.list_objects_v2(Bucket="grids")["Contents"]} == {
        "datadog/g.png", "datadog/g_dark.png", "datadog/g.json", "datadog/g.md", "datadog/g.badge.json"}
    again = cli("run", "--demo", "--now", "2026-11-28T12:00:00Z", "--json")
    assert json.loads(again.out)["changed"] is False


def test_missing_bucket_is_exit_1_with_a_clear_line(in_tmp, cli, s3):
    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\npublish: {to: s3, bucket: nope}\n")
    result = cli("run", "--demo", "--now", "2026-11-28T12:00:00Z")
    assert result.code == 1 and "healthgrid: error: publish s3: s3://nope/:" in result.err and "Traceback" not in result.err


MATRIX = ("grids:\n  - {name: alpha, title: Alpha grid, rows: [{label: A, query: 'avg:a{*}'}]}\n"
          "  - {name: beta, title: Beta grid, rows: [{label: B, query: 'avg:b{*}'}]}\n"
          "publish: {to: s3, bucket: grids, prefix: site/}\n")


def index_page(client):
    return client.get_object(Bucket="grids", Key="site/index.html")["Body"].read().decode()


def test_a_matrix_of_runs_leaves_an_index_listing_every_grid_under_the_prefix(in_tmp, cli, s3):
    client, _ = s3
    (in_tmp / "healthgrid.yml").write_text(MATRIX)
    client.put_object(Bucket="grids", Key="site/deeper/other.png", Body=b"png")  # another folder: not this page's
    for grid in ("alpha", "beta"):  # each job of the matrix starts from an empty --out
        result = cli("run", "--demo", "--now", "2026-11-28T12:00:00Z", "--grid", grid, "--format", "png,html", "--theme", "light",
                     "--out", f"out-{grid}")
        assert result.code == 0, result.err
    page = index_page(client)
    assert '<p class="summary">2 grids:' in page and "Alpha grid" in page and "Beta grid" in page and "other" not in page
    assert client.head_object(Bucket="grids", Key="site/index.html")["ContentType"] == "text/html; charset=utf-8"


def publish_grid(name, title, html=True):
    """Publish one grid's prepared files (and the run's page when `html`) to s3://grids/site/."""
    import io

    from healthgrid.console import Console
    from healthgrid.publish import PublishOptions
    from healthgrid.publish.s3 import publish_files

    files = {f"{name}.png": b"png " + name.encode(), f"{name}.json": json.dumps({"title": title}).encode()}
    if html:
        files[f"{name}.html"], files["index.html"] = b"<html>", b"this run's page"
    err = io.StringIO()
    publish_files(files, PublishOptions("s3", bucket="grids", prefix="site/"), Console(io.StringIO(), err))
    return err.getvalue()


def test_the_s3_index_reads_a_bounded_listing(s3, monkeypatch):
    from healthgrid.publish import s3 as s3_publish

    client, _ = s3
    monkeypatch.setattr(s3_publish, "MAX_LISTED", 3)
    for i in range(4):
        client.put_object(Bucket="grids", Key=f"site/old{i}.png", Body=b"png")
    err = publish_grid("alpha", "Alpha grid")
    assert "index.html lists the first 3 objects under s3://grids/site/" in err
    assert "Alpha grid" in index_page(client), "this run's own grid is always on it"


def test_a_grid_another_job_adds_while_the_index_goes_up_is_on_it(s3, monkeypatch):
    from healthgrid.publish import s3 as s3_publish

    client, _ = s3
    real_put = s3_publish._put

    def put(client_, spec, name, content):
        if name == "index.html" and not client.list_objects_v2(Bucket="grids", Prefix="site/late")["KeyCount"]:
            client.put_object(Bucket="grids", Key="site/late.png", Body=b"png")  # the other job's grid lands now
        return real_put(client_, spec, name, content)

    monkeypatch.setattr(s3_publish, "_put", put)
    publish_grid("alpha", "Alpha grid")
    assert '<p class="summary">2 grids:' in index_page(client) and 'id="grid-late"' in index_page(client)


def test_a_run_without_a_page_refreshes_the_page_already_under_the_prefix(s3):
    client, _ = s3
    publish_grid("alpha", "Alpha grid")
    publish_grid("beta", "Beta grid", html=False)
    assert '<p class="summary">2 grids:' in index_page(client) and "Beta grid" in index_page(client)


@pytest.mark.parametrize("html", [False, True])
def test_someone_elses_index_under_the_prefix_stays(s3, html):
    client, _ = s3
    client.put_object(Bucket="grids", Key="site/index.html", Body=b"<h1>their page</h1>")
    err = publish_grid("alpha", "Alpha grid", html=html)
    assert index_page(client) == "<h1>their page</h1>"
    assert ("site/index.html is not a healthgrid status page; it was left as it is" in err) == html
    assert client.get_object(Bucket="grids", Key="site/alpha.png")["Body"].read() == b"png alpha"


def test_publish_s3_without_a_bucket_names_the_key(in_tmp, cli):
    result = cli("run", "--demo", "--publish", "s3", "--now", NOW, "--out", "out")
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: ") and "publish.bucket" in result.err
    assert not (in_tmp / "out").exists()
