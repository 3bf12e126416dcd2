"""`healthgrid dashboard --dry-run`: the body Datadog's own models accept, an image widget per
grid, and live twins whose colours give every value the band the grid gives it."""

import json
import math

import pytest

from healthgrid.config import GridSpec, RowSpec
from healthgrid.datadog.dashboard import build
from healthgrid.datadog.dashboard.widgets import Images
from healthgrid.model.band import Bands, Score
from healthgrid.model.rules import Rule, parse_condition

from conftest import EXAMPLE_CONFIG

BASE = "https://acme.github.io/health/healthgrid"
COMPARE = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
PALETTE_BAND = {"white_on_green": "good", "white_on_yellow": "warning", "white_on_red": "critical"}


def dry_run(cli, in_tmp, config_text, *flags):
    (in_tmp / "healthgrid.yml").write_text(config_text)
    result = cli("dashboard", "--image-base", BASE, "--dry-run", *flags)
    assert result.code == 0, result.err
    return json.loads(result.out)


def children(body, grid=0):
    return body["widgets"][grid]["definition"]["widgets"]


def of_type(body, kind, grid=0):
    return [w["definition"] for w in children(body, grid) if w["definition"]["type"] == kind]


def shown_band(formats, value):
    """What Datadog shows: the first format whose comparison holds, top to bottom."""
    for f in formats:
        if COMPARE[f["comparator"]](value, f["value"]):
            return PALETTE_BAND[f["palette"]]
    return None


def probes(*numbers):
    """Each number, the floats either side of it, and values around and between them."""
    out = []
    for x in numbers:
        out += [x, math.nextafter(x, -math.inf), math.nextafter(x, math.inf), x - 1, x + 1, x * 1.5, x / 2]
    out += [-1e12, 1e12, 0.0]
    return out


def test_dry_run_body_is_read_whole_by_the_clients_dashboard_model(cli, in_tmp, monkeypatch):
    from datadog_api_client import Configuration
    from datadog_api_client.model_utils import validate_and_convert_types
    from datadog_api_client.v1.model.dashboard import Dashboard

    monkeypatch.delenv("DD_API_KEY", raising=False)
    (in_tmp / "healthgrid.yml").write_text(EXAMPLE_CONFIG.read_text())
    result = cli("dashboard", "--dry-run", "--image-base", BASE)
    assert result.code == 0, result.err
    body = json.loads(result.out)
    model = validate_and_convert_types(body, (Dashboard,), ["body"], True, True, configuration=Configuration())
    assert not model._unparsed
    (group,) = [w["definition"] for w in body["widgets"]]
    assert group["type"] == "group" and group["title"] == body["title"] == "System Health Rollup - 7 Day FoM Grid"
    (image,) = of_type(body, "image")
    assert image["url"] == f"{BASE}/system_health.png" and image["url_dark_theme"] == f"{BASE}/system_health_dark.png"
    assert image["sizing"] == "contain" and children(body)[0]["layout"]["width"] == 12
    assert len(of_type(body, "query_value")) == len(of_type(body, "timeseries")) == 24


def test_one_image_widget_per_grid_from_the_publish_settings(cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text(
        "publish: {to: ghpages, pages_url: 'https://acme.github.io/health', path: grids}\n"
        "grids:\n  - {name: one, rows: [{label: A, query: 'avg:a{*}'}]}\n  - {name: two, rows: [{label: B, query: 'avg:b{*}'}]}\n")
    body = json.loads(cli("dashboard", "--dry-run").out)
    urls = [(of_type(body, "image", i)[0]["url"], of_type(body, "image", i)[0]["url_dark_theme"]) for i in range(2)]
    assert urls == [("https://acme.github.io/health/grids/one.png", "https://acme.github.io/health/grids/one_dark.png"),
                    ("https://acme.github.io/health/grids/two.png", "https://acme.github.io/health/grids/two_dark.png")]
    only = json.loads(cli("dashboard", "--dry-run", "--grid", "two", "--image-base", "https://cdn.example.com/x/").out)
    assert [of_type(only, "image", 0)[0]["url"]] == ["https://cdn.example.com/x/two.png"] and len(only["widgets"]) == 1
    assert only["title"] == "Two"


def test_s3_images_are_where_the_s3_publisher_puts_them(cli, in_tmp, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    (in_tmp / "healthgrid.yml").write_text("publish: {to: s3, bucket: grids-bucket, prefix: team/}\n"
                                           "grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    image = of_type(json.loads(cli("dashboard", "--dry-run").out), "image")[0]
    assert image["url"] == "https://grids-bucket.s3.amazonaws.com/team/g.png"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/")
    image = of_type(json.loads(cli("dashboard", "--dry-run").out), "image")[0]
    assert image["url_dark_theme"] == "http://127.0.0.1:9000/grids-bucket/team/g_dark.png"


RULES = [("< 5", "< 8"), (">= 40000", ">= 30000"), ("<= 2", "<= 5"), ("> 0", None), ("> 90", "> 85"), ("< 5", "<= 5"),
         ("<= -2.5", "<= 1e-3"), (">= 0.95", "0.8"), ("< 0.1", None)]


@pytest.mark.parametrize("passes,warn", RULES)
def test_rule_rows_are_coloured_pass_then_warn_then_the_rest(cli, in_tmp, passes, warn):
    row = f"{{label: R, query: 'avg:r{{*}}', pass: '{passes}'" + (f", warn: '{warn}'" if warn else "") + "}"
    body = dry_run(cli, in_tmp, f"grids:\n  - {{name: g, rows: [{row}]}}\n")
    (qv,) = of_type(body, "query_value")
    formats = qv["requests"][0]["conditional_formats"]
    p = parse_condition(passes)
    rule = Rule(p, parse_condition(warn, implied=p.op) if warn else None)
    assert formats[0] == {"comparator": rule.passes.op, "value": rule.passes.threshold, "palette": "white_on_green"}
    if rule.warn:
        assert formats[1] == {"comparator": rule.warn.op, "value": rule.warn.threshold, "palette": "white_on_yellow"}
    assert formats[-1]["palette"] == "white_on_red" and len(formats) == (3 if warn else 2)
    thresholds = [rule.passes.threshold] + ([rule.warn.threshold] if rule.warn else [])
    for x in probes(*thresholds):
        assert shown_band(formats, x) == rule.band(x), (x, formats)
    (ts,) = of_type(body, "timeseries")
    assert [m["label"] for m in ts["markers"]] == [f"pass {rule.passes}"] + ([f"warn {rule.warn}"] if rule.warn else [])


SCORES = [(3, 10, (0.3, 0.7)), (0, 5, (0.3, 0.7)), (24, 72, (0.3, 0.7)), (10, 3, (0.3, 0.7)), (0.1, 0.3, (0.7, 0.9)),
          (1, 0, (0.1, 0.2)), (-5, 5, (0.33, 0.66)), (1e-9, 3e-9, (0.3, 0.7)), (40000, 0, (0.25, 0.5))]


@pytest.mark.parametrize("good,bad,edges", SCORES)
def test_score_bands_map_back_to_raw_values_exactly(good, bad, edges):
    bands, score = Bands(*edges), Score(float(good), float(bad))
    spec = GridSpec("g", "G", (RowSpec("S", "avg:s{*}", score=score),), bands=bands)
    body = build((spec,), {"g": Images(f"{BASE}/g.png", None, f"{BASE}/g.png")}, "T")
    (qv,) = of_type(body, "query_value")
    formats = qv["requests"][0]["conditional_formats"]
    assert [f["palette"] for f in formats] == ["white_on_green", "white_on_yellow", "white_on_red"]
    assert [f["comparator"] for f in formats] == ([">=", ">=", "<"] if good > bad else ["<=", "<=", ">"])
    truth = lambda raw: bands.band(score.fom(raw))  # noqa: E731 - the grid's own verdict
    edges_raw = [bad + f * (good - bad) for f in edges]
    for x in probes(*edges_raw, *(f["value"] for f in formats), float(good), float(bad)):
        assert shown_band(formats, x) == truth(x), (x, formats)


def test_a_score_edge_value_keeps_the_upper_band():
    bands, score = Bands(0.3, 0.7), Score(0.0, 10.0)  # fom 0.7 exactly at raw 3.0 (lower is better)
    assert score.fom(3.0) == 0.7 and bands.band(score.fom(3.0)) == "good"
    spec = GridSpec("g", "G", (RowSpec("S", "avg:s{*}", score=score),), bands=bands)
    formats = of_type(build((spec,), {"g": Images("u", None, "u")}, "T"), "query_value")[0]["requests"][0]["conditional_formats"]
    assert shown_band(formats, 3.0) == "good" and shown_band(formats, 7.0) == "warning"
    for x in (3.0, 7.0):
        for near in (math.nextafter(x, -math.inf), math.nextafter(x, math.inf), x + 1e-9, x - 1e-9):
            assert shown_band(formats, near) == bands.band(score.fom(near))


def test_plain_fom_rows_use_the_grids_bands(cli, in_tmp):
    body = dry_run(cli, in_tmp, "bands: {critical: 0.4, warning: 0.8}\ngrids:\n  - {name: g, rows: [{label: F, query: 'avg:f.fom{*}'}]}\n")
    formats = of_type(body, "query_value")[0]["requests"][0]["conditional_formats"]
    assert formats == [{"comparator": ">=", "value": 0.8, "palette": "white_on_green"},
                       {"comparator": ">=", "value": 0.4, "palette": "white_on_yellow"},
                       {"comparator": "<", "value": 0.4, "palette": "white_on_red"}]


def test_rules_datadog_cannot_express_are_left_uncoloured_and_named_in_a_note(cli, in_tmp):
    body = dry_run(cli, in_tmp, "grids:\n  - {name: g, rows: [\n"
                   "      {label: Reverts, group: 'Main *branch*', query: 'sum:reverts{*}', pass: '== 0', warn: '<= 2'},\n"
                   "      {label: Odd, query: 'avg:o{*}', pass: '!= 3'},\n"
                   "      {label: Fine, query: 'avg:f{*}', pass: '< 3'}]}\n")
    qvs = {q["title"]: q["requests"][0] for q in of_type(body, "query_value")}
    assert "conditional_formats" not in qvs[r"Reverts (Main *branch*)"] and "conditional_formats" not in qvs["Odd"]
    assert qvs["Fine"]["conditional_formats"][0]["comparator"] == "<"
    notes = " ".join(n["content"] for n in of_type(body, "note"))
    assert "Reverts (Main \\*branch\\*): == 0 (warn \\<= 2)" in notes and "Odd: != 3" in notes and "Fine" not in notes
    assert "**Main \\*branch\\***" in notes, "the section heading is escaped Markdown too"


def test_formula_and_percentile_rows_are_queries_and_a_formula_rolled_up_into_local_days(cli, in_tmp):
    body = dry_run(cli, in_tmp, "timezone: America/New_York\ngrids:\n  - {name: g, rows: [\n"
                   "      {label: Errors, query: 'sum:err{env:prod}.as_count() / sum:req{env:prod}.as_count() * 100', aggregation: sum, unit: '%'},\n"
                   "      {label: Wait, query: 'p90:queue.wait{*}', aggregation: max},\n"
                   "      {label: Abs, query: 'abs(min:drift{*})', aggregation: min}]}\n")
    qv, p90, absolute = (q["requests"][0] for q in of_type(body, "query_value"))
    day = ".rollup(sum, daily, 12am, 'America/New_York')"
    assert [q["query"] for q in qv["queries"]] == [f"sum:err{{env:prod}}.as_count(){day}", f"sum:req{{env:prod}}.as_count(){day}"]
    assert [q["name"] for q in qv["queries"]] == ["q1", "q2"] and qv["formulas"] == [{"formula": "q1 / q2 * 100"}]
    assert {q["aggregator"] for q in qv["queries"]} == {"last"}, "today's bucket: the day so far"
    assert p90["queries"][0]["query"] == "p90:queue.wait{*}.rollup(max, daily, 12am, 'America/New_York')"
    assert absolute["formulas"] == [{"formula": "abs(q1)"}]
    ts = of_type(body, "timeseries")[0]
    assert ts["requests"][0]["formulas"][0]["formula"] == "q1 / q2 * 100" and ts["time"] == {"live_span": "1w"}
    assert of_type(body, "query_value")[0]["custom_unit"] == "%"
    assert of_type(body, "query_value")[0]["time"] == {"live_span": "2d"}, "today and yesterday: the last bucket is today's"


def test_formulas_keep_the_meaning_the_grid_gives_them(cli, in_tmp):
    """The widgets read a query with the config's own parser: a repeated term is one query, and
    only the parentheses that change the meaning are written."""
    body = dry_run(cli, in_tmp, "grids:\n  - {name: g, rows: [\n"
                   "      {label: Nested, query: 'avg:a{*} - (avg:b{*} - avg:c{*})', aggregation: max},\n"
                   "      {label: Twice, query: 'sum:e{*}.as_count() / (sum:e{*}.as_count() + sum:ok{*}.as_count()) * 100'},\n"
                   "      {label: Sign, query: '-(avg:a{*} + avg:b{*}) / 2', aggregation: max},\n"
                   "      {label: Clamp, query: 'clamp_min(abs(min:x{*}), -5) / 1e-9'}]}\n")
    requests = {qv["title"]: qv["requests"][0] for qv in of_type(body, "query_value")}
    assert requests["Nested"]["formulas"] == [{"formula": "q1 - (q2 - q3)"}]
    assert requests["Twice"]["formulas"] == [{"formula": "q1 / (q1 + q2) * 100"}]
    assert [q["query"].split(".rollup(")[0] for q in requests["Twice"]["queries"]] == ["sum:e{*}.as_count()", "sum:ok{*}.as_count()"]
    assert requests["Sign"]["formulas"] == [{"formula": "-(q1 + q2) / 2"}]
    assert requests["Clamp"]["formulas"] == [{"formula": "clamp_min(abs(q1), -5) / 0.000000001"}]


def test_averaged_terms_pool_every_point_of_the_day_as_the_grid_does(cli, in_tmp):
    """`avg:` with `aggregation: avg` is Σ sums / Σ counts across the series in the grid; the live
    twin asks the same sum and count, so a host reporting twice as often weighs twice, as in the image."""
    body = dry_run(cli, in_tmp, "timezone: Asia/Kolkata\ngrids:\n  - {name: g, rows: [\n"
                   "      {label: Latency, query: 'avg:app.latency{env:prod} * 1000', unit: ms},\n"
                   "      {label: Drift, query: '-avg:a{*} / (max:b{*} - avg:c{*})'},\n"
                   "      {label: Peak, query: 'max:cpu{*}'}]}\n")
    requests = {qv["title"]: qv["requests"][0] for qv in of_type(body, "query_value")}
    day = ", daily, 12am, 'Asia/Kolkata')"
    assert [(q["name"], q["query"]) for q in requests["Latency"]["queries"]] == [
        ("q1sum", f"sum:app.latency{{env:prod}}.rollup(sum{day}"), ("q1count", f"sum:app.latency{{env:prod}}.rollup(count{day}")]
    assert requests["Latency"]["formulas"] == [{"formula": "q1sum / q1count * 1000"}]
    assert [q["name"] for q in requests["Drift"]["queries"]] == ["q1sum", "q1count", "q2", "q3sum", "q3count"]
    assert requests["Drift"]["queries"][2]["query"] == f"max:b{{*}}.rollup(avg{day}", "a max averaged over the day stays Datadog's own"
    assert requests["Drift"]["formulas"] == [{"formula": "-(q1sum / q1count) / (q2 - q3sum / q3count)"}]
    assert requests["Peak"]["formulas"] == [{"formula": "q1"}]
    series = {ts["title"]: ts["requests"][0] for ts in of_type(body, "timeseries")}
    assert series["Latency, last 7 days"]["formulas"][0]["formula"] == "q1sum / q1count * 1000"


def test_utc_grids_use_whole_utc_day_rollups_and_the_days_window(cli, in_tmp):
    body = dry_run(cli, in_tmp, "grids:\n  - {name: g, days: 30, rows: [{label: A, query: 'avg:a{*}', aggregation: sum}]}\n")
    assert of_type(body, "query_value")[0]["requests"][0]["queries"][0]["query"] == "avg:a{*}.rollup(sum, 86400)"
    assert of_type(body, "timeseries")[0]["time"] == {"type": "live", "value": 30, "unit": "day"}


def test_labels_groups_units_and_descriptions_as_the_grid_has_them(cli, in_tmp):
    body = dry_run(cli, in_tmp, "grids:\n  - {name: g, title: 'Team <b>health</b>', rows: [\n"
                   "      {label: P90, group: Pre-merge, query: 'avg:p{*}', unit: min, description: 'see [here](https://evil.example) @team'},\n"
                   "      {label: Other, query: 'avg:o{*}'}]}\n")
    (group,) = [w["definition"] for w in body["widgets"]]
    assert group["title"] == "Team <b>health</b>" and body["title"] == "Team <b>health</b>"
    qv = of_type(body, "query_value")
    assert [q["title"] for q in qv] == ["P90 (Pre-merge)", "Other"] and qv[0]["custom_unit"] == "min"
    assert qv[0]["description"] == "see \\[here\\](https\\://evil.example) @\u2060team"
    headings = [n["content"] for n in of_type(body, "note")]
    assert headings == ["**Pre-merge**", "**Other**"], "sections as every other output draws them"


def test_comparison_grids_get_their_image_and_a_note_only():
    spec = GridSpec("cmp", "By policy", (RowSpec("Score", "avg:eval.score{*}", rule=Rule(parse_condition("> 90"))),), type="comparison")
    body = build((spec,), {"cmp": Images(f"{BASE}/cmp.png", f"{BASE}/cmp_dark.png", f"{BASE}/cmp.png")}, "T")
    kinds = [w["definition"]["type"] for w in children(body)]
    assert kinds == ["image", "note"]


def test_live_twins_are_bounded_and_the_rest_named(cli, in_tmp):
    rows = ", ".join(f"{{label: R{i}, query: 'avg:r{i}{{*}}'}}" for i in range(200))
    config = "grids:\n" + "".join(f"  - {{name: g{k}, rows: [{rows}]}}\n" for k in range(2))
    body = dry_run(cli, in_tmp, config)
    live = sum(len(of_type(body, "query_value", k)) for k in range(2))
    assert live == 150
    assert "50 more rows" in " ".join(n["content"] for n in of_type(body, "note", 0))
    assert "200 more rows" in " ".join(n["content"] for n in of_type(body, "note", 1))
    assert len(json.dumps(body)) < 1_000_000


@pytest.mark.parametrize("flags,message", [
    (("--image-base", "ftp://x/y"), "--image-base"),
    (("--image-base", "https://x/y?token=1"), "--image-base"),
    (("--title", " "), "--title: must not be empty"),
    (("--title", "x" * 201), "--title: 201 characters"),
    (("--grid", "nope"), "--grid: no grid named"),
    (("--dashboard-id", "../../v1/monitor"), "--dashboard-id"),
])
def test_bad_flags_are_one_line_usage_errors(cli, in_tmp, flags, message):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    result = cli("dashboard", "--dry-run", "--image-base", BASE, *flags)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("healthgrid: error: ") and message in result.err and len(result.err.splitlines()) == 1


def test_imgur_links_are_no_base_for_a_dashboard(cli, in_tmp):
    (in_tmp / "healthgrid.yml").write_text("publish: {to: imgur}\ngrids:\n  - {name: g, rows: [{label: A, query: 'avg:a{*}'}]}\n")
    result = cli("dashboard", "--dry-run")
    assert result.code == 2 and "imgur" in result.err and "--image-base" in result.err
