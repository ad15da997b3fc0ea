"""The per-link table of a review: each fetched link, its column, verdict, HTTP status, time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from bot.model import LinkReport
from bot.quote import clean

VERDICT_WORDS = {
    "ok": "ok",
    "broken": "broken",
    "not_public": "not public",
    "inconclusive": "inconclusive",
    "unverifiable": "unverifiable",
    "refused": "refused",
    "too_large": "too large",
    "invalid": "invalid",
    "cached": "ok (cached)",
}


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def detail(link: LinkReport) -> str | None:
    """What the fetch learned, e.g. `zip: 10,000 entries, 1.2 GB unpacked; cached 3 h ago`."""
    parts: list[str] = []
    if link.entries is not None:
        unpacked = size_text(link.unpacked or 0)
        parts.append(f"zip: {link.entries:,} entries, {unpacked} unpacked")
    elif link.size is not None:
        parts.append(size_text(link.size))
    if link.reason:
        parts.append(clean(link.reason, 160))
    if link.cached_hours is not None:
        parts.append(f"cached {link.cached_hours:.0f} h ago")
    return "; ".join(parts) or None


def links_summary(links: Sequence[LinkReport]) -> str:
    """`24 links checked: 22 ok, 1 broken, 1 not public`."""
    counts = Counter(VERDICT_WORDS.get(link.verdict, link.verdict) for link in links)
    parts = ", ".join(f"{count} {verdict}" for verdict, count in counts.most_common())
    noun = "link" if len(links) == 1 else "links"
    return f"{len(links)} {noun} checked: {parts}"


def markdown_table(links: Sequence[LinkReport], code_span: Callable[[str], str]) -> str:
    """The table folded in a <details> block; URLs are contributor text, so code spans."""
    rows = [
        f"<details><summary>{links_summary(links)}</summary>",
        "",
        "| Link | Column | Verdict | HTTP | Time | Detail |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for link in links:
        status = str(link.status) if link.status else "–"
        learned = detail(link)
        detail_cell = _cell(code_span(learned)) if learned else ""
        rows.append(
            f"| {_cell(code_span(link.url))} ({link.path}:{link.line}) | {_cell(link.column)} | "
            f"{VERDICT_WORDS.get(link.verdict, link.verdict)} | {status} | "
            f"{link.seconds:.2f} s | {detail_cell} |"
        )
    rows += ["", "</details>"]
    return "\n".join(rows)


def _cell(markdown: str) -> str:
    """A table cell: GitHub splits cells at every `|`, even inside a code span, unless escaped."""
    return markdown.replace("|", "\\|")


def text_lines(links: Sequence[LinkReport], everything: bool = False) -> list[str]:
    """The summary line, then the links that are not ok (all of them with `everything`)."""
    lines = [links_summary(links)]
    for link in links:
        if link.verdict in ("ok", "cached") and not everything:
            continue
        status = str(link.status) if link.status else "–"
        learned = detail(link)
        extra = f"  ({learned})" if learned else ""
        lines.append(
            f"  {VERDICT_WORDS.get(link.verdict, link.verdict):<13} {status:>3} "
            f"{link.seconds:6.2f}s  {link.path}:{link.line}  {link.column}  {clean(link.url, 200)}"
            f"{extra}"
        )
    return lines
