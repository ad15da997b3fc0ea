"""HTTP/1.1 on 8 kept-alive connections against HTTP/2 on one, as zoo-review asks a host.

Run by hand, in a venv of its own (it needs packages zoo-review does not depend on):

    python -m venv h2v && h2v/bin/pip install hypercorn 'httpx[http2]' trustme
    h2v/bin/python bench/http2.py --requests 400 --runs 5

A hypercorn server on 127.0.0.1 (TLS from a throwaway CA, HTTP/2 by ALPN) answers every request
after `--latency` seconds with a 4 KB body; the client keeps 8 requests in flight (zoo-review's
per-host limit), over HTTP/1.1 and over HTTP/2, alternating. It prints each protocol's median
wall time, the client's CPU time per request and the lower bound (requests / 8 × latency).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx
import trustme

APP = textwrap.dedent(
    """
    import asyncio, os

    BODY = b"x" * 4096
    LATENCY = float(os.environ["LATENCY"])

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await asyncio.sleep(LATENCY)
        length = str(len(BODY)).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", length)]})
        await send({"type": "http.response.body", "body": BODY})
    """
)


async def timed(url: str, ca: Path, requests: int, *, http2: bool) -> tuple[float, float, str]:
    """Wall time and client CPU time of `requests` GETs, 8 in flight; the protocol used."""
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    async with httpx.AsyncClient(
        http1=not http2, http2=http2, verify=str(ca), limits=limits
    ) as client:
        slots = asyncio.Semaphore(8)
        versions: set[str] = set()

        async def one(index: int) -> None:
            async with slots:
                response = await client.get(f"{url}/file{index}")
                versions.add(response.http_version)
                if response.status_code != 200 or len(response.content) != 4096:
                    raise RuntimeError(f"unexpected answer: {response.status_code}")

        since, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(index) for index in range(requests)))
        return time.perf_counter() - since, time.process_time() - cpu, ", ".join(versions)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        authority = trustme.CA()
        authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
            str(folder / "server.pem")
        )
        authority.cert_pem.write_to_path(str(folder / "ca.pem"))
        (folder / "app.py").write_text(APP, encoding="utf-8")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "hypercorn", "--bind", f"127.0.0.1:{port}",
             "--certfile", "server.pem", "--keyfile", "server.pem", "app:app"],
            cwd=folder,
            env={**os.environ, "LATENCY": str(args.latency)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            time.sleep(2)  # hypercorn's start-up
            url = f"https://127.0.0.1:{port}"
            runs: dict[bool, list[tuple[float, float, str]]] = {False: [], True: []}
            for _ in range(args.runs):
                for http2 in (False, True):
                    runs[http2].append(
                        asyncio.run(timed(url, folder / "ca.pem", args.requests, http2=http2))
                    )
        finally:
            server.terminate()
            server.wait()
    bound = args.requests / 8 * args.latency
    for measured in runs.values():
        wall = statistics.median(run[0] for run in measured)
        cpu = statistics.median(run[1] for run in measured) / args.requests * 1000
        print(
            f"{measured[0][2]}: {wall:.2f} s for {args.requests} requests (bound {bound:.2f} s), "
            f"client CPU {cpu:.2f} ms a request; median of {args.runs}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
