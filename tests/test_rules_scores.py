"""Tests for bot.rules.scores: the fetched scores files' format and the table's numbers."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from bot.config import load_config
from bot.example.scores import dumps_scores, make_scores
from bot.model import Finding
from bot.net.types import FetchResult
from bot.rules import scores
from tests.ruleinput import (
    check,
    line_of,
    make_row,
    method_section,
    ok_result,
    scores_url,
    summary,
    task_readme,
)

SLUG = "sparse_r50_1x"
VAL = scores_url("det", SLUG, "val")
TEST = scores_url("det", SLUG, "test")
ROW = "| R-50-FPN |"


def det_file(ap: float) -> str:
    return dumps_scores(make_scores("det", {"AP": ap}))


def det_check(
    files: Mapping[str, str | bytes | FetchResult],
    overrides: Mapping[str, str] | None = None,
    **kwargs: object,
) -> tuple[str, list[Finding]]:
    """Review one det row (Box AP 31.04 val, 29.78 test) with these fetched files."""
    cells = {"Box AP-val": "31.04", "Box AP-test": "29.78", **(overrides or {})}
    text = task_readme("det", method_section(rows=[make_row("det", SLUG, cells)]))
    fetched = {
        url: body if isinstance(body, FetchResult) else ok_result(url, body)
        for url, body in files.items()
    }
    return text, check(scores.check, text, fetched=fetched, **kwargs)


def test_matching_numbers_have_no_findings() -> None:
    _, findings = det_check({VAL: det_file(31.04), TEST: det_file(29.78)})
    assert findings == []


def test_unfetched_files_are_not_checked() -> None:
    assert det_check({})[1] == []


@pytest.mark.parametrize("actual", [31.035, 31.045, 31.0351, 31.04, 31.044999])
def test_within_half_a_unit_passes(actual: float) -> None:
    assert det_check({VAL: det_file(actual)})[1] == []


@pytest.mark.parametrize("actual", [31.034, 31.0451, 31.05, 30.04])
def test_beyond_half_a_unit_fails(actual: float) -> None:
    text, findings = det_check({VAL: det_file(actual)})
    assert summary(findings) == [("error", "scores", line_of(text, ROW))]
    assert findings[0].message.startswith("'Box AP-val' shows `31.04` but the scores-val file says")


def test_mismatch_shows_both_numbers() -> None:
    _, findings = det_check({VAL: det_file(30.1234)})
    assert [f.message for f in findings] == [
        "'Box AP-val' shows `31.04` but the scores-val file says 30.12 (AP[-1].OVERALL = 30.1234)."
    ]
    assert findings[0].hint is not None
    assert "Copy AP[-1].OVERALL from the scores-val file rounded to 2 decimals" in findings[0].hint


def test_mismatch_in_the_test_file() -> None:
    _, findings = det_check({VAL: det_file(31.04), TEST: det_file(28.5)})
    assert len(findings) == 1
    assert "'Box AP-test' shows `29.78` but the scores-test file says 28.50" in findings[0].message


def test_fraction_file_gets_a_fraction_hint() -> None:
    _, findings = det_check({VAL: det_file(0.3104)})
    assert len(findings) == 1
    assert "says 0.31 (AP[-1].OVERALL = 0.3104)" in findings[0].message
    assert findings[0].hint is not None and "fraction (0-1)" in findings[0].hint


def test_missing_key_names_the_json_path() -> None:
    doc = make_scores("det", {"AP": 31.04})
    del doc["AP"]
    text, findings = det_check({VAL: dumps_scores(doc)})
    assert summary(findings) == [("error", "scores", line_of(text, ROW))]
    assert findings[0].message == (
        "The 'Scores-val' file does not match the det scores format: `$`: missing key 'AP'."
    )


def test_missing_headline_inside_a_metric() -> None:
    doc = make_scores("det", {"AP": 31.04})
    doc["AP"][-1] = {"TOTAL": 31.04}
    _, findings = det_check({VAL: dumps_scores(doc)})
    assert [f.severity for f in findings] == ["error"]
    assert "`$.AP[1]`" in findings[0].message


def test_nan_headline() -> None:
    _, findings = det_check({VAL: det_file(float("nan"))})
    assert [f.severity for f in findings] == ["error"]
    assert "`$.AP[1].OVERALL`" in findings[0].message
    assert "headline value is NaN" in findings[0].message


def test_double_encoded_file() -> None:
    body = json.dumps(det_file(31.04))
    _, findings = det_check({VAL: body})
    assert [f.severity for f in findings] == ["error"]
    assert findings[0].message.startswith("The 'Scores-val' file is double-encoded output")
    assert "double-encoded" in findings[0].message


def test_obsolete_flat_format() -> None:
    body = json.dumps({"AP": 0.3104, "AP_50": 0.52, "AP_75": 0.3, "AR_max_1": 0.21})
    _, findings = det_check({VAL: body})
    assert [f.severity for f in findings] == ["error"]
    assert "The 'Scores-val' file is in the obsolete flat 0-1 format" in (findings[0].message)


def test_invalid_json() -> None:
    _, findings = det_check({VAL: '{"AP": [1, 2'})
    assert [f.severity for f in findings] == ["error"]
    assert findings[0].message.startswith("The 'Scores-val' file is not usable:")
    assert "not valid JSON" in findings[0].message


def test_val_file_of_another_task_is_an_error() -> None:
    _, findings = det_check({VAL: dumps_scores(make_scores("sem_seg", {"IoU": 31.04}))})
    assert [f.severity for f in findings] == ["error"]
    assert "does not match the det scores format" in findings[0].message
    assert "missing keys 'AP'" in findings[0].message


def test_test_file_in_an_unknown_format_is_a_warning() -> None:
    other = dumps_scores(make_scores("sem_seg", {"IoU": 29.78}))
    text, findings = det_check({VAL: det_file(31.04), TEST: other})
    assert summary(findings) == [("warning", "scores", line_of(text, ROW))]
    assert findings[0].message.startswith("The format of the 'Scores-test' file is not recognised")
    assert findings[0].hint is not None and "by hand" in findings[0].hint


def test_test_format_severity_comes_from_config() -> None:
    cfg = load_config("scores: {test_format_severity: error}")
    other = dumps_scores(make_scores("sem_seg", {"IoU": 29.78}))
    _, findings = det_check({TEST: other}, cfg=cfg)
    assert [f.severity for f in findings] == ["error"]
    assert "not recognised" in findings[0].message


def test_unrecognised_test_file_still_compares_a_number_it_holds() -> None:
    doc = make_scores("det", {"AP": 25.0})
    doc["extra"] = 1.0
    _, findings = det_check({TEST: dumps_scores(doc)})
    assert [f.severity for f in findings] == ["warning", "error"]
    assert "not recognised" in findings[0].message
    assert "'Box AP-test' shows `29.78` but the scores-test file says 25.00" in findings[1].message


def test_double_encoded_test_file_is_an_error() -> None:
    _, findings = det_check({TEST: json.dumps(det_file(29.78))})
    assert [f.severity for f in findings] == ["error"]
    assert "The 'Scores-test' file is double-encoded output" in findings[0].message


@pytest.mark.parametrize(
    ("result", "severity", "words"),
    [
        (FetchResult(VAL, "broken", status=404), "error", "is broken (HTTP 404)."),
        (FetchResult(VAL, "not_public", status=403), "error", "is not public (HTTP 403)."),
        (
            FetchResult(VAL, "refused", reason="connection refused"),
            "error",
            "was not fetched: `connection refused`.",
        ),
    ],
)
def test_fetch_failures(result: FetchResult, severity: str, words: str) -> None:
    text, findings = det_check({VAL: result})
    assert summary(findings) == [(severity, "scores", line_of(text, ROW))]
    assert findings[0].message == f"The [scores] link of 'Scores-val' {words}"


def test_transient_failures_are_one_warning_per_section_and_cause() -> None:
    down = FetchResult(VAL, "inconclusive", status=503)
    slow = FetchResult(TEST, "inconclusive", reason="no complete answer within 20 s")
    text, findings = det_check({VAL: down, TEST: down})
    assert summary(findings) == [("warning", "scores", line_of(text, ROW))]
    assert findings[0].message == (
        "2 scores files of this section could not be checked: `HTTP 503`."
    )
    assert "re-run" in (findings[0].hint or "")
    _, findings = det_check({VAL: down, TEST: slow})
    assert [f.message for f in findings] == [
        "A scores file of this section could not be checked: `HTTP 503`.",
        "A scores file of this section could not be checked: `no complete answer within 20 s`.",
    ]


def test_offline_context_has_no_findings() -> None:
    _, findings = det_check({VAL: det_file(20.0), TEST: "{"}, offline=True)
    assert findings == []


def test_text_cell_is_left_to_template() -> None:
    _, findings = det_check({VAL: det_file(20.0)}, {"Box AP-val": "n/a"})
    assert findings == []


# --- ins_seg: Box AP needs a second, box file ------------------------------------------------

INS_VAL = scores_url("ins_seg", "m1", "val")
INS_TEST = scores_url("ins_seg", "m1", "test")
BBOX_VAL = "https://files.example.org/zoo/ins_seg/scores-val/m1_box.json"


def ins_seg_row(slug: str, scores_val: str | None = None) -> str:
    cells = {
        "Mask AP-val": "20.11",
        "Box AP-val": "24.56",
        "Mask AP-test": "19.20",
        "Box AP-test": "23.40",
    }
    if scores_val is not None:
        cells["Scores-val"] = scores_val
    return make_row("ins_seg", slug, cells)


def ins_seg_check(rows: list[str], files: Mapping[str, str]) -> tuple[str, list[Finding]]:
    text = task_readme("ins_seg", method_section("Masked", task="ins_seg", rows=rows))
    fetched = {url: ok_result(url, body) for url, body in files.items()}
    return text, check(scores.check, text, "ins_seg", fetched=fetched)


def test_ins_seg_box_ap_unverified_once_per_column() -> None:
    rows = [ins_seg_row("m1"), ins_seg_row("m2")]
    mask = dumps_scores(make_scores("ins_seg", {"AP": 20.11}))
    text, findings = ins_seg_check(rows, {INS_VAL: mask})
    first = line_of(text, "| R-50-FPN |")
    assert summary(findings) == [("notice", "scores", first), ("notice", "scores", first)]
    assert [f.message for f in findings] == [
        "'Box AP-val' cannot be checked against a scores file in 2 rows.",
        "'Box AP-test' cannot be checked against a scores file in 2 rows.",
    ]
    assert findings[0].hint is not None and "[bbox]" in findings[0].hint


def test_ins_seg_bbox_link_is_checked_against_a_det_file() -> None:
    cell = f"[scores]({INS_VAL}) \\| [bbox]({BBOX_VAL})"
    files = {
        INS_VAL: dumps_scores(make_scores("ins_seg", {"AP": 20.11})),
        BBOX_VAL: dumps_scores(make_scores("det", {"AP": 24.56})),
    }
    _, findings = ins_seg_check([ins_seg_row("m1", cell)], files)
    # Box AP-val is verified; only the test column, without a bbox file, is left.
    assert [f.message for f in findings] == [
        "'Box AP-test' cannot be checked against a scores file in this row."
    ]


def test_ins_seg_bbox_mismatch() -> None:
    cell = f"[scores]({INS_VAL}) \\| [bbox]({BBOX_VAL})"
    files = {
        INS_VAL: dumps_scores(make_scores("ins_seg", {"AP": 20.11})),
        BBOX_VAL: dumps_scores(make_scores("det", {"AP": 22.0})),
    }
    text, findings = ins_seg_check([ins_seg_row("m1", cell)], files)
    errors = [f for f in findings if f.severity == "error"]
    assert summary(errors) == [("error", "scores", line_of(text, "| R-50-FPN |"))]
    assert "'Box AP-val' shows `24.56` but the scores-val file says 22.00" in errors[0].message


def test_ins_seg_bbox_file_must_be_in_det_format() -> None:
    cell = f"[scores]({INS_VAL}) \\| [bbox]({BBOX_VAL})"
    files = {
        INS_VAL: dumps_scores(make_scores("ins_seg", {"AP": 20.11})),
        BBOX_VAL: dumps_scores(make_scores("ins_seg", {"AP": 24.56})),
    }
    _, findings = ins_seg_check([ins_seg_row("m1", cell)], files)
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == 1
    assert errors[0].message.startswith(
        "The [bbox] file of 'Scores-val' does not match the det scores format"
    )


# --- mot and tagging ------------------------------------------------------------------------

MOT_VAL = scores_url("mot", "trk", "val")


def mot_check(cells: Mapping[str, str]) -> tuple[str, list[Finding]]:
    row = make_row("mot", "trk", cells)
    text = task_readme("mot", method_section("Tracker", task="mot", rows=[row]))
    doc = make_scores("box_track", {"mMOTA": 36.6, "mIDF1": 51.6, "IDSw": 6193})
    fetched = {MOT_VAL: ok_result(MOT_VAL, dumps_scores(doc))}
    return text, check(scores.check, text, "mot", fetched=fetched)


def test_mot_row_matches() -> None:
    cells = {"mMOTA-val": "36.6", "mIDF1-val": "51.6", "ID Sw.-val": "6193"}
    assert mot_check(cells)[1] == []


def test_mot_id_switches_mismatch() -> None:
    cells = {"mMOTA-val": "36.6", "mIDF1-val": "51.6", "ID Sw.-val": "6190"}
    text, findings = mot_check(cells)
    assert summary(findings) == [("error", "scores", line_of(text, "| Faster R-CNN |"))]
    assert findings[0].message == (
        "'ID Sw.-val' shows `6190` but the scores-val file says 6193 (IDSw[-1].OVERALL)."
    )


def test_mot_one_decimal_tolerance() -> None:
    near = {"mMOTA-val": "36.6", "mIDF1-val": "51.6", "ID Sw.-val": "6193"}
    assert mot_check({**near, "mMOTA-val": "36.6"})[1] == []
    _, findings = mot_check({**near, "mMOTA-val": "36.8"})
    assert [f.message for f in findings] == [
        "'mMOTA-val' shows `36.8` but the scores-val file says 36.6 (mMOTA)."
    ]


TAG_VAL = scores_url("tagging", "tag", "val")


@pytest.mark.parametrize(("shown", "count"), [("81.35", 0), ("81.53", 1)])
def test_tagging_flat_file(shown: str, count: int) -> None:
    row = make_row("tagging", "tag", {"Acc-val": shown})
    section = method_section("Light Tagger", task="tagging", rows=[row])
    text = task_readme("tagging", "## Weather Tagging\n\n" + section)
    doc = make_scores("tagging", {"accuracy_top-1": 81.35})
    fetched = {TAG_VAL: ok_result(TAG_VAL, dumps_scores(doc))}
    findings = check(scores.check, text, "tagging", fetched=fetched)
    assert len(findings) == count
    if count:
        assert "'Acc-val' shows `81.53` but the scores-val file says 81.35 (accuracy_top-1)" in (
            findings[0].message
        )


@pytest.mark.parametrize(("value", "words"), [(float("nan"), "NaN"), (float("-inf"), "-Infinity")])
def test_non_finite_test_headline_is_an_error_at_the_row(value: float, words: str) -> None:
    text, findings = det_check({VAL: det_file(31.04), TEST: det_file(value)})
    assert summary(findings) == [("error", "scores", line_of(text, ROW))]
    assert findings[0].message == (
        f"'Box AP-test' shows `29.78` but the scores-test file's AP[-1].OVERALL is {words}: "
        "the file cannot back this number."
    )


def test_non_finite_test_headline_beside_other_format_problems() -> None:
    doc = make_scores("det", {"AP": float("nan")})
    doc["extra"] = 1.0
    _, findings = det_check({TEST: dumps_scores(doc)})
    assert [f.severity for f in findings] == ["warning", "error"]
    assert "not recognised: `$`: unexpected key `extra`." in findings[0].message
    assert "NaN" not in findings[0].message
    assert "AP[-1].OVERALL is NaN" in findings[1].message


def test_non_finite_test_headline_without_a_number_in_the_table() -> None:
    _, findings = det_check({TEST: det_file(float("nan"))}, {"Box AP-test": "-"})
    assert findings == []


def test_test_file_of_another_shape_is_compared_where_its_headline_is() -> None:
    """The evaluation server's file without per-class values: the headline is still found."""
    short = {key: [value[-1]] for key, value in make_scores("det", {"AP": 28.5}).items()}
    _, findings = det_check({TEST: json.dumps(short)})
    assert [f.severity for f in findings] == ["warning", "error"]
    assert "not recognised" in findings[0].message
    assert findings[1].message == (
        "'Box AP-test' shows `29.78` but the scores-test file says 28.50 (AP[-1].OVERALL = 28.5)."
    )
    matching = {key: [value[-1]] for key, value in make_scores("det", {"AP": 29.78}).items()}
    _, findings = det_check({TEST: json.dumps(matching)})
    assert [f.severity for f in findings] == ["warning"]


def test_nan_val_headline_is_said_once() -> None:
    _, findings = det_check({VAL: det_file(float("nan")), TEST: det_file(29.78)})
    assert len(findings) == 1
    assert "headline value is NaN" in findings[0].message


def test_the_cell_fix_is_made_only_for_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most numbers agree with their file: the cell's fix (which splits the row's line) is made
    only when a finding carries it."""
    made: list[str] = []
    cell_fix = scores.cell_fix

    def counted(*args: object, **kwargs: object) -> object:
        made.append("fix")
        return cell_fix(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scores, "cell_fix", counted)
    assert det_check({VAL: det_file(31.04), TEST: det_file(29.78)})[1] == []
    assert made == []
    text, findings = det_check({VAL: det_file(30.1234), TEST: det_file(29.78)})
    assert made == ["fix"]
    fix = findings[0].fix
    assert fix is not None and fix.line == line_of(text, ROW)
    assert "| 30.12 |" in fix.new and "| 31.04 |" in fix.old
    # A file that holds a fraction is wrong, not the table: no fix, and none made.
    made.clear()
    _, findings = det_check({VAL: det_file(0.3104)})
    assert findings[0].fix is None and made == []
