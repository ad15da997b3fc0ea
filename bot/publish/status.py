"""The commit status on a reviewed head SHA: pending at start, a final state on every path, and
never a success that hides the failure of another open PR with the same head commit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from github.Requester import Requester

from bot.quote import clean

State = Literal["pending", "success", "failure", "error"]
FINAL: tuple[State, ...] = ("success", "error", "failure")
# How bad a final state is: another PR's worse state on the same commit is never overwritten.
RANK: dict[str, int] = {"success": 0, "error": 1, "failure": 2}
MAX_DESCRIPTION = 140
# Every description ends with the PR whose run wrote it: a commit status belongs to the commit,
# which several PRs can share.
_TAG = re.compile(r" · PR #(\d{1,9})$")
# GitHub lists statuses newest first; the newest of each PR is within these.
MAX_PAGES = 2


def tag(pr: int) -> str:
    return f" · PR #{pr}"


@dataclass(frozen=True)
class Posted:
    """A status GitHub holds for the commit, in our context."""

    state: str
    description: str
    target_url: str | None
    pr: int | None  # from the description's tag; None: not written by a PR's run


def same_context(a: str, b: str) -> bool:
    """GitHub treats status contexts without regard to case."""
    return a.casefold() == b.casefold()


def parse_posted(item: Any) -> Posted | None:
    """One status of GitHub's list, or None when it is not a status."""
    if not isinstance(item, dict):
        return None
    description = item.get("description") or ""
    match = _TAG.search(description) if isinstance(description, str) else None
    target = item.get("target_url")
    return Posted(
        state=str(item.get("state")),
        description=description if isinstance(description, str) else "",
        target_url=target if isinstance(target, str) else None,
        pr=int(match.group(1)) if match else None,
    )


def newest_by_pr(history: Iterable[Posted]) -> dict[int, Posted]:
    """The newest status each PR's runs wrote (`history` is newest first)."""
    newest: dict[int, Posted] = {}
    for posted in history:
        if posted.pr is not None:
            newest.setdefault(posted.pr, posted)
    return newest


def worse_elsewhere(history: Iterable[Posted], pr: int, state: State) -> dict[int, Posted]:
    """Other PRs whose newest status here is final and worse than `state` (a PR whose newest
    status is pending is being reviewed again: its run settles the commit when it ends)."""
    return {
        number: posted
        for number, posted in newest_by_pr(history).items()
        if number != pr and posted.state in RANK and RANK[posted.state] > RANK.get(state, 0)
    }


@dataclass
class StatusWriter:
    """Writes one context's status on one commit for PR `pr`, straight to the statuses endpoint
    (no read of the commit first); remembers whether a final state was set. `repo_url` is the
    repository's API URL."""

    requester: Requester
    repo_url: str
    sha: str
    context: str
    target_url: str | None
    pr: int | None  # None: a merge queue's commit, which no PR shares
    final: State | None = None
    started: bool = False

    def set(self, state: State, description: str) -> None:
        suffix = tag(self.pr) if self.pr is not None else ""
        text = clean(description, MAX_DESCRIPTION - len(suffix)) + suffix
        body: dict[str, Any] = {"state": state, "description": text, "context": self.context}
        if self.target_url:
            body["target_url"] = self.target_url
        url = f"{self.repo_url}/statuses/{self.sha}"
        self.requester.requestJsonAndCheck("POST", url, input=body)
        if state == "pending":
            self.started = True
        else:
            self.final = state

    def history(self) -> list[Posted]:
        """The statuses of our context on the commit, newest first."""
        found: list[Posted] = []
        url = f"{self.repo_url}/commits/{self.sha}/statuses"
        for page in range(1, MAX_PAGES + 1):
            _headers, data = self.requester.requestJsonAndCheck(
                "GET", url, parameters={"per_page": 100, "page": page}
            )
            items = data if isinstance(data, list) else []
            for item in items:
                posted = parse_posted(item)
                if posted is not None and same_context(str(item.get("context")), self.context):
                    found.append(posted)
            if len(items) < 100:
                break
        return found

    def latest_is_ours(self, history: list[Posted] | None = None) -> bool:
        """Whether the newest status of our context is the one this run wrote (a newer run
        reviewing the same commit must not be overwritten)."""
        history = self.history() if history is None else history
        if not history or not self.target_url:
            return False
        newest = history[0]
        return newest.target_url == self.target_url and newest.pr == self.pr
