"""The Action's inputs (INPUT_* variables, dashes kept by the runner) and its environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.action.budget import DEFAULT_BUDGET, MIN_BUDGET
from bot.action.client import Pacing
from bot.config import REPO_CONFIG_PATH
from bot.errors import UsageError
from bot.net.remap import Remap, parse_remap

FailOn = Literal["error", "warning", "never"]
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
_CONTEXT = re.compile(r"[\w .:/()\[\]-]{1,100}")


@dataclass(frozen=True)
class Inputs:
    """The validated inputs of action.yml."""

    token: str
    config_path: str
    config_named: bool  # the maintainer chose the path: its absence is an error
    fail_on: FailOn
    comment: bool
    inline: bool
    status_context: str
    verify_checksums: bool
    api_budget: int = DEFAULT_BUDGET
    audit_issue: bool = True


@dataclass(frozen=True)
class Runner:
    """What the runner tells the container: the event, where GitHub is, where files go; and
    the operator's switches (never anything a PR can set)."""

    event_name: str
    event_path: Path
    api_url: str
    server_url: str
    repository: str
    run_id: str | None
    # Where the JSON report is written, and the same folder as later steps of the job see it.
    temp_dir: Path
    allow_private_hosts: bool
    remaps: tuple[Remap, ...]
    pacing: Pacing
    output_file: str | None = None
    summary_file: str | None = None
    shown_temp_dir: Path | None = None
    # GITHUB_REF: for schedule and workflow_dispatch, the branch the workflow runs on.
    ref: str = ""


def _input(env: Mapping[str, str], name: str) -> str:
    """INPUT_<NAME> with the dashes the runner keeps (also accepts underscores)."""
    upper = name.upper()
    for key in (f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}"):
        value = env.get(key)
        if value is not None and value.strip():
            return value.strip()
    return ""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = _input(env, name)
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(f"input `{name}` is {value!r}; write true or false")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = _input(env, name) or default
    if value not in choices:
        raise UsageError(f"input `{name}` is {value!r}; use one of: {', '.join(choices)}")
    return value


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """The inputs, checked here: the runner does not enforce `required`."""
    token = _input(env, "github-token")
    if not token:
        raise UsageError(
            "input `github-token` is empty: leave its default (`${{ github.token }}`) or pass a "
            "token with pull-requests: write, issues: write, statuses: write and contents: read"
        )
    config_path = _input(env, "config")
    named = bool(config_path) and config_path != REPO_CONFIG_PATH
    config_path = config_path or REPO_CONFIG_PATH
    parts = config_path.split("/")
    if config_path.startswith("/") or ".." in parts or "" in parts or "\\" in config_path:
        raise UsageError(
            f"input `config` is {config_path!r}; write a path inside the repository, such as "
            f"{REPO_CONFIG_PATH} (it is read from the base branch)"
        )
    context = _input(env, "status-context") or "zoo-review"
    if not _CONTEXT.fullmatch(context):
        raise UsageError(
            f"input `status-context` is {context!r}; use up to 100 letters, digits, spaces or "
            "`-_./:()[]`, e.g. zoo-review"
        )
    fail_on = _choice(env, "fail-on", ("error", "warning", "never"), "error")
    comment = _choice(env, "comment", ("sticky", "off"), "sticky")
    budget_text = _input(env, "api-budget") or str(DEFAULT_BUDGET)
    if not budget_text.isdigit() or not MIN_BUDGET <= int(budget_text) <= 100_000:
        raise UsageError(
            f"input `api-budget` is {budget_text!r}; give a number of GitHub API requests from "
            f"{MIN_BUDGET} to 100000 (default {DEFAULT_BUDGET})"
        )
    return Inputs(
        token=token,
        config_path=config_path,
        config_named=named,
        fail_on=fail_on,  # type: ignore[arg-type]
        comment=comment == "sticky",
        inline=_bool(env, "inline", True),
        status_context=context,
        verify_checksums=_bool(env, "verify-checksums", False),
        api_budget=int(budget_text),
        audit_issue=_bool(env, "audit-issue", True),
    )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise UsageError(
            f"{name} is not set: zoo-review runs as a GitHub Action step, which the runner "
            "gives this variable"
        )
    return value


def _scale(env: Mapping[str, str]) -> float:
    text = env.get("ZOO_REVIEW_GITHUB_WAIT_SCALE", "").strip()
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 10:
        raise UsageError(f"ZOO_REVIEW_GITHUB_WAIT_SCALE is {text!r}; use a number from 0 to 10")
    return value


# Inside a Docker action the runner mounts its temp folder at /github/runner_temp (runner
# 2.329 and later, which then sets RUNNER_TEMP to that path) and $RUNNER_TEMP/_github_home at
# /github/home (every version; older ones leave RUNNER_TEMP as the runner's own path, which is
# not mounted). Later steps of the job run on the runner, where neither path exists.
CONTAINER_TEMP = Path("/github/runner_temp")
CONTAINER_HOME = Path("/github/home")


def _report_folder(runner_temp: str, runner_workspace: str) -> tuple[Path, Path]:
    """Where to write the report, and the same folder as later steps of the job see it."""
    temp = Path(runner_temp) if runner_temp else None
    if temp is not None and temp == CONTAINER_TEMP and temp.is_dir():
        # 2.329+: the runner's temp folder is `<work>/_temp`, and RUNNER_WORKSPACE
        # (`<work>/<repository>`, not under a mounted folder) keeps the runner's own path.
        if runner_workspace.startswith("/"):
            return temp, Path(runner_workspace).parent / "_temp"
        return temp, temp
    if temp is not None and temp.is_dir():  # the CLI in a plain step, or tests
        return temp, temp
    if temp is not None and CONTAINER_HOME.is_dir():  # an older runner, inside the Docker action
        return CONTAINER_HOME, temp / "_github_home"
    fallback = Path(os.environ.get("TMPDIR", "/tmp"))
    return fallback, fallback


def read_runner(env: Mapping[str, str]) -> Runner:
    """The runner's variables and the operator's switches ZOO_REVIEW_ALLOW_PRIVATE_HOSTS=1,
    ZOO_REVIEW_REMAP (lines of 'REGEX REPLACEMENT') and ZOO_REVIEW_GITHUB_WAIT_SCALE."""
    repository = _required(env, "GITHUB_REPOSITORY")
    temp_dir, shown_temp_dir = _report_folder(
        env.get("RUNNER_TEMP", "").strip(), env.get("RUNNER_WORKSPACE", "").strip()
    )
    remaps = tuple(
        parse_remap(line.strip())
        for line in env.get("ZOO_REVIEW_REMAP", "").splitlines()
        if line.strip()
    )
    return Runner(
        event_name=_required(env, "GITHUB_EVENT_NAME"),
        event_path=Path(_required(env, "GITHUB_EVENT_PATH")),
        api_url=env.get("GITHUB_API_URL", "").strip() or "https://api.github.com",
        server_url=env.get("GITHUB_SERVER_URL", "").strip() or "https://github.com",
        repository=repository,
        run_id=env.get("GITHUB_RUN_ID", "").strip() or None,
        temp_dir=temp_dir,
        shown_temp_dir=shown_temp_dir,
        allow_private_hosts=env.get("ZOO_REVIEW_ALLOW_PRIVATE_HOSTS", "").strip() == "1",
        remaps=remaps,
        pacing=Pacing(scale=_scale(env)),
        output_file=env.get("GITHUB_OUTPUT") or None,
        summary_file=env.get("GITHUB_STEP_SUMMARY") or None,
        ref=env.get("GITHUB_REF", "").strip(),
    )
