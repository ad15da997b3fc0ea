"""Tests for bot.rules.links: the required links of each cell, their targets and file types."""

from __future__ import annotations

from bot.rules import links
from tests.ruleinput import (
    check,
    det_readme,
    line_of,
    make_row,
    method_section,
    row_cells,
    scores_url,
    summary,
    table_line,
    task_readme,
)

ROW = "| R-50-FPN |"
FILES = "https://files.example.org/zoo/det"
DRIVE = "https://drive.google.com/file/d/1AbCdEfGh/view?usp=sharing"


def row_findings(overrides: dict[str, str], task: str = "det") -> tuple[str, list]:
    row = make_row(task, overrides=overrides)
    text = task_readme(task, method_section(task=task, rows=[row]))
    return text, check(links.check, text, task)


def test_clean_row_has_no_findings() -> None:
    assert check(links.check, det_readme()) == []


def test_missing_md5_link() -> None:
    text, findings = row_findings({"Weights": f"[model]({FILES}/models/a.pth)"})
    assert summary(findings) == [("error", "links", line_of(text, ROW))]
    assert findings[0].message == "'Weights' has no `[MD5](…)` link."
    assert findings[0].hint == "Write the cell as `[model](…) \\| [MD5](…)`."


def test_missing_model_link() -> None:
    text, findings = row_findings({"Weights": f"[MD5]({FILES}/models/a.md5)"})
    assert summary(findings) == [("error", "links", line_of(text, ROW))]
    assert findings[0].message == "'Weights' has no `[model](…)` link."


def test_link_labels_ignore_case() -> None:
    cell = f"[Model]({FILES}/models/a.pth) \\| [md5]({FILES}/models/a.txt)"
    _, findings = row_findings({"Weights": cell})
    assert findings == []


def test_link_without_a_web_address() -> None:
    text, findings = row_findings({"Weights": f"[model](./x.pth) \\| [MD5]({FILES}/models/a.md5)"})
    assert summary(findings) == [("error", "links", line_of(text, ROW))]
    assert findings[0].message == "The [model] link of 'Weights' is `./x.pth`, not a web address."


def test_zip_preds_where_json_is_expected() -> None:
    text, findings = row_findings({"Preds": f"[preds]({FILES}/preds/a.zip)"})
    assert summary(findings) == [("error", "links", line_of(text, ROW))]
    assert findings[0].message == (
        "The [preds] link of 'Preds' points to a `.zip` file; this task expects .json."
    )


def test_zip_preds_allowed_for_ins_seg() -> None:
    _, findings = row_findings({"Preds": f"[preds]({FILES}/preds/a.zip)"}, task="ins_seg")
    assert findings == []


def test_wrong_visuals_type() -> None:
    _, findings = row_findings({"Visuals": f"[visuals]({FILES}/visuals/a.png)"})
    assert [f.message for f in findings] == [
        "The [visuals] link of 'Visuals' points to a `.png` file; this task expects .zip."
    ]


def test_drive_style_url_without_extension_is_fine() -> None:
    overrides = {
        "Preds": f"[preds]({DRIVE})",
        "Visuals": "[visuals](https://drive.google.com/uc?id=1XyZ&export=download)",
    }
    _, findings = row_findings(overrides)
    assert findings == []


def test_optional_masks_link_in_sem_seg() -> None:
    with_masks = f"[preds]({FILES}/preds/a.json) \\| [masks]({FILES}/preds/a.zip)"
    assert row_findings({"Preds": with_masks}, task="sem_seg")[1] == []
    assert row_findings({"Preds": f"[preds]({FILES}/preds/a.json)"}, task="sem_seg")[1] == []


def test_masks_link_must_be_a_zip() -> None:
    cell = f"[preds]({FILES}/preds/a.json) \\| [masks]({FILES}/preds/a.json)"
    _, findings = row_findings({"Preds": cell}, task="sem_seg")
    assert [f.message for f in findings] == [
        "The [masks] link of 'Preds' points to a `.json` file; this task expects .zip."
    ]


def test_unexpected_extra_link_is_a_warning() -> None:
    cell = f"[visuals]({FILES}/visuals/a.zip) \\| [demo](https://example.org/demo.mp4)"
    text, findings = row_findings({"Visuals": cell})
    assert summary(findings) == [("warning", "links", line_of(text, ROW))]
    assert findings[0].message == (
        "'Visuals' has a link labelled `demo`, which the template does not have."
    )


def test_masks_link_is_unexpected_in_det() -> None:
    cell = f"[preds]({FILES}/preds/a.json) \\| [masks]({FILES}/preds/a.zip)"
    _, findings = row_findings({"Preds": cell})
    assert summary(findings)[0][0] == "warning"
    assert "labelled `masks`" in findings[0].message


def test_model_and_md5_the_same_url() -> None:
    same = "https://drive.google.com/uc?id=SAME"
    text, findings = row_findings({"Weights": f"[model]({same}) \\| [MD5]({same})"})
    assert summary(findings) == [("error", "links", line_of(text, ROW))]
    assert findings[0].message == "The [model] and [MD5] links of 'Weights' point to the same file."


def test_val_and_test_scores_the_same_url() -> None:
    url = scores_url("det", "sparse_r50_1x", "val")
    text, findings = row_findings({"Scores-test": f"[scores]({url})"})
    assert summary(findings) == [("error", "links", line_of(text, ROW))]
    assert findings[0].message == (
        "[scores] in 'Scores-val' and [scores] in 'Scores-test' point to the same file."
    )


def test_text_instead_of_a_link() -> None:
    text, findings = row_findings({"Preds": "coming soon"})
    assert summary(findings) == [("error", "links", line_of(text, ROW))]
    assert findings[0].message == "'Preds' holds `coming soon` instead of a link."
    assert findings[0].hint == "Write the cell as `[preds](…)`."


def test_empty_cells_and_empty_targets_are_left_to_template() -> None:
    _, findings = row_findings({"Preds": "", "Visuals": "[visuals]()"})
    assert findings == []


def test_config_targets_are_left_to_config_rule() -> None:
    _, findings = row_findings({"Config": "[config](ftp://example.org/x.cfg)"})
    assert findings == []


def test_row_with_wrong_cell_count_is_skipped() -> None:
    cells = row_cells(overrides={"Preds": "coming soon"})
    text = det_readme(rows=[table_line(cells[:-1])])
    assert check(links.check, text) == []


def test_each_defective_row_is_reported_on_its_line() -> None:
    first = make_row(slug="a", overrides={"Preds": "tbd"})
    second = make_row(slug="b", overrides={"Backbone": "R-101-FPN", "Visuals": "tbd"})
    text = det_readme(rows=[first, second])
    findings = check(links.check, text)
    assert summary(findings) == [
        ("error", "links", line_of(text, "| R-50-FPN |")),
        ("error", "links", line_of(text, "| R-101-FPN |")),
    ]
    assert "'Preds' holds" in findings[0].message
    assert "'Visuals' holds" in findings[1].message
