"""Tests added_lines: which head lines the `+` lines of a unified diff patch add."""

from __future__ import annotations

import pytest

from bot.parse.diff import added_lines


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
