"""`python -I -m bot.action`: the container's entry point; a cancelled job still ends cleanly."""

from __future__ import annotations

import signal
import sys
from types import FrameType

from bot.action.main import main


def _terminate(signum: int, frame: FrameType | None) -> None:
    # The runner cancels a job with SIGINT, then SIGTERM, then SIGKILL: unwind at the first so
    # the commit status is finalized (with an error saying so), and let no later signal cut
    # that final write short. Installing a SIGINT handler also keeps asyncio from putting in
    # its own, which only cancels at the next `await` (parsing and rules never await).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    sys.exit(main())
