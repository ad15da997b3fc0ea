"""The per-link table and the progress bar: what the contributor sees of each fetched link."""

from __future__ import annotations

import io

import cmarkgfm  # type: ignore[import-untyped]
import pytest

from bot.model import LinkReport, Review, ReviewedEntry
from bot.report.links import links_summary, markdown_table, size_text, text_lines
from bot.report.markdown import code_span, render_markdown
from bot.report.progress import ProgressBar


def link(url: str, verdict: str = "ok", **kwargs: object) -> LinkReport:
    values: dict[str, object] = {
        "url": url,
        "column": "Weights",
        "verdict": verdict,
        "status": 200,
        "seconds": 0.12,
        "path": "det/README.md",
        "line": 47,
        **kwargs,
    }
    return LinkReport(**values)  # type: ignore[arg-type]


LINKS = [
    link("https://a.org/w.pth", size=180_000_000),
    link("https://a.org/v.zip", entries=10_000, unpacked=1_200_000_000),
    link("https://a.org/p.json", "broken", status=404),
    link("https://a.org/x.pth", "not_public", status=403, cached_hours=None),
]


def test_summary_counts_verdicts() -> None:
    assert links_summary(LINKS) == "4 links checked: 2 ok, 1 broken, 1 not public"


@pytest.mark.parametrize(
    ("size", "text"), [(132, "132 B"), (180_000_000, "180.0 MB"), (2_500_000_000_000, "2.5 TB")]
)
def test_sizes(size: int, text: str) -> None:
    assert size_text(size) == text


def test_the_markdown_table_is_folded_and_renders_one_row_per_link() -> None:
    table = markdown_table(LINKS, code_span)
    assert table.startswith("<details><summary>4 links checked")
    html = cmarkgfm.github_flavored_markdown_to_html(
        table, options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE
    )
    assert html.count("<tr>") == 1 + len(LINKS)
    assert "zip: 10,000 entries, 1.2 GB unpacked" in html


def test_hostile_urls_stay_inside_their_cell() -> None:
    hostile = link("https://a.org/`x` | <img src=x> | @admin #12", "broken", status=404)
    table = markdown_table([hostile], code_span)
    html = cmarkgfm.github_flavored_markdown_to_html(
        table, options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE
    )
    row = html.split("<tbody>")[1]
    assert row.count("<td>") == 6, "a pipe in a URL must not split the row"
    assert "<img" not in row
    assert "@admin" not in row  # defused: @\u2060admin


def test_the_text_lists_only_links_that_failed() -> None:
    lines = text_lines(LINKS)
    assert lines[0].startswith("4 links checked")
    assert [line.split()[0] for line in lines[1:]] == ["broken", "not"]
    assert len(text_lines(LINKS, everything=True)) == 1 + len(LINKS)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_draws_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    bar = ProgressBar(quiet)
    bar(1, 4)
    bar.close()
    assert quiet.getvalue() == ""

    terminal = FakeTerminal()
    bar = ProgressBar(terminal, width=4)
    bar(1, 4)
    bar(4, 4)
    assert "\rChecking links █░░░ 1/4" in terminal.getvalue()
    assert terminal.getvalue().endswith("████ 4/4")
    bar.close()
    assert terminal.getvalue().endswith("\r\x1b[K")


def test_a_section_name_with_a_pipe_keeps_the_entries_table_whole() -> None:
    review = Review(
        "a" * 40, "b" * 40, entries=[ReviewedEntry("det", "det/README.md", "A | B", 3, 1)]
    )
    html = cmarkgfm.github_flavored_markdown_to_html(render_markdown(review))
    row = html.split("<tbody>")[1]
    assert row.count("<td>") == 3
    assert "A | B" in row
