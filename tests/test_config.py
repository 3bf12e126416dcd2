"""Config validation: every mistake is exit 2, one line naming the key, nothing written."""

import textwrap

import pytest

from healthgrid.config import DEFAULT_CONFIG, PALETTES, load_config, parse_config
from healthgrid.model.band import Bands, Score

from conftest import NOW

GOOD_ROW = "{label: A, query: 'avg:a{*}'}"


def grid(extra="", rows=GOOD_ROW, name="g"):
    return f"grids:\n  - name: {name}\n    rows: [{rows}]\n{textwrap.indent(extra, '    ')}"


BAD_CONFIGS = [
    # (yaml text, the start of the error after "healthgrid: error: ")
    ("grids: [", "healthgrid.yml:2:1: invalid YAML"),
    ("grids:\n  - name: g\n  - name: h\n   oops: 1\n", "healthgrid.yml:4:"),
    ("", "healthgrid.yml: is empty"),
    ("- a\n- b\n", "healthgrid.yml: must be a mapping with a 'grids' list, got a list"),
    ("grids: []\n", "grids: must list at least one grid"),
    ("grids: {a: 1}\n", "grids: must be a list"),
    ("gridz: []\n", "gridz: unknown key (did you mean 'grids'?)"),
    ("timezone: UTC\n", "grids: is required"),
    (grid("colour: red\n"), "grids[0].colour: unknown key"),
    (grid(rows="{label: A, query: 'avg:q{*}', scroe: {good: 1, bad: 0}}"), "grids[0].rows[0].scroe: unknown key (did you mean 'score'?)"),
    (grid(rows=""), "grids[0].rows: must list at least one row"),
    (grid(rows="{label: A}"), "grids[0].rows[0].query: is required"),
    (grid(rows="{query: 'avg:q{*}'}"), "grids[0].rows[0].label: is required"),
    (grid(rows="{label: '', query: 'avg:q{*}'}"), "grids[0].rows[0].label: must not be empty"),
    (grid(rows="{label: 3, query: 'avg:q{*}'}"), "grids[0].rows[0].label: must be a string"),
    (grid(rows="{label: A, query: 'avg:q{*}', score: {good: x, bad: 1}}"), "grids[0].rows[0].score.good: must be a number"),
    (grid(rows="{label: A, query: 'avg:q{*}'}, {label: B, query: 'avg:q{*}'}, {label: C, query: 'avg:q{*}', score: {good: '3', bad: 1}}"),
     "grids[0].rows[2].score.good: must be a number"),
    (grid(rows="{label: A, query: 'avg:q{*}', score: {good: 2, bad: 2}}"), "grids[0].rows[0].score.good: must differ from bad"),
    (grid(rows="{label: A, query: 'avg:q{*}', score: {good: 2}}"), "grids[0].rows[0].score.bad: is required"),
    (grid(rows="{label: A, query: 'avg:q{*}', score: {good: .inf, bad: 2}}"), "grids[0].rows[0].score.good: must be a finite number"),
    (grid(rows="{label: A, query: 'avg:q{*}', aggregation: median}"), "grids[0].rows[0].aggregation: must be one of avg, sum, min, max"),
    (grid("days: 0\n"), "grids[0].days: must be between 1 and 90, got 0"),
    (grid("days: 91\n"), "grids[0].days: must be between 1 and 90, got 91"),
    (grid("days: 7.5\n"), "grids[0].days: must be a whole number"),
    (grid("days: true\n"), "grids[0].days: must be a whole number"),
    ("days: 100\n" + grid(), "days: must be between 1 and 90"),
    (grid("timezone: Mars/Olympus\n"), "grids[0].timezone: unknown IANA time zone 'Mars/Olympus'"),
    ("timezone: ../../etc/passwd\n" + grid(), "timezone: unknown IANA time zone"),
    (grid(name="Health Grid"), "grids[0].name: 'Health Grid' must match"),
    (grid(name="../evil"), "grids[0].name: '../evil' must match"),
    (grid() + "  - name: g\n    rows: [" + GOOD_ROW + "]\n", "grids[1].name: duplicate grid name 'g' (also grids[0])"),
    (grid("bands: {critical: 0.8, warning: 0.7}\n"), "grids[0].bands: need 0 < critical < warning < 1"),
    ("bands: {critical: 0, warning: 0.7}\n" + grid(), "bands: need 0 < critical < warning < 1"),
    ("bands: {critical: 0.3}\n" + grid(), "bands.warning: is required"),
    (grid("palette: rainbow\n"), "grids[0].palette: must be one of"),
    (grid("type: pie\n"), "grids[0].type: must be one of heatmap, trend"),
    (grid("type: trend\ntrend: true\n"), "grids[0].trend: only applies to type: heatmap"),
    (grid("trend: yes please\n"), "grids[0].trend: must be true or false"),
    (grid() + "publish: {to: ftp}\n", "publish.to: must be one of ghpages, imgur, s3, none"),
    (grid() + "publish: {to: s3}\n", "publish.bucket: is required when to: s3"),
    (grid() + "publish: {branchh: x}\n", "publish.branchh: unknown key (did you mean 'branch'?)"),
    (grid() + "report: {metrics: 1}\n", "report.metrics: must be true or false"),
    (grid("title: [a]\n"), "grids[0].title: must be a string"),
    (grid("name: h\n"), "healthgrid.yml:4:5: duplicate key 'name'"),
]


@pytest.mark.parametrize("text,expected", BAD_CONFIGS, ids=[e for _, e in BAD_CONFIGS])
def test_bad_config_is_exit_2_one_line_nothing_written(in_tmp, cli, text, expected):
    (in_tmp / "healthgrid.yml").write_text(text)
    result = cli("render", "--demo", "--out", "out", "--now", "2026-11-28T12:00:00Z")
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("healthgrid: error: " + expected), lines[0]
    assert "Traceback" not in result.err
    assert result.out == ""
    assert not (in_tmp / "out").exists()


def test_a_list_as_a_yaml_key_is_a_config_error(in_tmp, cli):
    (in_tmp / "hg.yml").write_text(grid() + "? [a, b]\n: 1\n")
    result = cli("render", "--demo", "--config", "hg.yml", "--now", "2026-11-28T12:00:00Z", "--out", "out")
    assert result.code == 2 and len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("healthgrid: error: hg.yml:4:3") and "a key must be a plain word" in result.err


def test_default_config_is_seven_ci_rows(in_tmp):
    config = load_config(None)
    assert config.source is None
    (g,) = config.grids
    assert g.name == "health_grid"
    assert g.title == "System Health Rollup - 7 Day FoM Grid"
    assert g.days == 7 and g.timezone == "UTC" and g.palette == "health"
    assert [r.label for r in g.rows] == [
        "Tests Passing", "Failing Workflows", "Hotfix Count", "Revert Count", "CI Duration P90", "Stale PRs", "PR Cycle Time",
    ]
    assert g.rows[0].query == "avg:health.ci.tests_passing.fom{*}"


def test_local_healthgrid_yml_is_picked_up(in_tmp):
    (in_tmp / "healthgrid.yml").write_text(grid(name="mine"))
    assert [g.name for g in load_config(None).grids] == ["mine"]


def test_missing_config_file_names_the_flag(in_tmp, cli):
    result = cli("render", "--demo", "--config", "nope.yml")
    assert (result.code, result.err) == (2, "healthgrid: error: --config: nope.yml: no such file\n")


def test_top_level_defaults_apply_and_grids_override():
    config = parse_config(
        {"timezone": "Asia/Kolkata", "days": 14, "palette": "cividis", "bands": {"critical": 0.2, "warning": 0.6},
         "grids": [{"name": "a", "rows": [{"label": "A", "query": "avg:q{*}"}]},
                   {"name": "b", "days": 3, "timezone": "UTC", "rows": [{"label": "B", "query": "avg:q{*}"}]}]},
        "x.yml",
    )
    a, b = config.grids
    assert (a.timezone, a.days, a.palette, a.bands) == ("Asia/Kolkata", 14, "cividis", Bands(0.2, 0.6))
    assert (b.timezone, b.days, b.palette) == ("UTC", 3, "cividis")
    assert a.title == "A"


def test_example_dashboard_config_is_valid():
    from conftest import EXAMPLE_CONFIG

    config = load_config(str(EXAMPLE_CONFIG))
    (g,) = config.grids
    assert len(g.rows) == 24
    assert {r.group for r in g.rows} == {"Training", "CI/CD", "Eval"}
    duration = next(r for r in g.rows if r.label == "CI P90 Duration")
    assert duration.score == Score(3, 10) and duration.unit == "min"


@pytest.mark.parametrize("raw,fom", [(3, 1.0), (10, 0.0), (6.5, 0.5), (0, 1.0), (50, 0.0)])
def test_score_lower_is_better_linear_clamped(raw, fom):
    assert Score(good=3, bad=10).fom(raw) == pytest.approx(fom)


@pytest.mark.parametrize("raw,fom", [(1, 1.0), (0, 0.0), (0.25, 0.25), (7, 1.0), (-1, 0.0)])
def test_score_higher_is_better(raw, fom):
    assert Score(good=1, bad=0).fom(raw) == pytest.approx(fom)


def test_every_palette_is_a_matplotlib_colormap():
    import matplotlib

    for name in PALETTES:
        if name not in ("bands", "health"):
            assert name in matplotlib.colormaps


def test_publish_and_report_sections_parse():
    data = dict(DEFAULT_CONFIG, publish={"to": "ghpages", "branch": "pages", "path": "/img/"}, report={"metrics": True, "dashboard": "abc-def-ghi"})
    config = parse_config(data, "x")
    assert (config.publish.to, config.publish.branch, config.publish.path) == ("ghpages", "pages", "img")
    assert config.report.metrics and config.report.dashboard == "abc-def-ghi"


@pytest.mark.parametrize(("text", "kind"), [("root:x:0:0:root:/root:/bin/bash\n", "a string ('root:x:0:0:root:/root:/bin/bash')"),
                                            ("- a\n- b\n", "a list"), ("7\n", "a number (7)")])
def test_a_config_that_is_no_mapping_names_the_file(in_tmp, cli, text, kind):
    (in_tmp / "c.yml").write_text(text)
    result = cli("render", "--demo", "--config", "c.yml")
    assert result.code == 2
    assert result.err == f"healthgrid: error: c.yml: must be a mapping with a 'grids' list, got {kind}\n"


# --- every error of a file, and YAML's own --------------------------------------------------------

def test_a_label_may_repeat_across_groups_but_not_within_one(in_tmp, cli):
    rows = "      - {label: Hearts, group: Local, query: 'avg:a{*}'}\n      - {label: Hearts, group: Remote, query: 'avg:b{*}'}\n"
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - name: g\n    rows:\n" + rows + "      - {label: Hearts, group: Remote, query: 'avg:c{*}'}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    assert result.err.startswith("healthgrid: error: grids[0].rows[2].label: duplicate label 'Hearts' in group 'Remote' (also rows[1])")
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - name: g\n    rows:\n" + rows)
    assert cli("render", "--demo", "--out", "out", "--now", NOW, "--theme", "light").code == 0


def test_every_config_error_of_a_file_is_reported_at_once(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text(
        "timezone: Mars/Olympus\n"
        "grids:\n"
        "  - name: Bad Name\n"
        "    days: 0\n"
        "    rows:\n"
        "      - {label: A, query: 'avg:q{*}', pass: '< x'}\n"
        "      - {label: B, query: 'avg:q{*}', warn: '< 3'}\n"
        "      - {label: A, query: 'avg:q{*}'}\n"
        "  - name: ok\n"
        "    palette: RdYlGr\n"
        "    rows: [{label: C, query: 'avg:q{*}', pass: '< 1', score: {good: 0, bad: 1}}]\n"
        "publish: {to: ftp}\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2
    expected = [
        "grids[0].name: 'Bad Name' must match",
        "grids[0].rows[0].pass: '< x' is not a condition: write OP NUMBER, e.g. '< 5' or '>= 40000' (OP one of <, <=, >, >=, ==, !=)",
        "grids[0].rows[1].warn: needs pass: on the same row",
        "grids[0].rows[2].label: duplicate label 'A' in the rows without a group (also rows[0])",
        "timezone: unknown IANA time zone 'Mars/Olympus'",
        "grids[0].days: must be between 1 and 90, got 0",
        "grids[1].rows[0].pass: cannot be used with score on the same row",
        "grids[1].palette: ",
        "publish.to: must be one of ghpages, imgur, s3, none; got 'ftp'",
    ]
    lines = result.err.splitlines()
    assert len(lines) == len(expected), result.err
    for line, start in zip(lines, expected, strict=False):
        assert line.startswith("healthgrid: error: " + start), line
    assert not (in_tmp / "out").exists()


def test_errors_past_the_limit_are_counted_not_listed(in_tmp, cli):
    rows = ", ".join(f"{{label: R{i}, query: 'avg:q{{*}}', pass: 'bad {i}'}}" for i in range(25))
    (in_tmp / "healthgrid.yml").write_text(f"grids:\n  - name: g\n    rows: [{rows}]\n")
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    lines = result.err.splitlines()
    assert result.code == 2 and len(lines) == 21
    assert all(line.startswith(f"healthgrid: error: grids[0].rows[{i}].pass: 'bad {i}'") for i, line in enumerate(lines[:20]))
    assert lines[20] == "healthgrid: error: 5 more config errors not shown; fix these first"


def test_the_action_annotates_each_config_error(in_tmp):
    import io

    from healthgrid.action import main as action_main

    (in_tmp / "healthgrid.yml").write_text(
        "grids:\n  - name: g\n    rows: [{label: A, query: 'avg:q{*}', pass: x}, {label: B, query: 'avg:q{*}', warn: '< 1'}]\n")
    env = {"INPUT_DEMO": "true", "INPUT_PUBLISH": "none", "INPUT_NOW": NOW, "GITHUB_OUTPUT": str(in_tmp / "o"), "GITHUB_STEP_SUMMARY": str(in_tmp / "s")}
    out = io.StringIO()
    assert action_main(env, out, io.StringIO()) == 2
    annotations = [line for line in out.getvalue().splitlines() if line.startswith("::error")]
    assert len(annotations) == 2
    assert "grids[0].rows[0].pass" in annotations[0] and "grids[0].rows[1].warn: needs pass" in annotations[1]


YAML_MISTAKES = [
    ("grids:\n\t- name: g\n", "healthgrid.yml:2:1: invalid YAML: ", "a tab: YAML indents with spaces only"),
    ("grids:\n  - name: g\n    rows:\n      - {label: A, query: avg:foo{env:prod}}\n", "healthgrid.yml:4:34: invalid YAML: ",
     "quote the query, e.g. query: 'avg:metric{env:prod}'"),
    ("grids:\n  - name: g\n    rows:\n      - label: A\n        query: avg:foo{env: prod}\n", "healthgrid.yml:5:27: invalid YAML: ",
     "quote the query"),
    ("grids:\n  - name: g\n    rows:\n      - label: A\n        query: q\n        pass: >= 40000\n", "healthgrid.yml:6:16: invalid YAML: ",
     "quote conditions, e.g. pass: \">= 40000\""),
    ("grids:\n  - name: g\n    rows:\n      - label: A\n       query: q\n", "healthgrid.yml:5:8: invalid YAML: ", "check the indentation"),
    ("grids:\n  - name: g\n   rows: []\n", "healthgrid.yml:3:4: invalid YAML: ", "check the indentation"),
]


@pytest.mark.parametrize("text,where,hint", YAML_MISTAKES, ids=[h for *_, h in YAML_MISTAKES])
def test_yaml_syntax_errors_keep_line_and_column_and_hint_at_the_cause(in_tmp, cli, text, where, hint):
    (in_tmp / "healthgrid.yml").write_text(text)
    result = cli("render", "--demo", "--out", "out", "--now", NOW)
    assert result.code == 2 and len(result.err.splitlines()) == 1
    assert result.err.startswith("healthgrid: error: " + where), result.err
    assert "(hint: " in result.err and hint in result.err.split("(hint: ", 1)[1]
