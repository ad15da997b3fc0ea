"""Checks that the paper, code and usage links lead somewhere (config links: rule `config`)."""

from __future__ import annotations

from bot.model import Finding, Link
from bot.rules.context import Context, EntryScope
from bot.rules.fetched import Unchecked, describe_failure
from bot.urls import is_github

RULE = "pages"


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    section = entry.section
    links: list[tuple[str, Link]] = []
    if section.paper is not None:
        paper = section.paper
        links.append(("paper", Link(paper.title, paper.url, paper.line)))
    links += [("code", link) for link in section.code]
    links += [("usage instructions", link) for link in section.usage]

    findings: list[Finding] = []
    unchecked = Unchecked(RULE, section.path, decisive=False)
    for what, link in links:
        result = ctx.probed.get(link.url.strip())
        if result is None:
            continue
        if result.verdict == "inconclusive":
            unchecked.add(result, link.line)
            continue
        failure = describe_failure(result, f"The {what} link")
        if failure is None:
            continue
        severity, message, hint = failure.severity, failure.message, failure.hint
        if result.verdict == "not_public" and what in ("paper", "usage instructions"):
            # Publishers and many sites answer 401/403 to any program, open pages included.
            severity = "warning"
            message = f"The {what} link answers HTTP {result.status} to zoo-review."
            hint = "Check that it opens in a private browser window; link an open page if not."
        elif what == "code" and result.status == 404 and is_github(link.url):
            message = "The code link leads to no GitHub repository (HTTP 404)."
            hint = "Link your public GitHub repository; a private one answers 404 too."
        findings.append(Finding(severity, RULE, section.path, link.line, message, hint))
    return findings + unchecked.findings("link")
