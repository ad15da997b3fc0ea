"""Tests reading the PR description's task-list checklist and blanking HTML comments."""

from __future__ import annotations

import pytest

from bot.model import ChecklistItem
from bot.parse.checklist import parse_checklist, strip_comments


def items(body: str) -> list[tuple[str, bool]]:
    return [(item.text, item.checked) for item in parse_checklist(body)]


def test_ticked_and_unticked_items() -> None:
    body = "- [x] lower case tick\n- [X] upper case tick\n- [ ] not ticked\n"
    assert parse_checklist(body) == [
        ChecklistItem(text="lower case tick", checked=True, line=1),
        ChecklistItem(text="upper case tick", checked=True, line=2),
        ChecklistItem(text="not ticked", checked=False, line=3),
    ]


def test_malformed_boxes_are_unticked_items_with_their_mark() -> None:
    body = (
        "- [x]no space after box\n- [ x ] spaces in box\n- [] empty box\n- plain item\n"
        "- [v] vee\n- [X ] upper and space\n- [✓] check mark\n"
    )
    found = parse_checklist(body)
    assert [(i.text, i.checked, i.mark, i.line) for i in found] == [
        ("no space after box", False, "x", 1),
        ("spaces in box", False, " x ", 2),
        ("empty box", False, "", 3),
        ("vee", False, "v", 5),
        ("upper and space", False, "X ", 6),
        ("check mark", False, "✓", 7),
    ]


def test_items_know_their_line_after_comments_wrapping_and_crlf() -> None:
    body = "Intro\r\n<!--\r\nhidden\r\n-->\r\n- [x] first item\r\n  wrapped\r\n\r\n- [ ] second\r\n"
    assert [(i.text, i.line) for i in parse_checklist(body)] == [
        ("first item wrapped", 5),
        ("second", 8),
    ]


GUIDE_LIST = (
    "Checklist:\n\n"
    "- [x] Upload all your files to publicly available online storage services (e.g., "
    "[Google Drive](https://drive.google.com/)) so your files can be accessed indefinitely.\n"
    "- Paper:\n"
    "  - [x] Include a link to your paper (preferably on [arXiv](https://arxiv.org/)) and the "
    "venue and year the paper is/will be published in.\n"
    "  - [ ] You can add a list of authors of the paper along with links to each person's "
    "website.\n"
    "- Results:\n"
    "  - [X] Include model weights and its corresponding MD5 hash as checksum.\n"
    "- [ ] Before making a pull request, make sure all the general guidelines and task specific "
    "guidelines are met.\n"
)


def test_nested_items_under_plain_sub_headings() -> None:
    assert items(GUIDE_LIST) == [
        (
            "Upload all your files to publicly available online storage services "
            "(e.g., Google Drive) so your files can be accessed indefinitely.",
            True,
        ),
        (
            "Include a link to your paper (preferably on arXiv) and the venue and year "
            "the paper is/will be published in.",
            True,
        ),
        (
            "You can add a list of authors of the paper along with links to each person's website.",
            False,
        ),
        ("Include model weights and its corresponding MD5 hash as checksum.", True),
        (
            "Before making a pull request, make sure all the general guidelines and task "
            "specific guidelines are met.",
            False,
        ),
    ]


def test_nested_task_items_keep_their_own_text() -> None:
    body = "- [x] parent item\n  - [ ] child item\n    - [x] grandchild\n- [ ] sibling\n"
    assert items(body) == [
        ("parent item", True),
        ("child item", False),
        ("grandchild", True),
        ("sibling", False),
    ]


def test_wrapped_items_join_their_continuation_lines() -> None:
    body = (
        "- [x] Include usage instructions so that we can\n"
        "  easily verify your results.\n"
        "- [ ] A lazy continuation\n"
        "without indentation.\n"
    )
    assert items(body) == [
        ("Include usage instructions so that we can easily verify your results.", True),
        ("A lazy continuation without indentation.", False),
    ]


def test_items_inside_html_comments_do_not_count() -> None:
    body = (
        "- [x] visible one\n"
        "<!-- - [x] hidden on one line -->\n"
        "<!--\n"
        "- [x] hidden in a multi-line comment\n"
        "- [ ] also hidden\n"
        "-->\n"
        "- [ ] visible two\n"
    )
    assert items(body) == [("visible one", True), ("visible two", False)]


def test_unclosed_comment_hides_the_rest() -> None:
    body = "- [x] before\n<!-- Copy the checklist below\n- [x] after\n- [ ] more\n"
    assert items(body) == [("before", True)]


def test_comment_inside_an_item_is_dropped_from_its_text() -> None:
    body = "- [x] Include a link <!-- to the paper --> to your codebase\n"
    assert items(body) == [("Include a link to your codebase", True)]


@pytest.mark.parametrize("bullet", ["-", "*", "+", "1.", "2)", "10."])
def test_bullet_kinds(bullet: str) -> None:
    assert items(f"{bullet} [x] ticked\n{bullet} [ ] open\n") == [("ticked", True), ("open", False)]


def test_mixed_bullets_in_one_body() -> None:
    body = "* [x] star\n\n+ [ ] plus\n\n1. [X] numbered\n"
    assert items(body) == [("star", True), ("plus", False), ("numbered", True)]


def test_item_with_link_and_inline_markup_keeps_the_text() -> None:
    body = (
        "- [x] Include links to [evaluation **results**](https://e.example/m) with `json` files\n"
    )
    assert items(body) == [("Include links to evaluation results with json files", True)]


def test_items_in_code_or_quotes() -> None:
    assert items("```\n- [x] in a fence\n```\n") == []
    assert items("    - [x] indented code\n") == []
    assert items("> - [x] quoted item\n") == [("quoted item", True)]


def test_no_checklist() -> None:
    assert parse_checklist("") == []
    assert parse_checklist("Adds a new model.\n\nThanks!") == []


def test_crlf_body() -> None:
    assert items("- [x] one\r\n- [ ] two\r\n") == [("one", True), ("two", False)]


# --- strip_comments -----------------------------------------------------------------------


def test_strip_comments_keeps_line_numbers() -> None:
    text = "a\n<!-- one\ntwo\nthree -->b\nc <!-- x --> d\n"
    stripped = strip_comments(text)
    assert stripped == "a\n\n\nb\nc  d\n"
    assert stripped.count("\n") == text.count("\n")


def test_strip_comments_unclosed_runs_to_the_end() -> None:
    text = "keep\n<!-- open\nline\nline"
    assert strip_comments(text) == "keep\n\n\n"
    assert len(strip_comments(text).split("\n")) == len(text.split("\n"))


def test_strip_comments_non_greedy_between_comments() -> None:
    assert strip_comments("<!-- a -->keep<!-- b -->") == "keep"
    assert strip_comments("no comments here") == "no comments here"
