"""The fetcher's scheduler: few tasks per host at a time, every host served, results in order."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.net.schedule import run_per_host


def test_results_in_order_within_the_limits() -> None:
    items = [("a", i) for i in range(40)] + [("b", i) for i in range(5)] + [("c", 0)]
    live: Counter[str] = Counter()
    most: Counter[str] = Counter()
    most_total = 0

    async def run(item: tuple[str, int]) -> str:
        nonlocal most_total
        host, number = item
        live[host] += 1
        most[host] = max(most[host], live[host])
        most_total = max(most_total, sum(live.values()))
        await asyncio.sleep(0.001 * (number % 3))
        live[host] -= 1
        return f"{host}{number}"

    results = asyncio.run(run_per_host(items, lambda i: i[0], run, per_host=3, total=5))
    assert results == [f"{host}{number}" for host, number in items]
    assert max(most.values()) == 3
    assert most_total == 5


def test_a_busy_host_does_not_hold_back_the_others() -> None:
    """100 links of one host listed first: the one link of another host starts at once."""
    items = ["a"] * 100 + ["b"]
    order: list[str] = []

    async def run(host: str) -> None:
        order.append(host)
        await asyncio.sleep(0.001)

    asyncio.run(run_per_host(items, str, run, per_host=4, total=8))
    assert order.index("b") < 8


def test_a_failure_cancels_the_rest_and_is_raised() -> None:
    cancelled: list[int] = []

    async def run(number: int) -> int:
        if number == 3:
            raise ValueError("boom")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(number)
            raise
        return number

    with pytest.raises(ValueError, match="boom"):
        asyncio.run(run_per_host(list(range(10)), lambda _: "h", run, per_host=5, total=5))
    assert cancelled and 3 not in cancelled


def test_cancelling_the_caller_cancels_every_run() -> None:
    started: list[int] = []

    async def run(number: int) -> int:
        started.append(number)
        await asyncio.sleep(10)
        return number

    async def main() -> None:
        task = asyncio.ensure_future(
            run_per_host(list(range(6)), lambda n: n % 2, run, per_host=2, total=4)
        )
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert all(t.done() for t in asyncio.all_tasks() if t is not asyncio.current_task())

    asyncio.run(main())
    assert sorted(started) == [0, 1, 2, 3]


def test_nothing_to_run() -> None:
    async def run(item: int) -> int:
        raise AssertionError

    assert asyncio.run(run_per_host([], str, run, per_host=1, total=1)) == []
