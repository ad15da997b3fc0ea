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
from bot.model import ChangedFile, FileReader
from bot.parse.diff import base_text
from bot.text import NotText, decode_text

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


@dataclass(frozen=True)
class MergeBaseFiles:
    """Files at a pull request's merge base, against which GitHub lists its changes: a file the
    PR does not change is read at head; one it changes or removes is rebuilt from its head text
    and GitHub's patch (read at the base commit when there is no patch, or it does not fit);
    one it adds is absent. `changes`: each changed file and its patch, by its path before."""

    head: FileReader
    at_base: FileReader
    changes: Mapping[str, tuple[ChangedFile, str | None]]
    added: frozenset[str] = frozenset()

    def read(self, paths: Sequence[str], limit: int) -> Mapping[str, bytes]:
        wanted = [path for path in dict.fromkeys(paths) if path not in self.added]
        same = [path for path in wanted if path not in self.changes]
        found = dict(self.head.read(same, limit)) if same else {}
        changed = [path for path in wanted if path in self.changes]
        heads = [c.path for path in changed if (c := self.changes[path][0]).status != "removed"]
        texts = self.head.read(heads, limit) if heads else {}
        elsewhere: list[str] = []
        for path in changed:
            change, patch = self.changes[path]
            head = b"" if change.status == "removed" else texts.get(change.path)
            rebuilt = _rebuilt(head, patch)
            if rebuilt is None:
                elsewhere.append(path)
            else:
                found[path] = rebuilt[: limit + 1]
        if elsewhere:
            found.update(self.at_base.read(elsewhere, limit))
        return found


def _rebuilt(head: bytes | None, patch: str | None) -> bytes | None:
    """A text file before a change, from its bytes after it and the change's patch."""
    if head is None or patch is None:
        return None
    try:
        text = decode_text(head)
    except NotText:
        return None
    before = base_text(text, patch)
    return None if before is None else before.encode("utf-8")


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
