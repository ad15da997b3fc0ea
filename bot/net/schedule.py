"""Runs one coroutine per request, starting only a few per host at a time, in the given order.

Started all at once, 12,800 requests were 12,800 tasks that each ran up to their host's
semaphore before the first request could leave (two seconds of an audit spent queueing) and held
about 70 MB of coroutines, clocks and deadlines. Here at most `per_host` tasks of one host and
`total` in all exist at a time; when one ends, the next of a host with room starts, the hosts
taken in the order they first appear.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


async def run_per_host(
    items: Sequence[_Item],
    host: Callable[[_Item], Hashable],
    run: Callable[[_Item], Awaitable[_Result]],
    *,
    per_host: int,
    total: int,
) -> list[_Result]:
    """`[await run(item) for item in items]`, concurrently within the limits; the results in
    the order of `items`. An exception of one run cancels the others and is raised."""
    if not items:
        return []
    waiting: dict[Hashable, deque[int]] = {}
    for index, item in enumerate(items):
        waiting.setdefault(host(item), deque()).append(index)
    started: dict[Hashable, int] = dict.fromkeys(waiting, 0)
    results: dict[int, _Result] = {}
    running: set[asyncio.Task[_Result]] = set()
    finished = asyncio.get_running_loop().create_future()

    def start(key: Hashable) -> None:
        index = waiting[key].popleft()
        if not waiting[key]:
            del waiting[key]
        started[key] += 1
        task = asyncio.ensure_future(run(items[index]))
        running.add(task)
        task.add_done_callback(lambda done: ended(key, index, done))

    def fill() -> None:
        # Round the hosts that have work and room, one start each, until the total is reached
        # (in the order the hosts first appear: a host with much work does not starve others).
        progress = True
        while progress and len(running) < total and waiting:
            progress = False
            for key in list(waiting):
                if len(running) >= total:
                    break
                if started[key] < per_host:
                    start(key)
                    progress = True

    def ended(key: Hashable, index: int, task: asyncio.Task[_Result]) -> None:
        running.discard(task)
        started[key] -= 1
        if finished.done():
            return
        if task.cancelled():
            finished.set_exception(asyncio.CancelledError())
            return
        error = task.exception()
        if error is not None:
            finished.set_exception(error)
            return
        results[index] = task.result()
        if len(results) == len(items):
            finished.set_result(None)
            return
        fill()

    try:
        fill()
        await finished
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(list(running))
    return [results[index] for index in range(len(items))]
