"""Says where a contribution is over one of the config's caps (`limits`): the rest of that part
was not reviewed, so the review cannot pass."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.budget import OutOfTime
from bot.config import Limits
from bot.model import ChangedFile, Finding, MethodSection, OverCap, Readme

RULE = "limits"
_RAISE = "a maintainer can raise limits.{cap} in .github/zoo-review.yml if it is meant"
# When several caps meet on one line, the one that leaves out the most is said.
_ORDER = ("sections", "section_chars", "table_rows", "line_chars", "cell_chars")
# Caps that leave out more than the line they are at.
_SPANS = ("sections", "section_chars", "table_rows")


@dataclass(frozen=True)
class TooLarge:
    """A whole text over its cap: a task README (bytes) or the PR description (characters)."""

    path: str
    size: int
    limit: int
    # The first line that is (partly) past the cap.
    line: int


def measure_readme(path: str, text: str, limits: Limits) -> TooLarge | None:
    """The README's size when it is over `readme_bytes` (then nothing in it is reviewed)."""
    if len(text) * 4 <= limits.readme_bytes:
        return None  # a UTF-8 character is at most 4 bytes: no need to encode
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= limits.readme_bytes:
        return None
    line = data.count(b"\n", 0, limits.readme_bytes) + 1
    return TooLarge(path, len(data), limits.readme_bytes, line)


def measure_body(path: str, body: str | None, limits: Limits) -> TooLarge | None:
    """The PR description's size when it is over `body_chars` (then its checklist is not read)."""
    if body is None or len(body) <= limits.body_chars:
        return None
    return TooLarge(path, len(body), limits.body_chars, body.count("\n", 0, limits.body_chars) + 1)


def too_large_readme(found: TooLarge) -> Finding:
    return Finding(
        "error",
        RULE,
        found.path,
        found.line,
        f"{found.path} is {found.size:,} bytes, over the cap of {found.limit:,} "
        f"(limits.readme_bytes) from this line on, so nothing in it was reviewed.",
        "A task README holds short method sections; move long text to the paper or the usage "
        f"instructions ({_RAISE.format(cap='readme_bytes')}).",
    )


def too_long_body(found: TooLarge) -> Finding:
    return Finding(
        "error",
        RULE,
        found.path,
        found.line,
        f"The PR description is {found.size:,} characters, over the cap of {found.limit:,} "
        "(limits.body_chars) from this line on, so its checklist was not checked.",
        "Keep the description to the checklist and a few words about the contribution.",
    )


def out_of_time(path: str, exc: OutOfTime) -> Finding:
    """The review stopped: past its CPU time it cannot tell what else is wrong."""
    return Finding(
        "warning",
        RULE,
        path,
        None,
        f"The review ran out of its CPU time ({exc.seconds:g} s, limits.cpu_seconds) while "
        f"{exc.doing}, so it stopped there: what it had not checked yet is not checked.",
        "Re-run the review (a maintainer can comment /zoo-review recheck); if it runs out "
        "again, the contribution is too large to review: split it into smaller PRs "
        f"({_RAISE.format(cap='cpu_seconds')}).",
        incomplete=True,
    )


def check(readme: Readme, changed: ChangedFile | None, audit_all: bool) -> list[Finding]:
    """One error per line of `readme` where the PR (or, in an audit, anyone) went over a cap;
    a line inside a part that was not reviewed at all (a large section, rows past the cap)
    is not said again."""
    added = changed.added_lines if changed is not None else frozenset()
    sections = {section.line: section for section in readme.sections}
    mine = [hit for hit in readme.over_caps if audit_all or _touched(hit, added, sections)]
    skipped = _not_reviewed(readme, sections)
    best: dict[int, OverCap] = {}
    for hit in mine:
        if hit.cap not in _SPANS and _inside(hit.line, skipped):
            continue
        held = best.get(hit.line)
        if held is None or _ORDER.index(hit.cap) < _ORDER.index(held.cap):
            best[hit.line] = hit
    return [_finding(readme.path, hit) for _line, hit in sorted(best.items())]


def capped_lines(readme: Readme) -> frozenset[int]:
    """Lines cut at a cap: other findings there are consequences of the cut, not said."""
    return frozenset(
        hit.line for hit in readme.over_caps if hit.cap in ("line_chars", "cell_chars")
    )


def large_sections(readme: Readme) -> frozenset[int]:
    """Heading lines of the sections over `section_chars`: they are not reviewed."""
    return frozenset(hit.line for hit in readme.over_caps if hit.cap == "section_chars")


def _touched(hit: OverCap, added: frozenset[int], sections: Mapping[int, MethodSection]) -> bool:
    return any(line in added for line in _lines(hit, sections))


def _lines(hit: OverCap, sections: Mapping[int, MethodSection]) -> range:
    """The lines a cap left out: a section, a table's rows past the cap, or the one line."""
    if hit.cap == "section_chars":
        section = sections[hit.line]
        return range(section.line, section.end_line + 1)
    if hit.cap == "table_rows":
        return range(hit.line, hit.line + hit.size - hit.limit)
    if hit.cap == "sections":
        return range(hit.line, hit.line + hit.size)
    return range(hit.line, hit.line + 1)


def _not_reviewed(readme: Readme, sections: Mapping[int, MethodSection]) -> list[range]:
    """Line ranges no rule reads: sections over their cap, table rows past theirs."""
    return [_lines(hit, sections) for hit in readme.over_caps if hit.cap in _SPANS]


def _inside(line: int, ranges: Iterable[range]) -> bool:
    return any(line in lines for lines in ranges)


# Per cap: what was not reviewed, and how to fix it.
_SAID = {
    "line_chars": (
        "This line is {size:,} characters long, {over}: the rest of it was not reviewed.",
        "Break the text into lines of normal length",
    ),
    "cell_chars": (
        "A cell of this row is {size:,} characters long, {over}: the rest of the cell was not "
        "reviewed.",
        "A cell holds one value or its links; explanations go in the section text",
    ),
    "table_rows": (
        "The table has {size:,} rows, {over}: the rows from this line on were not reviewed.",
        "List each model once; split a very long table by method",
    ),
    "sections": (
        "This README has more than {limit:,} method sections ({cap}): the sections from this "
        "line on were not reviewed.",
        "A task README holds one section per method",
    ),
    "section_chars": (
        "The section is {size:,} characters long, {over}, so nothing in it was reviewed.",
        "A method section holds the paper line, authors, abstract, results table and links; "
        "long notes belong in the usage instructions",
    ),
}


def _finding(path: str, hit: OverCap) -> Finding:
    message, hint = _SAID[hit.cap]
    over = f"over the cap of {hit.limit:,} (limits.{hit.cap})"
    return Finding(
        "error",
        RULE,
        path,
        hit.line,
        message.format(size=hit.size, over=over, limit=hit.limit, cap=f"limits.{hit.cap}"),
        f"{hint} ({_RAISE.format(cap=hit.cap)}).",
    )
