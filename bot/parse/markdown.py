"""mistune set up for zoo READMEs: block tokens with source line numbers and lenient tables."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import mistune
import mistune.block_parser
import mistune.helpers
import mistune.inline_parser
from mistune.block_parser import BlockParser
from mistune.core import BlockState, InlineState
from mistune.inline_parser import InlineParser

from bot.budget import CpuBudget
from bot.config import Limits
from bot.model import Cell, Link, OverCap, TextLine
from bot.parse import linkhref
from bot.textnorm import normalize_newlines

Token = dict[str, Any]

# A header line holding a pipe, then a delimiter row (`| :-: | --- |`). No two unbounded
# quantifiers can share characters (`[^\n|]*` stops at the first pipe; a trailing pipe is
# `(?:\|[ \t]*)?`), so a failing match costs one pass over the line, not its square.
_TABLE_START = (
    r"^ {0,3}[^\n|]*\|[^\n]*\n"
    r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*(?:\|[ \t]*)?(?:\n|$)"
)
# A backslash and the character it escapes, or a pipe: read left to right, the pipes it finds are
# those no backslash escapes (after an even number of backslashes, `\\|`). A lookbehind for the
# backslashes was tried at every character of a line, about 45 microseconds for a results row.
_PIPE_OR_ESCAPE = re.compile(r"\\.|\|")
# What starts inline markup for mistune (escapes, code, emphasis, links, images, HTML, autolinks,
# entities, strikethrough, line breaks): a cell without any is plain text.
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]!<>&~\n]")
_NEWLINE = re.compile("\n")
# Text without inline markup; a link destination of characters that mistune neither decodes
# (entities, backslash escapes) nor percent-encodes, without parentheses, quotes or spaces.
_PLAIN_TEXT = r"[^\\`*_\[\]!<>&~\n]+"
_PLAIN_PART = re.compile(
    r"\[(?P<label>" + _PLAIN_TEXT + r")\]\((?P<url>[A-Za-z0-9\-._~:/?#@!$*+,;=%]+)\)"
    r"|(?P<text>" + _PLAIN_TEXT + r")"
    r"|\\\|"
)

# mistune (3.3, 3.4) lets the `\s*` before an unquoted HTML attribute value and the value
# itself (`[^ !"'=<>`]+`) share tabs, line breaks and Unicode spaces: `<A A=` and 2,000 tabs took
# 42 s (cubic), a 1,000-character line 4.5 s, so no cap on lines could help. The same attributes,
# except that an unquoted value holds no white space (as CommonMark says), so that no two
# quantifiers share a character: linear. mistune 3.4 reads the two patterns below from its
# modules at parse time, 3.3 has them in its inline rules: both are replaced here (and the rules
# below, `_linear_html`).
_HTML_ATTRIBUTES = (
    r"(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*"
    r"""(?:\s*=\s*(?:[^\s!"'=<>`]+|'[^']*'|"[^"]*"))?)*"""
)
_HTML_TAGNAME = r"[A-Za-z][A-Za-z0-9-]*"
_INLINE_HTML_TAG = re.compile(
    "<" + _HTML_TAGNAME + _HTML_ATTRIBUTES + r"\s*/?>|</" + _HTML_TAGNAME + r"\s*>"
)
_OPEN_TAG_END = re.compile(r"(?<!\s)" + _HTML_ATTRIBUTES + r"[ \t]*>[ \t]*(?:\n|$)")
if hasattr(mistune.inline_parser, "_INLINE_HTML_TAG"):  # mistune 3.4
    mistune.inline_parser._INLINE_HTML_TAG = _INLINE_HTML_TAG
mistune.block_parser._OPEN_TAG_END = _OPEN_TAG_END
linkhref.install()


class _PositionedState(BlockState):
    """Block state that stamps every new paragraph with the offset where it starts."""

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        if last and last["type"] == "paragraph":
            last["text"] += text
        else:
            self.tokens.append({"type": "paragraph", "text": text, "pos": self.cursor})


class _PositionedParser(BlockParser):
    """Block parser that stamps the tokens each rule adds with the offset of the rule's match."""

    state_cls = _PositionedState

    def parse_method(self, m: re.Match[str], state: BlockState) -> int | None:
        _step(state.env)
        before = len(state.tokens)
        end = super().parse_method(m, state)
        for token in state.tokens[before:]:
            token.setdefault("pos", m.start())
        return end


class _CheckedInlineParser(InlineParser):
    """Inline parser that keeps to the review's CPU budget (a step per text and per token)."""

    def __call__(self, s: str, env: MutableMapping[str, Any]) -> list[Token]:
        _step(env)
        return super().__call__(s, env)

    def parse_method(self, m: re.Match[str], state: InlineState) -> int | None:
        _step(state.env)
        return super().parse_method(m, state)


def _step(env: Mapping[str, Any]) -> None:
    budget: CpuBudget | None = env.get(_BUDGET)
    if budget is not None:
        budget.step(env[_DOING])


def unescaped_pipes(line: str) -> list[int]:
    """Where the pipes of `line` that no backslash escapes are: the bounds of its cells."""
    return [match.start() for match in _PIPE_OR_ESCAPE.finditer(line) if match.group() == "|"]


def has_unescaped_pipe(line: str) -> bool:
    """Whether `line` has a pipe that no backslash escapes (a table row does)."""
    return any(match.group() == "|" for match in _PIPE_OR_ESCAPE.finditer(line))


def split_cells(line: str) -> list[str]:
    """Split a table line on its unescaped pipes, dropping one outer pipe on each side."""
    text = line.strip()
    bounds = unescaped_pipes(text)
    if bounds and bounds[0] == 0:
        text = text[1:]
        bounds = [b - 1 for b in bounds[1:]]
    if bounds and bounds[-1] == len(text) - 1:
        text = text[:-1]
        bounds = bounds[:-1]
    cells, start = [], 0
    for bound in bounds:
        cells.append(text[start:bound].strip())
        start = bound + 1
    cells.append(text[start:].strip())
    return cells


def _parse_table(block: BlockParser, m: re.Match[str], state: BlockState) -> int:
    """Unlike mistune's table plugin, keep rows whose cell count is wrong: that is a finding.

    Within the caps (`limits`, when the document is parsed with them): rows past
    `table_rows` are passed over unread, cells longer than `cell_chars` are cut; the table's
    attrs say where (`cut_rows`: the first row passed over, and how many; `long_cells`)."""
    limits: Limits | None = state.env.get(_LIMITS)
    max_rows = limits.table_rows if limits else None
    max_cell = limits.cell_chars if limits else None
    header_line, _, align_line = m.group(0).partition("\n")
    pos = m.end()
    rows: list[Token] = []
    run_on: int | None = None
    cut_at: int | None = None
    passed_over = 0
    long_cells: list[tuple[int, int]] = []
    while pos < state.cursor_max:
        line = state.get_line(pos)
        if not line.strip():
            break
        if not has_unescaped_pipe(line):
            # GitHub renders such a line as one more table row; it needs a blank line first.
            run_on = pos
            break
        if max_rows is not None and len(rows) >= max_rows:
            cut_at = pos if cut_at is None else cut_at
            passed_over += 1
        else:
            cells = _cells(line, max_cell, pos, long_cells)
            rows.append({"type": "zoo_table_row", "pos": pos, "children": cells})
        pos += len(line)
    head = _cells(header_line, max_cell, m.start(), long_cells)
    attrs: dict[str, Any] = {"align_cells": len(split_cells(align_line)), "run_on": run_on}
    if cut_at is not None:
        attrs["cut_rows"] = (cut_at, len(rows) + passed_over)
    if long_cells:
        attrs["long_cells"] = long_cells
    state.append_token(
        {
            "type": "zoo_table",
            "attrs": attrs,
            "children": [{"type": "zoo_table_head", "children": head}, *rows],
        }
    )
    return pos


def _cells(
    line: str,
    limit: int | None = None,
    pos: int = 0,
    long_cells: list[tuple[int, int]] | None = None,
) -> list[Token]:
    """The cells of a table line; one longer than `limit` is cut there, and its size noted in
    `long_cells` with the line's offset `pos`."""
    cells = split_cells(line)
    if limit is not None and long_cells is not None:
        for index, cell in enumerate(cells):
            if len(cell) > limit:
                long_cells.append((pos, len(cell)))
                cells[index] = cell[:limit]
    return [_cell(cell) for cell in cells]


def _cell(cell: str) -> Token:
    """A cell token: mistune parses its inline markup, unless the cell is plain text (a name,
    a number) or plain links (see _plain_parts): then its parts are kept as they are, for
    cell_of, saving mistune's call (two thirds of a results table's parse) and its tokens (a
    dozen objects a link: tens of MB for a README of 2,000 rows)."""
    if not _INLINE_MARKUP.search(cell):
        return {"type": "zoo_table_cell", "raw": cell, _PLAIN: (cell,)}
    parts = _plain_parts(cell)
    if parts is None:
        return {"type": "zoo_table_cell", "raw": cell, "text": cell}
    return {"type": "zoo_table_cell", "raw": cell, _PLAIN: parts}


# A cell token's parts when mistune did not parse it: texts, and (label, destination) links.
_PLAIN = "zoo_plain"
PlainPart = str | tuple[str, str]


def _plain_parts(cell: str) -> tuple[PlainPart, ...] | None:
    """The parts of a cell made only of plain text, escaped pipes and links with a plain label
    and a destination that mistune leaves as it is (`[model](u) \\| [MD5](v)`), as mistune
    reads them; None for any other cell. tests/test_parse_cells.py compares them with mistune's."""
    parts: list[PlainPart] = []
    pos = 0
    while pos < len(cell):
        part = _PLAIN_PART.match(cell, pos)
        if part is None:
            return None
        label, url, text = part.group("label", "url", "text")
        if url is not None:
            parts.append((label, url))
        else:
            parts.append("|" if text is None else text)
        pos = part.end()
    return tuple(parts)


def _zoo_table(md: mistune.Markdown) -> None:
    md.block.register("zoo_table", _TABLE_START, _parse_table, before="paragraph")


_MARKDOWN = mistune.Markdown(
    renderer=None,
    block=_PositionedParser(),
    inline=_CheckedInlineParser(),
    plugins=[
        mistune.plugins.import_plugin("task_lists"),
        mistune.plugins.import_plugin("strikethrough"),
        _zoo_table,
    ],
)


# Keys in mistune's parse state (its `env`): the caps (for the table rule), the review's CPU
# budget and what to call the work in a message when it runs out.
_LIMITS = "zoo_review_limits"
_BUDGET = "zoo_review_budget"
_DOING = "zoo_review_doing"


def _linear_html(parser: BlockParser | InlineParser) -> None:
    """The parser's rules with mistune's HTML attributes replaced by the linear ones."""
    quadratic = mistune.helpers.HTML_ATTRIBUTES
    for name, spec in parser.specification.items():
        if quadratic in spec:
            parser.specification[name] = spec.replace(quadratic, _HTML_ATTRIBUTES)


_linear_html(_MARKDOWN.block)
_linear_html(_MARKDOWN.inline)


@dataclass(frozen=True)
class Document:
    """Parsed Markdown: top-level tokens, each with a 1-based `line`, and the source lines.

    Parsed with `limits`, a line longer than `line_chars` is cut there before mistune sees it
    (so `lines` holds it cut), tables keep within `table_rows` and `cell_chars`, and
    `over_caps` says what was over a cap (tables nested in lists or quotes keep within the
    caps too, but the review does not read them, nor report them)."""

    tokens: list[Token]
    lines: list[str]
    over_caps: list[OverCap] = field(default_factory=list)

    @classmethod
    def parse(
        cls,
        text: str,
        limits: Limits | None = None,
        budget: CpuBudget | None = None,
        doing: str = "parsing Markdown",
    ) -> Document:
        """Parse `text`; with a `budget`, raise OutOfTime (bot/budget.py) once it is spent."""
        text = normalize_newlines(text)
        state = _PositionedState()
        over: list[OverCap] = []
        if limits is not None:
            text, over = _cut_lines(text, limits.line_chars)
            state.env[_LIMITS] = limits
        if budget is not None:
            state.env[_BUDGET] = budget
            state.env[_DOING] = doing
        tokens, _state = _MARKDOWN.parse(text, state=state)
        starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]

        def line_of(offset: int) -> int:
            return bisect_right(starts, offset)

        tokens = cast(list[Token], tokens)
        for token in tokens:
            if "pos" in token:
                token["line"] = line_of(token["pos"])
            for child in token.get("children", ()):
                if child.get("type") == "zoo_table_row":
                    child["line"] = line_of(child["pos"])
            run_on = token.get("attrs", {}).get("run_on")
            if token["type"] == "zoo_table" and run_on is not None:
                token["attrs"]["run_on_line"] = line_of(run_on)
            if token["type"] == "zoo_table" and limits is not None:
                over += _table_caps(token["attrs"], line_of, limits)
        over.sort(key=lambda hit: hit.line)
        return cls(tokens=tokens, lines=text.split("\n"), over_caps=over)


def _cut_lines(text: str, limit: int) -> tuple[str, list[OverCap]]:
    """`text` with every line longer than `limit` cut there, and where that was."""
    if len(text) <= limit:
        return text, []
    lines = text.split("\n")
    over: list[OverCap] = []
    for index, line in enumerate(lines):
        if len(line) > limit:
            over.append(OverCap("line_chars", index + 1, limit, len(line)))
            lines[index] = line[:limit]
    return ("\n".join(lines), over) if over else (text, over)


def _table_caps(
    attrs: Mapping[str, Any], line_of: Callable[[int], int], limits: Limits
) -> list[OverCap]:
    over = [
        OverCap("cell_chars", line_of(pos), limits.cell_chars, size)
        for pos, size in attrs.get("long_cells", ())
    ]
    cut = attrs.get("cut_rows")
    if cut is not None:
        over.append(OverCap("table_rows", line_of(cut[0]), limits.table_rows, cut[1]))
    return over


def inline_text(children: Sequence[Token]) -> str:
    """Plain text of inline tokens; soft and hard line breaks become newlines."""
    return "".join(_walk_text(children))


def _walk_text(children: Sequence[Token]) -> Iterator[str]:
    for child in children:
        kind = child.get("type")
        if kind in ("softbreak", "linebreak"):
            yield "\n"
        elif "children" in child:
            yield from _walk_text(child["children"])
        elif kind in ("text", "codespan"):
            yield str(child.get("raw", ""))
        elif kind == "inline_html":
            yield "\n" * str(child.get("raw", "")).count("\n")


def text_lines(children: Sequence[Token], first_line: int) -> list[TextLine]:
    """Split a paragraph's inline tokens into source lines, each with its text and links."""
    lines: list[TextLine] = []
    buffer: list[str] = []
    links: list[Link] = []
    line = first_line
    start = first_line  # where the current text line begins (a wrapped link may move `line`)

    def flush() -> None:
        lines.append(TextLine(line=start, text="".join(buffer).strip(), links=tuple(links)))

    def visit(tokens: Sequence[Token]) -> None:
        nonlocal line, start, buffer, links
        for token in tokens:
            kind = token.get("type")
            if kind in ("softbreak", "linebreak"):
                flush()
                line += 1
                start = line
                buffer, links = [], []
            elif kind == "link":
                label = inline_text(token.get("children", ()))
                # The same folded label in the text and the Link, so the text starts with it.
                folded = " ".join(label.split())
                links.append(Link(label=folded, url=_url(token), line=line))
                buffer.append(folded)
                line += label.count("\n")
            elif "children" in token:
                visit(token["children"])
            elif kind in ("text", "codespan"):
                buffer.append(str(token.get("raw", "")))
            elif kind == "inline_html":
                line += str(token.get("raw", "")).count("\n")

    visit(children)
    flush()
    return lines


def cell_of(token: Token, line: int) -> Cell:
    """A table cell token as a Cell: source text, plain text and links."""
    raw = str(token.get("raw", ""))
    plain: tuple[PlainPart, ...] | None = token.get(_PLAIN)
    if plain is not None:
        return _plain_cell(plain, raw, line)
    children = token.get("children", ())
    return _flat_cell(children, raw, line) or walked_cell(children, raw, line)


def _plain_cell(parts: Sequence[PlainPart], raw: str, line: int) -> Cell:
    """The Cell of a cell's plain parts (_plain_parts): what mistune's tokens would give."""
    texts = [part if isinstance(part, str) else part[0] for part in parts]
    links = tuple(
        Link(label=" ".join(part[0].split()), url=part[1], line=line)
        for part in parts
        if not isinstance(part, str)
    )
    return Cell(raw=raw, text=" ".join("".join(texts).split()), links=links)


def _flat_cell(children: Sequence[Token], raw: str, line: int) -> Cell | None:
    """The Cell of tokens that are text, or links whose label is one text (most cells): what
    walked_cell makes of them, in one pass; None for other tokens. A cell is one source line."""
    parts: list[str] = []
    links: list[Link] = []
    for child in children:
        kind = child.get("type")
        if kind == "text":
            parts.append(str(child.get("raw", "")))
            continue
        label = child.get("children", ())
        if kind != "link" or len(label) != 1 or label[0].get("type") != "text":
            return None
        text = str(label[0].get("raw", ""))
        parts.append(text)
        links.append(Link(label=" ".join(text.split()), url=_url(child), line=line))
    return Cell(raw=raw, text=" ".join("".join(parts).split()), links=tuple(links))


def walked_cell(children: Sequence[Token], raw: str, line: int) -> Cell:
    """The Cell of any inline tokens of a table cell."""
    links: list[Link] = []
    for text_line in text_lines(children, line):
        links.extend(text_line.links)
    text = " ".join(inline_text(children).split())
    return Cell(raw=raw, text=text, links=tuple(links))


def _url(token: Token) -> str:
    return str(token.get("attrs", {}).get("url", ""))


_ANCHOR_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return _ANCHOR_DROP.sub("", heading.strip().lower()).replace(" ", "-")
