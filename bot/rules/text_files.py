"""Checks that the task READMEs under review are UTF-8 text; nothing reads a guess of one."""

from __future__ import annotations

from collections.abc import Iterable

from bot.model import Finding, Submission
from bot.quote import q

RULE = "text"


def check(submission: Submission, paths: Iterable[str]) -> list[Finding]:
    """One error per README in `paths` that is not UTF-8 text (naming what it holds) or that is a
    symbolic link out of the repository (naming where it leads)."""
    findings: list[Finding] = []
    for path in paths:
        target = submission.links_out.get(path)
        found = submission.not_text.get(path)
        if target is not None:
            findings.append(
                Finding(
                    "error",
                    RULE,
                    path,
                    None,
                    f"{path} is a symbolic link to {q(target)}, outside the repository: "
                    "zoo-review does not follow it, so nothing in it was reviewed.",
                    "Commit the README itself, not a link to a file elsewhere.",
                )
            )
        elif found is not None:
            findings.append(
                Finding(
                    "error",
                    RULE,
                    path,
                    None,
                    f"{path} is not UTF-8 text ({found}), so nothing in it was reviewed.",
                    "Save the file as UTF-8 (a byte-order mark is fine, NUL bytes are not) and "
                    "commit it again.",
                )
            )
    return findings
