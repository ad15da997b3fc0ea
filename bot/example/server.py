"""A static file server on 127.0.0.1 for the example's artifacts (scores, weights, preds)."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self


class _Handler(SimpleHTTPRequestHandler):
    """Static files; paths in `private` answer 403 Forbidden, as private storage does."""

    def __init__(self, *args: Any, private: frozenset[str], **kwargs: Any) -> None:
        self.private = private
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def send_head(self) -> Any:
        if self.path.split("?", 1)[0].lstrip("/") in self.private:
            self.send_error(403, "Forbidden")
            return None
        return super().send_head()


class BackgroundServer:
    """An HTTP server answering from a thread while the `with` block runs."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class ArtifactServer(BackgroundServer):
    """Serves a folder over HTTP on a free port of 127.0.0.1 while the `with` block runs."""

    def __init__(self, folder: Path, private: frozenset[str] = frozenset()) -> None:
        handler = partial(_Handler, directory=str(folder), private=private)
        super().__init__(ThreadingHTTPServer(("127.0.0.1", 0), handler))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"
