"""Checks the PR description's checklist: every required item of the guide present and ticked."""

from __future__ import annotations

from difflib import SequenceMatcher

from bot.config import ChecklistSpec
from bot.model import ChecklistItem, Finding, Fix
from bot.quote import q
from bot.rules.context import Context
from bot.rules.fixes import line_fix, source_line
from bot.textnorm import fold

RULE = "checklist"
# How alike an item must be to the guide's text to count as that item (1.0: identical).
SIMILARITY = 0.85


def check(ctx: Context) -> list[Finding]:
    path = ctx.submission.body_path
    guide = f" ({ctx.config.guide})" if ctx.config.guide else ""
    if ctx.checklist is None:
        return []  # said with the verdict: "not checked: the checklist (no PR description)"
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
    folded = fold_items(ctx.checklist)
    for spec in ctx.config.checklist:
        if not spec.required:
            continue
        item = best_match(spec, folded)
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
        elif item.mark is not None and item.mark.strip():
            box = f"[{item.mark}]"
            findings.append(
                Finding(
                    "error",
                    RULE,
                    path,
                    item.line,
                    f"The checklist item “{spec.text}” is not ticked in the form `[x]`: "
                    f"{q(box)} shows no checkbox on GitHub.",
                    "Tick it as `- [x] …` (an x between the brackets, a space after them).",
                    fix=_tick(ctx, item),
                )
            )
        elif not item.checked:
            findings.append(
                Finding(
                    "error",
                    RULE,
                    path,
                    item.line,
                    f"The checklist item “{spec.text}” is not ticked.",
                    "Do what it asks, then tick it: `- [x] …`.",
                )
            )
    return findings


def _tick(ctx: Context, item: ChecklistItem) -> Fix | None:
    """The description's line with its box written `[x]`, for `zoo-review check --fix`."""
    body = ctx.submission.body
    if body is None or item.line is None or item.mark is None:
        return None
    texts = {ctx.submission.body_path: body}
    old = source_line(texts, ctx.submission.body_path, item.line)
    box = f"[{item.mark}]"
    if old is None or box not in old:
        return None
    before, _, after = old.partition(box)
    return line_fix(texts, ctx.submission.body_path, item.line, f"{before}[x] {after.lstrip()}")


def fold_items(items: tuple[ChecklistItem, ...]) -> list[tuple[str, ChecklistItem]]:
    """Each item with its folded text, folded once for all the guide's items."""
    return [(fold(item.text), item) for item in items]


def best_match(spec: ChecklistSpec, items: list[tuple[str, ChecklistItem]]) -> ChecklistItem | None:
    """The item that is the guide's item despite case, punctuation, wrapping or a small edit.

    An item equal to the guide's (once folded) scores 1.0 and no other beats it, so it is taken
    without computing any similarity: the usual case, a checklist copied from the guide. Else
    the cheap upper bounds of the similarity skip the items that cannot win.
    """
    wanted = fold(spec.text)
    for text, item in items:
        if text == wanted:
            return item
    best: tuple[float, ChecklistItem] | None = None
    for text, item in items:
        matcher = SequenceMatcher(None, wanted, text, autojunk=False)
        floor = SIMILARITY if best is None else best[0]
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        score = matcher.ratio()
        if score >= SIMILARITY and (best is None or score > best[0]):
            best = (score, item)
    return best[1] if best else None
