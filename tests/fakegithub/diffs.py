"""Git object ids, unified-diff patches and diff-line maps the way GitHub's REST API shows them."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
RENAME_SIMILARITY = 0.5


def blob_sha(data: bytes) -> str:
    """The git blob id of `data` (what `git hash-object` prints)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def object_sha(kind: str, payload: bytes) -> str:
    """The git object id of a loose object of `kind` with `payload`."""
    header = f"{kind} {len(payload)}\0".encode()
    return hashlib.sha1(header + payload, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a recursive git tree listing."""

    path: str
    mode: str
    type: str
    sha: str
    size: int | None


def _git_order(name: str, is_tree: bool) -> bytes:
    return name.encode() + (b"/" if is_tree else b"")


def build_tree(files: dict[str, bytes]) -> tuple[str, list[TreeEntry]]:
    """Real git tree ids for a snapshot; returns the root id and the `ls-tree -r -t` listing."""
    nested: dict[str, object] = {}
    for path, data in files.items():
        node = nested
        *dirs, leaf = path.split("/")
        for part in dirs:
            child = node.setdefault(part, {})
            assert isinstance(child, dict), f"{path}: a file is in the way"
            node = child
        node[leaf] = data

    def write(node: dict[str, object], prefix: str) -> tuple[str, list[TreeEntry]]:
        payload = b""
        listing: list[TreeEntry] = []
        for name in sorted(node, key=lambda n: _git_order(n, isinstance(node[n], dict))):
            value = node[name]
            path = f"{prefix}{name}"
            if isinstance(value, dict):
                sha, below = write(value, f"{path}/")
                payload += b"40000 " + name.encode() + b"\0" + bytes.fromhex(sha)
                listing.append(TreeEntry(path, "040000", "tree", sha, None))
                listing.extend(below)
            else:
                assert isinstance(value, bytes)
                sha = blob_sha(value)
                payload += b"100644 " + name.encode() + b"\0" + bytes.fromhex(sha)
                listing.append(TreeEntry(path, "100644", "blob", sha, len(value)))
        return object_sha("tree", payload), listing

    return write(nested, "")


def is_binary(data: bytes) -> bool:
    """Git's test, roughly: a NUL byte near the start, or text that is not UTF-8."""
    if b"\0" in data[:8000]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def unified_patch(old: bytes, new: bytes) -> str | None:
    """GitHub's `patch` field: hunks from the first `@@`, no file headers; None for binaries."""
    if is_binary(old) or is_binary(new):
        return None
    out: list[str] = []
    diff = difflib.unified_diff(_lines(old.decode()), _lines(new.decode()), n=3)
    for index, line in enumerate(diff):
        if index < 2:  # the "---" and "+++" file headers
            continue
        if line.endswith("\n"):
            out.append(line[:-1])
        else:
            out.append(line)
            out.append("\\ No newline at end of file")
    return "\n".join(out)


def count_changes(patch: str | None) -> tuple[int, int]:
    """Added and deleted lines of a patch."""
    if not patch:
        return 0, 0
    added = deleted = 0
    for line in patch.split("\n"):
        if line.startswith("@@"):
            continue
        if line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            deleted += 1
    return added, deleted


@dataclass(frozen=True)
class DiffLine:
    """One line of a patch with its place in both files and its diff position."""

    kind: str  # " ", "+", "-" or "\\"
    old: int | None
    new: int | None
    position: int  # GitHub's legacy `position`: lines below the first @@ header
    hunk: int  # index of the hunk in the patch
    index: int  # index of the line in patch.split("\n")


def diff_lines(patch: str | None) -> list[DiffLine]:
    """Every line of a patch, with old/new line numbers, for resolving review comments."""
    result: list[DiffLine] = []
    if not patch:
        return result
    old = new = 0
    hunk = -1
    for index, text in enumerate(patch.split("\n")):
        match = _HUNK.match(text)
        if match:
            hunk += 1
            old, new = int(match.group(1)), int(match.group(3))
            continue
        position = index  # the first header is index 0, so the line below it is position 1
        kind = text[:1] or " "
        if kind == "+":
            result.append(DiffLine(kind, None, new, position, hunk, index))
            new += 1
        elif kind == "-":
            result.append(DiffLine(kind, old, None, position, hunk, index))
            old += 1
        elif kind == "\\":
            result.append(DiffLine(kind, None, None, position, hunk, index))
        else:
            result.append(DiffLine(" ", old, new, position, hunk, index))
            old += 1
            new += 1
    return result


def find_line(patch: str | None, line: int, side: str) -> DiffLine | None:
    """The diff line a review comment on `line` of `side` (LEFT/RIGHT) anchors to, if any."""
    for entry in diff_lines(patch):
        if side == "RIGHT" and entry.kind in " +" and entry.new == line:
            return entry
        if side == "LEFT" and entry.kind in " -" and entry.old == line:
            return entry
    return None


def find_position(patch: str | None, position: int) -> DiffLine | None:
    """The diff line at a legacy `position`, if any."""
    for entry in diff_lines(patch):
        if entry.position == position and entry.kind != "\\":
            return entry
    return None


def diff_hunk(patch: str, anchor: DiffLine) -> str:
    """GitHub's `diff_hunk` of a review comment: the hunk header down to the commented line."""
    lines = patch.split("\n")
    start = anchor.index
    while not lines[start].startswith("@@"):
        start -= 1
    return "\n".join(lines[start : anchor.index + 1])


@dataclass(frozen=True)
class FileChange:
    """One entry of a pull request's files: what GitHub's DiffEntry describes."""

    filename: str
    status: str  # added, removed, modified, renamed
    sha: str | None  # blob id of the new content; None for a removed file
    additions: int
    deletions: int
    patch: str | None
    previous_filename: str | None = None

    @property
    def changes(self) -> int:
        """Additions plus deletions."""
        return self.additions + self.deletions


def _change(
    name: str, status: str, old: bytes, new: bytes | None, previous: str | None = None
) -> FileChange:
    patch = unified_patch(old, new if new is not None else b"")
    added, deleted = count_changes(patch)
    if patch == "" and status == "renamed":
        patch = None
    return FileChange(
        filename=name,
        status=status,
        sha=blob_sha(new) if new is not None else blob_sha(old),
        additions=added,
        deletions=deleted,
        patch=patch,
        previous_filename=previous,
    )


def _similarity(old: bytes, new: bytes) -> float:
    if old == new:
        return 1.0
    if is_binary(old) or is_binary(new):
        return 0.0
    matcher = difflib.SequenceMatcher(None, _lines(old.decode()), _lines(new.decode()))
    if matcher.real_quick_ratio() < RENAME_SIMILARITY:
        return 0.0
    return matcher.ratio()


def compare(base: dict[str, bytes], head: dict[str, bytes]) -> list[FileChange]:
    """Files that differ between two snapshots, with git-style rename detection, by path."""
    removed = sorted(set(base) - set(head))
    added = sorted(set(head) - set(base))
    renames: dict[str, str] = {}  # new path -> old path
    for new_path in added:
        best: tuple[float, str] | None = None
        for old_path in removed:
            if old_path in renames.values():
                continue
            score = _similarity(base[old_path], head[new_path])
            if score >= RENAME_SIMILARITY and (best is None or score > best[0]):
                best = (score, old_path)
        if best is not None:
            renames[new_path] = best[1]
    changes: list[FileChange] = []
    for path in sorted(set(base) | set(head)):
        if path in renames:
            old_path = renames[path]
            changes.append(_change(path, "renamed", base[old_path], head[path], old_path))
        elif path in renames.values():
            continue
        elif path not in base:
            changes.append(_change(path, "added", b"", head[path]))
        elif path not in head:
            changes.append(_change(path, "removed", base[path], None))
        elif base[path] != head[path]:
            changes.append(_change(path, "modified", base[path], head[path]))
    return changes
