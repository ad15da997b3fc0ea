"""A distant, busy server for tests: every answer waits `latency`; runs in its own process.

In its own process it has its own interpreter lock, so thousands of requests cost the test's
process only its client side. Every GET and HEAD of any path answers 200 with `[]`, or with the
given body (keep-alive); `GET /_requests` answers the JSON list of the paths requested so far,
in order.

    with LatencyServer(0.05) as server:
        server.url("/p/1.json"); server.requests()
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from types import TracebackType

BODY = b"[]"


async def _serve(latency: float, answer_body: bytes) -> None:
    requested: list[str] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, path, _version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                if path == "/_requests":
                    body = json.dumps(requested).encode()
                else:
                    requested.append(path)
                    body = answer_body
                    await asyncio.sleep(latency)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), b"" if method == "HEAD" else body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


class LatencyServer:
    """Starts the server in a child process and stops it on exit."""

    def __init__(self, latency: float, body: bytes = BODY) -> None:
        self.latency = latency
        self.port = 0
        self._process: subprocess.Popen[str] | None = None
        self._body = tempfile.NamedTemporaryFile(prefix="latency-body-")  # noqa: SIM115
        self._body.write(body)
        self._body.flush()

    def __enter__(self) -> LatencyServer:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.latencyserver", str(self.latency), self._body.name],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert self._process.stdout is not None
        self.port = int(self._process.stdout.readline())
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._process is not None
        self._process.kill()
        self._process.wait()
        self._body.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self) -> list[str]:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(self.url("/_requests"), timeout=10) as answer:
            paths: list[str] = json.loads(answer.read())
        return paths


if __name__ == "__main__":
    asyncio.run(_serve(float(sys.argv[1]), Path(sys.argv[2]).read_bytes()))
