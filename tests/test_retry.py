"""One retry policy for every network call: Datadog and Imgur back off on the same schedule, honour
a server's asked-for wait the same way (Imgur's reset headers only on a 429), and give up when the
budget cannot cover the next wait."""

import pytest

from healthgrid.errors import RunError

from fakes.http import Response
from fakes.imgur import CLIENT_ID

QUERY_PATH = "/api/v2/query/timeseries"
SCHEDULE = [(0.5, 0.625), (1.0, 1.25), (2.0, 2.5)]  # 0.5 s doubling, up to 25% jitter


def assert_schedule(slept):
    assert len(slept) == len(SCHEDULE), slept
    for wait, (lo, hi) in zip(slept, SCHEDULE, strict=True):
        assert lo <= wait <= hi, slept


def datadog_run(dd, cli, in_tmp, answer, times):
    dd.fail_next(QUERY_PATH, answer, times=times)
    return cli("render", "--now", "2026-11-28T12:00:00Z", "--theme", "light", "--format", "svg")


def imgur_run(imgur, cli, in_tmp, answer, times):
    imgur.fail_next("/3/image", answer, times=times)
    (in_tmp / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return cli("publish", "imgur", "a.png")


@pytest.fixture(params=["datadog", "imgur"])
def service(request, in_tmp, cli):
    """(run, server) for one of the services: run(answer, times) fails the next `times` calls."""
    if request.param == "datadog":
        server = request.getfixturevalue("dd")
        return lambda answer, times: datadog_run(server, cli, in_tmp, answer, times)
    server = request.getfixturevalue("imgur")
    return lambda answer, times: imgur_run(server, cli, in_tmp, answer, times)


def test_5xx_backs_off_on_the_one_schedule(service, clock):
    result = service(Response(503, {"errors": ["busy"], "data": {"error": "busy"}}), 3)
    assert result.code == 0, result.err
    assert_schedule(clock.slept)


@pytest.mark.parametrize("asked,waited", [("3", 3.0), ("0", 0.5)])
def test_a_429_waits_what_the_server_asks_at_least_half_a_second(asked, waited, in_tmp, cli, dd, imgur, clock):
    limited = Response(429, {"errors": ["slow down"], "data": {"error": "slow down"}}, {"X-RateLimit-Reset": asked, "Retry-After": asked})
    assert datadog_run(dd, cli, in_tmp, limited, 1).code == 0
    assert imgur_run(imgur, cli, in_tmp, limited, 1).code == 0
    assert clock.slept == [waited, waited]


def test_a_wait_past_the_budget_gives_up_at_once(service, clock):
    limited = Response(429, {"errors": ["slow down"], "data": {"error": "slow down"}}, {"X-RateLimit-Reset": "3600", "Retry-After": "3600"})
    result = service(limited, 1)
    assert result.code == 1 and clock.slept == []
    assert "gave up after 0s (budget 60s" in result.err


def test_imgur_5xx_is_retried_with_backoff_despite_a_reset_header(imgur, in_tmp, clock):
    from healthgrid.publish.imgur import upload

    imgur.fail_next("/3/image", Response(503, {"data": {"error": "over capacity"}}, {"X-Post-Rate-Limit-Reset": "3600"}), times=2)
    link = upload("a.png", b"\x89PNG\r\n\x1a\n", CLIENT_ID)
    waits = clock.slept
    assert link.startswith("https://i.imgur.com/")
    assert len(waits) == 2 and all(w < 5 for w in waits) and waits[1] > waits[0]


def test_imgur_429_waits_as_its_reset_header_says_within_the_budget(imgur, in_tmp, clock):
    from healthgrid.publish.imgur import upload

    imgur.fail_next("/3/image", Response(429, {"data": {"error": "slow down"}}, {"X-RateLimit-ClientReset": "7"}))
    upload("a.png", b"\x89PNG\r\n\x1a\n", CLIENT_ID)
    assert clock.slept == [7.0], "waits exactly what the reset header says"


def test_imgur_429_with_a_reset_beyond_the_budget_gives_up_at_once(imgur, in_tmp, clock):
    from healthgrid.publish.imgur import upload

    imgur.fail_next("/3/image", Response(429, {"data": {"error": "slow down"}}, {"X-Post-Rate-Limit-Reset": "3600"}))
    with pytest.raises(RunError, match="Imgur answered 429.*gave up"):
        upload("a.png", b"\x89PNG\r\n\x1a\n", CLIENT_ID)
    assert clock.slept == [] and len(imgur.uploads) == 0
