"""Walks the `_base_` chains of the configs a review read: what each config reaches, loops and
depth, and the problems on the way, each keyed so that one mistake is said once."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from bot.configs import MAX_BASE_DEPTH, MAX_CONFIG_BYTES, Assigned, BaseName, ConfigFile, ConfigSet
from bot.model import Severity
from bot.quote import q

# What a path is made of, for "did you mean": words between `/`, `_`, `-` and `.`.
_TOKENS = re.compile(r"[^/_.\-]+")
# `name =` right where the parser stopped: a line break is missing before it. Anchored, so
# that even a scan tries it at one position (tests/test_regex_linear.py).
_GLUED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)")
_SOURCE_LIMIT = 160
# How many missing `_base_` names of a review get a "did you mean" (each costs a fuzzy search).
_GUESSES = 64


@dataclass(frozen=True)
class ChainIssue:
    """A problem of a config or of its `_base_` chain; `key` names the mistake (the file and
    line where the fix goes), for one finding per mistake."""

    key: tuple[str, ...]
    severity: Severity
    message: str
    hint: str
    incomplete: bool = False


class Chains:
    """The `_base_` graph of the configs that were read (an edge per `_base_` name that was read
    too), walked once: its loops and each config's depth."""

    def __init__(self, configs: ConfigSet, present: frozenset[str], complete: bool = True) -> None:
        self.configs = configs
        # Every path at head; when GitHub truncated the listing (not `complete`), a path missing
        # from it may still exist: it was read to find out.
        self.present = present
        self.complete = complete
        self._guesses: dict[str, str | None] = {}
        # A `_base_` name (its file and index) that closes a loop -> the loop, first file again.
        self.loops: dict[tuple[str, int], tuple[str, ...]] = {}
        # How many configs the longest chain from each config holds, itself included.
        self.height: dict[str, int] = {}
        for start in sorted(configs.files):
            if start not in self.height:
                self._walk(start)

    def exists(self, path: str) -> bool:
        """Whether a file is at head, as far as the review can tell (unread: not known)."""
        if path in self.present or path in self.configs.files:
            return True
        return not self.complete and path in self.configs.unread

    def guess(self, node: str, base: BaseName) -> str | None:
        """The existing file a missing `_base_` name most likely means, written relative to
        `node`'s folder: the one file of the same top folder and type whose path has the same
        words with some left out or added (`…_3x_bdd100k.py` for `…_3x_det_bdd100k.py`), never
        a file whose words differ (`danet` is not `dmnet`)."""
        target = base.path
        if target is None:
            return None
        if target not in self._guesses:
            if len(self._guesses) >= _GUESSES:
                return None
            self._guesses[target] = _same_words(target, node, self.present)
        match = self._guesses[target]
        if match is None:
            return None
        relative = posixpath.relpath(match, posixpath.dirname(node))
        return relative if relative.startswith("../") else f"./{relative}"

    def bases(self, path: str) -> list[tuple[int, BaseName, str]]:
        """The `_base_` names of a config that were read: (index, name, its path)."""
        config = self.configs.files.get(path)
        if config is None:
            return []
        return [
            (index, base, base.path)
            for index, base in enumerate(config.bases)
            if base.path is not None and base.path in self.configs.files
        ]

    def _walk(self, start: str) -> None:
        """Depth-first from `start` without recursion: loops, then heights on the way back."""
        on_path = [start]
        active = {start}
        stack = [(start, iter(self.bases(start)))]
        while stack:
            node, todo = stack[-1]
            for index, _base, child in todo:
                if child in active:
                    loop = (*on_path[on_path.index(child) :], child)
                    self.loops[(node, index)] = loop
                elif child not in self.height:
                    on_path.append(child)
                    active.add(child)
                    stack.append((child, iter(self.bases(child))))
                    break
            else:
                stack.pop()
                on_path.pop()
                active.discard(node)
                below = [
                    self.height[child]
                    for index, _base, child in self.bases(node)
                    if (node, index) not in self.loops and child in self.height
                ]
                self.height[node] = 1 + max(below, default=0)

    def reach(self, path: str) -> tuple[list[str], dict[str, str]]:
        """The configs `path` reaches through `_base_` (itself first, breadth first), and the
        config that first named each one."""
        order = [path]
        parent: dict[str, str] = {}
        seen = {path}
        for node in order:
            for _index, _base, child in self.bases(node):
                if child not in seen:
                    seen.add(child)
                    parent[child] = node
                    order.append(child)
        return order, parent

    def load_from(self, path: str) -> tuple[Assigned, str] | None:
        """The `load_from` string a config gets: its own, else the nearest base's."""
        order, _parent = self.reach(path)
        for node in order:
            config = self.configs.files.get(node)
            if config is not None and config.load_from is not None:
                return config.load_from, node
        return None

    def issues(self, path: str) -> list[ChainIssue]:
        """Every problem of the config at `path` and of the configs it inherits from."""
        if path in self.configs.unread:
            return [_unread(path, self.configs.unread[path], "")]
        if path not in self.configs.files:
            return []  # not a Python file: only its existence is checked
        order, parent = self.reach(path)
        found: list[ChainIssue] = []
        for node in order:
            through = _through(path, node, parent)
            config = self.configs.files[node]
            found += own_issues(config, through)
            missing = [base for base in config.bases if base.path and not self.exists(base.path)]
            if missing:
                guess = self.guess(node, missing[0]) if len(missing) == 1 else None
                found.append(_missing(node, through, missing, guess))
            for index, base in enumerate(config.bases):
                found += self._base_issues(node, index, base, through)
        depth = self.height.get(path, 1)
        if depth > MAX_BASE_DEPTH:
            found.append(
                ChainIssue(
                    ("depth", path),
                    "error",
                    f"The `_base_` chain of the config {q(path)} is {depth} configs deep; "
                    f"zoo-review follows chains of at most {MAX_BASE_DEPTH}.",
                    "Inherit from fewer levels of configs (a chain this deep is usually a "
                    "mistake).",
                )
            )
        return found

    def _base_issues(self, node: str, index: int, base: BaseName, through: str) -> list[ChainIssue]:
        where = f"{q(node)}{through}"
        named = f"names `_base_` {q(base.name)} (line {base.line})"
        if base.path is None:
            return [
                ChainIssue(
                    ("scoped", node, str(index)),
                    "notice",
                    f"The config {where} {named}, which is not a path in this repository: it was "
                    "not followed.",
                    "zoo-review follows the `_base_` files of the zoo itself; a maintainer checks "
                    "this one.",
                )
            ]
        if not self.exists(base.path):
            return []  # said for all of the config's missing bases at once
        loop = self.loops.get((node, index))
        if loop is not None:
            chain = " → ".join(q(part) for part in loop)
            return [
                ChainIssue(
                    ("loop", node, str(index)),
                    "error",
                    f"The config {where} {named}, which leads back to it: the `_base_` chain "
                    f"loops ({chain}).",
                    f"Remove or change that `_base_` name in {q(node)}: a config cannot inherit "
                    "from itself.",
                )
            ]
        if base.path in self.configs.unread:
            return [_unread(base.path, self.configs.unread[base.path], f" (a `_base_` of {where})")]
        return []


def _same_words(target: str, node: str, present: frozenset[str]) -> str | None:
    """The only path of `present` (same top folder and extension, not `node`) whose words are
    the target's with some added or left out, the fewest such; None when none or a tie."""
    top = target.split("/", 1)[0] + "/"
    ext = posixpath.splitext(target)[1]
    words = _TOKENS.findall(target)
    best: list[str] = []
    fewest = 0
    for path in present:
        if path == node or not path.startswith(top) or not path.endswith(ext):
            continue
        other = _TOKENS.findall(path)
        if not (_within(words, other) or _within(other, words)):
            continue
        changes = abs(len(other) - len(words))
        if not best or changes < fewest:
            best, fewest = [path], changes
        elif changes == fewest:
            best.append(path)
    return best[0] if len(best) == 1 else None


def _within(short: list[str], long: list[str]) -> bool:
    """Whether `short` is `long` with some words left out (in order)."""
    rest = iter(long)
    return all(word in rest for word in short)


def _missing(node: str, through: str, bases: list[BaseName], guess: str | None) -> ChainIssue:
    """One finding for the `_base_` names of a config that name no file."""
    if len(bases) == 1:
        base = bases[0]
        named = (
            f"names `_base_` {q(base.name)} (line {base.line}), but {q(base.path)} does not "
            "exist at the reviewed commit"
        )
        if guess is not None:
            named += f". Did you mean {q(guess)}?"
    else:
        listed = ", ".join(f"{q(base.name)} (line {base.line})" for base in bases[:4])
        more = f" and {len(bases) - 4} more" if len(bases) > 4 else ""
        named = (
            f"names {len(bases)} `_base_` files that do not exist at the reviewed commit: "
            f"{listed}{more}"
        )
    return ChainIssue(
        # The names are part of the mistake: another missing base of the same config is another.
        ("missing", node, *sorted(base.path or "" for base in bases)),
        "error",
        f"The config {q(node)}{through} {named}" + ("" if named.endswith("?") else "."),
        f"Fix the names in {q(node)} (a `_base_` path is relative to the config's own folder, "
        f"{q(posixpath.dirname(node) + '/')}) or add the missing files.",
    )


def _through(start: str, node: str, parent: dict[str, str]) -> str:
    """ " (a `_base_` of `start`: `start` → … → `node`)" for a config `start` inherits from."""
    if node == start:
        return ""
    chain = [node]
    while chain[-1] != start:
        chain.append(parent[chain[-1]])
    names = " → ".join(q(posixpath.basename(part)) for part in reversed(chain))
    return f" (inherited by {q(start)}: {names})"


def own_issues(config: ConfigFile, through: str = "") -> list[ChainIssue]:
    """The config's own problems: not text, too large, not valid Python, a `_base_` that is
    not a literal."""
    where = f"{q(config.path)}{through}"
    if config.link_out is not None:
        return [
            ChainIssue(
                ("link", config.path),
                "error",
                f"The config {where} is a symbolic link to {q(config.link_out)}, outside the "
                "repository: zoo-review does not follow it, so the config was not checked.",
                "Commit the config file itself, not a link to a file elsewhere.",
            )
        ]
    if config.not_text is not None:
        return [
            ChainIssue(
                ("text", config.path),
                "error",
                f"The config {where} is not UTF-8 text ({config.not_text}).",
                "Save the config as UTF-8 text (a byte-order mark is fine, NUL bytes are not).",
            )
        ]
    if config.too_large:
        return [
            ChainIssue(
                ("size", config.path),
                "error",
                f"The config {where} is larger than {MAX_CONFIG_BYTES // (1 << 20)} MiB: that is "
                "not a config file.",
                "Link the config file itself.",
            )
        ]
    syntax = config.syntax
    if syntax is not None:
        place = f"line {syntax.line}" + (
            f", column {syntax.column}" if syntax.column is not None else ""
        )
        source = f": {q(syntax.source, _SOURCE_LIMIT)}" if syntax.source else ""
        hint = (
            f"Fix {place} of {q(config.path)} so that the file is valid Python (mmcv loads "
            "configs as Python; zoo-review only parses them)."
        )
        glued = _glued(syntax.source, syntax.column)
        if glued is not None:
            hint = (
                f"Put {q(glued + ' = …')} on a line of its own: a line break is missing before "
                f"column {syntax.column} of line {syntax.line} in {q(config.path)}."
            )
        return [
            ChainIssue(
                ("syntax", config.path),
                "error",
                f"The config {where} is not valid Python: {place}: {syntax.message}{source}.",
                hint,
            )
        ]
    if config.opaque_base is not None:
        return [
            ChainIssue(
                ("opaque", config.path),
                "notice",
                f"The config {where} sets `_base_` (line {config.opaque_base}) to something "
                "other than a string or a list of strings: it was not followed.",
                "Write `_base_` as a string or a list of strings, as mmcv's configs do.",
            )
        ]
    return []


def _glued(source: str | None, column: int | None) -> str | None:
    """The name of an assignment the parser hit in mid-line (`…)load_from = "…"`), if any."""
    if source is None or column is None or column <= 1:
        return None
    before, rest = source[: column - 1], source[column - 1 :]
    match = _GLUED.match(rest)
    if match is None or not before.strip():
        return None
    return match.group(0).rstrip("= \t")


def _unread(path: str, reason: str, through: str) -> ChainIssue:
    return ChainIssue(
        ("unread", path),
        "warning",
        f"The config {q(path)}{through} could not be checked: {reason}.",
        "The review is incomplete until it is; a maintainer can re-run the review.",
        incomplete=True,
    )
