"""What a fetch returns and the interface every fetcher offers to the review engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Verdict = Literal["ok", "broken", "not_public", "inconclusive", "refused", "too_large", "invalid"]


@dataclass(frozen=True)
class FetchResult:
    """The outcome of fetching one URL; `body` is set only for verdict "ok"."""

    url: str
    verdict: Verdict
    status: int | None = None
    body: bytes | None = None
    reason: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


class Fetcher(Protocol):
    """Fetches files for the review; each distinct URL once, bodies capped at `max_bytes`."""

    async def fetch_all(self, urls: Sequence[str], max_bytes: int) -> dict[str, FetchResult]: ...
