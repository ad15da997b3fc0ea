"""Splits a task README into its method sections (`### Name` ... results table ... code links)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from bot.budget import CpuBudget
from bot.config import Limits
from bot.model import (
    Abstract,
    Link,
    MethodSection,
    OverCap,
    PaperLine,
    Readme,
    ResultTable,
    TableRow,
    TextLine,
)
from bot.parse.markdown import Document, Token, cell_of, github_anchor, inline_text, text_lines

_VENUE_AFTER_LINK = re.compile(r"^\s*\[(?P<venue>[^\]]*)\]\s*$")
_AUTHORS = re.compile(r"^\s*authors?\s*:", re.IGNORECASE)
_SUMMARY_ABSTRACT = re.compile(r"<summary>\s*abstract\s*</summary>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
CODE_LABEL = "code"
USAGE_LABEL = "usage instructions"


@dataclass
class _Builder:
    """Collects the parts of one `###` section while its tokens go by."""

    name: str
    line: int
    group: str | None
    group_line: int | None
    level: int = 3
    end_line: int = 0
    paper: PaperLine | None = None
    authors: TextLine | None = None
    abstract: Abstract | None = None
    abstract_open: list[str] | None = None
    results_line: int | None = None
    tables: list[ResultTable] = field(default_factory=list)
    code: list[Link] = field(default_factory=list)
    usage: list[Link] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)

    def is_method(self) -> bool:
        """A method section has a results table, or at least two other parts of the template."""
        if self.tables:
            return True
        parts = [
            self.paper is not None,
            self.authors is not None,
            self.abstract is not None,
            self.results_line is not None,
            bool(self.code or self.usage),
        ]
        return sum(parts) >= 2

    def build(self, task: str, path: str) -> MethodSection:
        return MethodSection(
            task=task,
            path=path,
            name=self.name,
            line=self.line,
            end_line=self.end_line,
            group=self.group,
            group_line=self.group_line,
            paper=self.paper,
            authors=self.authors,
            abstract=self.abstract,
            results_line=self.results_line,
            tables=tuple(self.tables),
            code=tuple(self.code),
            usage=tuple(self.usage),
            lines=tuple(self.lines),
            level=self.level,
        )


def parse_readme(
    text: str,
    task: str,
    path: str,
    limits: Limits | None = None,
    budget: CpuBudget | None = None,
) -> Readme:
    """Find every method section of a task README, with line numbers; within `limits`, what is
    over a cap is in `over_caps` (bot/parse/markdown.py, and sections over `section_chars`).
    With a `budget`, raise OutOfTime (bot/budget.py) once it is spent."""
    doing = f"parsing {path}"
    document = Document.parse(text, limits, budget, doing)
    sections: list[MethodSection] = []
    anchors: set[str] = set()
    group: str | None = None
    group_line: int | None = None
    current: _Builder | None = None
    last_line = len(document.lines)
    # The heading of the first method section past `limits.sections`, if any.
    cut: int | None = None

    def close(end_line: int) -> None:
        nonlocal current
        if current is not None and current.abstract_open is not None:
            _finish_abstract(current, closed=False)
        # A `## Name` heading is a method section written a level too high when the template's
        # parts (paper line, table, links) follow it; otherwise it is a group such as
        # `## Weather Tagging`.
        if current is not None and current.is_method() and (current.level == 3 or current.tables):
            if limits is not None and len(sections) >= limits.sections:
                # One method section more than the cap: it and the rest are not read.
                nonlocal cut
                cut = current.line
            else:
                current.end_line = max(current.line, end_line)
                sections.append(current.build(task, path))
        current = None

    for token in document.tokens:
        if budget is not None:
            budget.step(doing)
        kind = token["type"]
        line = int(token.get("line", 0))
        if kind == "heading":
            title = " ".join(inline_text(token.get("children", ())).split())
            anchors.add(github_anchor(title))
            level = int(token["attrs"]["level"])
            if level <= 3 and cut is None:
                close(line - 1)
            if cut is not None:
                continue  # past the cap only the anchors are read
            if level == 2:
                current = _Builder(
                    name=title, line=line, group=group, group_line=group_line, level=2
                )
            if level <= 2:
                group, group_line = (title, line) if level == 2 else (None, None)
            elif level == 3:
                current = _Builder(name=title, line=line, group=group, group_line=group_line)
            elif current is not None and title.casefold() == "results":
                current.results_line = line
        elif current is None:
            continue
        elif kind == "paragraph":
            _paragraph(current, token, line)
        elif kind == "block_html":
            _html(current, str(token.get("raw", "")), line)
        elif kind == "zoo_table":
            _table(current, token, line)
    if cut is None:
        close(last_line)
    over = document.over_caps
    if limits is not None:
        over = [*over, *_large_sections(sections, document.lines, limits)]
        if cut is not None:
            over.append(OverCap("sections", cut, limits.sections, last_line - cut + 1))
        over.sort(key=_line)
    return Readme(
        task=task,
        path=path,
        sections=tuple(sections),
        anchors=frozenset(anchors),
        over_caps=tuple(over),
    )


def _large_sections(
    sections: Sequence[MethodSection], lines: Sequence[str], limits: Limits
) -> list[OverCap]:
    """Sections longer than `section_chars` (heading to end, line breaks counted)."""
    ends = list(accumulate(len(line) + 1 for line in lines))
    over: list[OverCap] = []
    for section in sections:
        end = ends[min(section.end_line, len(ends)) - 1]
        start = ends[section.line - 2] if section.line > 1 else 0
        if end - start > limits.section_chars:
            over.append(OverCap("section_chars", section.line, limits.section_chars, end - start))
    return over


def _line(hit: OverCap) -> int:
    return hit.line


def _paragraph(section: _Builder, token: Token, line: int) -> None:
    # `Last sentence.</details>` after a blank line: the closing tag is inline HTML.
    closes = section.abstract_open is not None and _closes_details(token.get("children", ()))
    for text_line in text_lines(token.get("children", ()), line):
        if section.abstract_open is not None and section.abstract is not None:
            # A blank line inside <details> splits the abstract into HTML and paragraphs.
            section.abstract_open.append(text_line.text)
            section.abstract = _extend(section.abstract, text_line.line)
            continue
        section.lines.append(text_line)
        if section.paper is None and not section.tables and _starts_with_link(token, text_line):
            first = text_line.links[0]
            rest = text_line.text[len(first.label) :]
            venue = _VENUE_AFTER_LINK.match(rest)
            section.paper = PaperLine(
                title=first.label,
                url=first.url,
                venue=venue.group("venue").strip() if venue else None,
                line=text_line.line,
            )
        elif section.authors is None and _AUTHORS.match(text_line.text):
            section.authors = text_line
        for link in text_line.links:
            label = link.label.casefold()
            if label == CODE_LABEL:
                section.code.append(link)
            elif label == USAGE_LABEL:
                section.usage.append(link)
    if closes:
        _finish_abstract(section)


def _closes_details(children: Sequence[Token]) -> bool:
    for child in children:
        if child.get("type") == "inline_html" and "</details>" in str(child.get("raw")).lower():
            return True
        if _closes_details(child.get("children", ())):
            return True
    return False


def _starts_with_link(token: Token, text_line: TextLine) -> bool:
    """Whether the line's text begins with its first link's label (not `[[Code](...)]`)."""
    if not text_line.links:
        return False
    first = text_line.links[0]
    return text_line.text.startswith(first.label) and first.label.casefold() not in (
        CODE_LABEL,
        USAGE_LABEL,
    )


def _html(section: _Builder, raw: str, line: int) -> None:
    last_line = line + raw.rstrip("\n").count("\n")
    if section.abstract_open is not None and section.abstract is not None:
        section.abstract_open.append(raw)
        section.abstract = _extend(section.abstract, last_line)
        if "</details>" in raw.lower():
            _finish_abstract(section)
        return
    match = _SUMMARY_ABSTRACT.search(raw)
    if match is None:
        return
    section.abstract = Abstract(text="", line=line, end_line=last_line)
    section.abstract_open = [raw[match.end() :]]
    if "</details>" in raw.lower():
        _finish_abstract(section)


def _extend(abstract: Abstract, end_line: int) -> Abstract:
    return Abstract(
        text=abstract.text, line=abstract.line, end_line=max(abstract.end_line, end_line)
    )


def _finish_abstract(section: _Builder, *, closed: bool = True) -> None:
    assert section.abstract is not None and section.abstract_open is not None
    body = "\n".join(section.abstract_open)
    body = re.split(r"</details>", body, flags=re.IGNORECASE)[0]
    text = " ".join(html.unescape(_TAG.sub(" ", body)).split())
    section.abstract = Abstract(
        text=text, line=section.abstract.line, end_line=section.abstract.end_line, closed=closed
    )
    section.abstract_open = None


def _table(section: _Builder, token: Token, line: int) -> None:
    head, *rows = token["children"]
    header = tuple(cell_of(cell, line).text for cell in head["children"])
    table_rows = tuple(
        TableRow(
            line=int(row["line"]),
            cells=tuple(cell_of(cell, int(row["line"])) for cell in row["children"]),
        )
        for row in rows
    )
    attrs = token.get("attrs", {})
    section.tables.append(
        ResultTable(
            line=line,
            header=header,
            rows=table_rows,
            delimiter_cells=int(attrs.get("align_cells", len(header))),
            run_on_line=attrs.get("run_on_line"),
        )
    )
