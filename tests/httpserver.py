"""A scripted HTTP server on 127.0.0.1 for tests: each path answers with queued responses."""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bot.example.server import BackgroundServer

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class Reply:
    """One response: status, headers and body; `delay` seconds before it is sent.

    `chunks` sends the body with chunked transfer encoding instead, one chunk every `drip`
    seconds; with `endless` the chunks repeat until the client hangs up.
    """

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    chunks: tuple[bytes, ...] = ()
    drip: float = 0.0
    endless: bool = False


@dataclass
class Script:
    """Queued replies per path (or per `METHOD path`); the last reply repeats. Requests recorded."""

    replies: dict[str, list[Reply]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # time.monotonic() of each request
    headers: list[dict[str, str]] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    active: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)

    def leave(self) -> None:
        with self.lock:
            self.active -= 1

    def next_reply(self, method: str, path: str) -> Reply | None:
        key = f"{method} {path}" if f"{method} {path}" in self.replies else path
        queue = self.replies.get(key)
        if not queue:
            return None
        self.hits[path] += 1
        return queue.pop(0) if len(queue) > 1 else queue[0]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (a deadline, a cap) is part of the tests."""

    # socketserver's default backlog of 5 drops the SYNs of a burst of new connections, and
    # the kernel retries a dropped SYN only after a second.
    request_queue_size = 256


class ScriptedServer(BackgroundServer):
    """`with ScriptedServer() as server: server.on("/a", Reply(200, b"x")); server.url("/a")`.

    `server.file("/w.zip", data)` serves a file that honours Range requests, as storage does.
    `latency`: seconds every answer waits before it is sent (a distant server).
    """

    def __init__(self, host: str = "127.0.0.1", latency: float = 0.0) -> None:
        self.script = Script()
        script = self.script

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm the second waits
            # for the client's delayed ACK (40 ms on Linux) on every answer.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                return

            def _answer(self, send_body: bool) -> None:
                script.requests.append((self.command, self.path))
                script.times.append(time.monotonic())
                script.headers.append({k.lower(): v for k, v in self.headers.items()})
                if latency:
                    time.sleep(latency)
                if self.path in script.files:
                    script.hits[self.path] += 1
                    self._file(script.files[self.path], send_body)
                    return
                reply = script.next_reply(self.command, self.path) or Reply(404, b"not found")
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                names = {name.lower() for name, _ in reply.headers}
                for name, value in reply.headers:
                    self.send_header(name, value)
                if reply.chunks:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    if send_body:
                        self._chunked(reply)
                    return
                if "content-length" not in names:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if send_body:
                    try:
                        self.wfile.write(reply.body)
                    except OSError:
                        return
                    if "content-length" in names:
                        self.close_connection = True  # a lying length leaves the stream unusable

            def _chunked(self, reply: Reply) -> None:
                try:
                    while True:
                        for chunk in reply.chunks:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            self.wfile.flush()
                            if reply.drip:
                                time.sleep(reply.drip)
                        if not reply.endless:
                            break
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    self.close_connection = True

            def _file(self, data: bytes, send_body: bool) -> None:
                match = _RANGE.match(self.headers.get("Range", "").strip())
                start, stop = 0, len(data)
                if match and (match.group(1) or match.group(2)):
                    first, last = match.groups()
                    if first:
                        start, stop = (
                            int(first),
                            min(len(data), int(last) + 1 if last else len(data)),
                        )
                    else:
                        start = max(0, len(data) - int(last))
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{stop - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(stop - start))
                self.end_headers()
                if send_body:
                    try:
                        self.wfile.write(data[start:stop])
                    except OSError:
                        return

            def do_GET(self) -> None:
                script.enter()
                try:
                    self._answer(send_body=True)
                finally:
                    script.leave()

            def do_HEAD(self) -> None:
                script.enter()
                try:
                    self._answer(send_body=False)
                finally:
                    script.leave()

        super().__init__(_Server((host, 0), Handler))

    def on(self, path: str, *replies: Reply, method: str | None = None) -> str:
        """Queue replies for `path` (for one `method` only, when given); returns its URL."""
        self.script.replies[f"{method} {path}" if method else path] = list(replies)
        return self.url(path)

    def file(self, path: str, data: bytes) -> str:
        self.script.files[path] = data
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def methods(self, path: str) -> list[str]:
        return [method for method, requested in self.script.requests if requested == path]
