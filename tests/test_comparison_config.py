"""`type: comparison` config: `by` and `top`, rows that are one metric query each, percentile rows
only where Datadog can answer them exactly; every mistake is exit 2 with one line naming the key."""

import pytest

from healthgrid.config import load_config


def comparison(rows='{label: Nav, query: "avg:eval.score{suite:nav}"}', extra="by: policy\n"):
    return f"grids:\n  - name: evals\n    type: comparison\n    rows: [{rows}]\n" + "".join(f"    {line}\n" for line in extra.splitlines())


BAD = [
    (comparison(extra=""), "grids[0].by: is required for type: comparison"),
    (comparison(extra="by: Policy\n"), "grids[0].by: 'Policy' is not a Datadog tag key"),
    (comparison(extra="by: 'policy:a'\n"), "grids[0].by: 'policy:a' is not a Datadog tag key"),
    (comparison(extra="by: 'a b'\n"), "grids[0].by: 'a b' is not a Datadog tag key"),
    (comparison(extra="by: [policy]\n"), "grids[0].by: must be a string"),
    (comparison(extra="by: policy\ntop: 0\n"), "grids[0].top: must be between 1 and 50, got 0"),
    (comparison(extra="by: policy\ntop: 51\n"), "grids[0].top: must be between 1 and 50, got 51"),
    (comparison(extra="by: policy\ntrend: true\n"), "grids[0].trend: only applies to type: heatmap"),
    (comparison(extra="by: policy\ntopp: 3\n"), "grids[0].topp: unknown key (did you mean 'top'?)"),
    ("grids:\n  - name: g\n    by: policy\n    rows: [{label: A, query: 'avg:a{*}'}]\n", "grids[0].by: only applies to type: comparison"),
    ("grids:\n  - name: g\n    type: trend\n    top: 5\n    rows: [{label: A, query: 'avg:a{*}'}]\n", "grids[0].top: only applies to type: comparison"),
    (comparison(rows='{label: Rate, query: "sum:errors{*} / sum:hits{*} * 100"}'),
     "grids[0].rows[0].query: row 'Rate': formulas are not supported in comparison grids"),
    (comparison(rows='{label: A, query: "avg:a{*}"}, {label: Scaled, query: "avg:ci.seconds{*} * 1000"}'),
     "grids[0].rows[1].query: row 'Scaled': formulas are not supported in comparison grids"),
    (comparison(rows='{label: Abs, query: "abs(avg:a{x:(y)})"}'), "grids[0].rows[0].query: row 'Abs': formulas are not supported in comparison grids"),
    (comparison(rows='{label: F, query: "avg:a{*}.fill(zero)"}'), "grids[0].rows[0].query: the metric query at column 1: .fill(zero) fills gaps"),
    (comparison(rows='{label: B, query: "avg:a{*} by {policy}"}'), "grids[0].rows[0].query: must not group"),
    (comparison(rows='{label: R, query: "avg:a{*}.rollup(sum, 60)"}'), "grids[0].rows[0].query: must not use .rollup()"),
    (comparison(rows='{label: P, query: "p90:ci.duration{*}"}', extra="by: workflow\ndays: 3\n"),
     "grids[0].rows[0].query: row 'P': a percentile (p90:) over 3 local days cannot be asked exactly"),
    ("days: 30\n" + comparison(rows='{label: P, query: "p99.9:ci.duration{*}"}', extra="by: workflow\n"),
     "grids[0].rows[0].query: row 'P': a percentile (p99.9:) over 30 local days cannot be asked exactly"),
    (comparison(rows=", ".join(f'{{label: R{i}, query: "avg:m{i}{{*}}"}}' for i in range(13))),
     "grids[0].rows: has 13 rows; a comparison grid draws one panel per row, at most 12"),
]


@pytest.mark.parametrize("text,error", BAD)
def test_comparison_config_mistakes_are_one_line_each(cli, in_tmp, text, error):
    (in_tmp / "healthgrid.yml").write_text(text)
    result = cli("render", "--demo")
    assert result.code == 2
    assert result.err.startswith(f"healthgrid: error: {error}") and result.err.count("healthgrid: error:") == 1, result.err
    assert not (in_tmp / "healthgrid-out").exists()


def test_a_comparison_and_its_defaults(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text(comparison(rows='{label: P, query: "p90:ci.duration{env:ci}", pass: "< 5"}, {label: Runs, query: "sum:ci.runs{*}.as_count()"}',
                               extra="by: workflow\ndays: 7\n"))
    spec = load_config(str(path)).grids[0]
    assert (spec.type, spec.by, spec.top, spec.days) == ("comparison", "workflow", 20, 7)
    assert [r.query for r in spec.rows] == ["p90:ci.duration{env:ci}", "sum:ci.runs{*}.as_count()"]


@pytest.mark.parametrize("days", [1, 7])
def test_percentile_rows_are_allowed_over_a_local_day_or_week(tmp_path, days):
    path = tmp_path / "c.yml"
    path.write_text(comparison(rows='{label: P, query: "p95:ci.duration{*}"}', extra=f"by: workflow\ndays: {days}\n"))
    assert load_config(str(path)).grids[0].days == days


def test_the_docs_example_is_the_example_file_and_renders_from_demo_data(cli, in_tmp):
    from conftest import ROOT

    example = ROOT / "examples" / "comparison.yml"
    docs = (ROOT / "docs" / "comparison.md").read_text()
    assert docs.split("<!-- example: examples/comparison.yml -->\n```yaml\n", 1)[1].split("```", 1)[0] == example.read_text()
    config = load_config(str(example))
    assert [g.type for g in config.grids] == ["comparison"] * 3
    result = cli("render", "--demo", "--config", str(example), "--format", "html", "--now", "2026-11-28T12:00:00Z")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (in_tmp / "healthgrid-out").glob("*.json")) == [
        "ci_workflows.badge.json", "ci_workflows.json", "evals.badge.json", "evals.json", "service_errors.badge.json", "service_errors.json"]
