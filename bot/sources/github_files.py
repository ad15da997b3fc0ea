"""Reads files of one commit on GitHub for the config check: the contents API for the few a PR
review needs, one tarball of the commit for an audit's hundreds."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import requests
from github.GithubException import GithubException
from github.Repository import Repository

from bot.errors import OperationalError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# Contents API requests a review may spend on files; past them it downloads the tarball once.
CONTENTS_READS = 20
# The tarball's compressed bytes read at most, and the bytes it may unpack to.
MAX_TARBALL_BYTES = 256 << 20
MAX_UNPACKED_BYTES = 2 << 30
# What the archive keeps: the Python files (configs), each cut at the caller's limit + 1.
KEEP_SUFFIX = ".py"
MAX_KEPT_BYTES = 256 << 20
# What _contents answers for a file above the contents API's 1 MB.
_TOO_LARGE = b"<too large for the contents API>"


@dataclass
class GitHubFiles:
    """Files at commit `sha` of `repo`. `contents_reads` (0: the tarball at once, for an audit)
    is how many files are read one request each before the tarball is used instead."""

    repo: Repository
    sha: str
    contents_reads: int = CONTENTS_READS
    requests_sent: int = 0
    _archive: dict[str, bytes] | None = field(default=None, repr=False)

    def read(self, paths: Sequence[str], limit: int) -> Mapping[str, bytes]:
        """Each path's bytes (at most `limit` + 1); a path left out could not be read."""
        wanted = list(dict.fromkeys(paths))
        if self._archive is None and self.requests_sent + len(wanted) <= self.contents_reads:
            found: dict[str, bytes] = {}
            for path in wanted:
                data = self._contents(path, limit)
                if data is _TOO_LARGE:
                    data = self._from_archive(path, limit)
                if data is not None:
                    found[path] = data
            return found
        found = {}
        for path in wanted:
            data = self._from_archive(path, limit)
            if data is not None:
                found[path] = data
        return found

    def _contents(self, path: str, limit: int) -> bytes | None:
        """The file through the contents API; None when it cannot be read, _TOO_LARGE when it
        is above the API's 1 MB (the tarball has it)."""
        self.requests_sent += 1
        try:
            content = self.repo.get_contents(path, ref=self.sha)
        except (GithubException, requests.RequestException, OperationalError):
            return None
        if isinstance(content, list):
            return None  # a folder
        if content.encoding != "base64":
            return _TOO_LARGE
        return content.decoded_content[: limit + 1]

    def _from_archive(self, path: str, limit: int) -> bytes | None:
        if self._archive is None:
            self._archive = self._download(limit)
        return self._archive.get(path)

    def _download(self, limit: int) -> dict[str, bytes]:
        """The commit's Python files from one GET of its tarball (GitHub answers with a redirect
        to codeload.github.com); empty when it cannot be read."""
        self.requests_sent += 1
        url = f"{self.repo.url}/tarball/{self.sha}"
        kept: dict[str, bytes] = {}
        try:
            _status, _headers, chunks = self.repo.requester.getStream(url, chunk_size=1 << 16)
            stream = io.BufferedReader(_Capped(chunks, MAX_TARBALL_BYTES), 1 << 16)
            with tarfile.open(fileobj=stream, mode="r|gz") as tar:
                total = 0
                for member in tar:
                    if member.offset_data + member.size > MAX_UNPACKED_BYTES:
                        raise OperationalError("the tarball unpacks to too much")
                    name = member.name.partition("/")[2]  # below "<owner>-<repo>-<sha>/"
                    if not member.isfile() or not name.endswith(KEEP_SUFFIX):
                        continue
                    handle = tar.extractfile(member)
                    if handle is None:
                        continue
                    data = handle.read(limit + 1)
                    total += len(data)
                    if total > MAX_KEPT_BYTES:
                        raise OperationalError("the tarball holds too many Python files")
                    kept[name] = data
        except (
            GithubException,
            requests.RequestException,
            OperationalError,
            tarfile.TarError,
            OSError,
            EOFError,
        ):
            return {}
        return kept


class _Capped(io.RawIOBase):
    """A readable stream over an iterator of byte chunks that refuses more than `limit` bytes."""

    def __init__(self, chunks: Iterator[bytes], limit: int) -> None:
        super().__init__()
        self._chunks = chunks
        self._left = limit
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if not self._pending:
            chunk = next(self._chunks, b"")
            self._left -= len(chunk)
            if self._left < 0:
                raise OperationalError("the tarball is larger than zoo-review reads")
            self._pending = chunk
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count
