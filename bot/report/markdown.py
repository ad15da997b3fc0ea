"""The PR comment in Markdown: verdict, what was reviewed, findings grouped by severity."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot import __version__
from bot.model import Finding, Review, Severity
from bot.quote import clean, render, scrub
from bot.report.links import markdown_table
from bot.report.text import short_rev

LineLink = Callable[[str, int | None], str | None]

_TITLES: dict[Severity, str] = {"error": "Errors", "warning": "Warnings", "notice": "Notices"}
_ICONS: dict[Severity, str] = {"error": "❌", "warning": "⚠️", "notice": "ℹ️"}
_BACKTICKS = re.compile(r"`+")
_MENTION = re.compile(r"@")
_REFERENCE = re.compile(r"#(?=\d)")


def code_span(value: str) -> str:
    """A code span that no backtick inside the value can close, with mentions defused."""
    value = _REFERENCE.sub("#\u2060", _MENTION.sub("@\u2060", clean(value)))
    if not value:
        return "*(empty)*"
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(value)), default=0) + 1)
    pad = " " if value.startswith(("`", " ")) or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def safe_markdown(message: str) -> str:
    """A message with its untrusted values as code spans; our own text kept as Markdown."""
    return render(message, code_span)


def render_markdown(
    review: Review, *, line_link: LineLink | None = None, guide: str | None = None
) -> str:
    """The comment body; `line_link` turns `path:line` into a link to the reviewed commit."""
    errors, warnings, notices = (review.count(s) for s in ("error", "warning", "notice"))
    if review.verdict == "fail":
        title = f"### ❌ zoo-review: {_plural(errors, 'error')} to fix"
    elif review.verdict == "incomplete":
        title = (
            f"### ⏳ zoo-review: incomplete, {_plural(len(review.unchecked), 'check')} could "
            "not run"
        )
    elif review.not_checked:
        title = (
            "### ✅ zoo-review: no problems found in what was checked "
            f"({review.headline_not_checked})"
        )
    elif warnings:
        title = f"### ✅ zoo-review: no errors, {_plural(warnings, 'warning')}"
    else:
        title = "### ✅ zoo-review: all checks passed"
    parts = [title, "", _reviewed(review), ""]
    if review.verdict == "incomplete":
        parts += [
            "Some files that decide the verdict could not be checked (listed under Warnings), "
            "so this review cannot pass yet. It is usually temporary: a maintainer can re-run "
            "it with `/zoo-review recheck`.",
            "",
        ]
    if review.not_checked:
        parts += [f"Not checked: {'; '.join(review.not_checked)}.", ""]
    if review.ignored:
        parts += [f"{_plural(review.ignored, 'finding')} ignored by the config.", ""]
    if review.entries:
        table = ["| Entry | Task | Rows reviewed |", "| --- | --- | --- |"]
        for entry in review.entries:
            where = _where(entry.path, entry.line, line_link)
            # GitHub splits table cells at every `|`, even in a code span, unless escaped.
            name = code_span(entry.section).replace("|", "\\|")
            table.append(f"| {name} ({where}) | {entry.task} | {entry.rows} |")
        if review.audit:
            # A maintainer's report leads with the findings; the entries are a count.
            rows = sum(entry.rows for entry in review.entries)
            parts += [
                f"<details><summary>{_plural(len(review.entries), 'entry', 'entries')} "
                f"reviewed ({_plural(rows, 'row')})</summary>",
                "",
                *table,
                "",
                "</details>",
                "",
            ]
        else:
            parts += [*table, ""]
    for severity in ("error", "warning", "notice"):
        group = [finding for finding in review.findings if finding.severity == severity]
        if not group:
            continue
        parts.append(f"#### {_ICONS[severity]} {_TITLES[severity]} ({len(group)})")
        parts.append("")
        if review.audit:
            parts += _grouped(group, line_link)
        else:
            parts.extend(_item(finding, line_link) for finding in group)
        parts.append("")
    if review.links:
        parts += [markdown_table(review.links, code_span), ""]
    summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}, "
    summary += _plural(notices, "notice")
    footer = f"<sub>zoo-review {__version__} · {summary}"
    if guide:
        footer += f" · [contribution guide]({guide})"
    parts.append(footer + "</sub>")
    return scrub("\n".join(parts)) + "\n"


def _reviewed(review: Review) -> str:
    head = short_rev(review.head)
    if not review.base:
        return f"Reviewed `{head}`."
    return f"Reviewed `{head}` against `{review.base[:12]}`."


def _item(finding: Finding, line_link: LineLink | None) -> str:
    where = _where(finding.path, finding.line, line_link)
    text = f"- {where} · `{finding.rule}` — {safe_markdown(finding.message)}"
    if finding.hint:
        text += f"<br>↳ {safe_markdown(finding.hint)}"
    if finding.fix is not None and finding.fix.path == finding.path:
        text += "<br>🔧 Mechanical fix: `zoo-review check --fix` applies it."
    return text


def _where(path: str, line: int | None, line_link: LineLink | None) -> str:
    label = path if line is None else f"{path}:{line}"
    url = line_link(path, line) if line_link else None
    return f"[**{label}**]({url})" if url else f"**{label}**"


def _grouped(findings: list[Finding], line_link: LineLink | None) -> list[str]:
    """Findings under their README and section (findings come sorted by path and line)."""
    lines: list[str] = []
    group: tuple[str, str | None] | None = None
    for finding in findings:
        if (finding.path, finding.section) != group:
            group = (finding.path, finding.section)
            section = f" › {code_span(finding.section)}" if finding.section else ""
            lines.append(f"- **{finding.path}**{section}")
        lines.append("  " + _item(finding, line_link))
    return lines


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"
