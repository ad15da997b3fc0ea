"""Inputs, events and commands: validated with clear messages, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.action import inputs
from bot.action.commands import parse_command
from bot.action.events import Audit, Command, ReviewPull, Skip, plan
from bot.action.inputs import read_inputs
from bot.action.main import main
from bot.errors import UsageError

TOKEN = {"INPUT_GITHUB-TOKEN": "t"}


def test_inputs_keep_the_runners_dashes_and_have_defaults() -> None:
    inputs = read_inputs({**TOKEN, "INPUT_FAIL-ON": "warning", "INPUT_INLINE": "False"})
    assert inputs.token == "t" and inputs.fail_on == "warning" and not inputs.inline
    assert inputs.status_context == "zoo-review" and inputs.comment
    assert inputs.config_path == ".github/zoo-review.yml" and not inputs.config_named
    assert read_inputs({**TOKEN, "INPUT_CONFIG": "zoo.yml"}).config_named


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "input `github-token` is empty"),
        (
            {**TOKEN, "INPUT_FAIL-ON": "errors"},
            "input `fail-on` is 'errors'; use one of: error, warning, never",
        ),
        ({**TOKEN, "INPUT_INLINE": "yes"}, "input `inline` is 'yes'; write true or false"),
        ({**TOKEN, "INPUT_COMMENT": "always"}, "input `comment` is 'always'"),
        ({**TOKEN, "INPUT_CONFIG": "../secrets.yml"}, "write a path inside the repository"),
        ({**TOKEN, "INPUT_STATUS-CONTEXT": "x\ny"}, "input `status-context`"),
    ],
)
def test_bad_inputs_are_usage_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=None) as raised:
        read_inputs(env)
    assert message in str(raised.value)


def test_bad_input_exits_2_with_an_error_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text("{}")
    env = {
        "INPUT_GITHUB-TOKEN": "t",
        "INPUT_VERIFY-CHECKSUMS": "maybe",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
    }
    assert main(env) == 2
    out = capsys.readouterr().out
    assert out.startswith("::error::zoo-review: input `verify-checksums` is 'maybe'")
    assert "Traceback" not in out


def test_unreadable_event_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        **TOKEN,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp_path / "none.json"),
        "GITHUB_REPOSITORY": "o/r",
    }
    assert main(env) == 2
    assert "cannot read the event payload" in capsys.readouterr().out


def comment_event(body: str, **extra: object) -> dict[str, object]:
    event: dict[str, object] = {
        "action": "created",
        "issue": {"number": 4, "pull_request": {"url": "u"}},
        "comment": {"id": 9, "body": body, "user": {"login": "m", "type": "User"}},
    }
    event.update(extra)
    return event


def test_events_choose_what_to_do() -> None:
    assert plan("pull_request_target", {"action": "synchronize", "number": 3}) == ReviewPull(
        3, "pull_request_target synchronize"
    )
    assert isinstance(plan("pull_request", {"action": "closed", "number": 3}), Skip)
    assert isinstance(
        plan("pull_request", {"action": "edited", "number": 3, "changes": {"title": {}}}), Skip
    )
    assert isinstance(
        plan("pull_request", {"action": "edited", "number": 3, "changes": {"body": {}}}), ReviewPull
    )
    assert plan("issue_comment", comment_event("/zoo-review recheck\nplease")) == Command(
        4, 9, "m", "/zoo-review recheck"
    )
    assert isinstance(plan("issue_comment", comment_event("please\n/zoo-review recheck")), Skip)
    assert isinstance(
        plan("issue_comment", comment_event("/zoo-review recheck", action="edited")), Skip
    )
    bot = comment_event("/zoo-review recheck")
    bot["comment"] = {
        "id": 9,
        "body": "/zoo-review recheck",
        "user": {"login": "x[bot]", "type": "Bot"},
    }
    assert isinstance(plan("issue_comment", bot), Skip)
    on_issue = comment_event("/zoo-review recheck", issue={"number": 4})
    assert isinstance(plan("issue_comment", on_issue), Skip)
    assert plan("workflow_dispatch", {"inputs": {"pr": "12"}}) == ReviewPull(
        12, "workflow_dispatch"
    )
    assert plan(
        "workflow_dispatch", {"inputs": {}, "repository": {"default_branch": "dev"}}
    ) == Audit("dev")
    assert plan("schedule", {"repository": {"default_branch": "main"}}) == Audit("main")
    with pytest.raises(UsageError, match="give the pull request's number"):
        plan("workflow_dispatch", {"inputs": {"pr": "12; rm"}})


def test_commands_are_parsed_strictly() -> None:
    assert parse_command("/zoo-review recheck").name == "recheck"
    assert parse_command("/zoo-review help").name == "help"
    unknown = parse_command("/zoo-review approve @everyone")
    assert unknown.name is None and unknown.problem is not None
    assert "`approve @\u2060everyone`" in unknown.problem
    assert (
        parse_command("/zoo-review").problem
        == "`/zoo-review` needs a command: `recheck` or `help`."
    )


def test_the_report_folder_inside_the_docker_action(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's path must open in a later step on the runner: runner 2.329+ mounts
    RUNNER_TEMP at /github/runner_temp (and says so in RUNNER_TEMP), older runners leave
    RUNNER_TEMP as the runner's path and mount only $RUNNER_TEMP/_github_home at /github/home."""
    workspace = "/home/runner/work/zoo"
    assert inputs._report_folder(str(tmp_path), workspace) == (tmp_path, tmp_path)
    temp, home = tmp_path / "runner_temp", tmp_path / "github-home"
    temp.mkdir()
    home.mkdir()
    monkeypatch.setattr(inputs, "CONTAINER_TEMP", temp)
    monkeypatch.setattr(inputs, "CONTAINER_HOME", home)
    # Runner 2.329 and later.
    assert inputs._report_folder(str(temp), workspace) == (
        temp,
        Path("/home/runner/work/_temp"),
    )
    # Older runners.
    runner_temp = "/home/runner/work/_temp"
    assert inputs._report_folder(runner_temp, workspace) == (
        home,
        Path(runner_temp) / "_github_home",
    )


def test_api_budget_and_audit_issue_inputs() -> None:
    read = read_inputs({**TOKEN, "INPUT_API-BUDGET": "120", "INPUT_AUDIT-ISSUE": "false"})
    assert read.api_budget == 120 and not read.audit_issue
    assert read_inputs(TOKEN).api_budget == 300 and read_inputs(TOKEN).audit_issue
    for bad in ("10", "lots", "-5"):
        with pytest.raises(UsageError, match="input `api-budget`"):
            read_inputs({**TOKEN, "INPUT_API-BUDGET": bad})
