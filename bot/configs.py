"""Reads the configs that reviewed rows link, and their `_base_` chains, through the source, and
parses them with `ast`: no config is ever imported or run."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.config import Config
from bot.model import FileReader, Submission
from bot.text import NotText, decode_text
from bot.urls import github_blob, is_relative, repo_path

if TYPE_CHECKING:
    from bot.rules.context import EntryScope

# A config larger than this is not a config (the zoo's largest is about 5 KB).
MAX_CONFIG_BYTES = 1 << 20
# How many configs one review reads at most (an audit of the BDD100K zoo reads about 400).
MAX_CONFIG_FILES = 2000
# How deep a `_base_` chain may go (the zoo's deepest is 3).
MAX_BASE_DEPTH = 16


@dataclass(frozen=True)
class SyntaxProblem:
    """Why Python's parser rejects a config: where, what it says, and the line itself."""

    line: int
    column: int | None
    message: str
    source: str | None


@dataclass(frozen=True)
class BaseName:
    """One name of a `_base_` assignment: as written, its line, and the repository path it
    names (None: not a plain relative path, e.g. `mmdet::…`, an absolute path or a URL)."""

    name: str
    line: int
    path: str | None


@dataclass(frozen=True)
class Assigned:
    """A top-level assignment of a string literal, e.g. `load_from = "https://…"`."""

    value: str
    line: int


@dataclass(frozen=True)
class ConfigFile:
    """One config as read: why it cannot be parsed, or what its `_base_` and `load_from` say."""

    path: str
    # What the file holds instead of UTF-8 text (bot/text.py).
    not_text: str | None = None
    # Where the file leads when it is a symbolic link out of the repository (never read).
    link_out: str | None = None
    too_large: bool = False
    syntax: SyntaxProblem | None = None
    bases: tuple[BaseName, ...] = ()
    # The line of a `_base_` that is neither a string nor a list of strings (not followed).
    opaque_base: int | None = None
    load_from: Assigned | None = None


@dataclass(frozen=True)
class ConfigSet:
    """The configs a review read, by repository path, and those it could not read (why)."""

    files: Mapping[str, ConfigFile] = field(default_factory=dict)
    unread: Mapping[str, str] = field(default_factory=dict)


def parse_config(path: str, data: bytes) -> ConfigFile:
    """Parse one config's bytes (`path`: its repository path, or its URL)."""
    if len(data) > MAX_CONFIG_BYTES:
        return ConfigFile(path, too_large=True)
    try:
        text = decode_text(data)
    except NotText as exc:
        return ConfigFile(path, not_text=exc.found)
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        return ConfigFile(path, syntax=_syntax_problem(exc, text))
    except (RecursionError, MemoryError):  # nesting deeper than the parser's stack
        message = "nested too deeply for Python's parser"
        return ConfigFile(path, syntax=SyntaxProblem(1, None, message, None))
    bases: tuple[BaseName, ...] = ()
    opaque: int | None = None
    load_from: Assigned | None = None
    folder = posixpath.dirname(path)
    for node in tree.body:
        for name, value in _assignments(node):
            if name == "_base_":
                found = _base_names(value, folder)
                bases, opaque = (found, None) if found is not None else ((), node.lineno)
            elif name == "load_from":
                literal = _string(value)
                load_from = Assigned(literal, node.lineno) if literal is not None else None
    return ConfigFile(path, bases=bases, opaque_base=opaque, load_from=load_from)


def _syntax_problem(exc: SyntaxError, text: str) -> SyntaxProblem:
    line = exc.lineno or 1
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else exc.text
    return SyntaxProblem(line, exc.offset, exc.msg, source.rstrip("\r\n") if source else None)


def _assignments(node: ast.stmt) -> Iterable[tuple[str, ast.expr]]:
    """(name, value) of a top-level `name = value` (also `a = b = value`, `name: T = value`)."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                yield target.id, node.value
    elif (
        isinstance(node, ast.AnnAssign)
        and node.value is not None
        and isinstance(node.target, ast.Name)
    ):
        yield node.target.id, node.value


def _string(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _base_names(node: ast.expr, folder: str) -> tuple[BaseName, ...] | None:
    """The names of `_base_ = "…"` or `_base_ = ["…", …]`; None when it is something else."""
    items = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    names: list[BaseName] = []
    for item in items:
        name = _string(item)
        if name is None:
            return None
        names.append(BaseName(name, item.lineno, base_path(folder, name)))
    return tuple(names)


def base_path(folder: str, name: str) -> str | None:
    """The repository path a `_base_` name written in `folder` names; None when it is not a
    plain relative path inside the repository (scoped `mmdet::…`, absolute, a URL, `~`)."""
    if not name or "::" in name or "://" in name or name.startswith(("/", "~", "\\")):
        return None
    joined = posixpath.normpath(posixpath.join(folder, name))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def linked_configs(scopes: Iterable[EntryScope], config: Config) -> list[str]:
    """Repository paths of the configs that reviewed rows link (relative links and GitHub
    links into the zoo's own repository), in README order."""
    repository = (config.repository or "").casefold()
    paths: dict[str, None] = {}
    for scope in scopes:
        for layout, row in scope.reviewed_rows():
            for _column, _spec, link in layout.links(row, "config"):
                path = zoo_config_path(link.url, scope.section.path, repository)
                if path is not None:
                    paths[path] = None
    return list(paths)


def external_config_links(scopes: Iterable[EntryScope], config: Config) -> bool:
    """Whether a reviewed row links a config in another GitHub repository (fetched as raw
    text with the other linked files, so not read by --scores-only)."""
    repository = (config.repository or "").casefold()
    for scope in scopes:
        for layout, row in scope.reviewed_rows():
            for _column, _spec, link in layout.links(row, "config"):
                blob = github_blob(link.url.strip())
                if blob is not None and blob[0].casefold() != repository:
                    return True
    return False


def zoo_config_path(url: str, readme: str, repository: str) -> str | None:
    """The repository path of a config link into the zoo itself (relative, or a GitHub blob
    link into `repository`, case-folded), else None."""
    url = url.strip()
    if not url:
        return None
    if is_relative(url):
        return repo_path(readme, url)
    blob = github_blob(url)
    if blob is not None and repository and blob[0].casefold() == repository:
        return blob[1]
    return None


def gather_configs(submission: Submission, paths: Iterable[str]) -> ConfigSet:
    """Read and parse the configs at `paths` at head and, level by level, every `_base_` they
    name that exists there, within MAX_CONFIG_FILES; the reads are batched per level."""
    reader: FileReader | None = submission.files
    assert reader is not None
    return read_configs(
        reader,
        submission.head_paths,
        submission.head_paths_complete,
        paths,
        links_out=submission.links_out,
    )


def read_configs(
    reader: FileReader,
    listed: frozenset[str],
    complete: bool,
    paths: Iterable[str],
    known: ConfigSet | None = None,
    *,
    links_out: Mapping[str, str] | None = None,
) -> ConfigSet:
    """Read and parse the configs at `paths` of one commit (`listed`: its paths, `complete`:
    False when GitHub truncated that list) and, level by level, every `_base_` they name that
    exists there, within MAX_CONFIG_FILES; the reads are batched per level. Configs in `known`
    (read before, and the same in this commit) are taken from there, not read again; those in
    `links_out` (symbolic links of a work tree that leave the repository) are never read."""
    known = known or ConfigSet()
    links_out = links_out or {}

    def present(path: str) -> bool:
        # A truncated listing (GitHub's limit) proves no absence: such a path is read to see.
        return path in listed or not complete

    files: dict[str, ConfigFile] = {}
    unread: dict[str, str] = {}
    pending = [path for path in dict.fromkeys(paths) if present(path) and _python(path)]
    seen = set(pending)
    while pending:
        room = MAX_CONFIG_FILES - len(files) - len(unread)
        for path in pending[max(room, 0) :]:
            unread[path] = f"the review reads at most {MAX_CONFIG_FILES} configs"
        batch = pending[: max(room, 0)]
        if not batch:
            break
        for path in batch:
            if path in links_out:
                files[path] = ConfigFile(path, link_out=links_out[path])
        batch = [path for path in batch if path not in files]
        to_read = [path for path in batch if path not in known.files and path not in known.unread]
        found = reader.read(to_read, MAX_CONFIG_BYTES) if to_read else {}
        pending = []
        for path in batch:
            data = found.get(path)
            if path in known.files:
                files[path] = parsed = known.files[path]
            elif path in known.unread:
                unread[path] = known.unread[path]
                continue
            elif data is None:
                unread[path] = (
                    "it could not be read"
                    if path in listed
                    else "it is not in GitHub's truncated file list and could not be read"
                )
                continue
            else:
                files[path] = parsed = parse_config(path, data)
            for base in parsed.bases:
                wanted = base.path
                if wanted and present(wanted) and _python(wanted) and wanted not in seen:
                    seen.add(wanted)
                    pending.append(wanted)
    return ConfigSet(files, unread)


def _python(path: str) -> bool:
    """Configs are read when they are Python files; others (YAML, JSON) are only found."""
    return path.endswith(".py")
