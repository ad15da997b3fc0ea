"""mistune set up for zoo READMEs: block tokens with source line numbers and lenient tables."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import mistune
import mistune.block_parser
import mistune.inline_parser
from mistune.block_parser import BlockParser
from mistune.core import BlockState

from bot.model import Cell, Link, TextLine
from bot.textnorm import normalize_newlines

Token = dict[str, Any]

# A header line holding a pipe, then a delimiter row (`| :-: | --- |`). No two unbounded
# quantifiers can share characters (`[^\n|]*` stops at the first pipe; a trailing pipe is
# `(?:\|[ \t]*)?`), so a failing match costs one pass over the line, not its square.
_TABLE_START = (
    r"^ {0,3}[^\n|]*\|[^\n]*\n"
    r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*(?:\|[ \t]*)?(?:\n|$)"
)
UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")
_NEWLINE = re.compile("\n")

# mistune (3.4) lets the `\s*` before an unquoted HTML attribute value and the value itself
# (`[^ !"'=<>`]+`) share tabs, line breaks and Unicode spaces: `<A A=` and 2,000 tabs took 42 s
# (cubic), a 1,000-character line 4.5 s. The same attributes, except that an unquoted value holds
# no white space (as CommonMark says), so that no two quantifiers share a character: linear.
# mistune reads these two patterns from its modules at parse time; they are replaced here.
_HTML_ATTRIBUTES = (
    r"(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*"
    r"""(?:\s*=\s*(?:[^\s!"'=<>`]+|'[^']*'|"[^"]*"))?)*"""
)
_HTML_TAGNAME = r"[A-Za-z][A-Za-z0-9-]*"
_INLINE_HTML_TAG = re.compile(
    "<" + _HTML_TAGNAME + _HTML_ATTRIBUTES + r"\s*/?>|</" + _HTML_TAGNAME + r"\s*>"
)
_OPEN_TAG_END = re.compile(r"(?<!\s)" + _HTML_ATTRIBUTES + r"[ \t]*>[ \t]*(?:\n|$)")
mistune.inline_parser._INLINE_HTML_TAG = _INLINE_HTML_TAG
mistune.block_parser._OPEN_TAG_END = _OPEN_TAG_END


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
        before = len(state.tokens)
        end = super().parse_method(m, state)
        for token in state.tokens[before:]:
            token.setdefault("pos", m.start())
        return end


def split_cells(line: str) -> list[str]:
    """Split a table line on its unescaped pipes, dropping one outer pipe on each side."""
    text = line.strip()
    bounds = [match.end() - 1 for match in UNESCAPED_PIPE.finditer(text)]
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
    """Unlike mistune's table plugin, keep rows whose cell count is wrong: that is a finding."""
    header_line, _, align_line = m.group(0).partition("\n")
    pos = m.end()
    rows: list[Token] = []
    run_on: int | None = None
    while pos < state.cursor_max:
        line = state.get_line(pos)
        if not line.strip():
            break
        if not UNESCAPED_PIPE.search(line):
            # GitHub renders such a line as one more table row; it needs a blank line first.
            run_on = pos
            break
        rows.append({"type": "zoo_table_row", "pos": pos, "children": _cells(line)})
        pos += len(line)
    state.append_token(
        {
            "type": "zoo_table",
            "attrs": {"align_cells": len(split_cells(align_line)), "run_on": run_on},
            "children": [{"type": "zoo_table_head", "children": _cells(header_line)}, *rows],
        }
    )
    return pos


def _cells(line: str) -> list[Token]:
    return [{"type": "zoo_table_cell", "raw": cell, "text": cell} for cell in split_cells(line)]


def _zoo_table(md: mistune.Markdown) -> None:
    md.block.register("zoo_table", _TABLE_START, _parse_table, before="paragraph")


_MARKDOWN = mistune.Markdown(
    renderer=None,
    block=_PositionedParser(),
    plugins=[
        mistune.plugins.import_plugin("task_lists"),
        mistune.plugins.import_plugin("strikethrough"),
        _zoo_table,
    ],
)


@dataclass(frozen=True)
class Document:
    """Parsed Markdown: top-level tokens, each with a 1-based `line`, and the source lines."""

    tokens: list[Token]
    lines: list[str]

    @classmethod
    def parse(cls, text: str) -> Document:
        text = normalize_newlines(text)
        tokens, _state = _MARKDOWN.parse(text, state=_PositionedState())
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
        return cls(tokens=tokens, lines=text.split("\n"))


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
    children = token.get("children", ())
    links: list[Link] = []
    for text_line in text_lines(children, line):
        links.extend(text_line.links)
    text = " ".join(inline_text(children).split())
    return Cell(raw=str(token.get("raw", "")), text=text, links=tuple(links))


def _url(token: Token) -> str:
    return str(token.get("attrs", {}).get("url", ""))


_ANCHOR_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return _ANCHOR_DROP.sub("", heading.strip().lower()).replace(" ", "-")
