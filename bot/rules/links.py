"""Checks the link cells of result rows: the required links, their labels and file types."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import ColumnSpec
from bot.model import Cell, Finding, Fix, MethodSection, TableRow
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.fixes import cell_fix
from bot.rules.layout import Layout, layout_of, match_link
from bot.urls import extension, is_web

RULE = "links"


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for table in entry.section.tables:
        layout = layout_of(entry.task, table)
        for row in table.rows:
            if not entry.reviews(row) or not layout.aligned(row):
                continue  # the template rule reports rows whose cell count is wrong
            weights_urls = _weights_urls(layout, row)
            for index, column in enumerate(layout.columns):
                if column is None or not column.links:
                    continue
                cell = layout.cell(row, column)
                if cell is not None and cell.raw:

                    def relabel(raw: str, index: int = index, line: int = row.line) -> Fix | None:
                        texts = ctx.submission.head_texts
                        return cell_fix(texts, entry.section.path, line, index, raw)

                    findings += _cell(
                        entry.section,
                        row,
                        column,
                        cell,
                        weights_urls=weights_urls,
                        relabel=relabel,
                    )
            findings += _same_file(entry.section, layout, row)
    return findings


def cell_template(column: ColumnSpec) -> str:
    """How the cell is written, e.g. `[model](…) \\| [MD5](…)`."""
    return " \\| ".join(f"[{spec.label}](…)" for spec in column.links if not spec.optional)


def _weights_urls(layout: Layout, row: TableRow) -> frozenset[str]:
    return frozenset(link.url.strip() for _c, _s, link in layout.links(row, "weights"))


def _cell(
    section: MethodSection,
    row: TableRow,
    column: ColumnSpec,
    cell: Cell,
    *,
    weights_urls: frozenset[str],
    relabel: Callable[[str], Fix | None],
) -> list[Finding]:
    findings: list[Finding] = []

    def add(message: str, hint: str) -> None:
        findings.append(Finding("error", RULE, section.path, row.line, message, hint))

    written = f"Write the cell as `{cell_template(column)}`."
    if not cell.links:
        add(f"'{column.name}' holds {q(cell.raw)} instead of a link.", written)
        return findings
    labels = {link.label.casefold() for link in cell.links}
    missing = [s for s in column.links if not s.optional and s.label.casefold() not in labels]
    unknown = [link for link in cell.links if match_link(column, link) is None]
    if len(missing) == 1 and len(unknown) == 1:
        # One link under a wrong label (`[weights](…)` for `[model](…)`): one finding.
        spec, link = missing[0], unknown[0]
        wrong = f"[{link.label}]("
        fix = None
        if cell.raw.count(wrong) == 1:
            fix = relabel(cell.raw.replace(wrong, f"[{spec.label}]("))
        findings.append(
            Finding(
                "error",
                RULE,
                section.path,
                row.line,
                f"'{column.name}' has a link labelled {q(link.label)} where the template has "
                f"`[{spec.label}](…)`.",
                written,
                fix=fix,
            )
        )
        missing, unknown = [], []
    for spec in missing:
        add(f"'{column.name}' has no `[{spec.label}](…)` link.", written)
    for link in cell.links:
        matched = match_link(column, link)
        url = link.url.strip()
        if matched is None and link not in unknown:
            continue
        if matched is None:
            findings.append(
                Finding(
                    "warning",
                    RULE,
                    section.path,
                    row.line,
                    f"'{column.name}' has a link labelled {q(link.label)}, which the template "
                    "does not have.",
                    written,
                )
            )
            continue
        if not url or matched.kind == "config":
            continue  # empty targets: the template rule; config paths: the config rule
        if not is_web(url):
            add(
                f"The [{matched.label}] link of '{column.name}' is {q(url)}, not a web address.",
                "Upload the file to public storage and link it with an https:// URL.",
            )
            continue
        ext = extension(url)
        if matched.kind == "md5" and url in weights_urls:
            continue  # the same file as the model: said once, by _same_file
        if matched.ext and ext is not None and ext not in matched.ext:
            wanted = " or ".join(f".{e}" for e in matched.ext)
            add(
                f"The [{matched.label}] link of '{column.name}' points to a {q('.' + ext)} file; "
                f"this task expects {wanted}.",
                "Check that you linked the right file (see the task's guidelines in the "
                "contribution guide).",
            )
    return findings


def _same_file(section: MethodSection, layout: Layout, row: TableRow) -> list[Finding]:
    """The model and its MD5, or the val and test scores, linking one URL is a copy-paste slip."""
    findings: list[Finding] = []
    pairs = (("weights", "md5"), ("scores", "scores"))
    for first_kind, second_kind in pairs:
        first = layout.links(row, first_kind)
        second = layout.links(row, second_kind)
        for index, (column_a, spec_a, link_a) in enumerate(first):
            for column_b, spec_b, link_b in second[index + 1 if first_kind == second_kind else 0 :]:
                if link_a is link_b or not link_a.url.strip():
                    continue
                if link_a.url.strip() == link_b.url.strip():
                    if column_a is column_b:
                        where = (
                            f"The [{spec_a.label}] and [{spec_b.label}] links of '{column_a.name}'"
                        )
                    else:
                        where = (
                            f"[{spec_a.label}] in '{column_a.name}' and [{spec_b.label}] in "
                            f"'{column_b.name}'"
                        )
                    hint = "Each of these links needs its own file; check what you pasted."
                    if second_kind == "md5":
                        hint = (
                            f"Link the MD5 file (`md5sum model.pth > model.md5`) with "
                            f"[{spec_b.label}], not the weights."
                        )
                    findings.append(
                        Finding(
                            "error",
                            RULE,
                            section.path,
                            row.line,
                            f"{where} point to the same file.",
                            hint,
                        )
                    )
    return findings
