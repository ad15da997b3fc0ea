"""Reads each scores file as soon as it is fetched, while the other links are still in flight,
so that the scores rule finds it read and checked against its schema."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace

from bot.budget import CpuBudget
from bot.net.types import FetchResult, Request
from bot.plan import PlannedLink
from bot.scores.validate import (
    ScoresOutcome,
    explainer_ready,
    prepare_explainer,
    prepared,
    read_scores,
    read_scores_quickly,
)

ScoresKey = tuple[str, str | None]
"""A scores link as written, and the schema its file is checked against."""


class ScoresOnArrival:
    """`heard` is the fetcher's `on_result`; `outcomes()` (after the fetch) gives what was read;
    `close()` always. The CPU time of the reads is charged to the review's budget.

    The reads run in the event loop's own thread, one file per turn of the loop, between the
    answers it waits for: in another thread each socket call of the loop would wait for the
    interpreter lock behind a read (at 10 ms per request that made an audit slower)."""

    def __init__(
        self,
        planned: Sequence[PlannedLink],
        budget: CpuBudget,
        keys: Mapping[str | None, Collection[Sequence[str | int]]] | None = None,
    ) -> None:
        self._budget = budget
        # The numbers kept of each file, by its schema (the metrics' keys); the rest of its
        # document is let go.
        self._keys = keys or {}
        self._wanted: dict[Request, list[ScoresKey]] = {}
        for link in planned:
            if link.scores:
                self._wanted.setdefault(link.request, []).append((link.url, link.schema))
        # Requests that are also another kind of link's (a rule reads their body): kept whole.
        self._shared = {link.request for link in planned if not link.scores}
        self._read: dict[ScoresKey, ScoresOutcome] = {}
        # The request of each file heard, and the bodies that could not be read here: the
        # fetch keeps no body of a file read on arrival, these go back to the rules.
        self._request: dict[ScoresKey, Request] = {}
        self._unread: dict[Request, bytes] = {}
        self._waiting: dict[ScoresKey, bytes] = {}
        # Files only jsonschema can explain: read once their validator is built, in a thread
        # (importing jsonschema would stop the loop for a few hundred ms).
        self._later: dict[ScoresKey, bytes] = {}
        self._building: dict[str, asyncio.Task[None]] = {}
        self._scheduled = False
        self._closed = False

    def heard(self, request: Request, result: FetchResult) -> FetchResult | None:
        """Hold the body of a scores file to read it soon; the fetch keeps the result without
        it (`unread()` gives back the bodies of the files that could not be read)."""
        keys = self._wanted.get(request)
        if not keys or self._closed or not result.ok or result.body is None:
            return None
        for key in keys:
            if key not in self._read and key not in self._waiting and key not in self._later:
                self._waiting[key] = result.body
                self._request[key] = request
        self._next()
        return None if request in self._shared else replace(result, body=None)

    def unread(self) -> dict[Request, bytes]:
        """After `outcomes()`: the bodies of the files not read (a read that failed): the rule
        reads them again and says what is wrong."""
        return dict(self._unread)

    def wake(self) -> None:
        """The quick checks are built: read the files that waited for them."""
        if not self._closed:
            self._next()

    def _next(self) -> None:
        """Read one file at the loop's next turn: a waiting file when its quick check is built
        (the engine builds them in a thread meanwhile; building one here would stop the loop),
        else one that waits for its validator, once that is built."""
        if self._scheduled or self._closed:
            return
        ready = next((key for key in self._waiting if prepared(key[1])), None)
        if ready is not None:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._turn, ready, self._read_now)
            return
        later = next((key for key in self._later if explainer_ready(key[1])), None)
        if later is not None:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._turn, later, self._read_later)

    def _turn(self, key: ScoresKey, read: Callable[[ScoresKey], None]) -> None:
        self._scheduled = False
        read(key)
        self._next()

    def _read_now(self, key: ScoresKey) -> None:
        self._read_one(key, self._waiting, read_scores_quickly)

    def _read_later(self, key: ScoresKey) -> None:
        self._read_one(key, self._later, read_scores)

    def _read_one(
        self,
        key: ScoresKey,
        store: dict[ScoresKey, bytes],
        read: Callable[[bytes, str | None], ScoresOutcome | None],
    ) -> None:
        """Read the file of `key` held in `store`; a file `read` cannot tell about (None: only
        jsonschema can explain it) waits for its validator."""
        body = store.pop(key, None)
        if body is None or self._closed:
            return
        with self._budget.charging():
            try:
                outcome = read(body, key[1])
            except Exception:  # the rule reads it again and says what is wrong
                self._unread[self._request[key]] = body
                return
            if outcome is not None:
                # What the rule needs: the verdict and the numbers of the metrics.
                self._read[key] = outcome.without_document(self._keys.get(key[1], ()))
                return
        self._later[key] = body
        self._build(key[1])

    def _build(self, schema: str | None) -> None:
        """Build the validator of `schema` in a thread, then read the files that wait for it."""
        if schema is None or schema in self._building:
            return

        def build() -> None:
            with self._budget.charging():
                try:
                    prepare_explainer(schema)
                except Exception:  # the file is read after the fetch, by the rule if need be
                    return

        task = asyncio.get_running_loop().create_task(asyncio.to_thread(build))
        task.add_done_callback(lambda _done: self._next())
        self._building[schema] = task

    async def outcomes(self) -> dict[ScoresKey, ScoresOutcome]:
        """What was read, the files still waiting read now."""
        for key in list(self._waiting):
            self._read_now(key)
        if self._building:
            await asyncio.wait(self._building.values())
        for key in list(self._later):
            self._read_later(key)
        return dict(self._read)

    def close(self) -> None:
        self._closed = True
        self._waiting.clear()
        self._later.clear()
        for task in self._building.values():
            task.cancel()
