"""Connections: kept alive after HEAD probes and error pages; a SYN without answer retried soon."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Iterable, Iterator

import httpcore
import pytest

from bot.net.fetcher import GuardedFetcher, NetworkSettings
from bot.net.guard import AddressPolicy, IPAddress
from bot.net.transport import SYN_RETRY, ConnectionLog, GuardedBackend, Reachability
from bot.net.types import Request
from tests.httpserver import Reply, ScriptedServer

OPEN = AddressPolicy(allow_private=True)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def test_probes_and_error_pages_share_a_few_connections(server: ScriptedServer) -> None:
    """60 HEAD probes, 20 404 pages and 20 files, 4 at a time: 4 connections, not 100."""
    requests = [
        Request("probe", server.file(f"/w{n}.pth", bytes(2048)), 0, True) for n in range(60)
    ]
    requests += [
        Request("body", server.on(f"/gone{n}.json", Reply(404, b"no")), 100) for n in range(20)
    ]
    requests += [
        Request("body", server.on(f"/s{n}.json", Reply(200, b"{}")), 100) for n in range(20)
    ]
    fetcher = GuardedFetcher(OPEN, NetworkSettings(per_host=4, total=4, backoff=0.01), seed=1)
    results = asyncio.run(fetcher.fetch(requests))
    assert sum(r.verdict == "ok" for r in results.values()) == 80
    assert server.methods("/w0.pth") == ["HEAD"]
    assert len(fetcher.log.connections) <= 4


class _Stream(httpcore.AsyncNetworkStream):
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        return None

    async def aclose(self) -> None:
        return None


class _SilentFirstSyn(httpcore.AsyncNetworkBackend):
    """The first connection attempt gets no answer (its SYN was dropped); later ones connect."""

    def __init__(self) -> None:
        self.attempts: list[float | None] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[object] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.attempts.append(timeout)
        if len(self.attempts) == 1:
            await asyncio.sleep(timeout or 0)  # the kernel would wait a whole second
            raise httpcore.ConnectTimeout("no answer")
        return _Stream()


def test_a_syn_without_answer_is_sent_again_after_a_quarter_second() -> None:
    async def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    silent = _SilentFirstSyn()
    backend = GuardedBackend(
        OPEN, resolve, ConnectionLog(), Reachability(), connect=silent.connect_tcp
    )
    start = time.monotonic()
    asyncio.run(backend.connect_tcp("zoo.test", 443, timeout=20))
    assert time.monotonic() - start < SYN_RETRY + 0.5
    assert silent.attempts == [SYN_RETRY, 20 - SYN_RETRY]
