"""The run's budget of GitHub API requests: counted before each request is sent, with a reserve
kept for publishing and a last one for the final commit status."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from github import Auth

from bot.errors import OperationalError

DEFAULT_BUDGET = 300
MIN_BUDGET = 60
# Kept for the final commit status: re-read the PR, list its statuses, check another PR that
# shares the head commit, write, read back.
FINAL_RESERVE = 10
# Kept for publishing (the sticky comment, inline comments) on top of FINAL_RESERVE.
PUBLISH_RESERVE = 30


class BudgetExhausted(OperationalError):
    """The run may send no more requests in this phase (its budget, or GitHub's rate limit)."""


@dataclass
class Budget:
    """Requests this run may send. `ceiling` is what the current phase may reach; the rest is
    reserved for later phases. `rate_remaining` reads what GitHub last said is left (-1:
    unknown)."""

    total: int = DEFAULT_BUDGET
    spent: int = 0
    ceiling: int = DEFAULT_BUDGET
    rate_remaining: Callable[[], int] = field(default=lambda: -1)

    def __post_init__(self) -> None:
        self.ceiling = self.total

    def charge(self) -> None:
        """Count one request about to be sent; refuse it when the phase has no room left."""
        if self.spent >= self.ceiling:
            raise BudgetExhausted(
                f"the run reached its budget of GitHub API requests ({self.spent} of "
                f"{self.total}, input `api-budget`)"
            )
        reserve = self.total - self.ceiling
        remaining = self.rate_remaining()
        if reserve and 0 <= remaining <= reserve:
            raise BudgetExhausted(
                f"GitHub's rate limit for this token has {remaining} requests left, kept for "
                "the final commit status"
            )
        self.spent += 1

    def retried(self) -> None:
        """Count a request the HTTP client sent again (it was charged once already)."""
        self.spent += 1

    @property
    def left(self) -> int:
        """Requests the current phase may still send."""
        return max(self.ceiling - self.spent, 0)

    @contextmanager
    def phase(self, reserve: int) -> Iterator[None]:
        """Within the block, keep `reserve` requests for what comes after it."""
        saved = self.ceiling
        self.ceiling = max(min(saved, self.total - reserve), 0)
        try:
            yield
        finally:
            self.ceiling = saved


class BudgetedToken(Auth.Token):
    """The token, charging the budget each time PyGithub authenticates a request (once per
    request, before it is sent)."""

    def __init__(self, token: str, budget: Budget) -> None:
        super().__init__(token)
        self.budget = budget

    def authentication(self, headers: dict[str, str]) -> None:
        self.budget.charge()
        super().authentication(headers)
