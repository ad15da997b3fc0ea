"""The commit status on the reviewed head SHA: pending at start, a final state on every path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from github.Repository import Repository

from bot.quote import clean

State = Literal["pending", "success", "failure", "error"]
MAX_DESCRIPTION = 140


@dataclass
class StatusWriter:
    """Writes one context's status on one commit; remembers whether a final state was set."""

    repo: Repository
    sha: str
    context: str
    target_url: str | None
    final: State | None = None
    started: bool = False

    def set(self, state: State, description: str) -> None:
        text = clean(description, MAX_DESCRIPTION)
        commit = self.repo.get_commit(self.sha)
        if self.target_url:
            commit.create_status(state, self.target_url, text, self.context)
        else:
            commit.create_status(state, description=text, context=self.context)
        if state == "pending":
            self.started = True
        else:
            self.final = state

    def latest_is_ours(self) -> bool:
        """Whether the newest status of our context on the commit is the one this run wrote
        (a newer run reviewing the same commit must not be overwritten)."""
        for status in self.repo.get_commit(self.sha).get_statuses():
            if status.context == self.context:
                return bool(self.target_url) and status.target_url == self.target_url
        return False
