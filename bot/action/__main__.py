"""`python -I -m bot.action`: the container's entry point; a cancelled job still ends cleanly."""

from __future__ import annotations

import signal
import sys
from types import FrameType

from bot.action.main import main


def _terminate(signum: int, frame: FrameType | None) -> None:
    # The runner stops a cancelled job with SIGTERM: unwind so the commit status is finalized.
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(main())
