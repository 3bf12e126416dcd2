"""A second adversarial pass over issue 12: variants of the reported cases that were not listed."""

import json
import xml.dom.minidom

import pytest

from fakes.http import FakeServer, Response
from fakes.imgur import CLIENT_ID
from helpers import make_grid

NOW = "2026-11-28T12:00:00Z"
QUERY_PATH = "/api/v2/query/timeseries"
DEEP = b"[" * 100_000 + b"]" * 100_000  # well-formed JSON that json.loads cannot descend into
THREE_GRIDS = """\
grids:
  - {name: first, rows: [{label: A, query: 'avg:a{*}'}]}
  - {name: second, rows: [{label: B, query: 'avg:b{*}'}]}
  - {name: third, rows: [{label: C, query: 'avg:c{*}'}]}
"""


def _data_file(in_tmp, mutate):
    doc = make_grid([("A", [0.5, 0.9])]).to_dict()
    mutate(doc)
    (in_tmp / "g.json").write_text(json.dumps(doc))
    return "g.json"


def test_an_integer_beyond_any_float_in_a_data_file_is_a_data_error(in_tmp, cli):
    path = _data_file(in_tmp, lambda d: d["rows"][0].update(values=[10**400, 0.5], raw=[10**400, 0.5]))
    result = cli("render", "--data", path, "--out", "out")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: --data g.json: rows[0].values[0]: must be a number") and "internal" not in result.err


@pytest.mark.parametrize("char", ["\ud800", "\ufffe", "\uffff"])
def test_characters_no_xml_document_may_hold_are_refused_in_labels(in_tmp, cli, char):
    path = _data_file(in_tmp, lambda d: d["rows"][0].update(label=f"a{char}b"))
    result = cli("render", "--data", path, "--out", "out", "--format", "svg")
    assert result.code == 2, result.err
    assert "rows[0].label: must not contain control characters" in result.err


def test_a_label_with_ordinary_unicode_still_renders_well_formed_svg(in_tmp, cli):
    path = _data_file(in_tmp, lambda d: d["rows"][0].update(label="Zürich\u00a0p99 ✓"))
    result = cli("render", "--data", path, "--out", "out", "--format", "svg", "--theme", "light")
    assert result.code == 0, result.err
    xml.dom.minidom.parse(str(in_tmp / "out" / "t.svg"))


def test_a_datadog_answer_nested_too_deeply_fails_only_that_grid(dd, cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(THREE_GRIDS)
    dd.fail_next(QUERY_PATH, Response(200, DEEP))
    result = cli("render", "--now", NOW, "--json", "--theme", "light")
    assert result.code == 1, result.err
    doc = json.loads(result.out)
    assert [g["ok"] for g in doc["grids"]] == [False, True, True]
    assert "not what its API documents" in doc["grids"][0]["error"] and "internal error" not in result.err


def test_an_imgur_answer_nested_too_deeply_is_a_one_line_error(imgur, cli, in_tmp):
    (in_tmp / "a.png").write_bytes(b"\x89PNG one")
    imgur.fail_next("/3/image", Response(200, DEEP))
    result = cli("publish", "imgur", "a.png")
    assert result.code == 1
    assert result.err.strip() == "healthgrid: error: publish imgur: a.png: Imgur answered 200 without a link"


@pytest.mark.parametrize("argv", [
    ["render", "--demo", "--config=--"], ["render", "--demo", "--now=--"], ["render", "--demo", "--grid=--"],
    ["publish", "ghpages", "out", "--remove=--"], ["publish", "ghpages", "out", "--message=--"],
])
def test_a_flag_given_the_value_double_dash_is_a_usage_error(in_tmp, cli, argv):
    result = cli(*argv)
    assert result.code == 2
    flag = argv[-1].split("=")[0]
    assert result.err.strip() == f"healthgrid: error: {flag}: '--' is not a value"


def test_a_remote_that_reads_as_a_git_option_is_refused_and_runs_nothing(tmp_path, cli, out_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out_dir(tmp_path)
    planted = tmp_path / "pwned"
    result = cli("publish", "ghpages", "out", "--remote", f"--upload-pack=touch {planted}", "--pages-url", "https://a.example")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: --remote: ") and "starts with '-'" in result.err
    assert not planted.exists()


@pytest.mark.parametrize("remote, secret", [
    ("user:Scp5ecretPw@127.0.0.1:x.git", "Scp5ecretPw"),  # git's scp form, with a password in the user part
    ("http://127.0.0.1:1/x.git?access_token=Qu3rySecret", "Qu3rySecret"),
    ("http://127.0.0.1:1/x.git?token=QuerySecretNoDigits", "QuerySecretNoDigits"),
])
def test_credentials_in_other_remote_shapes_are_not_printed(tmp_path, cli, out_dir, monkeypatch, remote, secret):
    monkeypatch.chdir(tmp_path)
    out_dir(tmp_path)
    result = cli("publish", "ghpages", "out", "--remote", remote, "--pages-url", "https://a.example")
    assert result.code == 1, result.err
    assert result.err.startswith("healthgrid: error: publish: git ls-remote against ")
    assert secret not in result.err + result.out


@pytest.mark.parametrize("yaml_text, expected", [
    ("days: " + "9" * 5000, "healthgrid.yml:1:7: a whole number is at most 100 characters; this one has 5,000"),
    ("days: 1" + ":59" * 3000, "healthgrid.yml:1:7: a whole number is at most 100 characters; this one has 9,001"),
    ("timezone: 2001-13-45", "healthgrid.yml:1:11: '2001-13-45' is not a date (month must be in 1..12)"),
    ("timezone: 0x_", "healthgrid.yml:1:11: '0x_' is not a whole number (invalid literal for int() with base 16: '')"),
])
def test_numbers_and_dates_yaml_cannot_build_are_config_errors(in_tmp, cli, yaml_text, expected):
    (in_tmp / "healthgrid.yml").write_text(yaml_text + "\ngrids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    result = cli("render", "--demo", "--out", "out")
    assert result.code == 2
    assert result.err.strip() == f"healthgrid: error: {expected}"


class _Anything(FakeServer):
    """Another origin that answers every request 200, like a dumb-HTTP git server would."""

    def handle(self, request):
        return Response(200, b"{}")


class _RedirectingGit(FakeServer):
    def __init__(self, target: str):
        super().__init__()
        self.target = target

    def handle(self, request):
        query = "&".join(f"{k}={v[0]}" for k, v in request.query.items())
        return Response(307, b"", {"Location": f"{self.target}{request.path}?{query}"})


def test_git_never_sends_the_token_to_the_host_a_redirect_names(tmp_path, cli, out_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_redirect0123456789secret")
    out_dir(tmp_path)
    elsewhere = _Anything().start()
    origin = _RedirectingGit(elsewhere.url).start()
    try:
        result = cli("publish", "ghpages", "out", "--remote", f"{origin.url}/o/r.git", "--pages-url", "https://a.example")
    finally:
        origin.stop()
        elsewhere.stop()
    assert all("authorization" not in r.headers for r in elsewhere.requests), [r.path for r in elsewhere.requests]
    assert result.code == 1
    assert "redirects are not followed" in result.err and "ghp_redirect" not in result.err


@pytest.mark.parametrize("flag", ["--config", "--data"])
def test_a_fifo_nobody_writes_to_is_an_empty_file_not_a_hang(in_tmp, cli, flag):
    import os
    import threading

    fifo = in_tmp / "cfg"
    os.mkfifo(fifo)
    results = []
    worker = threading.Thread(target=lambda: results.append(cli("render", flag, str(fifo), "--out", "out")), daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # release the blocked open, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail(f"{flag} on a FIFO blocked")
    assert results[0].code == 2, results[0].err


def test_keep_beyond_the_config_limit_is_a_usage_error(tmp_path, cli, out_dir, remote, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out_dir(tmp_path)
    result = cli("publish", "ghpages", "out", "--remote", str(remote), "--keep", "99999999999999999999", "--pages-url", "https://a.example")
    assert result.code == 2, result.err
    assert result.err.strip() == "healthgrid: error: --keep: must be at most 1000, got 99999999999999999999"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "http://[::1", "http://h:99999"])
def test_an_imgur_api_url_requests_cannot_use_is_a_usage_error_at_once(in_tmp, cli, monkeypatch, clock, url):
    (in_tmp / "a.png").write_bytes(b"\x89PNG one")
    monkeypatch.setenv("IMGUR_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("IMGUR_API_URL", url)
    result = cli("publish", "imgur", "a.png")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: IMGUR_API_URL: must be an http:// or https:// base URL")


def test_a_github_api_url_requests_cannot_use_is_a_usage_error(in_tmp, cli, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_x0123456789")
    monkeypatch.setenv("GITHUB_API_URL", "file:///etc")
    result = cli("comment", "--repo", "a/b", "--pr", "1", "https://x.example/a.png")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: GITHUB_API_URL: must be an http:// or https:// base URL")


def test_out_that_is_a_symbolic_link_is_refused_before_anything_is_written(in_tmp, cli):
    # A pull request's checkout can plant `healthgrid-out -> ../elsewhere` before the Action renders.
    (in_tmp / "elsewhere").mkdir()
    (in_tmp / "healthgrid-out").symlink_to(in_tmp / "elsewhere")
    result = cli("render", "--demo")
    assert result.code == 2 and result.err == "healthgrid: error: --out: healthgrid-out is a symbolic link; give the directory itself\n"
    assert list((in_tmp / "elsewhere").iterdir()) == []


def test_comment_pages_answered_just_inside_each_deadline_stop_at_the_whole_budget(github, cli, in_tmp, monkeypatch):
    import time

    from healthgrid.net import Budget

    monkeypatch.setitem(Budget.__init__.__kwdefaults__, "clock", time.monotonic)  # this test is about wall-clock time
    monkeypatch.setattr("healthgrid.publish.comment.BUDGET", 0.6)
    usual = github.handle
    slow = Response(200, [], {"Link": f'<{github.url}/repos/o/r/issues/1/comments?page=2>; rel="next"'}, stall=0.2)
    github.handle = lambda request: slow if request.path.endswith("/comments") else usual(request)
    started = time.monotonic()
    result = cli("comment", "--repo", "o/r", "--pr", "1", "https://example.com/x.png")
    assert result.code == 1 and "gave up after 0.6s of requests to GitHub" in result.err
    assert time.monotonic() - started < 2


def test_remove_with_a_trailing_slash_is_the_folder_never_a_file_of_that_name(in_tmp, cli, git, branch_files):
    bare = in_tmp / "r.git"
    git("init", "--bare", "-q", str(bare))
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "x").write_bytes(b"a file named x")
    assert cli("publish", "ghpages", "out", "--remote", str(bare), "--path", "", "--pages-url", "https://a.github.io/b").code == 0
    assert cli("publish", "ghpages", "--remove", "x/", "--remote", str(bare), "--pages-url", "https://a.github.io/b").code == 0
    assert "x" in branch_files(bare)


def test_a_fom_of_minus_zero_reads_zero(in_tmp, cli):
    doc = make_grid([("A", [0.5, -0.0])]).to_dict()
    (in_tmp / "g.json").write_text(json.dumps(doc))
    assert cli("render", "--data", "g.json", "--out", "out").code == 0
    assert "-0.00" not in (in_tmp / "out" / "t.md").read_text() and "0.00" in (in_tmp / "out" / "t.md").read_text()
