"""Applies the findings' mechanical fixes to files on disk (`zoo-review check --fix`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.errors import OperationalError
from bot.model import Finding, Fix


@dataclass(frozen=True)
class Applied:
    """What `--fix` did to one finding: fixed, or left with the reason."""

    finding: Finding
    fixed: bool
    reason: str = ""


def apply_fixes(findings: Iterable[Finding], locate: Callable[[str], Path]) -> list[Applied]:
    """Write every finding's fix into the file `locate(path)` names. A fix applies only where
    the line still reads as reviewed; several fixes of one line are merged when they change
    different parts of it. Line endings and a byte-order mark are kept."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.fix is not None:
            by_path[finding.fix.path].append(finding)
    applied: list[Applied] = []
    for path, fixable in by_path.items():
        target = locate(path)
        try:
            text = target.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise OperationalError(f"--fix: cannot read {target} ({exc})") from exc
        lines = text.splitlines(keepends=True)
        results = _apply(lines, fixable)
        applied += results
        if any(result.fixed for result in results):
            try:
                target.write_bytes("".join(lines).encode("utf-8"))
            except OSError as exc:
                raise OperationalError(f"--fix: cannot write {target} ({exc})") from exc
    return applied


def _apply(lines: list[str], findings: list[Finding]) -> list[Applied]:
    """Apply the fixes to `lines` in place, the last line first so numbers stay valid."""
    results: list[Applied] = []
    by_line: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        assert finding.fix is not None
        by_line[finding.fix.line].append(finding)
    for number in sorted(by_line, reverse=True):
        group = by_line[number]
        if number > len(lines):
            results += [Applied(f, False, "the line is no longer there") for f in group]
            continue
        raw = lines[number - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body) :] or "\n"
        bom = "\ufeff" if number == 1 and body.startswith("\ufeff") else ""
        current = body.removeprefix(bom)
        edits: list[tuple[int, int, str, Finding]] = []
        for finding in group:
            fix = finding.fix
            assert fix is not None
            if fix.old != current:
                results.append(Applied(finding, False, "the line changed since the review"))
                continue
            edits.append((*_span(fix), finding))
        new = current
        taken: list[tuple[int, int]] = []
        deleted = False
        for start, end, replacement, finding in sorted(edits, key=lambda e: -e[0]):
            assert finding.fix is not None
            if finding.fix.new == "":
                deleted = True
                results.append(Applied(finding, True))
                continue
            if any(start <= b and a <= end for a, b in taken):  # touching edits conflict too
                results.append(Applied(finding, False, "another fix changes the same text"))
                continue
            new = new[:start] + replacement + new[end:]
            taken.append((start, end))
            results.append(Applied(finding, True))
        if deleted:
            lines[number - 1] = ""
        elif new != current:
            lines[number - 1] = bom + new.replace("\n", ending) + ending
    return results


def _span(fix: Fix) -> tuple[int, int, str]:
    """The part of the old line a fix changes, and its replacement: the fix's new line without
    the prefix and suffix it shares with the old one."""
    old, new = fix.old, fix.new
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, len(old) - suffix, new[prefix : len(new) - suffix]


def describe(fix: Fix, limit: int = 60) -> str:
    """`31.3` → `31.27`: the changed part of the line, for the --fix summary."""
    start, end, replacement = _span(fix)
    if fix.new == "":
        return f"removed `{_cut(fix.old, limit)}`"
    before = fix.old[start:end]
    if not before:
        return f"inserted `{_cut(replacement, limit)}`"
    return f"`{_cut(before, limit)}` → `{_cut(replacement, limit)}`"


def _cut(text: str, limit: int) -> str:
    flat = text.replace("\n", "⏎")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
