"""`healthgrid publish imgur` against a loopback Imgur: the upload and its link, a refused client id,
an answer that is not what Imgur documents, and an IMGUR_API_URL requests cannot use. (How it retries
is test_retry.py's.)"""

import json

import pytest

from fakes.http import Response
from fakes.imgur import CLIENT_ID

DEEP = b"[" * 100_000 + b"]" * 100_000  # well-formed JSON that json.loads cannot descend into


def test_imgur_upload_rides_out_a_429(in_tmp, cli, imgur, clock):
    image = in_tmp / "g.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n some bytes \x00\xff")
    imgur.fail_next("/3/image", Response(429, {"data": {"error": "Too Many Requests"}, "success": False, "status": 429}, {"Retry-After": "1"}))
    result = cli("publish", "imgur", str(image), "--json")
    assert result.code == 0, result.err
    assert imgur.uploads == [image.read_bytes()]
    doc = json.loads(result.out)
    assert doc["images"][0]["url"] == "https://i.imgur.com/img1.png"
    assert "retrying in 1" in result.err
    assert clock.slept == [1.0], "waits exactly what Retry-After says"
    assert CLIENT_ID not in result.out + result.err


def test_imgur_bad_client_id_is_exit_1_without_traceback(in_tmp, cli, imgur, monkeypatch):
    monkeypatch.setenv("IMGUR_CLIENT_ID", "not-the-right-id")
    (in_tmp / "g.png").write_bytes(b"png")
    result = cli("publish", "imgur", "g.png")
    assert result.code == 1
    assert result.err == "healthgrid: error: publish imgur: Imgur refused the client id (403): check IMGUR_CLIENT_ID\n"


def test_an_imgur_answer_nested_too_deeply_is_a_one_line_error(imgur, cli, in_tmp):
    (in_tmp / "a.png").write_bytes(b"\x89PNG one")
    imgur.fail_next("/3/image", Response(200, DEEP))
    result = cli("publish", "imgur", "a.png")
    assert result.code == 1
    assert result.err.strip() == "healthgrid: error: publish imgur: a.png: Imgur answered 200 without a link"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/", "http://[::1", "http://h:99999"])
def test_an_imgur_api_url_requests_cannot_use_is_a_usage_error_at_once(in_tmp, cli, monkeypatch, clock, url):
    (in_tmp / "a.png").write_bytes(b"\x89PNG one")
    monkeypatch.setenv("IMGUR_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("IMGUR_API_URL", url)
    result = cli("publish", "imgur", "a.png")
    assert result.code == 2, result.err
    assert result.err.startswith("healthgrid: error: IMGUR_API_URL: must be an http:// or https:// base URL")
