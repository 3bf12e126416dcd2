"""Config validation: every mistake is exit 2, one line naming the key, nothing written."""

import textwrap

import pytest

from healthgrid.config import DEFAULT_CONFIG, PALETTES, load_config, parse_config
from healthgrid.model.band import Bands, Score

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
    (grid() + "publish: {to: ghpages, keep: 0}\n", "publish.keep: must be between 1 and 1000"),
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


def test_default_config_is_the_seeds_seven_ci_rows(in_tmp):
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
    data = dict(DEFAULT_CONFIG, publish={"to": "ghpages", "branch": "pages", "path": "/img/", "keep": 3}, report={"metrics": True, "dashboard": "abc-def-ghi"})
    config = parse_config(data, "x")
    assert (config.publish.to, config.publish.branch, config.publish.path, config.publish.keep) == ("ghpages", "pages", "img", 3)
    assert config.report.metrics and config.report.dashboard == "abc-def-ghi"


@pytest.mark.parametrize(("text", "kind"), [("root:x:0:0:root:/root:/bin/bash\n", "a string ('root:x:0:0:root:/root:/bin/bash')"),
                                            ("- a\n- b\n", "a list"), ("7\n", "a number (7)")])
def test_a_config_that_is_no_mapping_names_the_file(in_tmp, cli, text, kind):
    (in_tmp / "c.yml").write_text(text)
    result = cli("render", "--demo", "--config", "c.yml")
    assert result.code == 2
    assert result.err == f"healthgrid: error: c.yml: must be a mapping with a 'grids' list, got {kind}\n"
