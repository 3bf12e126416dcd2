"""`healthgrid dashboard` against the loopback Datadog: one dashboard however often it runs,
found again by its marker, and never a dashboard healthgrid did not make."""

import copy
import json
from pathlib import Path

import pytest
import yaml

from fakes.datadog import API_KEY, APP_KEY
from fakes.http import Response

BASE = "https://acme.github.io/health/healthgrid"
CONFIG = "grids:\n  - {name: ci, title: CI health, rows: [{label: P90, query: 'avg:ci.p90{*}', pass: '< 5', warn: '< 8', unit: min}]}\n"
FOREIGN = {"id": "abc-def-ghi", "title": "Team board", "description": "Ours, by hand. Mentions healthgrid-dashboard: in passing.",
           "layout_type": "ordered", "url": "/dashboard/abc-def-ghi/team-board",
           "widgets": [{"definition": {"type": "note", "content": "hands off"}, "id": 7}]}


@pytest.fixture
def board(in_tmp, dd):
    (in_tmp / "healthgrid.yml").write_text(CONFIG)
    dd.dashboards["abc-def-ghi"] = copy.deepcopy(FOREIGN)
    return dd


def ours(dd):
    return {k: v for k, v in dd.dashboards.items() if k != "abc-def-ghi"}


def dashboard(cli, *flags):
    return cli("dashboard", "--image-base", BASE, *flags)


def test_two_runs_leave_one_new_dashboard_and_the_foreign_one_untouched(cli, board):
    first = dashboard(cli, "--json")
    assert first.code == 0, first.err
    (made,) = ours(board).values()
    out = json.loads(first.out)["dashboard"]
    assert out["action"] == "created" and out["id"] == made["id"] and out["url"] == board.url + made["url"]
    assert made["widgets"][0]["definition"]["widgets"][0]["definition"]["url"] == f"{BASE}/ci.png"
    second = dashboard(cli, "--json")
    assert second.code == 0, second.err
    assert json.loads(second.out)["dashboard"] == dict(out, action="updated")
    assert list(ours(board)) == [made["id"]] and len(board.calls("POST", "/api/v1/dashboard")) == 1
    (put,) = board.calls("PUT", f"/api/v1/dashboard/{made['id']}")
    assert put.json()["title"] == "CI health"
    assert board.dashboards["abc-def-ghi"] == FOREIGN
    assert not board.calls("PUT", "/api/v1/dashboard/abc-def-ghi")


def test_the_marker_finds_it_again_after_a_rename_and_other_grids_get_their_own(cli, board, in_tmp):
    assert dashboard(cli).code == 0
    (made_id,) = ours(board)
    board.dashboards[made_id]["title"] = "Renamed in the UI"
    assert dashboard(cli, "--title", "Platform").code == 0
    assert list(ours(board)) == [made_id] and board.dashboards[made_id]["title"] == "Platform"
    elsewhere = cli("dashboard", "--image-base", "https://other.github.io/repo/healthgrid")
    assert elsewhere.code == 0 and len(ours(board)) == 2, "another repository's images are another dashboard"


def test_dashboard_id_of_a_foreign_dashboard_is_refused_and_left_unchanged(cli, board):
    result = dashboard(cli, "--dashboard-id", "abc-def-ghi")
    assert result.code == 1 and result.out == ""
    assert result.err == ("healthgrid: error: --dashboard-id: dashboard abc-def-ghi was not made by healthgrid "
                          "(its description has no 'healthgrid-dashboard:' line); it was left unchanged\n")
    assert board.dashboards["abc-def-ghi"] == FOREIGN and not board.calls("PUT", "/api/v1/dashboard/abc-def-ghi")
    assert not board.calls("POST", "/api/v1/dashboard")


def test_dashboard_id_updates_ours_in_place_and_a_404_is_one_line(cli, board):
    assert dashboard(cli).code == 0
    (made_id,) = ours(board)
    url = board.url + board.dashboards[made_id]["url"]
    again = dashboard(cli, "--dashboard-id", made_id)
    assert again.code == 0 and again.out.strip() == url
    assert [r.path for r in board.requests if r.method != "GET"] == ["/api/v1/dashboard", f"/api/v1/dashboard/{made_id}"]
    gone = dashboard(cli, "--dashboard-id", "zzz-zzz-zzz")
    assert gone.code == 1 and gone.out == ""
    assert gone.err == f"healthgrid: error: --dashboard-id: no dashboard zzz-zzz-zzz at {board.url} (404 Not Found)\n"


def test_the_list_is_read_page_by_page_to_find_ours(cli, board):
    assert dashboard(cli).code == 0
    (made_id,) = ours(board)
    made = board.dashboards.pop(made_id)
    for i in range(250):  # ours lands on the third page
        board.dashboards[f"x{i:02d}-aaa-bbb"] = dict(FOREIGN, id=f"x{i:02d}-aaa-bbb")
    board.dashboards[made_id] = made
    assert dashboard(cli).code == 0
    pages = [r.query["start"][0] for r in board.calls("GET", "/api/v1/dashboard")][1:]
    assert pages == ["0", "100", "200"]
    assert board.calls("PUT", f"/api/v1/dashboard/{made_id}") and len(board.calls("POST", "/api/v1/dashboard")) == 1


def test_a_list_without_descriptions_is_checked_by_reading_same_titled_dashboards(cli, board):
    handle = board.handle

    def terse(request):  # summaries with id and title only
        answer = handle(request)
        if request.method == "GET" and request.path == "/api/v1/dashboard":
            answer.body = {"dashboards": [{"id": d["id"], "title": d["title"]} for d in answer.body["dashboards"]]}
        return answer

    board.handle = terse
    board.dashboards["sam-eti-tle"] = dict(FOREIGN, id="sam-eti-tle", title="CI health", description=None)
    assert dashboard(cli).code == 0 and dashboard(cli).code == 0
    assert len(ours(board)) == 2, "ours plus the same-titled foreign one"
    assert len(board.calls("POST", "/api/v1/dashboard")) == 1 and not board.calls("PUT", "/api/v1/dashboard/sam-eti-tle")
    assert board.dashboards["sam-eti-tle"]["widgets"] == FOREIGN["widgets"]


def test_a_list_that_never_ends_is_bounded(cli, board):
    page = [dict(FOREIGN, id=f"p{i:03d}-aaa-bbb") for i in range(100)]
    handle, starts = board.handle, []

    def endless(request, fresh=True):
        if request.path == "/api/v1/dashboard" and request.method == "GET":
            starts.append(int(request.query["start"][0]))
            return Response(200, {"dashboards": [dict(d, id=f"{starts[-1]}-{d['id']}") if fresh else d for d in page]})
        return handle(request)

    board.handle = endless
    result = dashboard(cli)
    assert result.code == 1 and len(result.err.splitlines()) == 1
    assert "more than 5000 dashboards" in result.err and "--dashboard-id" in result.err
    assert len(starts) == 50 and not board.calls("POST", "/api/v1/dashboard")
    board.handle = lambda request: endless(request, fresh=False)  # a server that ignores start: the repeat ends the walk
    starts.clear()
    assert dashboard(cli).code == 0 and starts == [0, 100] and len(ours(board)) == 1


@pytest.mark.parametrize("answer", [{}, {"dashboards": None}, {"dashboards": "abc"}])
def test_a_list_answer_without_the_list_creates_nothing(cli, board, answer):
    board.fail_next("/api/v1/dashboard", Response(200, answer))
    result = dashboard(cli)
    assert result.code == 1 and len(result.err.splitlines()) == 1 and "not what its API documents" in result.err
    assert not board.calls("POST", "/api/v1/dashboard")


def test_two_dashboards_with_our_marker_are_not_guessed_between(cli, board):
    assert dashboard(cli).code == 0
    (made_id,) = ours(board)
    board.dashboards["cln-cln-cln"] = dict(board.dashboards[made_id], id="cln-cln-cln")  # a clone in the UI copies the description
    result = dashboard(cli)
    assert result.code == 1 and "2 dashboards carry this marker" in result.err and "--dashboard-id" in result.err
    assert not board.calls("PUT", f"/api/v1/dashboard/{made_id}")


def test_a_create_answered_with_a_502_after_it_happened_is_not_made_twice(cli, board, clock):
    handle = board.handle
    lost = []

    def lose_first_answer(request):
        answer = handle(request)
        if request.method == "POST" and not lost:
            lost.append(answer)
            return Response(502, "<html>Bad Gateway</html>", content_type="text/html")
        return answer

    board.handle = lose_first_answer
    result = dashboard(cli)
    assert result.code == 0, result.err
    assert len(ours(board)) == 1 and len(board.calls("POST", "/api/v1/dashboard")) == 1
    assert "retrying" in result.err and clock.slept


def test_datadog_refusing_the_body_is_one_line_and_keys_are_never_printed(cli, board, monkeypatch):
    board.fail_next("/api/v1/dashboard", Response(400, {"errors": [f"Invalid widget; key {API_KEY} echoed"]}))
    result = dashboard(cli, "--json")
    assert result.code == 1 and len(result.err.splitlines()) == 1
    assert result.err.startswith("healthgrid: error: dashboard: Datadog refused it (400")
    assert API_KEY not in result.err + result.out and APP_KEY not in result.err + result.out
    board.fail_next("/api/v1/dashboard", Response(403, {"errors": ["Forbidden"]}))
    denied = dashboard(cli)
    assert denied.code == 1 and "check DD_API_KEY, DD_APP_KEY and DD_SITE" in denied.err
    board.fail_next("/api/v1/dashboard", Response(200, {"dashboards": []}))
    board.fail_next("/api/v1/dashboard", Response(200, {"title": "no id", "layout_type": "ordered", "widgets": []}))
    odd = dashboard(cli)
    assert odd.code == 1 and len(odd.err.splitlines()) == 1 and "without a dashboard id" in odd.err


def test_dry_run_needs_no_keys_and_no_network_and_a_real_run_needs_both_keys(cli, board, monkeypatch):
    monkeypatch.delenv("DD_API_KEY")
    monkeypatch.delenv("DD_APP_KEY")
    dry = dashboard(cli, "--dry-run")
    assert dry.code == 0 and json.loads(dry.out)["widgets"] and board.requests == []
    missing = dashboard(cli)
    assert missing.code == 2 and missing.err.startswith("healthgrid: error: DD_API_KEY: not set")
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    no_app = dashboard(cli)
    assert no_app.code == 2 and "DD_APP_KEY" in no_app.err and board.requests == []


def test_the_stand_in_refuses_what_datadog_would(dd):
    import requests

    headers = {"DD-API-KEY": API_KEY, "DD-APPLICATION-KEY": APP_KEY}
    bad = {"title": "t", "layout_type": "ordered", "widgets": [{"definition": {"type": "query_value", "requests": [
        {"q": "avg:a{*}", "conditional_formats": [{"comparator": "==", "value": 1, "palette": "white_on_green"}]}]}}]}
    assert requests.post(f"{dd.url}/api/v1/dashboard", json=bad, headers=headers, timeout=10).status_code == 400
    unplaced = {"title": "t", "layout_type": "ordered", "reflow_type": "fixed", "widgets": [{"definition": {"type": "note", "content": "x"}}]}
    assert requests.post(f"{dd.url}/api/v1/dashboard", json=unplaced, headers=headers, timeout=10).status_code == 400
    assert requests.post(f"{dd.url}/api/v1/dashboard", json={"title": "t"}, headers=headers, timeout=10).status_code == 400
    good = dict(unplaced, widgets=[dict(unplaced["widgets"][0], layout={"x": 0, "y": 0, "width": 4, "height": 2})])
    made = requests.post(f"{dd.url}/api/v1/dashboard", json=good, headers=headers, timeout=10).json()
    assert made["id"].count("-") == 2 and made["widgets"][0]["id"] and made["url"].startswith(f"/dashboard/{made['id']}/")
    cassette = Path(__file__).parent / "data" / "datadog" / "v1__cassettes__test_scenarios__test_create_a_new_dashboard_with_image_widget.yaml"
    recorded = yaml.safe_load(cassette.read_text())["interactions"][0]
    answer = requests.post(f"{dd.url}/api/v1/dashboard", data=recorded["request"]["body"], headers=headers, timeout=10).json()
    expected = json.loads(recorded["response"]["body"]["string"])
    assert set(answer) >= set(expected) - {"template_variables", "notify_list"}, "answers as the recorded create"
    assert answer["widgets"][0].keys() == expected["widgets"][0].keys()
    listed = requests.get(f"{dd.url}/api/v1/dashboard", params={"count": 1, "start": 1}, headers=headers, timeout=10).json()
    assert [d["id"] for d in listed["dashboards"]] == [answer["id"]]
    placed = {"x": 0, "y": 0, "width": 4, "height": 2}

    def widget(query: str, formula: str) -> dict:
        request = {"response_format": "scalar", "queries": [{"data_source": "metrics", "name": "q1", "query": query}],
                   "formulas": [{"formula": formula}]}
        return {"title": "t", "layout_type": "ordered", "widgets": [{"definition": {"type": "query_value", "requests": [request]}, "layout": placed}]}

    for query, formula in [("avg:a{*} * 1000.rollup(sum, 86400)", "q1"), ("avg:a{*}.rollup(sum, 86400)", "q2 * 2")]:
        refused = requests.post(f"{dd.url}/api/v1/dashboard", json=widget(query, formula), headers=headers, timeout=10)
        assert refused.status_code == 400, (query, formula)
    assert requests.post(f"{dd.url}/api/v1/dashboard", json=widget("sum:a{*}.rollup(count, daily, 12am, 'Asia/Kolkata')", "q1 * 2"),
                         headers=headers, timeout=10).status_code == 200



def test_the_actions_dashboard_input_runs_it_after_a_good_publish(runner, dd, cli, in_tmp, monkeypatch):
    small = "grids:\n  - {name: health_grid, days: 2, rows: [{label: A, query: 'avg:a{*}'}]}\n"
    for folder in (runner.workspace, in_tmp):  # the Action's checkout, and the same config run by hand
        (folder / "healthgrid.yml").write_text(small)
    inputs = {"INPUT_DEMO": "true", "INPUT_PUBLISH": "ghpages", "INPUT_NOW": "2026-11-28T12:00:00Z", "INPUT_DASHBOARD": "true",
              "INPUT_DATADOG-API-KEY": API_KEY, "INPUT_DATADOG-APP-KEY": APP_KEY}
    proc, outputs, _ = runner(inputs, {"DATADOG_HOST": dd.url})
    assert proc.returncode == 0, proc.stderr
    (made,) = dd.dashboards.values()
    image = made["widgets"][0]["definition"]["widgets"][0]["definition"]
    versioned = {i["file"]: i["versioned_url"] for i in json.loads(outputs["images"])}
    assert image["url"] == versioned["health_grid.png"] and image["url_dark_theme"] == versioned["health_grid_dark.png"]
    assert f"dashboard: created {made['id']}" in proc.stderr and (proc.stdout + proc.stderr).count(API_KEY) == 1, "in its mask line only"
    nowhere, outputs, _ = runner(dict(inputs, INPUT_PUBLISH="none"), {"DATADOG_HOST": dd.url})
    assert nowhere.returncode == 2 and "::error title=healthgrid::dashboard: needs images published to ghpages or s3" in nowhere.stdout
    assert outputs["images"] == "[]" and len(dd.calls("POST", "/api/v1/dashboard")) == 1
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/health")  # by hand, same config: the same dashboard
    by_hand = cli("dashboard", "--json")
    assert by_hand.code == 0 and json.loads(by_hand.out)["dashboard"]["id"] == made["id"] and len(dd.dashboards) == 1


@pytest.mark.parametrize("site,path,url", [
    ("datadoghq.com", "/dashboard/abc-def-ghi/ci", "https://app.datadoghq.com/dashboard/abc-def-ghi/ci"),
    ("us5.datadoghq.com", "/dashboard/abc-def-ghi/ci", "https://us5.datadoghq.com/dashboard/abc-def-ghi/ci"),
    ("datadoghq.eu", "//evil.example/phish", "https://app.datadoghq.eu/dashboard/abc-def-ghi"),
    ("datadoghq.com", "", "https://app.datadoghq.com/dashboard/abc-def-ghi"),
])
def test_the_printed_url_is_the_web_apps_and_never_an_answer_verbatim(site, path, url):
    from healthgrid.datadog.client import DatadogAuth
    from healthgrid.datadog.dashboard.sync import app_url

    assert app_url(DatadogAuth("k", "a", site), "abc-def-ghi", path) == url
