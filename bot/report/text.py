"""The terminal report: one finding per line as `path:line`, colour only on a terminal."""

from __future__ import annotations

from collections.abc import Callable

from bot import __version__
from bot.fixer import describe
from bot.model import Finding, Review, Severity
from bot.quote import clean, render, scrub
from bot.report.links import text_lines as link_lines

_COLOURS: dict[str, str] = {
    "error": "\033[1;31m",
    "warning": "\033[1;33m",
    "notice": "\033[1;36m",
    "dim": "\033[2m",
    "bold": "\033[1m",
    "green": "\033[1;32m",
}
_RESET = "\033[0m"

Paint = Callable[[str, str], str]


# More entries than this are said as a count unless --verbose (an audit has dozens).
ENTRY_LIST_LIMIT = 8


def render_text(review: Review, colour: bool = False, verbose: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"{_COLOURS[style]}{text}{_RESET}" if colour else text

    lines = [paint(f"zoo-review {__version__}", "bold") + f" · reviewed {_range(review)}"]
    if review.entries and (verbose or len(review.entries) <= ENTRY_LIST_LIMIT):
        lines.append("Entries reviewed:")
        for entry in review.entries:
            rows = f"{entry.rows} row{'s' if entry.rows != 1 else ''}"
            lines.append(f"  {entry.path}:{entry.line}  {clean(entry.section)}  ({rows})")
    elif review.entries:
        readmes = len({entry.path for entry in review.entries})
        row_count = sum(entry.rows for entry in review.entries)
        lines.append(
            f"Reviewed {len(review.entries)} entries ({row_count} rows) in {readmes} "
            f"README{'s' if readmes != 1 else ''}; --verbose lists them."
        )
    lines.append("")
    group: tuple[str, str | None] | None = None
    for finding in review.findings:
        if review.audit and (finding.path, finding.section) != group:
            # A maintainer's report: findings under their README and section.
            group = (finding.path, finding.section)
            title = finding.path + (f" › {clean(finding.section)}" if finding.section else "")
            lines.append(paint(title, "bold"))
        lines.extend(_finding(finding, paint))
    if review.links:
        lines += [*link_lines(review.links), ""]
    lines.append(_summary(review, paint))
    return scrub("\n".join(lines)) + "\n"


def _range(review: Review) -> str:
    head = short_rev(review.head)
    return f"{review.base[:12]}..{head}" if review.base else head


def short_rev(rev: str) -> str:
    """A commit id cut to 12 characters, keeping a `+worktree` suffix (the work tree was
    reviewed, uncommitted changes included)."""
    sha, plus, rest = rev.partition("+")
    return sha[:12] + plus + rest


def _finding(finding: Finding, paint: Paint) -> list[str]:
    where = finding.path if finding.line is None else f"{finding.path}:{finding.line}"
    severity: Severity = finding.severity
    message = render(finding.message, lambda value: f"`{value}`")
    lines = [f"{paint(where, 'bold')}: {paint(severity, severity)} [{finding.rule}] {message}"]
    if finding.hint:
        lines.append(paint(f"    hint: {render(finding.hint, lambda value: f'`{value}`')}", "dim"))
    if finding.fix is not None:
        lines.append(paint(f"    fix: {describe(finding.fix, 80)} (zoo-review check --fix)", "dim"))
    return lines


def _summary(review: Review, paint: Paint) -> str:
    counts = (
        f"{review.count('error')} error(s), {review.count('warning')} warning(s), "
        f"{review.count('notice')} notice(s)"
    )
    if review.ignored:
        counts += f", {review.ignored} ignored by the config"
    if review.verdict == "fail":
        return f"{paint('✗ fail', 'error')}: {counts}"
    if review.verdict == "incomplete":
        unchecked = len(review.unchecked)
        return (
            f"{paint('? incomplete', 'warning')}: {counts}; {unchecked} check(s) could not run "
            "(see the warnings above), so this review cannot pass yet: re-run it"
        )
    if review.not_checked:
        return (
            f"{paint('✓ pass', 'green')}: no problems found in what was checked "
            f"({review.headline_not_checked}): {counts}"
        )
    return f"{paint('✓ pass', 'green')}: {counts}"
