"""Checks the PR description's checklist: every required item of the guide present and ticked."""

from __future__ import annotations

from difflib import SequenceMatcher

from bot.config import ChecklistSpec
from bot.model import ChecklistItem, Finding
from bot.rules.context import Context
from bot.textnorm import fold

RULE = "checklist"
# How alike an item must be to the guide's text to count as that item (1.0: identical).
SIMILARITY = 0.85


def check(ctx: Context) -> list[Finding]:
    path = ctx.submission.body_path
    guide = f" ({ctx.config.guide})" if ctx.config.guide else ""
    if ctx.checklist is None:
        return [
            Finding(
                "notice",
                RULE,
                path,
                None,
                "The checklist was not checked: no PR description was given.",
                "Pass the description with --body FILE to check it as the bot will.",
            )
        ]
    if not ctx.checklist:
        return [
            Finding(
                "error",
                RULE,
                path,
                None,
                "The PR description has no checklist.",
                f"Copy the checklist of the contribution guide{guide} into the description and "
                "tick each item you have done with [x].",
            )
        ]
    findings: list[Finding] = []
    for spec in ctx.config.checklist:
        if not spec.required:
            continue
        item = best_match(spec, ctx.checklist)
        if item is None:
            findings.append(
                Finding(
                    "error",
                    RULE,
                    path,
                    None,
                    f"The checklist lacks the item “{spec.text}”.",
                    f"Copy the whole checklist of the contribution guide{guide}; do not drop "
                    "items.",
                )
            )
        elif not item.checked:
            findings.append(
                Finding(
                    "error",
                    RULE,
                    path,
                    None,
                    f"The checklist item “{spec.text}” is not ticked.",
                    "Do what it asks, then tick it: `- [x] …`.",
                )
            )
    return findings


def best_match(spec: ChecklistSpec, items: tuple[ChecklistItem, ...]) -> ChecklistItem | None:
    """The item that is the guide's item despite case, punctuation, wrapping or a small edit."""
    wanted = fold(spec.text)
    best: tuple[float, ChecklistItem] | None = None
    for item in items:
        score = SequenceMatcher(None, wanted, fold(item.text), autojunk=False).ratio()
        if score >= SIMILARITY and (best is None or score > best[0]):
            best = (score, item)
    return best[1] if best else None
