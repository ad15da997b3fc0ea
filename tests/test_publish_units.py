"""Publishing pieces without GitHub: markers, progress, size limit, inline lines, runner files."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from bot.model import Finding, Review
from bot.publish import workflow
from bot.publish.inline import comment_body, commentable_lines
from bot.publish.links import Links
from bot.publish.progress import compare
from bot.publish.state import STICKY_MARKER, decode_state, encode_state, fingerprint
from bot.publish.sticky import MAX_COMMENT, render_sticky
from bot.quote import q
from tests.fakegithub.zoo import parse_outputs

HEAD = "a" * 40
LINKS = Links("https://github.example", "org/zoo", HEAD, "77", frozenset({"det/README.md"}))


def finding(line: int | None, message: str, rule: str = "venue") -> Finding:
    return Finding("error", rule, "det/README.md", line, message, "Fix it.")


def review(*findings: Finding, head: str = HEAD) -> Review:
    return Review(base="b" * 40, head=head, findings=list(findings))


def test_state_round_trips_and_progress_names_fixed_and_new() -> None:
    old = review(finding(10, "one"), finding(11, "two"), head="c" * 40)
    stored = decode_state(encode_state(old))
    assert stored is not None and stored.head == "c" * 40
    # The same finding on a moved line is not new; "two" was fixed; "three" is new.
    progress = compare(stored, review(finding(14, "one"), finding(20, "three")))
    assert progress is not None
    assert [item.line for item in progress.fixed] == [11]
    assert [f.message for f in progress.new] == ["three"]
    body = render_sticky(review(finding(20, "three")), LINKS, previous=stored).comment
    assert "2 fixed since `ccccccc`" in body
    assert "1 new since `ccccccc`" in body


@pytest.mark.parametrize(
    "marker",
    [
        "<!-- zoo-review:state !!!notbase64 -->",
        "<!-- zoo-review:state " + base64.b64encode(b"{not json").decode() + " -->",
        "<!-- zoo-review:state "
        + base64.b64encode(b'{"v": 1, "head": "zz", "findings": []}').decode()
        + " -->",
        "<!-- zoo-review:state "
        + base64.b64encode(
            json.dumps({"v": 1, "head": "a" * 40, "findings": [["x", "venue", "p", 1]]}).encode()
        ).decode()
        + " -->",
        "<!-- zoo-review:state "
        + base64.b64encode(
            json.dumps(
                {"v": 1, "head": "a" * 40, "findings": [["0" * 16, "@evil <b>", "p", 1]]}
            ).encode()
        ).decode()
        + " -->",
        "<!-- zoo-review:state " + base64.b64encode(b"[" * 5000 + b"]" * 5000).decode() + " -->",
    ],
)
def test_a_garbled_or_hostile_state_marker_means_no_diff(marker: str) -> None:
    assert decode_state(f"{STICKY_MARKER}\n{marker}\n") is None
    body = render_sticky(review(finding(3, "x")), LINKS, previous=decode_state(marker)).comment
    assert "since" not in body.split("Reviewed commit")[0]


def test_stored_paths_are_code_spans_when_shown() -> None:
    hostile = Finding("error", "venue", "@admin #12 `x`", 2, "gone")
    stored = decode_state(encode_state(review(hostile, head="d" * 40)))
    body = render_sticky(review(), LINKS, previous=stored).comment
    assert "@\u2060admin" in body and "#\u206012" in body
    assert "@admin" not in body


def test_the_comment_stays_under_the_limit_and_points_to_the_summary() -> None:
    many = [finding(i, "x" * 100 + str(i)) for i in range(1, 1200)]
    body = render_sticky(review(*many), LINKS)
    assert body.truncated
    assert len(body.comment) <= MAX_COMMENT
    assert len(body.full) > MAX_COMMENT
    assert (
        "the rest is in the job summary of [this run](https://github.example/org/zoo/actions/runs/77)"
        in body.comment
    )
    assert body.comment.startswith(STICKY_MARKER)
    assert "Reviewed commit" in body.comment
    small = render_sticky(review(*many[:5]), LINKS, limit=1500)
    assert len(small.comment) <= 1500 and small.truncated


def test_line_links_point_at_the_reviewed_commit() -> None:
    assert LINKS.line_link("det/README.md", 7) == (
        f"https://github.example/org/zoo/blob/{HEAD}/det/README.md#L7"
    )
    assert LINKS.line_link("PR description", None) is None
    body = render_sticky(review(finding(7, "bad")), LINKS).comment
    assert f"(https://github.example/org/zoo/blob/{HEAD}/det/README.md#L7)" in body


def test_commentable_lines_are_added_and_context_lines_of_the_hunks() -> None:
    patch = "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n@@ -10,2 +11,2 @@\n x\n-y\n+Y"
    assert commentable_lines(patch) == {1, 2, 3, 4, 11, 12}
    assert commentable_lines(None) == frozenset()


def test_inline_comment_text_defuses_contributor_values() -> None:
    body = comment_body(finding(3, f"Venue {q('@team see #5 ``x``')} is wrong"))
    assert body.startswith("❌ **error** `venue` — Venue ")
    assert "@\u2060team" in body and "#\u20605" in body
    assert "```" in body  # a longer fence than the value's backtick run


def test_annotations_escape_everything_and_respect_the_caps() -> None:
    hostile = Finding(
        "error", "venue", "det/a,b:c.md", 3, f"bad {q('x')}\n::set-output name=x::y %0A"
    )
    lines, skipped = workflow.annotation_lines([hostile] * 12, "PR description")
    assert len(lines) == 10 and skipped["error"] == 2
    line = lines[0]
    assert line.startswith("::error title=zoo-review venue,file=det/a%2Cb%3Ac.md,line=3::")
    assert "\n" not in line and "%0A::set-output" in line and "%250A" in line
    body_line = workflow.annotation_lines(
        [Finding("warning", "checklist", "PR description", None, "m")], "PR description"
    )[0][0]
    assert body_line == "::warning title=zoo-review checklist::m"


def test_log_lines_never_start_a_workflow_command(capsys: pytest.CaptureFixture[str]) -> None:
    workflow.log("ok\n::error::injected\n  ::warning::also\nsee ##[group]x")
    out = capsys.readouterr().out
    assert not any(line.lstrip().startswith("::") for line in out.splitlines())
    assert "##[" not in out


def test_outputs_use_a_random_heredoc_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "out"
    value = "line1\nEOF\nverdict<<EOF"
    assert workflow.write_outputs({"report": value, "verdict": "fail"}, str(path))
    text = path.read_text()
    assert parse_outputs(text) == {"report": value, "verdict": "fail"}
    delimiters = [line.split("<<", 1)[1] for line in text.splitlines() if "<<ghadelimiter_" in line]
    assert len(set(delimiters)) == 2
    assert text.endswith(delimiters[1] + "\n")
    assert not workflow.write_outputs({"a": "b"}, None)


def test_fingerprints_ignore_the_line_but_not_the_text() -> None:
    assert fingerprint(finding(1, "a")) == fingerprint(finding(9, "a"))
    assert fingerprint(finding(1, "a")) != fingerprint(finding(1, "b"))
