"""What the review asks the network for, what it gets back, and the fetcher's interface."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.net.zipdir import ZipSummary

Verdict = Literal[
    "ok", "broken", "not_public", "inconclusive", "unverifiable", "refused", "too_large", "invalid"
]
# body: the whole file, capped (scores, MD5 files); probe: is it there and public (HEAD, or a
# small ranged GET); archive: a zip's central directory through Range requests; checksum: the
# MD5 of the whole file, streamed within a size and time budget.
Purpose = Literal["body", "probe", "archive", "checksum"]
# Why a link was not checked for a reason of the whole review, not of the link: the review's
# time budget ran out before it was sent (or answered), no host name resolved at all, or the
# linked files already read filled the bytes a review may hold at once.
# remap: the operator's --remap sent the link to an address the fetcher refuses (a private
# mirror without --allow-private-hosts): the review's setup, not the contribution.
Cut = Literal["budget", "no_network", "memory", "remap"]


@dataclass(frozen=True, slots=True)
class Request:
    """One thing to fetch; `binary` says an HTML page there is not the file (probe, body)."""

    purpose: Purpose
    url: str
    max_bytes: int = 0
    binary: bool = False


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one Request; `body`, `archive` and `digest` are set by their purposes."""

    url: str
    verdict: Verdict
    status: int | None = None
    body: bytes | None = None
    reason: str | None = None
    seconds: float = 0.0
    size: int | None = None
    content_type: str | None = None
    archive: ZipSummary | None = None
    digest: str | None = None
    attempts: int = 1
    # Set when the result comes from the audit cache: how old it is.
    cached_hours: float | None = None
    # The host name (of the link or of a redirect) that did not resolve.
    unresolved: str | None = None
    # Set when the link was not checked for a reason of the whole review (see Cut).
    cut: Cut | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


OnResult = Callable[[Request, FetchResult], "FetchResult | None"]
"""Called in the event loop with a request's result as soon as it is final (not for one that
the fetcher may still revise when the whole fetch ends: a host name that did not resolve).
It may return the result the fetch keeps instead: the same without the body, which the caller
then holds (an audit reads thousands of scores files as they come, and need not keep them)."""


class Fetcher(Protocol):
    """Fetches what the review asks for; each distinct request once; `on_result` (when given)
    hears each result as it comes, so that the caller can start on it while others are fetched."""

    async def fetch(
        self, requests: Sequence[Request], on_result: OnResult | None = None
    ) -> dict[Request, FetchResult]: ...
