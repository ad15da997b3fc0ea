"""The JSON report: a stable contract other tools read (docs/report.md, its schema)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from bot import __version__
from bot.model import LinkReport, Review
from bot.quote import plain, scrub


def to_dict(review: Review) -> dict[str, Any]:
    return {
        "tool": "zoo-review",
        "version": __version__,
        "verdict": review.verdict,
        "reviewed": {"base": review.base, "head": review.head},
        # Added after the first release: what the review was asked not to check.
        "not_checked": list(review.not_checked),
        # Added after the first release: findings hidden by the config's `ignore:` list.
        "ignored": review.ignored,
        "summary": {
            "errors": review.count("error"),
            "warnings": review.count("warning"),
            "notices": review.count("notice"),
        },
        "entries": [
            {
                "task": entry.task,
                "path": entry.path,
                "section": entry.section,
                "line": entry.line,
                "rows": entry.rows,
            }
            for entry in review.entries
        ],
        "findings": [
            {
                "severity": finding.severity,
                "rule": finding.rule,
                "path": finding.path,
                "line": finding.line,
                "message": plain(finding.message),
                "hint": None if finding.hint is None else plain(finding.hint),
                "incomplete": finding.incomplete,
                # Added after the first release: the method section it is about, if any.
                "section": finding.section,
                # Added after the first release: the corrected line, when the fix is mechanical.
                "fix": None
                if finding.fix is None
                else {
                    "path": finding.fix.path,
                    "line": finding.fix.line,
                    "old": finding.fix.old,
                    "new": finding.fix.new,
                },
            }
            for finding in review.findings
        ],
        # Added after the first release: each fetched link and how it fared (docs/report.md).
        "links": [link_dict(link) for link in review.links],
    }


def link_dict(link: LinkReport) -> dict[str, Any]:
    """One link of the report's `links`."""
    return {
        "url": link.url,
        "column": link.column,
        "path": link.path,
        "line": link.line,
        "verdict": link.verdict,
        "status": link.status,
        "seconds": round(link.seconds, 3),
        "size": link.size,
        "entries": link.entries,
        "unpacked": link.unpacked,
        "reason": link.reason,
        "cached_hours": link.cached_hours,
    }


def render_json(review: Review) -> str:
    return "".join(json_parts(review))


def json_parts(review: Review) -> Iterator[str]:
    """The report, indented, each link on a line of its own, in pieces: written one at a time,
    the thousands of links of an audit are never held as one text (nor indented field by field
    by json's pure-Python indenter, which took most of the time of writing the report)."""
    data = to_dict(replace(review, links=[]))
    # The report's closing brace comes last: the links are its last key.
    head = json.dumps(data, indent=2, ensure_ascii=False).removesuffix("}").rstrip()
    if not review.links:
        yield scrub(f'{head},\n  "links": []\n}}\n')
        return
    yield scrub(f'{head},\n  "links": [\n')
    last = len(review.links) - 1
    for index, link in enumerate(review.links):
        end = ",\n" if index < last else "\n"
        yield scrub(f"    {json.dumps(link_dict(link), ensure_ascii=False)}{end}")
    yield "  ]\n}\n"
