"""Tests for bot.rules.template: the results table's shape, its cells and leftover placeholders."""

from __future__ import annotations

import pytest

from bot.rules import template
from tests.ruleinput import (
    check,
    det_readme,
    header_names,
    line_of,
    make_row,
    method_section,
    row_cells,
    summary,
    table_line,
    task_readme,
)

ROW_NEEDLE = "| R-50-FPN |"


def test_clean_section_has_no_findings() -> None:
    assert check(template.check, det_readme()) == []


def test_clean_mot_section_has_no_findings() -> None:
    text = task_readme("mot", method_section("Tracker", task="mot"))
    assert check(template.check, text, "mot") == []


def test_missing_template_column() -> None:
    header = [name for name in header_names() if name != "Visuals"]
    text = det_readme(header=header)
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, "| Backbone |"))]
    assert "lacks the column 'Visuals'" in findings[0].message
    assert "Object Detection template" in findings[0].message


def test_two_missing_columns_are_named_together() -> None:
    header = [name for name in header_names() if name not in ("Preds", "Visuals")]
    findings = check(template.check, det_readme(header=header))
    assert len(findings) == 1
    assert "columns 'Preds', 'Visuals'" in findings[0].message


def test_unknown_column_among_result_columns() -> None:
    header = header_names()
    header.insert(header.index("Scores-val"), "FPS")
    text = det_readme(header=header, rows=[make_row(header=header, overrides={"FPS": "12.5"})])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, "| Backbone |"))]
    assert "Column `FPS` is not part of the Object Detection template" in findings[0].message
    assert "among the result columns" in findings[0].message


def test_extra_descriptive_column_before_metrics_is_fine() -> None:
    header = header_names()
    header.insert(header.index("Box AP-val"), "Tricks")
    text = det_readme(header=header, rows=[make_row(header=header, overrides={"Tricks": "FP16"})])
    assert check(template.check, text) == []


def test_column_out_of_order() -> None:
    header = header_names()
    header[-2], header[-1] = header[-1], header[-2]  # Visuals before Preds
    text = det_readme(header=header, rows=[make_row(header=header)])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, "| Backbone |"))]
    assert "Column `Preds` is out of order: it must come before 'Visuals'" in findings[0].message


def test_repeated_column() -> None:
    header = [*header_names(), "Visuals"]
    text = det_readme(header=header, rows=[make_row(header=header)])
    findings = check(template.check, text)
    assert [f.message for f in findings] == ["Column `Visuals` appears twice."]


def test_delimiter_cell_count_differs_from_header() -> None:
    delimiter = table_line([":-:"] * (len(header_names()) - 1))
    text = det_readme(delimiter=delimiter)
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, "| :-: |"))]
    assert "delimiter row has 10 cells but the header has 11" in findings[0].message


def test_line_right_after_table_runs_on() -> None:
    text = det_readme(after_table="Models are trained with extra data.")
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, "trained with extra data"))]
    assert "without a blank line" in findings[0].message
    assert findings[0].hint is not None and "empty line" in findings[0].hint


def test_unescaped_pipe_between_model_and_md5() -> None:
    cells = row_cells()
    weights = header_names().index("Weights")
    cells[weights] = cells[weights].replace("\\|", "|")
    text = det_readme(rows=[table_line(cells)])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, ROW_NEEDLE))]
    assert findings[0].message == "This row has 12 cells but the header has 11."
    assert findings[0].hint is not None
    assert "escape the pipe" in findings[0].hint and "\\|" in findings[0].hint


def test_other_unescaped_pipe_gets_general_hint() -> None:
    cells = row_cells()
    cells[0] = "R-50 | FPN"
    text = det_readme(rows=[table_line(cells)])
    findings = check(template.check, text)
    assert len(findings) == 1
    assert "12 cells" in findings[0].message
    assert findings[0].hint is not None and "write `\\|` inside cells" in findings[0].hint


def test_row_with_too_few_cells() -> None:
    cells = row_cells()[:-1]
    text = det_readme(rows=[table_line(cells)])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, ROW_NEEDLE))]
    assert findings[0].message == "This row has 10 cells but the header has 11."
    assert findings[0].hint is not None and "Give every header column a cell" in findings[0].hint


def test_row_with_wrong_cell_count_gives_only_that_finding() -> None:
    cells = row_cells(overrides={"Box AP-val": "31.04%", "Box AP-test": "", "Preds": "[preds]()"})
    text = det_readme(rows=[table_line(cells[:-1])])
    findings = check(template.check, text)
    assert len(findings) == 1
    assert "10 cells" in findings[0].message


def test_only_the_bad_row_is_reported() -> None:
    good = make_row(slug="a")
    bad = make_row(slug="b", overrides={"Backbone": "R-101-FPN", "Box AP-val": ""})
    text = det_readme(rows=[good, bad])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, "| R-101-FPN |"))]


def test_empty_metric_cell() -> None:
    text = det_readme(rows=[make_row(overrides={"Box AP-test": ""})])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, ROW_NEEDLE))]
    assert findings[0].message == "'Box AP-test' is empty."
    assert findings[0].hint is not None and "a number" in findings[0].hint


def test_empty_link_cell() -> None:
    findings = check(template.check, det_readme(rows=[make_row(overrides={"Preds": ""})]))
    assert [f.message for f in findings] == ["'Preds' is empty."]
    assert findings[0].hint is not None and "its link" in findings[0].hint


def test_empty_descriptive_cell_is_fine() -> None:
    assert check(template.check, det_readme(rows=[make_row(overrides={"Lr schd": ""})])) == []


def test_metric_that_is_not_a_number() -> None:
    text = det_readme(rows=[make_row(overrides={"Box AP-val": "31.04%"})])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, ROW_NEEDLE))]
    assert findings[0].message == "'Box AP-val' is `31.04%`, not a number."
    assert findings[0].hint is not None and "2 decimals" in findings[0].hint


def test_metric_with_wrong_decimals() -> None:
    text = det_readme(rows=[make_row(overrides={"Box AP-val": "31.0"})])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, ROW_NEEDLE))]
    assert "'Box AP-val' is `31.0`, with 1 decimal;" in findings[0].message
    assert "show 2" in findings[0].message


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("ID Sw.-val", "6193.0", "with 1 decimal; this task's tables show whole numbers"),
        ("ID Sw.-test", "5871.25", "with 2 decimals; this task's tables show whole numbers"),
        ("mMOTA-val", "36.62", "with 2 decimals; this task's tables show 1 decimal"),
        ("mIDF1-test", "51", "with 0 decimals; this task's tables show 1 decimal"),
    ],
)
def test_mot_decimals(column: str, value: str, problem: str) -> None:
    text = task_readme(
        "mot", method_section(task="mot", rows=[make_row("mot", overrides={column: value})])
    )
    findings = check(template.check, text, "mot")
    assert len(findings) == 1
    assert f"'{column}' is `{value}`" in findings[0].message
    assert problem in findings[0].message


def test_mot_integer_and_negative_numbers_are_fine() -> None:
    row = make_row("mot", overrides={"ID Sw.-val": "6193", "mMOTA-test": "-3.5"})
    text = task_readme("mot", method_section(task="mot", rows=[row]))
    assert check(template.check, text, "mot") == []


def test_link_with_empty_target_in_a_row() -> None:
    text = det_readme(rows=[make_row(overrides={"Scores-val": "[scores]()"})])
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, ROW_NEEDLE))]
    assert "The link `[scores]()` has no target" in findings[0].message


def test_code_link_with_empty_target() -> None:
    text = det_readme(links="[[Code]()] [[Usage Instructions](https://example.org/usage)]")
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, "[[Code]()]"))]
    assert "`[Code]()` has no target" in findings[0].message


@pytest.mark.parametrize(
    ("kwargs", "needle", "expected"),
    [
        ({"name": "Method Name"}, "### Method Name", "The section heading"),
        ({"paper": "[Paper name]() [CVPR 2023]"}, "[Paper name]()", "The paper title"),
        ({"venue": "Venue and Year"}, "[Venue and Year]", "The venue"),
        ({"authors": "Authors: Author list"}, "Authors: Author list", "The author list"),
        ({"abstract": "Put your abstract here."}, "<details>", "The abstract"),
        ({"extra": "Other information."}, "Other information.", "This line"),
    ],
)
def test_placeholder_reported_once(kwargs: dict[str, str], needle: str, expected: str) -> None:
    text = det_readme(**kwargs)
    findings = check(template.check, text)
    assert summary(findings) == [("error", "template", line_of(text, needle))]
    assert findings[0].message.startswith(expected)
    assert "still the template's placeholder" in findings[0].message


def test_placeholder_is_matched_without_case_or_punctuation() -> None:
    findings = check(template.check, det_readme(extra="other  information"))
    assert len(findings) == 1
    assert "placeholder `other information`" in findings[0].message


def test_whole_template_left_in() -> None:
    empty_row = table_line(
        row_cells(
            overrides={
                "Backbone": "",
                "Lr schd": "",
                "Box AP-val": "",
                "Box AP-test": "",
                "Scores-val": "[scores]()",
                "Scores-test": "[scores]()",
                "Config": "[config]()",
                "Weights": "[model]() \\| [MD5]()",
                "Preds": "[preds]()",
                "Visuals": "[visuals]()",
            }
        )
    )
    text = det_readme(
        "Method Name",
        paper="[Paper name]() [Venue and Year]",
        authors="Authors: Author list",
        abstract="Put your abstract here.",
        rows=[empty_row],
        links="[[Code]()] [[Usage Instructions]()]",
        extra="Other information.",
    )
    findings = check(template.check, text)
    placeholders = [f for f in findings if "placeholder `" in f.message]
    assert [f.message.split(" is ")[0] for f in placeholders] == [
        "The section heading",
        "The paper title",
        "The venue",
        "The author list",
        "The abstract",
        "This line",
    ]
    row_line = line_of(text, "| [scores]() |")
    empty = [f.message for f in findings if f.line == row_line and f.message.endswith("empty.")]
    assert empty == ["'Box AP-val' is empty.", "'Box AP-test' is empty."]
    no_target = [f.message.split("`")[1] for f in findings if "has no target" in f.message]
    assert sorted(no_target) == sorted(
        [
            "[Code]()",
            "[Usage Instructions]()",
            "[scores]()",
            "[scores]()",
            "[config]()",
            "[model]()",
            "[MD5]()",
            "[preds]()",
            "[visuals]()",
        ]
    )
    assert len(findings) == len(placeholders) + len(empty) + len(no_target)
