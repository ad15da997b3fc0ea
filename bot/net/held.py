"""Bounds the bytes of linked files a review holds at once, across all its requests."""

from __future__ import annotations

import asyncio


class HeldBytesFull(Exception):
    """No room for a body: what the review holds is finished bodies, none will be freed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the review already holds {limit:,} bytes of linked files")
        self.limit = limit


class HeldBytes:
    """Each read reserves room first, so at most `limit` bytes are held at once.

    A read that does not fit waits for bytes that will come back: reads in flight (they give
    back what they reserved but did not receive) and bytes a caller holds only while it uses
    them (a zip directory being parsed). When even all of those would not make room, because
    what is held is bodies kept for the rules until the fetch ends, the read fails at once
    (HeldBytesFull) instead of waiting forever. `peak` is the most ever reserved."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self.peak = 0
        self._returning = 0  # of `held`: the bytes that will be given back
        self._waiters: list[asyncio.Future[None]] = []

    async def reserve(self, size: int) -> int:
        """Room for `size` bytes (at most the whole budget); returns what was reserved."""
        size = min(size, self.limit)
        while self.held + size > self.limit:
            if self.held - self._returning + size > self.limit:
                raise HeldBytesFull(self.limit)
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter
        self.held += size
        self._returning += size
        self.peak = max(self.peak, self.held)
        return size

    # Giving back never waits, so that a cancelled read (its deadline) cannot skip it.

    def settle(self, reserved: int, kept: int) -> None:
        """A read ended: of the `reserved` bytes, `kept` stay held until `release` or `keep`."""
        kept = min(kept, reserved)
        self.held -= reserved - kept
        self._returning -= reserved - kept
        self._wake()

    def keep(self, size: int) -> None:
        """Held bytes that stay held until the fetch ends (a body for the rules)."""
        self._returning -= size

    def release(self, size: int) -> None:
        """Held bytes (not kept) are no longer held."""
        self.held -= size
        self._returning -= size
        self._wake()

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
