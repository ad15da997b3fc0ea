"""Builds a Submission from a local git checkout: base..head (or the work tree) and a body file."""

from __future__ import annotations

import os
import posixpath
import stat
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.config import REPO_CONFIG_PATH, Config, Limits
from bot.errors import OperationalError, UsageError
from bot.model import PR_DESCRIPTION, ChangedFile, FileStatus, Submission
from bot.parse.diff import added_lines
from bot.text import NotText, decode_text

# Task READMEs are read whole (their size is what the repository holds).
_WHOLE_FILE = 1 << 62
DEFAULT_BASES = ("main", "master", "origin/main", "origin/master")
_OBJECT_TYPES = (b"blob", b"tree", b"commit", b"tag")
_STATUS: dict[str, FileStatus] = {"A": "added", "M": "modified", "D": "removed", "T": "modified"}


@dataclass(frozen=True)
class GitRepo:
    """A git work tree, driven through the `git` command."""

    root: Path

    @classmethod
    def open(cls, directory: Path) -> GitRepo:
        if not directory.is_dir():
            raise UsageError(f"--repo {directory}: no such directory")
        try:
            result = subprocess.run(
                ["git", "-C", str(directory), "rev-parse", "--show-toplevel"],
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as exc:
            raise OperationalError("git is not installed or not on PATH") from exc
        if result.returncode != 0:
            raise OperationalError(
                f"{directory} is not inside a git repository; run zoo-review in a clone of the "
                "model zoo or pass --repo DIR"
            )
        return cls(Path(result.stdout.strip()))

    def git(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> bytes:
        result = subprocess.run(
            ["git", "-C", str(self.root), "-c", "core.quotePath=false", *args],
            capture_output=True,
            check=False,
        )
        if result.returncode not in ok_codes:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise OperationalError(f"git {' '.join(args)} failed: {message}")
        return result.stdout

    def resolve(self, rev: str) -> str | None:
        """The commit a revision names, or None when it names none."""
        result = subprocess.run(
            ["git", "-C", str(self.root), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() if result.returncode == 0 else None

    def default_base(self, head: str) -> str:
        for candidate in DEFAULT_BASES:
            if self.resolve(candidate) is None:
                continue
            merge_base = self.git("merge-base", candidate, head, ok_codes=(0, 1)).decode().strip()
            if merge_base:
                return merge_base
        raise UsageError(
            "cannot tell what to compare with: none of main, master, origin/main, origin/master "
            "shares history with HEAD; pass --base REV (the branch your PR goes into)"
        )

    def show(self, rev: str, path: str) -> str | None:
        """A file's text at a revision, or None when it does not exist there."""
        data = self.show_bytes(rev, path)
        return None if data is None else data.decode("utf-8", "replace")

    def show_bytes(self, rev: str, path: str) -> bytes | None:
        """A file's bytes at a revision, or None when it does not exist there."""
        result = subprocess.run(
            ["git", "-C", str(self.root), "show", f"{rev}:{path}"],
            capture_output=True,
            check=False,
        )
        return result.stdout if result.returncode == 0 else None

    def paths_at(self, rev: str) -> frozenset[str]:
        listing = self.git("ls-tree", "-r", "-z", "--name-only", rev)
        return frozenset(name for name in listing.decode("utf-8", "replace").split("\0") if name)

    def worktree_paths(self) -> frozenset[str]:
        listing = self.git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
        names = {name for name in listing.decode("utf-8", "replace").split("\0") if name}
        return frozenset(name for name in names if (self.root / name).exists())

    def links_out(self, paths: Iterable[str]) -> dict[str, str]:
        """The paths that are symbolic links leading out of the repository, and where to.

        git lists a link, never the files under a linked folder, so one `lstat` per path finds
        them all."""
        top = self.root.resolve()
        found: dict[str, str] = {}
        for path in paths:
            link = self.root / path
            if link.is_symlink() and not link.resolve().is_relative_to(top):
                found[path] = os.readlink(link)
        return found


@dataclass(frozen=True)
class GitFiles:
    """Files of one commit, read with one `git ls-tree` and one `git cat-file --batch` per
    call, however many they are (an audit reads hundreds of configs)."""

    repo: GitRepo
    rev: str

    def read(self, paths: Sequence[str], limit: int) -> Mapping[str, bytes]:
        names = [path for path in dict.fromkeys(paths) if _plain_path(path)]
        if not names:
            return {}
        blobs = self._blobs(names)
        small = [path for path in names if path in blobs and blobs[path][1] <= limit]
        found = self._contents({path: blobs[path][0] for path in small})
        for path in names:
            if path in blobs and path not in small:
                found[path] = self._head(path, limit + 1)
        return found

    def _git(self, arguments: Sequence[str], request: bytes = b"") -> bytes:
        # Literal pathspecs: a `*` or `:` in a contributor's path is a character, not magic.
        result = subprocess.run(
            ["git", "-C", str(self.repo.root), *arguments],
            input=request,
            capture_output=True,
            check=False,
            env={**os.environ, "GIT_LITERAL_PATHSPECS": "1"},
        )
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise OperationalError(f"git {arguments[0]} failed: {message}")
        return result.stdout

    def _blobs(self, names: Sequence[str]) -> dict[str, tuple[str, int]]:
        """The blob id and size of each name that is a file at the commit. One listing of the
        folders that hold them: resolving `<rev>:<path>` name by name re-reads the folder's
        tree each time (2,000 configs in one folder took a second of git)."""
        folders = sorted({posixpath.dirname(name) for name in names})
        specs = [f"{folder}/" if folder else "." for folder in folders]
        listing = self._git(["ls-tree", "-l", "-z", self.rev, "--", *specs])
        wanted = {name.encode("utf-8"): name for name in names}
        blobs: dict[str, tuple[str, int]] = {}
        for entry in listing.split(b"\0"):
            meta, _, path = entry.partition(b"\t")
            fields = meta.split()
            name = wanted.get(path)
            if name is not None and len(fields) == 4 and fields[1] == b"blob":
                blobs[name] = (fields[2].decode("ascii"), int(fields[3]))
        return blobs

    def _contents(self, blobs: Mapping[str, str]) -> dict[str, bytes]:
        """The contents of each path's blob (`blobs`: path -> blob id)."""
        found: dict[str, bytes] = {}
        if not blobs:
            return found
        request = "".join(f"{blob}\n" for blob in blobs.values()).encode("ascii")
        out = self._git(["cat-file", "--batch"], request)
        at = 0
        for path in blobs:
            end = out.index(b"\n", at)
            fields = out[at:end].split()
            at = end + 1
            if len(fields) != 3 or fields[1] not in _OBJECT_TYPES or not fields[2].isdigit():
                continue  # "<id> missing": no contents follow
            size = int(fields[2])
            if fields[1] == b"blob":
                found[path] = out[at : at + size]
            at += size + 1
        return found

    def _head(self, path: str, count: int) -> bytes:
        """The first `count` bytes of a large file, without reading the rest into memory."""
        with subprocess.Popen(
            ["git", "-C", str(self.repo.root), "cat-file", "blob", f"{self.rev}:{path}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        ) as process:
            assert process.stdout is not None
            data = process.stdout.read(count)
            process.kill()
        return data


def _plain_path(path: str) -> bool:
    """A relative path inside the repository, written plainly (`a/b.py`; not `../b.py`, `/b.py`,
    `a//b.py` or `a/./b.py`): only those are looked up in a commit."""
    return (
        bool(path)
        and "\n" not in path
        and "\r" not in path
        and "\0" not in path
        and not path.startswith("/")
        and posixpath.normpath(path) == path
        and path != ".."
        and not path.startswith("../")
    )


@dataclass(frozen=True)
class WorktreeFiles:
    """Files of the work tree as they are on disk: regular files inside the repository only (a
    symbolic link out of it, a pipe or a device is never opened for reading)."""

    root: Path

    def read(self, paths: Sequence[str], limit: int) -> Mapping[str, bytes]:
        found: dict[str, bytes] = {}
        top = self.root.resolve()
        for path in dict.fromkeys(paths):
            target = (self.root / path).resolve()
            if not target.is_relative_to(top):
                continue  # a link out of the repository: not read
            try:
                fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            except OSError:
                continue
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    with os.fdopen(fd, "rb", closefd=False) as handle:
                        found[path] = handle.read(limit + 1)
            finally:
                os.close(fd)
        return found


def resolve_revisions(repo: GitRepo, base_rev: str | None, head_rev: str | None) -> tuple[str, str]:
    """The base and head commits to compare, as full SHAs."""
    head = repo.resolve(head_rev or "HEAD")
    if head is None and head_rev is None:
        raise UsageError(
            f"{repo.root} has no commit yet, so there is nothing to compare: commit the zoo "
            "and your contribution first (git add, git commit), then run zoo-review check again"
        )
    if head is None:
        raise UsageError(f"--head {head_rev}: no such commit in {repo.root}")
    if base_rev:
        base = repo.resolve(base_rev)
        if base is None:
            raise UsageError(f"--base {base_rev}: no such commit in {repo.root}")
    else:
        base = repo.default_base(head)
    return base, head


def uncommitted_work(repo: GitRepo, config: Config) -> list[str]:
    """What a review of HEAD would miss: task READMEs that differ from HEAD (in the index or the
    work tree, or new), files in a task's configs folder that do, and untracked files there that
    a task README in the work tree links."""
    raw = repo.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
    readmes = {task.readme: task for task in config.tasks}
    folders = [task.configs.rstrip("/") + "/" for task in config.tasks if task.configs]
    found: list[str] = []
    for entry in raw.decode("utf-8", "replace").split("\0"):
        code, path = entry[:2], entry[3:]
        if not path:
            continue
        in_configs = any(path.startswith(folder) for folder in folders)
        untracked = code == "??"
        if path in readmes or (
            in_configs
            and (not untracked or _linked_from_a_readme(repo, path, readmes, config.limits))
        ):
            found.append(path)
    return found


def _linked_from_a_readme(
    repo: GitRepo, path: str, readmes: Mapping[str, object], limits: Limits
) -> bool:
    """Whether a task README in the work tree names `path` (relative to its folder)."""
    for readme in readmes:
        relative = posixpath.relpath(path, posixpath.dirname(readme) or ".")
        if relative.startswith("../"):
            continue
        data = WorktreeFiles(repo.root).read([readme], limits.readme_bytes).get(readme)
        if data is not None and relative.encode() in data:
            return True
    return False


def read_repo_config(repo: GitRepo, base: str) -> str | None:
    """The repository's own config as it is on the base branch (a PR cannot weaken its review)."""
    return repo.show(base, REPO_CONFIG_PATH)


def load_submission(
    repo: GitRepo,
    config: Config,
    base: str,
    head: str,
    *,
    worktree: bool = False,
    body_file: Path | None = None,
) -> Submission:
    """The change base..head (or base..work tree) as a Submission, with the body file's text."""
    body = _read_body(body_file)
    readmes = [task.readme for task in config.tasks]

    links_out: dict[str, str] = {}
    if worktree:
        diff_target: tuple[str, ...] = (base,)
        head_paths = repo.worktree_paths()
        head_label = f"{head[:12]}+worktree"
        links_out = repo.links_out(head_paths)
    else:
        # A commit holds a link as the text of its target: git never follows it.
        diff_target = (base, head)
        head_paths = repo.paths_at(head)
        head_label = head

    changed = _changed_files(repo, diff_target, head_paths if worktree else None)
    head_texts: dict[str, str] = {}
    not_text: dict[str, str] = {}
    present = [path for path in readmes if path in head_paths and path not in links_out]
    if worktree:
        # At most the cap and a little more (enough for the review to tell it is over the cap),
        # ending on a whole character.
        head_bytes = {
            path: _whole_characters(data)
            for path, data in WorktreeFiles(repo.root).read(present, _readme_limit(config)).items()
        }
    else:  # all of them with one `git cat-file --batch`, not one `git show` each
        head_bytes = dict(GitFiles(repo, head).read(present, _WHOLE_FILE))
    for path in present:
        data = head_bytes.get(path)
        if data is not None:
            try:
                head_texts[path] = decode_text(data)
            except NotText as exc:
                not_text[path] = exc.found

    files: list[ChangedFile] = []
    base_texts: dict[str, str] = {}
    for path, status in changed:
        lines: frozenset[int] = frozenset()
        base_is_text = True
        if path in readmes:
            old = repo.show_bytes(base, path)
            if old is not None:
                try:
                    base_texts[path] = decode_text(old)
                except NotText:
                    base_is_text = False  # git shows no lines of it: all of head is new
        if path in readmes and status != "removed":
            patch = repo.git("diff", "--no-color", "--no-ext-diff", "-U0", *diff_target, "--", path)
            lines = added_lines(patch.decode("utf-8", "replace"))
            if (status == "added" or not base_is_text) and not lines and path in head_texts:
                lines = frozenset(range(1, head_texts[path].count("\n") + 2))
        files.append(ChangedFile(path=path, status=status, added_lines=lines))

    return Submission(
        base=base,
        head=head_label,
        body=body,
        body_path=str(body_file) if body_file and str(body_file) != "-" else PR_DESCRIPTION,
        changed=tuple(files),
        head_texts=head_texts,
        base_texts=base_texts,
        head_paths=head_paths,
        not_text=not_text,
        files=WorktreeFiles(repo.root) if worktree else GitFiles(repo, head),
        links_out=links_out,
        base_files=GitFiles(repo, base),
    )


def _changed_files(
    repo: GitRepo, diff_target: tuple[str, ...], worktree_paths: frozenset[str] | None
) -> list[tuple[str, FileStatus]]:
    raw = repo.git("diff", "--name-status", "-z", "--no-renames", *diff_target)
    fields = [field for field in raw.decode("utf-8", "replace").split("\0") if field]
    changed: list[tuple[str, FileStatus]] = []
    for status, path in zip(fields[::2], fields[1::2], strict=False):
        changed.append((path, _STATUS.get(status[:1], "modified")))
    if worktree_paths is not None:
        untracked = repo.git("ls-files", "-z", "--others", "--exclude-standard")
        known = {path for path, _ in changed}
        for path in untracked.decode("utf-8", "replace").split("\0"):
            if path and path not in known:
                changed.append((path, "added"))
    return changed


def _readme_limit(config: Config) -> int:
    """Bytes to read of a task README: its cap, one character more, and one more byte."""
    return config.limits.readme_bytes + 4


def _whole_characters(data: bytes) -> bytes:
    """`data` without a UTF-8 sequence cut at its end."""
    end = len(data)
    start = max(0, end - 3)
    for at in range(end - 1, start - 1, -1):
        byte = data[at]
        if byte < 0x80:
            break
        if byte >= 0xC0:  # the lead byte of the last sequence: is the sequence whole?
            size = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if end - at >= size else data[:at]
    return data


def _read_body(path: Path | None) -> str | None:
    if path is None:
        return None
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"--body {path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--body {path}: cannot read it as UTF-8 text ({exc})") from exc
