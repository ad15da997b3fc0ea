"""Checks that a method section has every part of the template: paper, authors, abstract, links."""

from __future__ import annotations

from bot.model import Finding, MethodSection, Severity
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.urls import is_github, is_relative, is_web

RULE = "skeleton"


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    section = entry.section
    findings: list[Finding] = []

    def add(severity: Severity, line: int | None, message: str, hint: str) -> None:
        findings.append(Finding(severity, RULE, section.path, line, message, hint))

    heading = section.line
    paper = section.paper
    if paper is None:
        add(
            "error",
            heading,
            f"{q(section.name)} has no paper line.",
            "Under the heading, add `[Paper title](https://arxiv.org/abs/…) [Venue Year]`.",
        )
    else:
        if paper.url.strip() and not is_web(paper.url):
            add(
                "error",
                paper.line,
                f"The paper link {q(paper.url)} is not a web address.",
                "Link the paper with an https:// URL, preferably its arXiv page.",
            )
        if paper.venue is None:
            add(
                "error",
                paper.line,
                "The paper line has no venue and year.",
                "Follow the paper link with the venue in brackets, e.g. `[CVPR 2023]`.",
            )
    if section.authors is None:
        add(
            "error",
            heading,
            f"{q(section.name)} has no `Authors:` line.",
            "Add `Authors: ` followed by the paper's authors, below the paper line.",
        )
    elif not section.authors.text.partition(":")[2].strip():
        add("error", section.authors.line, "The `Authors:` line is empty.", "List the authors.")
    if section.abstract is None:
        add(
            "error",
            heading,
            f"{q(section.name)} has no abstract.",
            "Add `<details>`, `<summary>Abstract</summary>`, the abstract, then `</details>`.",
        )
    elif not section.abstract.closed:
        # The structure rule names the missing `</details>`; what GitHub folds into the
        # abstract (links, the results heading) is not reported again.
        return findings + _group(entry)
    elif not section.abstract.text:
        add("error", section.abstract.line, "The abstract is empty.", "Paste the abstract.")
    if not section.tables:
        add(
            "error",
            heading,
            f"{q(section.name)} has no results table.",
            "Copy the task's table from the contribution guide under `#### Results`.",
        )
    elif section.results_line is None:
        add(
            "warning",
            section.tables[0].line,
            "The results table has no `#### Results` heading above it.",
            "Put `#### Results` on its own line before the table, as in the template.",
        )
    findings += _links(section, ctx)
    findings += _group(entry)
    return findings


def _links(section: MethodSection, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    where = section.tables[-1].line if section.tables else section.line
    if not section.code:
        findings.append(
            Finding(
                "error",
                RULE,
                section.path,
                where,
                f"{q(section.name)} has no `[[Code](…)]` link.",
                "After the table add `[[Code](https://github.com/…)] [[Usage Instructions](…)]`.",
            )
        )
    for link in section.code:
        if link.url.strip() and not is_github(link.url):
            findings.append(
                Finding(
                    "warning",
                    RULE,
                    section.path,
                    link.line,
                    f"The code link {q(link.url)} does not point to GitHub.",
                    "The guide asks for a link to your codebase on GitHub.",
                )
            )
    if not section.usage:
        findings.append(
            Finding(
                "error",
                RULE,
                section.path,
                section.code[0].line if section.code else where,
                f"{q(section.name)} has no `[[Usage Instructions](…)]` link.",
                "Link instructions that let others reproduce your results, e.g. your "
                "repository's GETTING_STARTED document.",
            )
        )
    readme = ctx.readmes.get(section.path)
    for link in section.usage:
        url = link.url.strip()
        if url.startswith("#") and readme is not None and url[1:] not in readme.anchors:
            findings.append(
                Finding(
                    "warning",
                    RULE,
                    section.path,
                    link.line,
                    f"The usage link {q(url)} points to no heading of {section.path}.",
                    "Link a heading that exists (e.g. `#usage`) or a web page.",
                )
            )
        elif url and not url.startswith("#") and not is_web(url) and not is_relative(url):
            findings.append(
                Finding(
                    "error",
                    RULE,
                    section.path,
                    link.line,
                    f"The usage link {q(url)} is not a web address.",
                    "Link the instructions with an https:// URL.",
                )
            )
    return findings


def _group(entry: EntryScope) -> list[Finding]:
    groups = entry.task.groups
    if entry.section.level != 3:
        return []  # the structure rule names the heading level
    if not groups or any(group.heading == entry.section.group for group in groups):
        return []
    headings = " or ".join(f"'## {group.heading}'" for group in groups)
    return [
        Finding(
            "error",
            RULE,
            entry.section.path,
            entry.section.line,
            f"{q(entry.section.name)} is not under {headings}.",
            "Move the section under the heading of the group its model belongs to.",
        )
    ]
