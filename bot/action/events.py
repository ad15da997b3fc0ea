"""Reads the event (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) and decides what this run does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import UsageError
from bot.publish.replies import REPLY_MARKER
from bot.publish.state import AUDIT_MARKER, STICKY_MARKER, has_marker

PULL_EVENTS = ("pull_request", "pull_request_target")
PULL_ACTIONS = ("opened", "synchronize", "reopened", "edited", "ready_for_review")


@dataclass(frozen=True)
class ReviewPull:
    """Review pull request `number` (from a pull event or workflow_dispatch)."""

    number: int
    reason: str


@dataclass(frozen=True)
class Command:
    """A comment that starts with `/zoo-review` on a pull request."""

    number: int
    comment_id: int
    author: str
    line: str


@dataclass(frozen=True)
class Audit:
    """Check the whole zoo on a branch (schedule, or workflow_dispatch without pr): the branch
    of GITHUB_REF, else the payload's default branch; None: ask GitHub for the default branch."""

    branch: str | None


@dataclass(frozen=True)
class MergeGroup:
    """A merge queue asks for the status of its merge commit (merge_group checks_requested)."""

    head_sha: str
    head_ref: str
    base_sha: str
    base_ref: str


@dataclass(frozen=True)
class Skip:
    """Nothing to do for the event itself; `note` says why. `number`: the PR the run belongs to
    (it holds the PR's concurrency group, so it still makes sure the head has a final status)."""

    note: str
    number: int | None = None


Plan = ReviewPull | Command | Audit | MergeGroup | Skip


def load_event(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"cannot read the event payload GITHUB_EVENT_PATH={path}: {exc}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"the event payload {path} is not a JSON object")
    return data


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def plan(event_name: str, event: dict[str, Any], ref: str = "") -> Plan:
    """What to do for this event; `ref` is GITHUB_REF."""
    if event_name in PULL_EVENTS:
        return _pull(event_name, event)
    if event_name == "issue_comment":
        return _comment(event)
    if event_name == "workflow_dispatch":
        return _dispatch(event, ref)
    if event_name == "schedule":
        return Audit(_branch(event, ref))
    if event_name == "merge_group":
        return _merge_group(event)
    return Skip(
        f"zoo-review does not handle the `{event_name}` event; trigger it on pull_request_target "
        "(or pull_request), issue_comment, workflow_dispatch, schedule or merge_group"
    )


def _branch(event: dict[str, Any], ref: str) -> str | None:
    """The branch GITHUB_REF names (schedule: the default branch; workflow_dispatch: the one it
    was started on), else the payload's default branch (older GHES send no `repository`)."""
    if ref.startswith("refs/heads/") and len(ref) > len("refs/heads/"):
        return ref.removeprefix("refs/heads/")
    branch = _get(event, "repository", "default_branch")
    return branch if isinstance(branch, str) and branch else None


def _merge_group(event: dict[str, Any]) -> Plan:
    if event.get("action") != "checks_requested":
        return Skip(f"merge_group `{event.get('action')}`: nothing to check")
    group = event.get("merge_group")
    values = [_get(group, key) for key in ("head_sha", "head_ref", "base_sha", "base_ref")]
    if not all(isinstance(value, str) and value for value in values):
        raise UsageError("the merge_group payload lacks head_sha, head_ref, base_sha or base_ref")
    head_sha, head_ref, base_sha, base_ref = (str(value) for value in values)
    return MergeGroup(head_sha, head_ref, base_sha, base_ref.removeprefix("refs/heads/"))


def _pull(event_name: str, event: dict[str, Any]) -> Plan:
    action = event.get("action")
    number = event.get("number") or _get(event, "pull_request", "number")
    if action not in PULL_ACTIONS:
        return Skip(f"{event_name} `{action}`: nothing to review")
    if not isinstance(number, int):
        raise UsageError(f"the {event_name} payload has no pull request number")
    if action == "edited":
        changes = event.get("changes")
        if isinstance(changes, dict) and not ({"body", "base"} & set(changes)):
            return Skip("only the title was edited: the review would not change", number)
    return ReviewPull(number, f"{event_name} {action}")


def _comment(event: dict[str, Any]) -> Plan:
    if event.get("action") != "created":
        return Skip(f"issue_comment `{event.get('action')}`: only new comments are commands")
    comment = event.get("comment")
    if not isinstance(comment, dict):
        raise UsageError("the issue_comment payload has no comment")
    body = comment.get("body") or ""
    user = comment.get("user") or {}
    if not isinstance(body, str) or not isinstance(user, dict):
        raise UsageError("the issue_comment payload is malformed")
    first = body.strip().split("\n", 1)[0].strip() if body.strip() else ""
    number = _get(event, "issue", "number")
    on_pull = isinstance(_get(event, "issue", "pull_request"), dict) and isinstance(number, int)
    holds = number if on_pull and isinstance(number, int) else None
    if not first.startswith("/zoo-review"):
        return Skip("the comment is not a /zoo-review command", holds)
    if user.get("type") == "Bot":
        return Skip("the comment is by a bot: bots cannot run commands", holds)
    if any(has_marker(body, m) for m in (STICKY_MARKER, REPLY_MARKER, AUDIT_MARKER)):
        return Skip("the comment holds zoo-review's own markers", holds)
    if not on_pull:
        return Skip("the comment is on an issue, not a pull request: commands work on PRs")
    comment_id = comment.get("id")
    login = user.get("login")
    if not isinstance(number, int) or not isinstance(comment_id, int) or not isinstance(login, str):
        raise UsageError("the issue_comment payload lacks the issue number, comment id or author")
    return Command(number=number, comment_id=comment_id, author=login, line=first)


def _dispatch(event: dict[str, Any], ref: str) -> Plan:
    value = _get(event, "inputs", "pr")
    if value is None or (isinstance(value, str) and not value.strip()):
        return Audit(_branch(event, ref))
    text = str(value).strip().removeprefix("#")
    if not text.isdigit() or int(text) < 1:
        raise UsageError(
            f"workflow_dispatch input `pr` is {str(value)[:40]!r}; give the pull request's "
            "number, e.g. 42 (or leave it empty to audit the whole zoo)"
        )
    return ReviewPull(int(text), "workflow_dispatch")
