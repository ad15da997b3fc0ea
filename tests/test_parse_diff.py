"""Tests added_lines: which head lines the `+` lines of a unified diff patch add."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parse.diff import added_lines, base_text


def test_hunk_without_counts() -> None:
    assert added_lines("@@ -7 +7 @@\n-old line\n+new line") == frozenset({7})


def test_hunk_with_counts_and_context() -> None:
    patch = "@@ -10,4 +10,5 @@ ## Model Zoo\n ctx\n ctx\n-gone\n+added a\n+added b\n ctx\n"
    assert added_lines(patch) == frozenset({12, 13})


def test_mixed_count_forms() -> None:
    assert added_lines("@@ -3 +3,2 @@\n a\n+b\n") == frozenset({4})
    assert added_lines("@@ -3,2 +3 @@\n-a\n b\n") == frozenset()


def test_several_hunks() -> None:
    patch = (
        "@@ -2,3 +2,4 @@\n"
        " two\n"
        "+inserted\n"
        " three\n"
        " four\n"
        "@@ -40,3 +41,3 @@ ### Method\n"
        " forty\n"
        "-old\n"
        "+new\n"
        " forty-two\n"
        "@@ -90,0 +91,2 @@\n"
        "+end one\n"
        "+end two\n"
    )
    assert added_lines(patch) == frozenset({3, 42, 91, 92})


def test_no_newline_at_end_of_file_markers_are_skipped() -> None:
    patch = (
        "@@ -1,2 +1,3 @@\n"
        " first\n"
        "-last\n"
        "\\ No newline at end of file\n"
        "+last\n"
        "+one more\n"
        "\\ No newline at end of file"
    )
    assert added_lines(patch) == frozenset({2, 3})


def test_removed_only_hunk_adds_nothing() -> None:
    patch = "@@ -5,3 +5,1 @@\n keep\n-drop one\n-drop two\n"
    assert added_lines(patch) == frozenset()


def test_new_file() -> None:
    patch = "@@ -0,0 +1,3 @@\n+# Title\n+\n+text\n"
    assert added_lines(patch) == frozenset({1, 2, 3})


@pytest.mark.parametrize("patch", ["", "\n", "Binary files differ"])
def test_empty_or_hunkless_patch(patch: str) -> None:
    assert added_lines(patch) == frozenset()


def test_file_headers_before_the_first_hunk_are_ignored() -> None:
    patch = "diff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n@@ -1,2 +1,3 @@\n a\n+b\n c\n"
    assert added_lines(patch) == frozenset({2})


def test_added_lines_that_look_like_diff_syntax() -> None:
    patch = "@@ -1,1 +1,4 @@\n ctx\n++++ plus signs\n+--- a rule\n+@@ not a hunk\n"
    assert added_lines(patch) == frozenset({2, 3, 4})


def test_empty_context_line_counts_as_a_line() -> None:
    # Some tools strip the space of an empty context line.
    patch = "@@ -1,3 +1,4 @@\n a\n\n+c\n d\n"
    assert added_lines(patch) == frozenset({3})


def unified(old: str, new: str, context: int = 3) -> str:
    """A GitHub-style patch (hunks only, no file headers) from old to new."""
    lines = difflib.unified_diff(old.split("\n"), new.split("\n"), lineterm="", n=context)
    return "\n".join(list(lines)[2:])


@settings(max_examples=200, deadline=None)
@given(
    old=st.lists(st.sampled_from(["a", "b", "", "### X", "| 1 |"]), max_size=25),
    new=st.lists(st.sampled_from(["a", "b", "", "### X", "| 2 |"]), max_size=25),
    context=st.integers(0, 3),
)
def test_the_base_is_rebuilt_from_head_and_patch(
    old: list[str], new: list[str], context: int
) -> None:
    before, after = "\n".join(old), "\n".join(new)
    assert base_text(after, unified(before, after, context)) == before


def test_a_patch_that_does_not_fit_the_head_gives_none() -> None:
    patch = unified("a\nb\nc", "a\nx\nc")
    assert base_text("a\nx\nc", patch) == "a\nb\nc"
    assert base_text("a\ny\nc", patch) is None  # the head is not what the patch made
    assert base_text("a", "@@ -5,2 +9,2 @@\n x\n y") is None  # the hunk is past the end
