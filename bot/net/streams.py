"""httpcore's network streams on asyncio's own: a connection, its reads and writes, its TLS.

httpcore's asyncio backend goes through anyio, whose cancel scope around every read and
write cost about a third of the client's CPU per request (a loop of small GETs, 8 at a time,
on the benchmark's machine: 2.5 ms each against 1.7 ms), and a review is CPU-bound at low
latency. The same operations on asyncio's streams, with `asyncio.timeout` for the deadlines
and the exceptions httpcore maps.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any, SupportsIndex

import httpcore

# asyncio's stream buffer; reading pauses beyond twice this (the fetcher reads in 64 KiB).
_LIMIT = 64 * 1024

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class _Reader(asyncio.StreamReader):
    """asyncio's stream reader, counting the bytes it holds that were not read yet: asyncio
    reads the socket as soon as data arrives, so a poll of the socket cannot tell that an idle
    connection received what it should not."""

    held = 0

    def feed_data(self, data: Iterable[SupportsIndex]) -> None:
        chunk = bytes(data)  # the transport's bytes: bytes() of bytes is the object itself
        super().feed_data(chunk)
        self.held += len(chunk)

    async def read(self, n: int = -1) -> bytes:
        data = await super().read(n)
        self.held -= len(data)
        return data


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection, as httpcore reads and writes it."""

    def __init__(self, reader: _Reader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout("no data within the read timeout") from exc
        except OSError as exc:  # ssl.SSLError and ConnectionResetError among them
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout("could not send within the write timeout") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        # As anyio does for httpcore: no TLS close_notify exchange, the socket is closed.
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from exc
        except OSError as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return AsyncioStream(self._reader, self._writer)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # httpcore asks each idle connection before it reuses it, at every request: what
            # the reader holds, then one poll of the socket (anyio rebuilt all its socket
            # attributes for each question, a fifth of the client's CPU time in a large audit).
            reader = self._reader
            if reader.held or reader.at_eof() or reader.exception() is not None:
                return True
            return _readable(self._writer.get_extra_info("socket"))
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


def _readable(sock: socket.socket | None) -> bool:
    """Data or an end of stream waits on the socket (or it is closed): the server closed an
    idle connection, or sent what it should not."""
    if sock is None or sock.fileno() == -1:
        return True
    if hasattr(select, "poll"):  # select.select fails for descriptors beyond 1023
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    ready, _, _ = select.select([sock], [], [], 0)
    return bool(ready)


async def connect_tcp(
    host: str,
    port: int,
    timeout: float | None = None,
    local_address: str | None = None,
    socket_options: Iterable[SocketOption] | None = None,
) -> AsyncioStream:
    """A TCP connection to `host` (an address the guard approved) and `port`."""
    local = None if local_address is None else (local_address, 0)
    loop = asyncio.get_running_loop()
    # asyncio.open_connection, with a reader that counts what it holds.
    reader = _Reader(limit=_LIMIT, loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    try:
        async with asyncio.timeout(timeout):
            transport, _ = await loop.create_connection(
                lambda: protocol, host, port, local_addr=local
            )
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout("no answer within the connect timeout") from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    sock = writer.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)
    return AsyncioStream(reader, writer)
