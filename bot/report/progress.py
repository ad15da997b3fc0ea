"""A progress bar on stderr while links are checked, when stderr is a terminal; else silent."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    """Call with (done, total); `close()` clears the line."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.active = self.stream.isatty()
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.active or total <= 0:
            return
        filled = self.width * done // total
        bar = "█" * filled + "░" * (self.width - filled)
        self.stream.write(f"\rChecking links {bar} {done}/{total}")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
