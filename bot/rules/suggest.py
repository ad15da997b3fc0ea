"""Did you mean: the known name closest to a mistyped one (difflib), for findings and the CLI."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from difflib import SequenceMatcher, get_close_matches

from bot.model import Finding, Fix, MethodSection, TableRow
from bot.quote import q
from bot.rules.context import Context
from bot.rules.fixes import cell_fix
from bot.urls import is_relative, repo_path

# How alike a config path must be to an existing file (difflib's ratio) to be suggested.
CONFIG_PATH = 0.85
ADDED_BONUS = 0.01


def closest(name: str, known: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The known name `name` most likely misspells, when one is close enough."""
    found = get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return found[0] if found else None


def closest_config(ctx: Context, path: str, folder: str) -> str | None:
    """The config file at the reviewed commit that a missing `path` most likely means: a file
    of the same type under `folder` that no row of the zoo links yet, preferring one the PR
    adds; None when none is close."""
    ext = posixpath.splitext(path)[1]
    linked = _linked_configs(ctx)
    candidates = [
        other
        for other in ctx.submission.head_paths
        if other.startswith(folder + "/") and other.endswith(ext) and other not in linked
    ]
    added = {c.path for c in ctx.submission.changed if c.status == "added"}
    best: tuple[float, str] | None = None
    for other in candidates:
        ratio = SequenceMatcher(None, path, other).ratio()
        if ratio < CONFIG_PATH:
            continue
        # A file the PR adds is the likelier meaning among equally close ones.
        score = ratio + (ADDED_BONUS if other in added else 0.0)
        if best is None or (score, other) > best:
            best = (score, other)
    return None if best is None else best[1]


def _linked_configs(ctx: Context) -> set[str]:
    """Every file a `[config](…)` link of the zoo names, in any row (a row whose cells are
    miscounted included)."""
    linked: set[str] = set()
    for readme in ctx.readmes.values():
        for section in readme.sections:
            for row in section.rows:
                for cell in row.cells:
                    for link in cell.links:
                        url = link.url.strip()
                        if link.label.casefold() == "config" and url and is_relative(url):
                            target = repo_path(readme.path, url)
                            if target is not None:
                                linked.add(target)
    return linked


def relative_link(readme: str, path: str, written: str) -> str:
    """`path` as a link from `readme`, in the style it was written (`./configs/…`)."""
    link = posixpath.relpath(path, posixpath.dirname(readme) or ".")
    return f"./{link}" if written.startswith("./") and not link.startswith(".") else link


def missing_config(
    ctx: Context, section: MethodSection, row: TableRow, url: str, path: str
) -> Finding:
    """The finding for a config link to no file: with "did you mean" and the fix when a file
    is close (the `config` rule's)."""
    task = ctx.config.task(section.task)
    folder = (task.configs or task.folder).rstrip("/") if task else posixpath.dirname(path)
    message = f"The config file {q(path)} does not exist at the reviewed commit."
    hint = f"Add the file to your PR under {folder}/, or fix the path of the [config] link."
    guess = closest_config(ctx, path, folder)
    if guess is None:
        return Finding("error", "config", section.path, row.line, message, hint)
    new_url, fix = relink(ctx, section, row, url, guess)
    return Finding(
        "error",
        "config",
        section.path,
        row.line,
        f"{message} Did you mean {q(guess)}?",
        f"Link {q(new_url)}, or add the file to your PR under {folder}/.",
        fix=fix,
    )


def relink(
    ctx: Context, section: MethodSection, row: TableRow, url: str, path: str
) -> tuple[str, Fix | None]:
    """The row's config link `url` made to name `path` instead, and the fix of the row that
    does it (None when the link is not once in its cell)."""
    new_url = relative_link(section.path, path, url)
    fix = None
    for index, cell in enumerate(row.cells):
        if any(link.url.strip() == url for link in cell.links) and cell.raw.count(f"({url})") == 1:
            new_raw = cell.raw.replace(f"({url})", f"({new_url})")
            fix = cell_fix(ctx.submission.head_texts, section.path, row.line, index, new_raw)
    return new_url, fix
