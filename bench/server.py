"""A local artifact server for the benchmark: latency per request, failure mix, Range, bombs."""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import random
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote, urlsplit

MiB = 1024 * 1024
GiB = 1024 * MiB
Failure = Literal["404", "403", "503-once", "redirect"]
REDIRECT_PREFIX = "/_moved"


class Resource:
    """Something the server sends: a size (None: unknown, sent chunked) and its bytes."""

    content_type = "application/octet-stream"
    content_encoding: str | None = None
    size: int | None = None

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        """The bytes [start, end) in pieces."""
        raise NotImplementedError


@dataclass
class Blob(Resource):
    """Bytes kept in memory (scores, MD5 files, small zips, pages)."""

    data: bytes
    content_type: str = "application/octet-stream"

    @property
    def size(self) -> int:  # type: ignore[override]
        return len(self.data)

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        view = memoryview(self.data)
        for offset in range(start, end, MiB):
            yield view[offset : min(end, offset + MiB)]


@functools.lru_cache(maxsize=8)
def _random_block(seed: int) -> bytes:
    """1 MiB of a seed's random bytes; a few kept (thousands of weights files share memory)."""
    return random.Random(seed).randbytes(MiB)


class Weights(Resource):
    """A deterministic weights file of any size, generated block by block, never held whole."""

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size = size
        self._seed = seed
        self._md5: str | None = None

    def _piece(self, index: int) -> bytes:
        return index.to_bytes(8, "little") + _random_block(self._seed)[8:]

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        offset = start
        while offset < end:
            index, within = divmod(offset, MiB)
            piece = self._piece(index)[within : within + (end - offset)]
            yield piece
            offset += len(piece)

    def md5(self) -> str:
        """The digest, computed once by streaming the generated file."""
        if self._md5 is None:
            digest = hashlib.md5(usedforsecurity=False)
            size = self.size or 0
            for chunk in self.chunks(0, size):
                digest.update(chunk)
            self._md5 = digest.hexdigest()
        return self._md5


class GzipBomb(Resource):
    """`repeat` gzip members of 64 MiB of zeros each, sent as `Content-Encoding: gzip`."""

    content_type = "application/json"

    def __init__(self, repeat: int = 160, encoded: bool = True) -> None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        self._member = compressor.compress(bytes(64 * MiB)) + compressor.flush()
        self._repeat = repeat
        self.size = len(self._member) * repeat
        self.content_encoding = "gzip" if encoded else None

    @property
    def unpacked(self) -> int:
        return 64 * MiB * self._repeat

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        for _ in range(self._repeat):
            yield self._member  # Range is not honoured for the bomb: it is sent whole


class Endless(Resource):
    """A chunked body that never ends (until the client hangs up)."""

    content_type = "application/json"
    size = None

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        piece = b"[" * (64 * 1024)
        while True:
            yield piece


@dataclass
class Hit:
    """One request as the server saw it."""

    agent: str
    method: str
    path: str
    status: int
    start: float
    end: float
    sent: int


@dataclass
class Site:
    """What the server serves: resources by path, failures by path, the latency per request."""

    latency: float = 0.05
    files: dict[str, Resource] = field(default_factory=dict)
    failures: dict[str, Failure] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    # When each TCP connection was accepted (runs are sequential: a run's are those in its time).
    accepts: list[float] = field(default_factory=list)
    _failed_once: set[tuple[str, str]] = field(default_factory=set)

    def page(self, path: str) -> Resource | None:
        if path.startswith("/pages/"):
            title = path.removeprefix("/pages/")
            return Blob(f"<html><title>{title}</title></html>".encode(), "text/html")
        return self.files.get(path)

    def reset(self) -> None:
        """Forget which 503-once paths already failed, so each run sees the same mix."""
        self._failed_once.clear()

    def hits_of(self, agent: str, since: float = 0.0) -> list[Hit]:
        return [
            hit for hit in list(self.hits) if hit.agent.startswith(agent) and hit.start >= since
        ]

    def connections(self, since: float, until: float) -> int:
        """TCP connections accepted in [since, until]."""
        return sum(1 for accepted in list(self.accepts) if since <= accepted <= until)


class ArtifactServer:
    """Serves a Site on 127.0.0.1 from an asyncio loop in a background thread."""

    def __init__(self, site: Site, port: int = 0) -> None:
        self.site = site
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ArtifactServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", self._port, backlog=1024)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.site.accepts.append(time.monotonic())
        try:
            while await self._request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def _request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        start = time.monotonic()
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        path = unquote(urlsplit(target).path)
        agent = headers.get("user-agent", "")
        keep = headers.get("connection", "").lower() != "close"
        hit = Hit(agent, method, path, 0, start, 0.0, 0)
        try:
            await asyncio.sleep(self.site.latency)
            await self._respond(writer, hit, headers.get("range"))
        finally:
            hit.end = time.monotonic()
            self.site.hits.append(hit)
        return keep

    async def _respond(
        self, writer: asyncio.StreamWriter, hit: Hit, range_header: str | None
    ) -> None:
        path, agent = hit.path, hit.agent
        moved = path.startswith(REDIRECT_PREFIX)
        path = path.removeprefix(REDIRECT_PREFIX)
        failure = None if moved else self.site.failures.get(path)
        if failure == "redirect":
            hit.status = await _simple(
                writer, 302, {"Location": REDIRECT_PREFIX + path}, head=hit.method == "HEAD"
            )
        elif failure == "503-once" and (agent, path) not in self.site._failed_once:
            self.site._failed_once.add((agent, path))
            hit.status = await _simple(writer, 503, head=hit.method == "HEAD")
        elif failure in ("404", "403"):
            hit.status = await _simple(
                writer, 404 if failure == "404" else 403, head=hit.method == "HEAD"
            )
        elif (resource := self.site.page(path)) is None:
            hit.status = await _simple(writer, 404, head=hit.method == "HEAD")
        else:
            await _send(writer, hit, resource, range_header)


async def _simple(
    writer: asyncio.StreamWriter,
    status: int,
    extra: dict[str, str] | None = None,
    *,
    head: bool = False,
) -> int:
    body = f"{status}\n".encode()
    headers = {"Content-Type": "text/plain", "Content-Length": str(len(body)), **(extra or {})}
    writer.write(_head(status, headers) + (b"" if head else body))  # HEAD: no body
    await writer.drain()
    return status


_REASONS = {
    200: "OK",
    206: "Partial Content",
    302: "Found",
    403: "Forbidden",
    404: "Not Found",
    416: "Range Not Satisfiable",
    503: "Service Unavailable",
}


def _head(status: int, headers: dict[str, str]) -> bytes:
    reason = _REASONS.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _byte_range(value: str | None, size: int | None) -> tuple[int, int] | None:
    """[start, end) of a single `bytes=` range, or None to send the whole file."""
    if not value or size is None or not value.startswith("bytes=") or "," in value:
        return None
    first, _, last = value.removeprefix("bytes=").partition("-")
    if not first:
        return max(0, size - int(last)), size
    return int(first), min(size, int(last) + 1 if last else size)


async def _send(
    writer: asyncio.StreamWriter, hit: Hit, resource: Resource, range_header: str | None
) -> None:
    headers = {"Content-Type": resource.content_type}
    if resource.content_encoding:
        headers["Content-Encoding"] = resource.content_encoding
    size = resource.size
    span = None if isinstance(resource, GzipBomb) else _byte_range(range_header, size)
    status = 200
    if span is not None and size is not None:
        start, end = span
        if start >= end:
            headers["Content-Range"] = f"bytes */{size}"
            hit.status = await _simple(writer, 416, headers, head=hit.method == "HEAD")
            return
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    else:
        start, end = 0, size if size is not None else 1 << 62
    if size is None:
        headers["Transfer-Encoding"] = "chunked"
    else:
        headers["Content-Length"] = str(end - start)
    writer.write(_head(status, headers))
    hit.status = status
    if hit.method != "HEAD":
        for chunk in resource.chunks(start, end):
            if size is None:
                writer.write(f"{len(chunk):x}\r\n".encode() + bytes(chunk) + b"\r\n")
            else:
                writer.write(chunk)
            hit.sent += len(chunk)
            await writer.drain()
        if size is None:
            writer.write(b"0\r\n\r\n")
    await writer.drain()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve bench artifacts on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    args = parser.parse_args()
    site = Site(latency=args.latency)
    site.files["/weights-1g.pth"] = Weights(GiB)
    site.files["/gzip-bomb.json"] = GzipBomb()
    site.files["/endless.json"] = Endless()
    server = ArtifactServer(site, args.port).start()
    print(f"serving on {server.url} (try /weights-1g.pth, /gzip-bomb.json, /endless.json)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
