"""Tells maintainers which method sections and result rows a PR removes from the zoo."""

from __future__ import annotations

from bot.config import Config
from bot.model import Finding, MethodSection, Readme
from bot.quote import q
from bot.rules.context import Context
from bot.rules.layout import layout_of
from bot.scope import match_sections

RULE = "removals"


def check(ctx: Context, base_readmes: dict[str, Readme]) -> list[Finding]:
    findings: list[Finding] = []
    for path, base in base_readmes.items():
        head = ctx.readmes.get(path)
        if head is None:
            findings.append(
                Finding(
                    "notice",
                    RULE,
                    path,
                    None,
                    f"The PR deletes {path} with its "
                    f"{_count(len(base.sections), 'method section')}.",
                    None,
                )
            )
            continue
        matched = match_sections(base.sections, head.sections)
        found = {id(old): new for new in head.sections if (old := matched.get(id(new)))}
        for old in base.sections:
            new = found.get(id(old))
            if new is None:
                findings.append(
                    Finding(
                        "notice",
                        RULE,
                        path,
                        None,
                        f"The PR removes the section {q(old.name)} "
                        f"({_count(len(old.rows), 'row')}).",
                        None,
                    )
                )
                continue
            gone = _gone_rows(old, new, ctx.config)
            if gone:
                names = ", ".join(sorted(gone))
                findings.append(
                    Finding(
                        "notice",
                        RULE,
                        path,
                        new.line,
                        f"The PR removes {_count(len(gone), 'row')} of {q(old.name)}: {q(names)}.",
                        None,
                    )
                )
    return findings


def _gone_rows(old: MethodSection, new: MethodSection, config: Config) -> list[str]:
    """Names of the base rows no head row stands for. A row is the same row when it keeps its
    name (its descriptive cells, `R-50-FPN 3x ✓`) or one of its links: edits to numbers, a
    new descriptive column or a renamed file keep it. Each head row stands for one base row."""
    by_key: dict[str, list[int]] = {}
    for index, (_name, keys) in enumerate(_rows(new, config)):
        for key in keys:
            by_key.setdefault(key, []).append(index)
    taken: set[int] = set()
    cursor: dict[str, int] = {}  # per key, the first of its head rows not yet taken
    gone: list[str] = []
    for name, keys in _rows(old, config):
        found = None
        for key in keys:
            candidates = by_key.get(key, [])
            at = cursor.get(key, 0)
            while at < len(candidates) and candidates[at] in taken:
                at += 1
            cursor[key] = at
            if at < len(candidates):
                found = candidates[at] if found is None else min(found, candidates[at])
        if found is None:
            gone.append(name)
        else:
            taken.add(found)
    return gone


def _rows(section: MethodSection, config: Config) -> list[tuple[str, frozenset[str]]]:
    """Each row's name and identity keys (the name, and every link target in its cells)."""
    task = config.task(section.task)
    rows: list[tuple[str, frozenset[str]]] = []
    for table in section.tables:
        columns = layout_of(task, table).columns if task else (None,) * len(table.header)
        for row in table.rows:
            cells = [
                cell.text
                for cell, column in zip(row.cells, columns, strict=False)
                if column is None or column.descriptive
            ]
            name = " ".join(text for text in cells if text) or f"line {row.line}"
            links = {link.url.strip() for cell in row.cells for link in cell.links}
            rows.append((name, frozenset({f"name:{name}"} | {f"url:{u}" for u in links if u})))
    return rows


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
