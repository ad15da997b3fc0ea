"""Builds the PyGithub client: base URL, token, PyGithub's retry, and pacing between requests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from github import Auth, Github, GithubRetry
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from bot.action.budget import Budget, BudgetedToken

# POSTs that create something each time they are sent: after a 5xx or a dropped answer the
# request may have been performed, so it is not re-sent; the caller looks for what it made.
_CREATING = re.compile(r"/(?:issues/\d+/comments|pulls/\d+/reviews|pulls/\d+/comments)(?:\?|$)")
# Answers that say the request was not performed (rate limits): safe to send again.
_NOT_PERFORMED = (403, 429)


@dataclass(frozen=True)
class Pacing:
    """How patient the client is; `scale` shrinks every wait (tests use a small one)."""

    scale: float = 1.0
    retries: int = 5
    timeout: int = 30

    @property
    def seconds_between_requests(self) -> float:
        return 0.25 * self.scale

    @property
    def seconds_between_writes(self) -> float:
        return 1.0 * self.scale


class ZooRetry(GithubRetry):
    """PyGithub's retry (rate limits honoured, 5xx retried), except that a POST which creates
    a comment or a review is not sent twice when its answer is lost or a 5xx. Each retry is
    counted in the run's budget."""

    def __init__(self, budget: Budget | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget

    def new(self, **kw: Any) -> ZooRetry:
        kw["budget"] = self.budget
        return super().new(**kw)

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Retry:
        if method == "POST" and url is not None and _CREATING.search(url):
            safe = (response is not None and response.status in _NOT_PERFORMED) or isinstance(
                error, ConnectTimeoutError | NewConnectionError
            )
            if not safe:
                raise MaxRetryError(_pool, url, error)  # type: ignore[arg-type]
        retry = super().increment(method, url, response, error, _pool, _stacktrace)  # type: ignore[arg-type]
        if self.budget is not None:
            self.budget.retried()
        return retry


def build_retry(pacing: Pacing, budget: Budget | None = None) -> ZooRetry:
    """Retries with exponential backoff; a primary rate limit that resets too late is an error."""
    options: dict[str, Any] = {
        "total": pacing.retries,
        "backoff_factor": 1.0 * pacing.scale,
        "backoff_max": 30.0,
        "raise_on_status": False,
    }
    return ZooRetry(
        budget=budget,
        secondary_rate_wait=60.0 * pacing.scale,
        max_rate_limit_wait=max(600.0 * pacing.scale, 1.0),
        **options,
    )


def build_client(api_url: str, token: str, pacing: Pacing, budget: Budget | None = None) -> Github:
    """A client for `api_url` (GITHUB_API_URL: github.com or GitHub Enterprise Server); with a
    `budget`, every request (retries too) is counted and refused once the budget is spent."""
    auth = Auth.Token(token) if budget is None else BudgetedToken(token, budget)
    client = Github(
        base_url=api_url.rstrip("/"),
        auth=auth,
        retry=build_retry(pacing, budget),
        timeout=pacing.timeout,
        per_page=100,
        seconds_between_requests=pacing.seconds_between_requests,
        seconds_between_writes=pacing.seconds_between_writes,
        user_agent="zoo-review",
    )
    if budget is not None:
        requester = client.requester
        budget.rate_remaining = lambda: requester.rate_limiting[0]
    return client
