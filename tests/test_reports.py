"""The reports: the JSON contract, safe Markdown for untrusted text, and the terminal text."""

from __future__ import annotations

import json
import re
import tracemalloc
from pathlib import Path

import pytest

from bot import __version__
from bot.config import load_config
from bot.model import Finding, LinkReport, Review, ReviewedEntry
from bot.quote import clean, plain, q, segments
from bot.report.jsonout import render_json, to_dict
from bot.report.markdown import code_span, render_markdown
from bot.report.output import write_report
from bot.report.text import render_text
from tests.reportschema import check_report


def review(*findings: Finding) -> Review:
    return Review(
        base="a" * 40,
        head="b" * 40,
        entries=[ReviewedEntry("det", "det/README.md", "My Net", 12, 3)],
        findings=list(findings),
    )


ERROR = Finding("error", "venue", "det/README.md", 14, f"{q('arXiv 2023')} is not a venue.", "Fix.")
NOTICE = Finding("notice", "checklist", "PR description", None, "Not checked.", None)


def test_json_contract() -> None:
    data = json.loads(render_json(review(ERROR, NOTICE)))
    assert data == {
        "tool": "zoo-review",
        "version": __version__,
        "verdict": "fail",
        "reviewed": {"base": "a" * 40, "head": "b" * 40},
        "not_checked": [],
        "ignored": 0,
        "summary": {"errors": 1, "warnings": 0, "notices": 1},
        "entries": [
            {"task": "det", "path": "det/README.md", "section": "My Net", "line": 12, "rows": 3}
        ],
        "findings": [
            {
                "severity": "error",
                "rule": "venue",
                "path": "det/README.md",
                "line": 14,
                "message": "`arXiv 2023` is not a venue.",
                "hint": "Fix.",
                "incomplete": False,
                "section": None,
                "fix": None,
            },
            {
                "severity": "notice",
                "rule": "checklist",
                "path": "PR description",
                "line": None,
                "message": "Not checked.",
                "hint": None,
                "incomplete": False,
                "section": None,
                "fix": None,
            },
        ],
        "links": [],
    }


def test_json_lists_each_fetched_link() -> None:
    result = review()
    result.links = [
        LinkReport(
            url="https://a.org/v.zip",
            column="Visuals",
            verdict="ok",
            status=206,
            seconds=0.12345,
            path="det/README.md",
            line=47,
            size=2000,
            entries=10,
            unpacked=4000,
        )
    ]
    assert json.loads(render_json(result))["links"] == [
        {
            "url": "https://a.org/v.zip",
            "column": "Visuals",
            "path": "det/README.md",
            "line": 47,
            "verdict": "ok",
            "status": 206,
            "seconds": 0.123,
            "size": 2000,
            "entries": 10,
            "unpacked": 4000,
            "reason": None,
            "cached_hours": None,
        }
    ]


def broken_links(count: int, url: str, reason: str | None = None) -> list[LinkReport]:
    """`count` links answered 404, `url` formatted with each one's number `n`."""
    return [
        LinkReport(
            url=url.format(n=n),
            column="Scores-val",
            verdict="broken",
            status=404,
            seconds=0.1,
            path="det/README.md",
            line=40 + n,
            reason=reason,
        )
        for n in range(count)
    ]


def test_the_json_report_is_the_report_indented_with_a_line_per_link() -> None:
    result = review(ERROR, NOTICE)
    assert json.loads(render_json(result)) == to_dict(result)  # no links: `"links": []`
    result.links = broken_links(3, url="https://a.org/é{n}.json", reason='"quoted", and a\nbreak')
    text = render_json(result)
    assert json.loads(text) == to_dict(result)
    lines = text.splitlines()
    one_line = [f"    {json.dumps(link, ensure_ascii=False)}" for link in to_dict(result)["links"]]
    assert lines[lines.index('  "links": [') + 1 : -2] == [
        *(f"{line}," for line in one_line[:-1]),
        one_line[-1],
    ]
    assert lines[-2:] == ["  ]", "}"] and text.endswith("}\n")
    assert '  "findings": [\n    {\n      "severity": "error",' in text  # the rest indented


def test_an_audits_json_report_is_written_a_line_at_a_time(tmp_path: Path) -> None:
    """12,800 links: the file is the whole report, and writing it never holds a third of it."""
    result = review(ERROR, NOTICE)
    result.links = broken_links(12_800, url="https://dl.example.org/det/models/m{n}_r50.pth")
    output = tmp_path / "report.json"
    tracemalloc.start()
    try:
        code = write_report(result, load_config(), "json", output)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = output.read_text(encoding="utf-8")
    assert code == 1 and text == render_json(result) and json.loads(text) == to_dict(result)
    assert peak < len(text) / 3, f"{peak:,} bytes held to write {len(text):,}"


def test_verdict_is_fail_if_and_only_if_there_is_an_error() -> None:
    warning = Finding("warning", "skeleton", "det/README.md", 3, "Hm.", None)
    assert review(warning, NOTICE).verdict == "pass"
    assert review(ERROR).verdict == "fail"
    assert json.loads(render_json(review()))["verdict"] == "pass"


def test_untrusted_values_are_cleaned_and_truncated() -> None:
    value = "a\u202eevil\u200b\x1b[31mred\ninjected" + "x" * 300
    cleaned = clean(value)
    assert "\u202e" not in cleaned and "\x1b" not in cleaned and "\n" not in cleaned
    assert "\u200b" not in cleaned
    assert len(cleaned) == 120 and cleaned.endswith("…")
    assert segments(f"before {q('v')} after") == [
        ("before ", False),
        ("v", True),
        (" after", False),
    ]
    assert plain(f"x {q('y')} z") == "x `y` z"
    assert clean("\ue000fake\ue001") == "fake", "a contributor cannot forge the markers"


def test_code_spans_cannot_be_escaped_or_mention() -> None:
    assert code_span("plain") == "`plain`"
    assert code_span("a`b") == "``a`b``"
    assert code_span("``x``") == "``` ``x`` ```"
    assert code_span("@octocat") == "`@\u2060octocat`"
    assert code_span("see #123") == "`see #\u2060123`"
    assert code_span("") == "*(empty)*"


def test_markdown_comment() -> None:
    nasty = Finding(
        "error",
        "template",
        "det/README.md",
        20,
        f"Column {q('`](http://evil) @admin #1')} is unknown.",
        "Use the template.",
    )
    text = render_markdown(
        review(nasty, NOTICE),
        line_link=lambda path, line: f"https://github.com/o/r/blob/{'b' * 40}/{path}#L{line}",
        guide="https://example.org/guide",
    )
    assert text.startswith("### ❌ zoo-review: 1 error to fix\n")
    assert "Reviewed `bbbbbbbbbbbb` against `aaaaaaaaaaaa`." in text
    assert "[**det/README.md:20**](https://github.com/o/r/blob/" in text
    assert "`` `](http://evil) @\u2060admin #\u20601 ``" in text
    assert "#### ❌ Errors (1)" in text and "#### ℹ️ Notices (1)" in text
    assert "| `My Net` ([**det/README.md:12**]" in text
    assert "[contribution guide](https://example.org/guide)" in text
    assert "@admin" not in text


def test_markdown_for_a_clean_review() -> None:
    text = render_markdown(review())
    assert text.startswith("### ✅ zoo-review: all checks passed")
    warning = Finding("warning", "skeleton", "det/README.md", 3, "Hm.", None)
    assert render_markdown(review(warning)).startswith("### ✅ zoo-review: no errors, 1 warning")


def test_text_report() -> None:
    text = render_text(review(ERROR, NOTICE))
    assert "det/README.md:14: error [venue] `arXiv 2023` is not a venue." in text
    assert "    hint: Fix." in text
    assert "PR description: notice [checklist] Not checked." in text
    assert text.rstrip().endswith("✗ fail: 1 error(s), 0 warning(s), 1 notice(s)")
    assert "\033[" not in text
    assert "\033[1;31merror\033[0m" in render_text(review(ERROR), colour=True)


UNREACHABLE = Finding(
    "warning",
    "scores",
    "det/README.md",
    20,
    "A scores file of this section could not be checked: `HTTP 503`.",
    "The review is incomplete until they are checked.",
    incomplete=True,
)


def test_incomplete_review_is_said_in_every_format() -> None:
    result = review(UNREACHABLE)
    assert result.verdict == "incomplete"
    data = json.loads(render_json(result))
    assert data["verdict"] == "incomplete"
    assert data["findings"][0]["incomplete"] is True
    text = render_text(result)
    assert text.rstrip().splitlines()[-1].startswith("? incomplete: 0 error(s), 1 warning(s)")
    assert "cannot pass yet" in text
    markdown = render_markdown(result)
    assert markdown.startswith("### ⏳ zoo-review: incomplete, 1 check could not run\n")
    assert "all checks passed" not in markdown
    assert "/zoo-review recheck" in markdown


def test_a_partial_review_never_says_all_checks_passed() -> None:
    result = review()
    result.not_checked = ["linked files and pages (offline)"]
    assert result.verdict == "pass"
    markdown = render_markdown(result)
    assert markdown.startswith(
        "### ✅ zoo-review: no problems found in what was checked (linked files and pages not "
        "checked: offline)\n"
    )
    assert "Not checked: linked files and pages (offline)." in markdown
    assert (
        render_text(result)
        .rstrip()
        .endswith(
            "✓ pass: no problems found in what was checked (linked files and pages not checked: "
            "offline): 0 error(s), 0 warning(s), 0 notice(s)"
        )
    )


def test_the_report_schema_rejects_what_the_contract_does_not_allow() -> None:
    good = json.loads(render_json(review(ERROR, NOTICE)))
    check_report(good)
    for broken, where in (
        ({**good, "verdict": "maybe"}, "verdict"),
        ({**good, "findings": [{**good["findings"][0], "line": 0}]}, "findings/0/line"),
        ({**good, "surprise": 1}, "(top)"),
    ):
        with pytest.raises(AssertionError, match=re.escape(f"at {where}:")):
            check_report(broken)


def test_github_format_annotates_every_finding_and_cannot_be_hijacked() -> None:
    from bot.report.github import render_github

    hostile = Finding(
        "error",
        "venue",
        "det/README.md",
        14,
        q("x\n::set-output name=a::b") + " is not a venue.",
        "Fix it.",
    )
    notices = [Finding("notice", "scope", "det/README.md", n, "Note.", None) for n in range(12)]
    body = Finding("warning", "checklist", "PR description", None, "Not ticked.", None)
    out = render_github(review(hostile, *notices, body))
    lines = out.splitlines()
    assert lines[0] == (
        "::error title=zoo-review venue,file=det/README.md,line=14::`x ::set-output "
        "name=a::b` is not a venue.%0AFix it."
    )
    assert sum(line.startswith("::notice ") for line in lines) == 12  # no cap of 10 here
    assert "::warning title=zoo-review checklist::Not ticked." in lines
    group = lines.index("::group::zoo-review report")
    assert lines[-1] == "::endgroup::"
    assert all(not line.startswith("::") for line in lines[group + 1 : -1])
    assert group == 14  # one annotation per finding, then the report
