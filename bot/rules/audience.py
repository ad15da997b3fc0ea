"""Hints for maintainers: an audit reviews entries merged long ago, whose authors are not
reading, so its hints say what a maintainer can do rather than what a contributor should."""

from __future__ import annotations

from dataclasses import replace

from bot.model import Finding

# Rules whose findings in an audit are mostly link rot or old data, with the maintainer's move.
_MAINTAINER_HINTS = {
    "artifacts": "Ask the model's authors for a public link to the file (or a copy to host), or "
    "mark the row as unavailable.",
    "checksums": "Ask the model's authors for the MD5 of the weights they published, or compute "
    "it from the weights and update the MD5 file.",
    "pages": "Update the link to the page's new address, or remove it if the page is gone.",
}


def for_maintainers(finding: Finding) -> Finding:
    """The finding with its hint addressed to the zoo's maintainers."""
    hint = _MAINTAINER_HINTS.get(finding.rule)
    if hint is None and finding.hint is not None:
        hint = finding.hint.replace("to your PR", "to the zoo").replace("your PR", "the zoo")
    return replace(finding, hint=hint if hint is not None else finding.hint)
