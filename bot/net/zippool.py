"""Parses zip central directories in worker processes, off the event loop's interpreter lock.

A directory of 10,000 entries costs about 12 ms of Python (40 ms when it is unusual and read
entry by entry); an audit reads dozens to thousands of them while it fetches the other links.
In a thread the parse still holds the lock the event loop needs; in another process it runs on
another core. Workers are plain `python -c` processes that import
only `bot.net.zipdir` (see zipworker.py), never the caller's `__main__`. When a worker cannot
start or dies, the directory is parsed in a thread instead: the result is the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from pathlib import Path
from types import ModuleType

from bot.net import zipdir
from bot.net.zipworker import HEADER, pickled

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None

_START = (
    "import sys; sys.path.insert(0, sys.argv[1]); from bot.net.zipworker import serve; "
    "serve(sys.stdin.buffer, sys.stdout.buffer)"
)
_ROOT = str(Path(zipdir.__file__).resolve().parents[2])


def worker_count() -> int:
    """One worker per core beyond the event loop's own, at most four; none on one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(0, min((cores or 1) - 1, 4))


# What a worker's job pipe holds: a directory of 10,000 entries (about 700 KB) in one write.
PIPE_BYTES = 1024 * 1024


def _widen(stream: asyncio.StreamWriter | None) -> None:
    """Let the pipe to a worker hold a whole directory (Linux; elsewhere, or past the system's
    limit, it stays as it is). A pipe holds 64 KiB by default, and asyncio writes the rest of a
    job a piece at a time, copying what is left each time: half the event loop's CPU time per
    directory."""
    if fcntl is None or stream is None:
        return
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    pipe = stream.transport.get_extra_info("pipe")
    if set_size is None or pipe is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe.fileno(), set_size, PIPE_BYTES)


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def ask(
        self,
        data: bytes | memoryview,
        directory: zipdir.Directory,
        limits: zipdir.Limits,
        deadline: float | None,
    ) -> tuple[str, object]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(pickled((directory, limits, deadline)))
        self.process.stdin.write(HEADER.pack(len(data)))
        self.process.stdin.write(data)
        await self.process.stdin.drain()
        (size,) = HEADER.unpack(await self.process.stdout.readexactly(HEADER.size))
        # The worker is our own child process: its answers are trusted.
        answer: tuple[str, object] = pickle.loads(await self.process.stdout.readexactly(size))
        return answer


class ParsePool:
    """`await pool.summarise(...)` as `zipdir.summarise`; `await pool.close()` at the end."""

    def __init__(self, workers: int) -> None:
        self._size = workers
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._started = 0
        self._all: list[_Worker] = []
        self._broken = workers == 0
        self._jobs: set[asyncio.Task[zipdir.ZipSummary]] = set()

    async def summarise(
        self,
        data: bytes | memoryview,
        directory: zipdir.Directory,
        limits: zipdir.Limits,
        deadline: float | None,
    ) -> zipdir.ZipSummary:
        if self._broken:
            return await asyncio.to_thread(zipdir.summarise, data, directory, limits, deadline)
        # The job runs to its end even when the caller stops waiting (its link's deadline):
        # the worker's answer must be read before the worker takes another job. The parse
        # itself stops at the deadline, so the job never outlives it by much.
        job = asyncio.create_task(self._run(data, directory, limits, deadline))
        self._jobs.add(job)
        job.add_done_callback(self._finished)
        return await asyncio.shield(job)

    def _finished(self, job: asyncio.Task[zipdir.ZipSummary]) -> None:
        self._jobs.discard(job)
        if not job.cancelled():
            job.exception()  # retrieved: nobody may be waiting any more

    async def _run(
        self,
        data: bytes | memoryview,
        directory: zipdir.Directory,
        limits: zipdir.Limits,
        deadline: float | None,
    ) -> zipdir.ZipSummary:
        worker = await self._worker()
        if worker is None:
            return await asyncio.to_thread(zipdir.summarise, data, directory, limits, deadline)
        try:
            kind, value = await worker.ask(data, directory, limits, deadline)
        except Exception:  # a worker that died or answered nonsense: parse here from now on
            self._broken = True
            return await asyncio.to_thread(zipdir.summarise, data, directory, limits, deadline)
        self._idle.put_nowait(worker)
        if kind == "problem":
            raise zipdir.ZipProblem(str(value))
        assert isinstance(value, zipdir.ZipSummary)
        return value

    async def _worker(self) -> _Worker | None:
        if self._idle.empty() and self._started < self._size:
            self._started += 1
            try:
                # -I: no PYTHONPATH, no user site, and not the current folder (a zoo checkout
                # whose files must never be imported) on sys.path; the package's root is.
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-I",
                    "-c",
                    _START,
                    _ROOT,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.DEVNULL,  # a worker that fails is replaced
                )
            except OSError:
                self._broken = True
                return None
            _widen(process.stdin)
            worker = _Worker(process)
            self._all.append(worker)
            return worker
        return await self._idle.get()

    async def close(self) -> None:
        """Stop the workers; a parse still running is past its deadline or nobody waits."""
        for job in list(self._jobs):
            job.cancel()
        for worker in self._all:
            with contextlib.suppress(ProcessLookupError):
                worker.process.kill()
            await worker.process.wait()
