"""The promises of the threat model that live in files rather than in code: the recommended
workflow's triggers, permissions and concurrency, pinned actions, the container's isolated
interpreter, and no write to GITHUB_ENV."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.publish.state import STICKY_MARKER
from bot.publish.sticky import ours

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "workflows" / "zoo-review.yml"
WORKFLOWS = [
    *sorted((ROOT / "examples" / "workflows").glob("*.yml")),
    *sorted((ROOT / ".github" / "workflows").glob("*.yml")),
]
_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict)
    return triggers


def test_the_workflow_reviews_from_the_base_branch_without_running_the_pr() -> None:
    """pull_request_target and created comments; no checkout of the PR and no `run:` step:
    the Action reads the PR through the REST API as data."""
    workflow = _load(WORKFLOW)
    triggers = _triggers(workflow)
    assert "pull_request" not in triggers
    assert set(triggers["pull_request_target"]["types"]) >= {
        "opened",
        "synchronize",
        "reopened",
        "edited",
    }
    assert triggers["issue_comment"]["types"] == ["created"]
    [job] = workflow["jobs"].values()
    for step in job["steps"]:
        assert "run" not in step, step
        assert not str(step.get("uses", "")).startswith("actions/checkout"), step
    # Comments by bots never start a run.
    assert "github.event.comment.user.type != 'Bot'" in job["if"]


def test_the_workflow_asks_for_the_least_permissions() -> None:
    workflow = _load(WORKFLOW)
    assert workflow["permissions"] == {}
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "issues": "write",
        "statuses": "write",
    }


def test_one_run_at_a_time_per_pull_request() -> None:
    """At job level, keyed by the PR's number. Not cancel-in-progress (the threat model's
    first draft said so): a run killed half-way would leave its status pending and anyone who
    comments could cancel a review; README, "One run at a time per pull request"."""
    [job] = _load(WORKFLOW)["jobs"].values()
    group = job["concurrency"]["group"]
    assert group.startswith("zoo-review-${{ github.event.pull_request.number ||")
    assert "github.event.issue.number" in group
    assert job["concurrency"]["cancel-in-progress"] is False


def test_actions_are_pinned_by_commit_sha() -> None:
    uses: list[str] = []
    for path in WORKFLOWS:
        for job in _load(path)["jobs"].values():
            uses += [step["uses"] for step in job.get("steps", ()) if "uses" in step]
    assert uses
    for use in uses:
        assert use.startswith("docker://") or _PINNED.match(use), use


def test_the_container_runs_python_isolated() -> None:
    """The workspace (the zoo's files) is never on sys.path: `python -I`."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    [entrypoint] = [line for line in dockerfile.splitlines() if line.startswith("ENTRYPOINT")]
    assert entrypoint == 'ENTRYPOINT ["python", "-I", "-m", "bot.action"]'


def test_nothing_writes_github_env() -> None:
    """Nothing untrusted goes into GITHUB_ENV: no code of bot/ names it at all."""
    for path in (ROOT / "bot").rglob("*.py"):
        assert "GITHUB_ENV" not in path.read_text(encoding="utf-8"), path


@dataclass
class _User:
    login: str


@dataclass
class _Comment:
    id: int
    body: str
    user: _User
    created_at: datetime


def test_the_sticky_comment_is_the_bots_own_not_anyone_with_the_marker() -> None:
    """A contributor who pastes the hidden marker into a comment does not get it edited or
    deleted: the sticky comment is found by the marker AND its author."""
    when = datetime(2026, 11, 24, tzinfo=UTC)
    comments = [
        _Comment(1, f"{STICKY_MARKER}\nforged", _User("contributor"), when),
        _Comment(2, f"{STICKY_MARKER}\nthe review", _User("github-actions[bot]"), when),
        _Comment(3, "no marker", _User("github-actions[bot]"), when),
    ]
    found = ours(comments, "github-actions[bot]")  # type: ignore[arg-type]
    assert [comment.id for comment in found] == [2]
