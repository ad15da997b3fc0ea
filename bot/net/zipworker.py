"""A worker process that parses zip central directories for the fetcher (see zippool.py).

It imports nothing of the caller's program: the pool starts it as `python -c` with the path of
this `bot` package, so a program that embeds zoo-review is never imported again. It reads jobs
from stdin and writes answers to stdout, each a 4-byte length and a pickle: a job is
`(directory_bytes, Directory, Limits, deadline)`, an answer `("ok", ZipSummary)` or
`("problem", message)`. Only the pool that started it writes to it.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import BinaryIO

from bot.net import zipdir

HEADER = struct.Struct("<L")


def _part(stream: BinaryIO) -> bytes | None:
    """The next length-prefixed part, or None at the end of the stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return stream.read(size)


def pickled(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def serve(jobs: BinaryIO, answers: BinaryIO) -> None:
    """Answer jobs until stdin closes."""
    while True:
        meta = _part(jobs)
        data = _part(jobs)
        if meta is None or data is None:
            return
        directory, limits, deadline = pickle.loads(meta)
        try:
            answer: tuple[str, object] = (
                "ok",
                zipdir.summarise(data, directory, limits, deadline),
            )
        except zipdir.ZipProblem as problem:
            answer = ("problem", problem.message)
        answers.write(pickled(answer))
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
