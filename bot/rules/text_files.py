"""Checks that the task READMEs under review are UTF-8 text; nothing reads a guess of one."""

from __future__ import annotations

from collections.abc import Iterable

from bot.model import Finding, Submission

RULE = "text"


def check(submission: Submission, paths: Iterable[str]) -> list[Finding]:
    """One error per README in `paths` that is not UTF-8 text, naming what it holds."""
    return [
        Finding(
            "error",
            RULE,
            path,
            None,
            f"{path} is not UTF-8 text ({found}), so nothing in it was reviewed.",
            "Save the file as UTF-8 (a byte-order mark is fine, NUL bytes are not) and commit "
            "it again.",
        )
        for path in paths
        if (found := submission.not_text.get(path)) is not None
    ]
