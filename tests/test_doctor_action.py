"""`command: doctor` in the Action: the checks instead of a run, the table in the log and the job
summary (user text escaped, within the summary's limit), a failed step when a run would fail or
lose rows; and the Markdown table on its own."""

import io
from datetime import datetime, timezone

import yaml
from test_action_inputs import unset_inputs

from healthgrid import action
from healthgrid.action import inputs as action_inputs
from healthgrid.doctor.report import Finding, Report

from conftest import NOW
from fakes.datadog import API_KEY, APP_KEY

END = int(datetime(2026, 11, 28, 12, tzinfo=timezone.utc).timestamp())
LABEL = "Tests | <img src=x onerror=alert(1)> *bold* @team"


def test_command_doctor_takes_the_inputs_a_check_needs_and_no_others():
    env = unset_inputs(command="doctor", config="h.yml", now=NOW, grid="a,\nb", publish="imgur", theme="light", demo="true")
    assert action_inputs.build_argv(env) == ["doctor", "--config", "h.yml", "--now", NOW, "--grid", "a", "--grid", "b"]
    assert action_inputs.build_argv(unset_inputs(command="run")) == ["run", "--out", "healthgrid-out"]


def test_an_unknown_command_or_a_removal_with_doctor_is_a_usage_error(in_tmp):
    for given, words in (({"command": "docter"}, "input command: 'docter' is not a command; use run (the default) or doctor"),
                         ({"command": "doctor", "remove": "previews/pr-7"}, "input remove:")):
        err = io.StringIO()
        assert action.main(unset_inputs(**given), io.StringIO(), err) == 2
        assert f"healthgrid: error: {words}" in err.getvalue()


def run_action(in_tmp, rows, **given):
    (in_tmp / "healthgrid.yml").write_text(yaml.safe_dump({"grids": [{"name": "ci", "rows": rows}]}))
    (in_tmp / "output").touch()
    (in_tmp / "summary").write_text("")
    env = {**unset_inputs(command="doctor", now=NOW, datadog_api_key=API_KEY, datadog_app_key=APP_KEY, **given),
           "GITHUB_OUTPUT": str(in_tmp / "output"), "GITHUB_STEP_SUMMARY": str(in_tmp / "summary")}
    out, err = io.StringIO(), io.StringIO()
    code = action.main(env, out, err)
    return code, out.getvalue(), err.getvalue(), (in_tmp / "summary").read_text()


def test_doctor_in_the_action_writes_the_table_to_the_summary_and_fails_the_step(dd, in_tmp, monkeypatch):
    for var in ("DD_API_KEY", "DD_APP_KEY"):  # the keys come from the inputs, as in a workflow
        monkeypatch.delenv(var)
    dd.add_points("ci.tests", [(t, 1.0) for t in range(END - 8 * 86400, END, 3600)])
    code, out, err, summary = run_action(in_tmp, [{"label": LABEL, "query": "avg:ci.tests{*}"},
                                                  {"label": "Typo", "query": "avg:ci.tets{*}"}])
    assert code == 1
    assert summary.startswith("## healthgrid doctor\n") and "**a run would fail or lose rows: 1 problem** (exit 1)" in summary
    assert "| **fail** | row | ci / Typo | no data for ci.tets in the last 7 days" in summary and "unknown metric" in summary
    assert "| **fail** | rows | ci | 1 of 2 rows with data" in summary
    assert "::error title=healthgrid::doctor: ci / Typo: no data for ci.tets" in out
    assert "STATUS  CHECK" in err, "the table is in the log"
    assert sorted(p.name for p in in_tmp.iterdir()) == ["healthgrid.yml", "output", "summary"], "nothing rendered or published"
    for key in (API_KEY, APP_KEY):
        assert f"::add-mask::{key}" in out
        assert key not in out.replace(f"::add-mask::{key}", "") + err + summary + (in_tmp / "output").read_text()


def test_a_healthy_check_passes_the_step_and_escapes_user_text(dd, in_tmp):
    dd.add_points("ci.tests", [(t, 1.0) for t in range(END - 8 * 86400, END, 3600)])
    dd.add_points("ci.lat", [(t, float(t % 13)) for t in range(END - 8 * 86400, END, 3600)])
    code, out, err, summary = run_action(in_tmp, [{"label": "Mean", "query": "avg:ci.tests{*}"}, {"label": LABEL, "query": "p90:ci.lat{*}"}])
    assert code == 1, "the percentile of a gauge"
    (line,) = [line for line in summary.splitlines() if "which Datadog says is a gauge" in line]
    assert line.startswith(r"| **fail** | row | ci / Tests \| \<img src=x onerror=alert(1)\> \*bold\* @" + "\u2060team |")
    assert line.count(" | ") == 3, "the label's | does not open a cell"
    code, out, err, summary = run_action(in_tmp, [{"label": LABEL, "query": "avg:ci.tests{*}"}])
    assert code == 0 and "**a run would succeed: every check passed** (exit 0)" in summary and "::error" not in out


def test_the_summary_table_keeps_within_the_room_left_and_says_what_it_left_out():
    report = Report("https://api.datadoghq.com", datetime(2026, 11, 28, 12, tzinfo=timezone.utc),
                    [Finding("row", "fail", f"grid / row {i}", "x" * 500) for i in range(100)])
    whole = report.markdown(10**6)
    assert whole.count("| **fail** | row |") == 100 and "left out" not in whole
    cut = report.markdown(20_000)
    assert len(cut.encode()) <= 20_000 and 30 < cut.count("| **fail** | row |") < 40
    assert f"{100 - cut.count('| **fail** | row |')} more finding(s) are left out" in cut
    assert report.markdown(100) == ""
