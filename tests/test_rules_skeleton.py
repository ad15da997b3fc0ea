"""Tests for bot.rules.skeleton: every part of the method template is present and well formed."""

from __future__ import annotations

from bot.rules import skeleton
from tests.ruleinput import (
    check,
    det_readme,
    line_of,
    method_section,
    summary,
    task_readme,
)

HEADING = "### Sparse Anchors"
GITHUB_CODE = "[[Code](https://github.com/example-lab/sparse-anchors)]"
USAGE = "[[Usage Instructions](https://github.com/example-lab/sparse-anchors#usage)]"


def test_clean_section_has_no_findings() -> None:
    assert check(skeleton.check, det_readme()) == []


def test_missing_paper_line() -> None:
    text = det_readme(paper="")
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, HEADING))]
    assert findings[0].message == "`Sparse Anchors` has no paper line."


def test_paper_line_without_venue() -> None:
    text = det_readme(venue=None)
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, "arxiv.org/abs"))]
    assert findings[0].message == "The paper line has no venue and year."


def test_paper_link_that_is_not_a_web_address() -> None:
    text = det_readme(paper_url="paper.pdf")
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, "(paper.pdf)"))]
    assert findings[0].message == "The paper link `paper.pdf` is not a web address."


def test_missing_authors() -> None:
    text = det_readme(authors=None)
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, HEADING))]
    assert "has no `Authors:` line" in findings[0].message


def test_empty_authors() -> None:
    text = det_readme(authors="Authors:")
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, "Authors:"))]
    assert findings[0].message == "The `Authors:` line is empty."


def test_missing_abstract() -> None:
    text = det_readme(abstract=None)
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, HEADING))]
    assert findings[0].message == "`Sparse Anchors` has no abstract."


def test_empty_abstract() -> None:
    text = det_readme(abstract="")
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, "<details>"))]
    assert findings[0].message == "The abstract is empty."


def test_missing_table() -> None:
    text = det_readme(table=False)
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, HEADING))]
    assert findings[0].message == "`Sparse Anchors` has no results table."


def test_missing_results_heading_is_a_warning() -> None:
    text = det_readme(results=None)
    findings = check(skeleton.check, text)
    assert summary(findings) == [("warning", "skeleton", line_of(text, "| Backbone |"))]
    assert "no `#### Results` heading" in findings[0].message


def test_missing_code_link() -> None:
    text = det_readme(links=USAGE)
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, "| Backbone |"))]
    assert findings[0].message == "`Sparse Anchors` has no `[[Code](…)]` link."


def test_code_link_outside_github_is_a_warning() -> None:
    code = "[[Code](https://gitlab.com/example-lab/sparse-anchors)]"
    text = det_readme(links=f"{code} {USAGE}")
    findings = check(skeleton.check, text)
    assert summary(findings) == [("warning", "skeleton", line_of(text, "gitlab.com"))]
    assert "`https://gitlab.com/example-lab/sparse-anchors` does not point to GitHub" in (
        findings[0].message
    )


def test_missing_usage_link() -> None:
    text = det_readme(links=GITHUB_CODE)
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, GITHUB_CODE))]
    assert findings[0].message == "`Sparse Anchors` has no `[[Usage Instructions](…)]` link."


def test_usage_anchor_to_existing_heading_is_fine() -> None:
    text = det_readme(links=f"{GITHUB_CODE} [[Usage Instructions](#usage)]")
    assert check(skeleton.check, text) == []


def test_usage_anchor_to_missing_heading_is_a_warning() -> None:
    text = det_readme(links=f"{GITHUB_CODE} [[Usage Instructions](#installation)]")
    findings = check(skeleton.check, text)
    assert summary(findings) == [("warning", "skeleton", line_of(text, "#installation"))]
    assert "`#installation` points to no heading of det/README.md" in findings[0].message


def test_usage_link_relative_path_is_fine() -> None:
    text = det_readme(links=f"{GITHUB_CODE} [[Usage Instructions](./GETTING_STARTED.md)]")
    assert check(skeleton.check, text) == []


def test_usage_link_that_is_not_a_web_address() -> None:
    text = det_readme(links=f"{GITHUB_CODE} [[Usage Instructions](ftp://example.org/usage)]")
    findings = check(skeleton.check, text)
    assert summary(findings) == [("error", "skeleton", line_of(text, "ftp://"))]
    assert "`ftp://example.org/usage` is not a web address" in findings[0].message


def test_several_parts_missing_are_each_reported() -> None:
    text = det_readme(authors=None, abstract=None, links=None)
    findings = check(skeleton.check, text)
    assert [f.message for f in findings] == [
        "`Sparse Anchors` has no `Authors:` line.",
        "`Sparse Anchors` has no abstract.",
        "`Sparse Anchors` has no `[[Code](…)]` link.",
        "`Sparse Anchors` has no `[[Usage Instructions](…)]` link.",
    ]


def test_tagging_section_under_a_group_heading_is_fine() -> None:
    section = method_section("Light Tagger", task="tagging")
    text = task_readme("tagging", "## Weather Tagging\n\n" + section)
    assert check(skeleton.check, text, "tagging") == []


def test_tagging_section_not_under_a_group_heading() -> None:
    text = task_readme("tagging", method_section("Light Tagger", task="tagging"))
    findings = check(skeleton.check, text, "tagging")
    assert summary(findings) == [("error", "skeleton", line_of(text, "### Light Tagger"))]
    assert findings[0].message == (
        "`Light Tagger` is not under '## Weather Tagging' or '## Scene Tagging'."
    )


def test_group_heading_is_not_required_for_det() -> None:
    text = task_readme("det", method_section(), zoo_heading=None)
    assert check(skeleton.check, text) == []
