"""Caps on what a contribution may hold (`limits` in the config): an error names the cap and the
line, and the rest of that part is not reviewed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import Config, ConfigError, Limits, load_config
from bot.engine import ReviewOptions, review
from bot.model import ChangedFile, Review
from bot.parse.sections import parse_readme
from bot.quote import plain
from tests.ruleinput import (
    BODY_PATH,
    TODAY,
    config,
    det_readme,
    line_of,
    make_row,
    make_submission,
    method_section,
    task_readme,
)

README = "det/README.md"


def _config(**limits: int) -> Config:
    return replace(config(), limits=replace(config().limits, **limits))


def _review(text: str, cfg: Config, *, body: str | None = None, base: str | None = None) -> Review:
    submission = make_submission(
        {README: text}, body=body, base_texts={README: base} if base is not None else None
    )
    if base is not None:
        added = frozenset(
            number
            for number, line in enumerate(text.split("\n"), start=1)
            if line not in set(base.split("\n"))
        )
        submission = replace(submission, changed=(ChangedFile(README, "modified", added),))
    return review(submission, cfg, ReviewOptions(offline=True, today=TODAY), None)


def _said(review: Review, rule: str = "limits") -> list[tuple[str, int | None, str]]:
    return [(f.severity, f.line, plain(f.message)) for f in review.findings if f.rule == rule]


def test_defaults_are_far_above_the_real_zoo() -> None:
    """Measured on every task README of the real zoo, in every revision (README.md says so)."""
    limits = load_config().limits
    real = {
        "readme_bytes": 90_703,
        "line_chars": 2_303,
        "section_chars": 10_665,
        "sections": 21,
        "table_rows": 11,
        "cell_chars": 226,
    }
    for cap, largest in real.items():
        assert getattr(limits, cap) >= 5 * largest, cap
    assert limits.body_chars == 65_536  # GitHub's own limit for a PR description
    assert limits.cpu_seconds == 60


def test_the_config_validates_limits() -> None:
    assert load_config("limits: {line_chars: 500}").limits.line_chars == 500
    with pytest.raises(ConfigError, match="limits: unknown key 'lines'"):
        load_config("limits: {lines: 5}")
    with pytest.raises(ConfigError, match=r"limits\.table_rows: 0 is less than the minimum of 1"):
        load_config("limits: {table_rows: 0}")


def test_a_long_line_is_cut_and_said_once() -> None:
    """The paper line holds 300 characters of venue: cut at the cap; the venue rule does not
    also judge what is left of it (a consequence of the cut)."""
    text = det_readme(venue="CVPR" + " " * 700 + "2023")
    found = _review(text, _config(line_chars=600))
    line = line_of(text, "[CVPR")
    length = len(text.split("\n")[line - 1])
    assert _said(found) == [
        (
            "error",
            line,
            f"This line is {length:,} characters long, over the cap of 600 (limits.line_chars): "
            "the rest of it was not reviewed.",
        )
    ]
    assert [f for f in found.findings if f.line == line and f.rule != "limits"] == []
    assert found.verdict == "fail"


def test_a_long_cell_is_cut() -> None:
    row = make_row(overrides={"Backbone": "R-50-FPN " + "x" * 100})
    text = det_readme(rows=[row])
    found = _review(text, _config(cell_chars=50))
    assert _said(found) == [
        (
            "error",
            line_of(text, "R-50-FPN x"),
            "A cell of this row is 109 characters long, over the cap of 50 (limits.cell_chars): "
            "the rest of the cell was not reviewed.",
        )
    ]


def test_rows_past_the_cap_are_not_reviewed() -> None:
    rows = [make_row(slug=f"m{i}") for i in range(3)] + ["| one cell |"] * 4
    text = det_readme(rows=rows)
    found = _review(text, _config(table_rows=3))
    first_cut = line_of(text, "| one cell |")
    assert _said(found) == [
        (
            "error",
            first_cut,
            "The table has 7 rows, over the cap of 3 (limits.table_rows): the rows from this "
            "line on were not reviewed.",
        )
    ]
    # The malformed rows past the cap are not reviewed: no template finding about them.
    assert [f for f in found.findings if f.rule == "template"] == []
    readme = parse_readme(text, "det", README, Limits(table_rows=3))
    assert len(readme.sections[0].rows) == 3


def test_a_large_section_is_not_reviewed() -> None:
    big = method_section("Big", abstract="word " * 400, venue="arXiv")
    small = method_section("Small", venue="arXiv")
    text = task_readme("det", big, small)
    found = _review(text, _config(section_chars=1500))
    big_line = line_of(text, "### Big")
    section = parse_readme(text, "det", README).sections[0]
    size = sum(len(line) + 1 for line in text.split("\n")[section.line - 1 : section.end_line])
    assert (
        "error",
        big_line,
        f"The section is {size:,} characters long, over the cap of "
        "1,500 (limits.section_chars), so nothing in it was reviewed.",
    ) in _said(found)
    assert [e.section for e in found.entries] == ["Small"]
    venues = [f.line for f in found.findings if f.rule == "venue"]
    assert venues == [line_of(text, "[arXiv]", 2)]  # only the small section's


def test_sections_past_the_cap_are_not_reviewed() -> None:
    text = task_readme("det", *(method_section(f"M{i}", venue="arXiv") for i in range(4)))
    found = _review(text, _config(sections=2))
    assert _said(found) == [
        (
            "error",
            line_of(text, "### M2"),
            "This README has more than 2 method sections (limits.sections): the sections from "
            "this line on were not reviewed.",
        )
    ]
    assert [e.section for e in found.entries] == ["M0", "M1"]


def test_a_readme_over_its_cap_is_not_read() -> None:
    text = det_readme(extra="x" * 3000)
    found = _review(text, _config(readme_bytes=2000))
    size = len(text.encode())
    assert _said(found) == [
        (
            "error",
            text.encode()[:2000].count(b"\n") + 1,
            f"det/README.md is {size:,} bytes, over the cap of 2,000 (limits.readme_bytes) "
            "from this line on, so nothing in it was reviewed.",
        )
    ]
    assert found.entries == []
    assert found.verdict == "fail"


def test_a_readme_over_its_cap_is_not_compared_with_its_base() -> None:
    """Not 'the PR removes the section …': the README was not read."""
    base = det_readme()
    found = _review(base + "x" * 3000 + "\n", _config(readme_bytes=2500), base=base)
    assert [f.rule for f in found.findings] == ["limits"]


def test_a_long_description_is_an_error_and_its_checklist_is_not_read() -> None:
    body = "- [x] Upload all your files.\n" * 10
    found = _review(det_readme(), _config(body_chars=100), body=body)
    assert [(f.rule, f.path) for f in found.findings if f.severity == "error"] == [
        ("limits", BODY_PATH)
    ]
    assert _said(found) == [
        (
            "error",
            4,
            f"The PR description is {len(body)} characters, over the cap of 100 "
            "(limits.body_chars) from this line on, so its checklist was not checked.",
        )
    ]
    assert not [f for f in found.findings if f.rule == "checklist"]


def test_caps_on_lines_the_pr_did_not_add_are_not_its_findings() -> None:
    long_intro = "An introduction " * 50
    base = task_readme("det").replace("A short description", long_intro + "A short description")
    text = base.replace("## Usage", method_section() + "\n\n---\n\n## Usage")
    found = _review(text, _config(line_chars=600), base=base)
    assert _said(found) == []
    assert [e.section for e in found.entries] == ["Sparse Anchors"]


def test_audit_reports_every_cap() -> None:
    text = det_readme(extra="x" * 700)
    submission = make_submission({README: text})
    found = review(
        submission, _config(line_chars=600), ReviewOptions(audit_all=True, offline=True), None
    )
    assert [(f.rule, f.line) for f in found.findings if f.rule == "limits"] == [
        ("limits", line_of(text, "x" * 700))
    ]
