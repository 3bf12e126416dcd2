"""The optional S3 publisher against moto's S3 server on loopback."""

import json

import boto3
import pytest


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
