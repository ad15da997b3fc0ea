"""The CPU time a review may spend parsing and applying its rules (`limits.cpu_seconds`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Checks between these many steps of a loop (a mistune token, a table row): a clock read costs
# about a microsecond, a step tens of them.
EVERY = 64


class OutOfTime(Exception):
    """The review spent its CPU time; `doing` says on what (for the finding)."""

    def __init__(self, doing: str, seconds: float) -> None:
        super().__init__(f"out of CPU time ({seconds:g} s) while {doing}")
        self.doing = doing
        self.seconds = seconds


class CpuBudget:
    """CPU seconds of the threads that parse and apply rules, charged while they are inside
    `charging()`; `check()` raises OutOfTime once they are spent. Fetching is not charged: it
    waits on the network and has its own wall-clock budget (network.budget_seconds)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._spent = 0.0
        self._lock = threading.Lock()
        self._local = threading.local()
        self._steps = 0

    @contextmanager
    def charging(self) -> Iterator[None]:
        """Charge this thread's CPU time while inside (nested uses charge once)."""
        if getattr(self._local, "since", None) is not None:
            yield
            return
        self._local.since = time.thread_time()
        try:
            yield
        finally:
            spent = time.thread_time() - self._local.since
            self._local.since = None
            with self._lock:
                self._spent += spent

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Charge nothing while inside (awaiting the network) within `charging()`."""
        since = getattr(self._local, "since", None)
        if since is None:
            yield
            return
        with self._lock:
            self._spent += time.thread_time() - since
        self._local.since = None
        try:
            yield
        finally:
            self._local.since = time.thread_time()

    def spent(self) -> float:
        since = getattr(self._local, "since", None)
        running = 0.0 if since is None else time.thread_time() - since
        return self._spent + running

    def check(self, doing: str) -> None:
        """Raise OutOfTime when the budget is spent; `doing` names the work, for the message."""
        if self.spent() > self.seconds:
            raise OutOfTime(doing, self.seconds)

    def step(self, doing: str) -> None:
        """`check()` once every EVERY calls: for the steps of long loops."""
        self._steps += 1
        if self._steps % EVERY == 0:
            self.check(doing)
