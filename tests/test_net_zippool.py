"""Zip directories parsed in worker processes: the same summaries, the caller never re-imported."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.net import zipdir
from bot.net.fetcher import GuardedFetcher, NetworkSettings
from bot.net.guard import AddressPolicy
from bot.net.types import Request
from bot.net.zippool import PIPE_BYTES, ParsePool
from tests.httpserver import ScriptedServer
from tests.test_net_hostile import make_zip

OPEN = AddressPolicy(allow_private=True)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


@pytest.mark.skipif(sys.platform != "linux", reason="pipe sizes are Linux's")
def test_a_directory_goes_to_a_worker_in_one_write() -> None:
    """The job pipe holds a whole directory of 10,000 entries: asyncio does not write it a
    64 KiB piece at a time (each time copying what is left)."""
    import fcntl

    data = make_zip(10_000)
    directory = zipdir.find_directory(data[-zipdir.TAIL_BYTES :], len(data))
    part = data[directory.offset : directory.offset + directory.size]
    assert 64 * 1024 < len(part) <= PIPE_BYTES

    async def parse() -> tuple[int, zipdir.ZipSummary]:
        pool = ParsePool(1)
        try:
            summary = await pool.summarise(part, directory, zipdir.Limits(), None)
            stdin = pool._all[0].process.stdin
            assert stdin is not None
            pipe = stdin.transport.get_extra_info("pipe")
            return fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ), summary
        finally:
            await pool.close()

    size, summary = asyncio.run(parse())
    assert size >= PIPE_BYTES
    assert summary == zipdir.summarise(part, directory, zipdir.Limits())


def test_workers_give_the_summaries_a_thread_gives() -> None:
    good = make_zip(3000)
    bad = bytearray(good)
    bad[bad.rfind(b"PK\x01\x02")] = 0  # the last record's signature is broken
    jobs = []
    for data in (good, bytes(bad)):
        directory = zipdir.find_directory(data[-zipdir.TAIL_BYTES :], len(data))
        jobs.append((data[directory.offset : directory.offset + directory.size], directory))

    async def parse() -> list[object]:
        pool = ParsePool(2)
        try:
            answers = await asyncio.gather(
                *(pool.summarise(d, dr, zipdir.Limits(), None) for d, dr in jobs * 3),
                return_exceptions=True,
            )
            assert pool._started == 2 and not pool._broken
        finally:
            await pool.close()
        return [a.message if isinstance(a, zipdir.ZipProblem) else a for a in answers]

    expected = zipdir.summarise(jobs[0][0], jobs[0][1], zipdir.Limits())
    with pytest.raises(zipdir.ZipProblem) as problem:
        zipdir.summarise(jobs[1][0], jobs[1][1], zipdir.Limits())
    assert asyncio.run(parse()) == [expected, problem.value.message] * 3


_CALLER = """
import asyncio, sys
print("the caller's module ran", flush=True)
from bot.net.fetcher import GuardedFetcher, NetworkSettings
from bot.net.guard import AddressPolicy
from bot.net.types import Request
requests = [Request("archive", url) for url in sys.argv[1:]]
fetcher = GuardedFetcher(AddressPolicy(allow_private=True), NetworkSettings(timeout=20))
results = asyncio.run(fetcher.fetch(requests))
print(sorted({(r.verdict, r.archive.entries if r.archive else None) for r in results.values()}))
"""


def test_a_program_that_fetches_many_archives_is_not_imported_again(
    server: ScriptedServer, tmp_path: Path
) -> None:
    """The caller is a script without a `__main__` guard: a worker that imported the caller's
    main module (as multiprocessing's spawn and forkserver do) would print its line again."""
    archive = make_zip(2000)
    urls = [server.file(f"/v{n}.zip", archive) for n in range(NetworkSettings().pool_archives)]
    program, zoo = tmp_path / "program", tmp_path / "zoo"
    program.mkdir()
    zoo.mkdir()
    (program / "caller.py").write_text(_CALLER, encoding="utf-8")
    # The current folder (a zoo checkout) holds a module named like one the worker imports.
    (zoo / "pickle.py").write_text("open('IMPORTED', 'w').close()\n", encoding="utf-8")
    child = subprocess.run(
        [sys.executable, str(program / "caller.py"), *urls],
        capture_output=True,
        text=True,
        cwd=zoo,
        timeout=60,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.splitlines() == ["the caller's module ran", "[('ok', 2000)]"]
    assert not (zoo / "IMPORTED").exists(), "a worker imported a module of the current folder"


def test_a_review_with_many_archives_uses_workers(server: ScriptedServer) -> None:
    archive = make_zip(2000)
    requests = [Request("archive", server.file(f"/v{n}.zip", archive)) for n in range(8)]
    fetcher = GuardedFetcher(OPEN, NetworkSettings(timeout=20))
    results = asyncio.run(fetcher.fetch(requests))
    assert {(r.verdict, r.archive.entries if r.archive else 0) for r in results.values()} == {
        ("ok", 2000)
    }
    assert fetcher._parser._started >= 1 or fetcher._parser._size == 0
