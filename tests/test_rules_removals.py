"""Tests for bot.rules.removals: notices about method sections and rows a PR removes."""

from __future__ import annotations

from bot.model import Finding
from bot.parse.sections import parse_readme
from bot.rules import removals
from tests.ruleinput import (
    det_readme,
    line_of,
    make_context,
    make_row,
    make_submission,
    method_section,
    readable,
    task_readme,
)

DET = "det/README.md"
R50 = make_row(slug="a50")
R101 = make_row(slug="a101", overrides={"Backbone": "R-101-FPN"})
X101 = make_row(slug="x101", overrides={"Backbone": "X-101-FPN"})


def removed(base: str, head: str | None) -> list[Finding]:
    head_texts = {DET: head} if head is not None else {"mot/README.md": task_readme("mot")}
    ctx = make_context(make_submission(head_texts, base_texts={DET: base}))
    return readable(removals.check(ctx, {DET: parse_readme(base, "det", DET)}))


def two_sections(rows: list[str]) -> str:
    return task_readme(
        "det", method_section("Dense Priors", rows=[X101]), method_section(rows=rows)
    )


def test_unchanged_readme_has_no_findings() -> None:
    text = two_sections([R50, R101])
    assert removed(text, text) == []


def test_added_rows_are_not_removals() -> None:
    assert removed(two_sections([R50]), two_sections([R50, R101])) == []


def test_section_removed() -> None:
    base = two_sections([R50, R101])
    head = task_readme("det", method_section("Dense Priors", rows=[X101]))
    findings = removed(base, head)
    assert [(f.severity, f.rule, f.path, f.line) for f in findings] == [
        ("notice", "removals", DET, None)
    ]
    assert findings[0].message == "The PR removes the section `Sparse Anchors` (2 rows)."


def test_rows_removed_are_named() -> None:
    base = det_readme(rows=[R50, R101, X101])
    head = det_readme(rows=[R50])
    findings = removed(base, head)
    assert [(f.severity, f.rule, f.line) for f in findings] == [
        ("notice", "removals", line_of(head, "### Sparse Anchors"))
    ]
    assert findings[0].message == (
        "The PR removes 2 rows of `Sparse Anchors`: `R-101-FPN 1x, X-101-FPN 1x`."
    )


def test_edited_row_is_not_reported_as_removed() -> None:
    base = det_readme(rows=[R50, R101])
    edited = make_row(slug="a101", overrides={"Backbone": "R-101-FPN", "Box AP-val": "33.10"})
    relinked = make_row(slug="a50_v2")
    assert removed(base, det_readme(rows=[relinked, edited])) == []


def test_an_edited_row_and_a_removed_row() -> None:
    base = det_readme(rows=[R50, R101])
    relinked = make_row(slug="a50_v2")
    findings = removed(base, det_readme(rows=[relinked]))
    assert [f.message for f in findings] == [
        "The PR removes 1 row of `Sparse Anchors`: `R-101-FPN 1x`."
    ]


def test_a_row_replaced_by_another_is_a_removal() -> None:
    base = det_readme(rows=[R50, R101])
    other = make_row(slug="c50", overrides={"Backbone": "ConvNeXt-T"})
    findings = removed(base, det_readme(rows=[R50, other]))
    assert [f.message for f in findings] == [
        "The PR removes 1 row of `Sparse Anchors`: `R-101-FPN 1x`."
    ]


def test_readme_deleted() -> None:
    findings = removed(two_sections([R50]), None)
    assert [(f.severity, f.rule, f.path, f.line) for f in findings] == [
        ("notice", "removals", DET, None)
    ]
    assert findings[0].message == "The PR deletes det/README.md with its 2 method sections."
