"""bot/net/streams.py: httpcore's streams on asyncio's, against real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable

import httpcore
import pytest

from bot.net import streams

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def serving(handler: Handler) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_reads_writes_and_says_where_it_is_connected() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readexactly(5))
        await writer.drain()
        writer.close()

    async def main() -> None:
        server, port = await serving(echo)
        keepalive = (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        stream = await streams.connect_tcp("127.0.0.1", port, 5, socket_options=[keepalive])
        await stream.write(b"hello", timeout=5)
        await stream.write(b"", timeout=5)  # nothing to send: nothing sent
        assert await stream.read(100, timeout=5) == b"hello"
        assert await stream.read(100, timeout=5) == b""  # the end of the stream
        sock = stream.get_extra_info("socket")
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert stream.get_extra_info("server_addr") == ("127.0.0.1", port)
        assert stream.get_extra_info("client_addr")[0] == "127.0.0.1"
        assert stream.get_extra_info("ssl_object") is None
        assert stream.get_extra_info("anything else") is None
        await stream.aclose()
        server.close()

    asyncio.run(main())


def test_a_silent_peer_is_a_read_timeout_and_a_reset_a_read_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)  # waits for the client's byte, then resets the connection
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        writer.transport.abort()

    async def main() -> None:
        server, port = await serving(silent)
        stream = await streams.connect_tcp("127.0.0.1", port, 5)
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(100, timeout=0.05)
        await stream.write(b"x", timeout=5)
        with pytest.raises(httpcore.ReadError):
            await stream.read(100, timeout=5)
        with pytest.raises(httpcore.WriteError):
            for _ in range(100):  # the reset is seen by a later write
                await stream.write(b"x" * 65536, timeout=5)
        server.close()

    asyncio.run(main())


def test_a_refused_or_late_connection_is_a_connect_error_or_timeout() -> None:
    async def main() -> None:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]  # bound, not listening: refused
            with pytest.raises(httpcore.ConnectError):
                await streams.connect_tcp("127.0.0.1", port, 5)
        server, port = await serving(lambda reader, writer: asyncio.sleep(0))
        with pytest.raises(httpcore.ConnectTimeout):
            await streams.connect_tcp("127.0.0.1", port, 0)  # a deadline already past
        server.close()

    asyncio.run(main())


def test_a_tls_handshake_that_fails_is_a_connect_error() -> None:
    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")  # not TLS
        await writer.drain()
        writer.close()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def main() -> None:
        context = ssl.create_default_context()
        server, port = await serving(plain)
        stream = await streams.connect_tcp("127.0.0.1", port, 5)
        with pytest.raises(httpcore.ConnectError):
            await stream.start_tls(context, "zoo.test", timeout=5)
        server.close()
        server, port = await serving(silent)
        stream = await streams.connect_tcp("127.0.0.1", port, 5)
        with pytest.raises(httpcore.ConnectTimeout):
            await stream.start_tls(context, "zoo.test", timeout=0.05)
        server.close()

    asyncio.run(main())


def test_an_idle_connection_is_readable_once_the_server_closes_it_or_sends() -> None:
    """httpcore asks before it reuses a connection: a closed or talking one is not reused."""
    closing: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        closing.append(writer)
        await reader.read(1)

    async def main() -> None:
        server, port = await serving(hold)
        quiet = await streams.connect_tcp("127.0.0.1", port, 5)
        talked_to = await streams.connect_tcp("127.0.0.1", port, 5)
        closed = await streams.connect_tcp("127.0.0.1", port, 5)
        while len(closing) < 3:
            await asyncio.sleep(0.01)
        closing[1].write(b"HTTP/1.1 200 OK\r\n")  # what it should not send
        closing[2].close()
        await asyncio.sleep(0.1)
        readable = [s.get_extra_info("is_readable") for s in (quiet, talked_to, closed)]
        assert readable == [False, True, True]
        await closed.aclose()
        assert closed.get_extra_info("is_readable")  # closed here: never reused
        for stream in (quiet, talked_to):
            await stream.aclose()
        server.close()

    asyncio.run(main())
