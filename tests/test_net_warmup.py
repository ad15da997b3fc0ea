"""Getting the network ready early: after warm_up, the first request imports nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import argparse, asyncio, json, sys, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(200)
            self.send_header("Content-Length", "3")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    from bot.cli import load_certificates_early
    from bot.config import load_config
    from bot.net.setup import build_fetcher
    from bot.net.transport import FIRST_REQUEST_MODULES
    from bot.net.types import Request

    before_warm_up = sorted(name for name in FIRST_REQUEST_MODULES if name in sys.modules)
    thread = load_certificates_early(argparse.Namespace(offline=False))
    thread.join(30)
    fetcher = build_fetcher(load_config(None).network, True, None)
    url = f"http://127.0.0.1:{server.server_address[1]}/model.pth"
    before = set(sys.modules)
    results = asyncio.run(fetcher.fetch([Request("probe", url, binary=True)]))
    print(json.dumps({
        "before_warm_up": before_warm_up,
        "verdicts": [result.verdict for result in results.values()],
        "imported_by_the_first_request": sorted(set(sys.modules) - before),
    }))
    server.shutdown()
    """
)


def test_the_first_request_imports_nothing_after_warm_up() -> None:
    """The thread started by `check` and `audit` imports what the first request would import
    (in a fresh interpreter: the test process has imported everything long ago)."""
    import json

    command = [sys.executable, "-c", SCRIPT]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["verdicts"] == ["ok"]
    # Not imported before: the warm-up did it.
    assert "anyio._backends._asyncio" not in report["before_warm_up"]
    assert report["imported_by_the_first_request"] == []
