"""Tests for bot.rules.checklist: the guide's checklist is in the PR description and ticked."""

from __future__ import annotations

from difflib import SequenceMatcher

import pytest

from bot.config import load_config
from bot.model import Finding
from bot.rules import checklist
from tests.ruleinput import (
    BODY_PATH,
    config,
    det_readme,
    make_context,
    make_submission,
    readable,
)

ITEMS = [spec.text for spec in config().checklist]
WEIGHTS = "Include model weights and its corresponding MD5 hash as checksum."
GITHUB = "Include a link to your codebase on GitHub."


def review(body: str | None, **kwargs: object) -> list[Finding]:
    submission = make_submission({"det/README.md": det_readme()}, body=body)
    return readable(checklist.check(make_context(submission, **kwargs)))  # type: ignore[arg-type]


def body_of(items: list[str], ticks: list[bool] | None = None) -> str:
    ticks = ticks if ticks is not None else [True] * len(items)
    lines = ["Adds Sparse Anchors to the detection zoo.", ""]
    lines += [f"- [{'x' if tick else ' '}] {item}" for item, tick in zip(items, ticks, strict=True)]
    return "\n".join(lines) + "\n"


def test_all_items_ticked() -> None:
    assert len(ITEMS) == 12
    assert review(body_of(ITEMS)) == []


def test_no_description_is_not_a_finding() -> None:
    # The review says it with the verdict ("not checked: the checklist …"), see test_engine.
    assert review(None) == []


def test_description_without_any_task_item() -> None:
    findings = review("Adds my model.\n\n- weights uploaded\n- code on GitHub\n")
    assert [(f.severity, f.rule, f.path, f.line) for f in findings] == [
        ("error", "checklist", BODY_PATH, None)
    ]
    assert findings[0].message == "The PR description has no checklist."
    assert findings[0].hint is not None and "CONTRIBUTING.md" in findings[0].hint


def test_one_item_missing() -> None:
    findings = review(body_of([item for item in ITEMS if item != WEIGHTS]))
    assert [(f.severity, f.line) for f in findings] == [("error", None)]
    assert findings[0].message == f"The checklist lacks the item “{WEIGHTS}”."


def test_one_item_not_ticked() -> None:
    ticks = [item != GITHUB for item in ITEMS]
    body = body_of(ITEMS, ticks)
    findings = review(body)
    # At the item's line of the description (`PR description:14`).
    line = body.split("\n").index(f"- [ ] {GITHUB}") + 1
    assert [(f.severity, f.path, f.line) for f in findings] == [("error", BODY_PATH, line)]
    assert findings[0].message == f"The checklist item “{GITHUB}” is not ticked."
    assert findings[0].fix is None, "ticking an item is the contributor's to do"


@pytest.mark.parametrize("box", ["[v]", "[X ]", "[✓]", "[ x ]", "[x]"])
def test_a_box_github_shows_no_checkbox_for_is_not_ticked_in_the_form_x(box: str) -> None:
    body = body_of(ITEMS).replace(
        f"- [x] {GITHUB}", f"- {box}{'' if box == '[x]' else ' '}{GITHUB}"
    )
    if box == "[x]":
        body = body.replace(f"- [x]{GITHUB}", f"- [x]{GITHUB}")  # no space after the box
    findings = review(body)
    line = next(i for i, text in enumerate(body.split("\n"), 1) if GITHUB in text)
    assert [(f.severity, f.line) for f in findings] == [("error", line)]
    assert findings[0].message == (
        f"The checklist item “{GITHUB}” is not ticked in the form `[x]`: `{box}` shows no "
        "checkbox on GitHub."
    )
    assert findings[0].fix is not None and findings[0].fix.new == f"- [x] {GITHUB}"


def test_every_unticked_item_is_reported() -> None:
    findings = review(body_of(ITEMS, [False] * len(ITEMS)))
    assert len(findings) == 12
    assert all(f.message.endswith("is not ticked.") for f in findings)


def test_guide_layout_with_nesting_links_and_capital_x() -> None:
    body = """Adds Sparse Anchors.

- [X] Upload all your files to publicly available online storage services (e.g.,
  [Google Drive](https://drive.google.com/)) so your files can be accessed indefinitely.
- Paper:
  - [x] Include a link to your paper (preferably on [arXiv](https://arxiv.org/)) and the venue
    and year the paper is/will be published in.
  - [x] You can add a list of authors of the paper along with links to each person's website.
  - [x] Put the abstract of your paper in the indicated part.
- Results:
  - [x] You can include all variations of your method (e.g., different
    backbones/detectors), but not baselines.
  - [x] Include links to evaluation results on both validation and test set with BDD100K
    [metrics](https://doc.bdd100k.com/evaluate.html).
  - [x] INCLUDE MODEL WEIGHTS AND ITS CORRESPONDING MD5 HASH AS CHECKSUM
  - [x]   Include model predictions   and visualizations on the validation set.
- Code:
  - [x] Include a link to your codebase on GitHub.
  - [x] Include usage instructions so that we can easily verify your results and others can
        easily use your model.
  - [x] Make sure your code and instructions are bug-free.
- [x] Before making a pull request, make sure all the general guidelines and task specific
  guidelines are met.
"""
    assert review(body) == []


def test_item_only_inside_an_html_comment_is_missing() -> None:
    items = [item for item in ITEMS if item != WEIGHTS]
    body = body_of(items) + f"\n<!--\n- [x] {WEIGHTS}\n-->\n"
    findings = review(body)
    assert [f.message for f in findings] == [f"The checklist lacks the item “{WEIGHTS}”."]


def test_whole_checklist_inside_a_comment_is_no_checklist() -> None:
    findings = review("<!-- template -->\n<!--\n" + body_of(ITEMS) + "-->\n")
    assert [f.message for f in findings] == ["The PR description has no checklist."]


def test_item_with_a_small_typo_still_matches() -> None:
    typo = "Include model weigths and its coresponding MD5 hash as checksum."
    body = body_of([typo if item == WEIGHTS else item for item in ITEMS])
    assert review(body) == []


def test_reworded_item_does_not_match() -> None:
    other = "I uploaded the weights."
    body = body_of([other if item == WEIGHTS else item for item in ITEMS])
    findings = review(body)
    assert [f.message for f in findings] == [f"The checklist lacks the item “{WEIGHTS}”."]


def test_a_typo_item_left_unticked_is_reported_as_unticked() -> None:
    typo = "Include a link to your code base on GitHub"
    ticks = [item != GITHUB for item in ITEMS]
    body = body_of([typo if item == GITHUB else item for item in ITEMS], ticks)
    findings = review(body)
    assert [f.message for f in findings] == [f"The checklist item “{GITHUB}” is not ticked."]


def test_optional_items_from_config_are_not_required() -> None:
    override = "checklist:\n" + "".join(
        f"  - {{text: {item!r}, required: {str(item != WEIGHTS).lower()}}}\n" for item in ITEMS
    )
    cfg = load_config(override)
    body = body_of([item for item in ITEMS if item != WEIGHTS])
    assert review(body, cfg=cfg) == []


def test_the_exact_item_wins_over_an_earlier_near_copy() -> None:
    near = "Include model weights and its MD5 hash as checksum."
    body = body_of([near, *ITEMS], [False] + [True] * len(ITEMS))
    assert review(body) == []


def test_a_copied_checklist_needs_no_similarity_score(monkeypatch: pytest.MonkeyPatch) -> None:
    """Items equal to the guide's (once folded) are matched without SequenceMatcher."""
    built: list[str] = []

    class Counting(SequenceMatcher[str]):
        def __init__(self, *args: object, **kwargs: object) -> None:
            built.append("matcher")
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checklist, "SequenceMatcher", Counting)
    upper = [item.upper() for item in ITEMS]
    assert review(body_of(upper)) == []
    assert built == []
    typo = "Include model weigths and its coresponding MD5 hash as checksum."
    assert review(body_of([typo if item == WEIGHTS else item for item in ITEMS])) == []
    assert built  # the one edited item is scored
