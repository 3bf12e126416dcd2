"""No workflow command from user text: whatever a config, a flag, an Action input or an upstream
answer holds, nothing healthgrid prints starts a `::command` or a legacy `##[command]`, and the
Action's own commands go out escaped and redacted."""

import io
import json

import pytest

from healthgrid import action

from conftest import NOW
from fakes.http import Response


def runner_commands(text: str) -> list[str]:
    """Lines the Actions runner would act on: `::cmd` after leading spaces, or `##[` anywhere."""
    return [line for line in text.splitlines() if line.lstrip().startswith("::") or "##[" in line]


def test_action_config_input_cannot_inject_a_command(in_tmp, monkeypatch):
    for var in ("DD_API_KEY", "DD_APP_KEY", "DD_SITE", "IMGUR_CLIENT_ID", "GITHUB_TOKEN"):
        monkeypatch.delenv(var, raising=False)  # only the inputs give keys
    out, err = io.StringIO(), io.StringIO()
    code = action.main({"INPUT_CONFIG": "nope.yml\n::warning title=pwned::x"}, out, err)
    assert code == 2
    assert runner_commands(err.getvalue()) == [] and [c for c in runner_commands(out.getvalue()) if not c.startswith("::error")] == []
    assert "healthgrid: error: input config: has a line break" in err.getvalue()


@pytest.mark.parametrize("argv", [
    ["render", "--config", "nope.yml\n::warning title=pwned::x"],
    ["render", "--demo", "--format", "png,##[warning]x"],
    ["render", "--demo", "--theme", "light", "--out", "::warning::x"],
])
def test_cli_errors_and_results_never_start_a_command(in_tmp, cli, argv):
    result = cli(*argv)
    assert runner_commands(result.out + result.err) == []
    assert all(line.startswith("healthgrid: ") for line in result.err.splitlines())


def test_a_command_echoed_by_a_datadog_400_stays_inert(in_tmp, cli, dd):
    """The query is valid, so it reaches Datadog; the 400 echoes it back followed by a line break
    and commands: the grid fails (exit 1) in one line that starts none of them."""
    (in_tmp / "healthgrid.yml").write_text(json.dumps({"grids": [{"name": "g", "days": 3, "rows": [{"label": "A", "query": "avg:a{*}"}]}]}))
    dd.fail_next("/api/v2/query/timeseries", Response(400, {"errors": ["Error parsing query: avg:a{*}\n::warning title=pwned::x ##[error]y"]}), times=60)
    result = cli("render", "--now", NOW, "--timeout", "5", "--json")
    assert result.code == 1, result.err
    assert len(dd.calls("POST", "/api/v2/query/timeseries")) == 1, "the query was sent, and a 400 is not retried"
    grid_line = "g: Datadog rejected the query of row 'A' (avg:a{*}): Error parsing query: avg:a{*} ::warning title=pwned::x ##\\u005berror]y"
    assert result.err.splitlines() == [f"healthgrid: error: {grid_line}",
                                       "healthgrid: error: 1 of 1 grid failed: g; their files were left as they were"]
    assert json.loads(result.out)["grids"][0]["error"] == grid_line
    assert runner_commands(result.out + result.err) == []


def test_the_actions_workflow_commands_go_out_escaped_and_redacted_through_the_console():
    from healthgrid.console import Console
    from healthgrid.secrets import register_secret

    out = io.StringIO()
    console = Console(io.StringIO(), io.StringIO(), commands=out)
    register_secret("wf-s3cr3t-0123456789")
    console.mask("wf-s3cr3t-0123456789")
    console.annotate("warning", "a\r\nb wf-s3cr3t-0123456789 100%")
    console.annotate("error", "g: failed", title="health:grid, one")
    assert out.getvalue().splitlines() == ["::add-mask::wf-s3cr3t-0123456789", "::warning::a%0D%0Ab *** 100%25",
                                           "::error title=health%3Agrid%2C one::g: failed"]
