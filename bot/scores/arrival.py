"""Reads each scores file in a worker thread as soon as it is fetched, while the other links
are still in flight, so that the scores rule finds it read and checked against its schema."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from bot.budget import CpuBudget
from bot.net.types import FetchResult, Request
from bot.plan import PlannedLink
from bot.scores.validate import ScoresOutcome, read_scores

ScoresKey = tuple[str, str | None]
"""A scores link as written, and the schema its file is checked against."""


class ScoresOnArrival:
    """`heard` is the fetcher's `on_result`; `outcomes()` (after the fetch) gives what was read;
    `close()` always. The CPU time of the reads is charged to the review's budget."""

    def __init__(self, planned: Sequence[PlannedLink], budget: CpuBudget) -> None:
        self._budget = budget
        self._wanted: dict[Request, list[ScoresKey]] = {}
        for link in planned:
            if link.scores:
                self._wanted.setdefault(link.request, []).append((link.url, link.schema))
        self._pool: ThreadPoolExecutor | None = None
        if self._wanted:
            # One thread: the reads take turns with each other, not with the event loop's core.
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="zoo-review-scores")
        self._jobs: dict[ScoresKey, Future[ScoresOutcome]] = {}

    def heard(self, request: Request, result: FetchResult) -> None:
        keys = self._wanted.get(request)
        if not keys or self._pool is None or not result.ok or result.body is None:
            return
        for key in keys:
            if key not in self._jobs:
                read = functools.partial(read_scores, result.body, key[1])
                self._jobs[key] = self._pool.submit(self._charged, read)

    def _charged(self, read: functools.partial[ScoresOutcome]) -> ScoresOutcome:
        with self._budget.charging():
            return read()

    async def outcomes(self) -> dict[ScoresKey, ScoresOutcome]:
        """What was read; a read that failed is left out (the scores rule reads that file)."""
        done: dict[ScoresKey, ScoresOutcome] = {}
        for key, job in self._jobs.items():
            try:
                done[key] = await asyncio.wrap_future(job)
            except Exception:
                continue
        return done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
