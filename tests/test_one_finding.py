"""One mistake, one finding: each mistake of a contribution gives exactly one finding, from the
most specific rule, at the line where the fix goes, reviewed by the whole engine (every rule)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.engine import ReviewOptions, review
from bot.example.scores import dumps_scores, make_scores
from bot.model import Finding
from bot.net.types import FetchResult, OnResult, Request
from bot.quote import plain
from tests.ruleinput import (
    config,
    det_readme,
    header_names,
    line_of,
    link_url,
    make_row,
    method_section,
    scores_url,
    task_readme,
    task_spec,
)
from tests.test_engine import TODAY, pr

SLUG = "sparse_r50_1x"
VAL = scores_url("det", SLUG, "val")
TEST = scores_url("det", SLUG, "test")
WEIGHTS = link_url("det", SLUG, "models")
MD5 = link_url("det", SLUG, "md5")
FILES = {
    VAL: dumps_scores(make_scores("det", {"AP": 31.2731})).encode(),
    TEST: dumps_scores(make_scores("det", {"AP": 29.78})).encode(),
    MD5: f"{'0123456789abcdef' * 2}  {SLUG}.pth\n".encode(),
    link_url("det", SLUG, "preds"): b'[{"name": "b1c66a42-6f7d68ca.jpg", "labels": []}]',
}
ROW = "| R-50-FPN |"


class Files:
    """Every URL answers: the bodies in `bodies`, or a small public file; as the fetcher does,
    it keeps the result `on_result` gives back (a scores file's without its body)."""

    def __init__(self, bodies: Mapping[str, bytes]) -> None:
        self.bodies = bodies

    async def fetch(
        self, requests: Sequence[Request], on_result: OnResult | None = None
    ) -> dict[Request, FetchResult]:
        answers = {}
        for request in dict.fromkeys(requests):
            body = self.bodies.get(request.url, b"x" * 4096)
            keep = request.purpose == "body"
            answer = FetchResult(
                request.url, "ok", status=200, body=body if keep else None, size=len(body)
            )
            answers[request] = (on_result and on_result(request, answer)) or answer
        return answers


def findings_of(text: str, task: str = "det", files: Mapping[str, bytes] = FILES) -> list[Finding]:
    """Every finding of a PR adding `text` as the task's README (links all answer)."""
    submission = pr({task_spec(task).readme: text})
    options = ReviewOptions(today=TODAY)
    result = review(submission, config(), options, Files(files))
    return [f for f in result.findings if f.path != "PR description"]


def one(text: str, **kwargs: object) -> Finding:
    found = findings_of(text, **kwargs)  # type: ignore[arg-type]
    assert len(found) == 1, [plain(f.message) for f in found]
    return found[0]


def det_row(**cells: str) -> str:
    return det_readme(rows=[make_row(overrides={"Box AP-val": "31.27", **cells})])


def test_a_correct_row_has_no_finding() -> None:
    assert findings_of(det_row()) == []


def test_too_few_decimals_and_the_file_value_are_one_finding() -> None:
    text = det_row(**{"Box AP-val": "31.3"})
    finding = one(text)
    assert (finding.rule, finding.line) == ("template", line_of(text, ROW))
    assert plain(finding.message) == (
        "'Box AP-val' is `31.3`, with 1 decimal; this task's tables show 2 decimals. The scores-val "
        "file says 31.27 (AP[-1].OVERALL = 31.2731)."
    )
    assert finding.fix is not None and "| 31.27 |" in finding.fix.new


def test_wrong_decimals_and_a_wrong_value_are_one_finding_with_both_numbers() -> None:
    finding = one(det_row(**{"Box AP-val": "31.9"}))
    assert plain(finding.message) == (
        "'Box AP-val' is `31.9`, with 1 decimal where this task's tables show 2 decimals, and "
        "the scores-val file says 31.27 (AP[-1].OVERALL = 31.2731)."
    )


def test_the_documented_tolerance_is_applied() -> None:
    # Half a unit of the last shown decimal: 31.27 stands for 31.265 … 31.275.
    files = {**FILES, VAL: dumps_scores(make_scores("det", {"AP": 31.2749})).encode()}
    assert findings_of(det_row(), files=files) == []
    files = {**FILES, VAL: dumps_scores(make_scores("det", {"AP": 31.2851})).encode()}
    finding = one(det_row(), files=files)
    assert finding.rule == "scores"
    assert finding.fix is not None and "| 31.29 |" in finding.fix.new


def test_a_fraction_where_the_task_shows_percent() -> None:
    finding = one(det_row(**{"Box AP-val": "0.3127"}))
    assert plain(finding.message).startswith(
        "'Box AP-val' is `0.3127`, a fraction; this task's tables show percent: did you mean "
        "31.27 (percent)?"
    )
    assert finding.fix is not None and "| 31.27 |" in finding.fix.new


def test_an_md5_link_to_the_weights_is_one_finding() -> None:
    finding = one(det_row(Weights=f"[model]({WEIGHTS}) \\| [MD5]({WEIGHTS})"))
    assert (finding.rule, plain(finding.message)) == (
        "links",
        "The [model] and [MD5] links of 'Weights' point to the same file.",
    )


def test_an_md5_link_to_other_weights_is_one_finding() -> None:
    other = WEIGHTS.replace(".pth", "_v2.pth")
    finding = one(det_row(Weights=f"[model]({WEIGHTS}) \\| [MD5]({other})"))
    assert plain(finding.message) == (
        "The [MD5] link of 'Weights' points to a `.pth` file; this task expects .md5 or .txt."
    )


def test_google_drive_weights_are_fine() -> None:
    for drive in (
        "https://drive.google.com/file/d/1AbCdEfGh/view?usp=sharing",
        "https://drive.google.com/uc?id=1AbCdEfGh",
    ):
        assert findings_of(det_row(Weights=f"[model]({drive}) \\| [MD5]({MD5})")) == []


def test_an_unclosed_details_is_named_at_the_line_where_it_closes() -> None:
    text = det_row().replace("</details>\n", "")
    finding = one(text)
    assert (finding.rule, finding.line) == ("structure", line_of(text, "need no hand-tuned"))
    assert plain(finding.message).startswith(
        f"The `<details>` of the abstract (line {line_of(text, '<details>')}) is never closed"
    )
    assert finding.fix is not None and finding.fix.new.endswith("\n</details>")


def test_a_method_heading_one_level_too_high() -> None:
    text = det_row().replace("### Sparse Anchors", "## Sparse Anchors")
    finding = one(text)
    assert (finding.rule, finding.line) == ("structure", line_of(text, "## Sparse Anchors"))
    assert finding.fix is not None and finding.fix.new == "### Sparse Anchors"


def test_a_line_glued_to_the_table() -> None:
    text = det_readme(
        rows=[make_row(overrides={"Box AP-val": "31.27"})], after_table="Trained on 8 GPUs."
    )
    finding = one(text)
    assert (finding.rule, finding.line) == ("template", line_of(text, "Trained on 8 GPUs."))
    assert finding.fix is not None and finding.fix.new == "\nTrained on 8 GPUs."


def test_a_table_of_another_task_says_which() -> None:
    det = header_names("det")
    section = method_section(task="ins_seg", header=det, rows=[make_row("det", header=det)])
    text = task_readme("ins_seg", section)
    finding = one(text, task="ins_seg", files={})
    assert (finding.rule, finding.line) == ("structure", line_of(text, "| Backbone |"))
    assert plain(finding.message) == (
        "This table has the columns of the Object Detection template, not of Instance "
        "Segmentation: the section belongs in det/README.md."
    )


def test_a_misspelled_column_header() -> None:
    names = [name if name != "Box AP-val" else "Box AP-vla" for name in header_names()]
    text = det_readme(
        header=names, rows=[make_row(header=names, overrides={"Box AP-vla": "31.27"})]
    )
    finding = one(text)
    assert (finding.rule, finding.line) == ("template", line_of(text, "| Backbone |"))
    assert plain(finding.message) == (
        "Column `Box AP-vla` is not a column of the Object Detection template: did you mean "
        "'Box AP-val'?"
    )
    assert finding.fix is not None and "| Box AP-val |" in finding.fix.new


def test_a_misspelled_column_is_still_checked() -> None:
    names = [name if name != "Box AP-val" else "Box AP-vla" for name in header_names()]
    text = det_readme(header=names, rows=[make_row(header=names, overrides={"Box AP-vla": "33.0"})])
    found = findings_of(text)
    assert [f.rule for f in found] == ["template", "template"]


def test_an_unescaped_pipe_between_model_and_md5() -> None:
    text = det_row(Weights=f"[model]({WEIGHTS}) | [MD5]({MD5})")
    finding = one(text)
    assert finding.fix is not None
    assert f"[model]({WEIGHTS}) \\| [MD5]({MD5})" in finding.fix.new


def test_a_link_under_the_wrong_label() -> None:
    finding = one(det_row(Weights=f"[weights]({WEIGHTS}) \\| [MD5]({MD5})"))
    assert plain(finding.message) == (
        "'Weights' has a link labelled `weights` where the template has `[model](…)`."
    )
    assert finding.fix is not None and f"[model]({WEIGHTS})" in finding.fix.new


def test_a_placeholder_line_is_deleted_by_its_fix() -> None:
    text = det_readme(
        rows=[make_row(overrides={"Box AP-val": "31.27"})], extra="Other information."
    )
    finding = one(text)
    assert finding.fix is not None and finding.fix.new == ""


def test_in_submission_is_not_published_yet() -> None:
    text = det_readme(venue="In submission", rows=[make_row(overrides={"Box AP-val": "31.27"})])
    finding = one(text)
    assert (
        plain(finding.message) == "`In submission` is not a venue: the paper is not published yet."
    )
