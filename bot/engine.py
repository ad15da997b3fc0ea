"""Runs a review: parse the submission, choose what to review, fetch, apply the rules."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.config import Config
from bot.configs import ConfigSet, gather_configs, linked_configs
from bot.model import SEVERITIES, Finding, LinkReport, Readme, Review, ReviewedEntry, Submission
from bot.net.remap import Remap
from bot.net.types import Fetcher, FetchResult, Purpose
from bot.parse.checklist import parse_checklist
from bot.parse.sections import parse_readme
from bot.plan import PlannedLink, PlanOptions, plan_links
from bot.rules import ENTRY_RULES, checklist, removals, structure, text_files
from bot.rules.context import Context, EntryScope
from bot.scope import entries_in_scope

RULE = "scope"
NO_DESCRIPTION = "the checklist (no PR description: pass it with --body FILE)"


@dataclass(frozen=True)
class ReviewOptions:
    audit_all: bool = False
    offline: bool = False
    remaps: tuple[Remap, ...] = ()
    today: date | None = None
    # Check every linked file (pages, weights, MD5, preds, visuals), not only the scores.
    artifacts: bool = True
    verify_checksums: bool = False
    # Review only these tasks (empty: all).
    tasks: tuple[str, ...] = ()


def review(
    submission: Submission, config: Config, options: ReviewOptions, fetcher: Fetcher | None
) -> Review:
    """The review of a submission; only `fetcher` touches the network."""
    return asyncio.run(review_async(submission, config, options, fetcher))


async def review_async(
    submission: Submission, config: Config, options: ReviewOptions, fetcher: Fetcher | None
) -> Review:
    readmes = parse_readmes(submission, config)
    base_readmes = {
        path: parse_readme(text, task.name, path)
        for path, text in submission.base_texts.items()
        if (task := config.task_for_readme(path)) is not None and path not in submission.not_text
    }
    scopes, notices, not_text = _scopes(submission, config, readmes, base_readmes, options)
    results: dict[Purpose, dict[str, FetchResult]] = {
        "body": {}, "probe": {}, "archive": {}, "checksum": {}
    }  # fmt: skip
    links: list[LinkReport] = []
    offline = options.offline or fetcher is None
    # The linked configs and their `_base_` chains are read from the source (offline too),
    # in a thread while the links are fetched.
    linked = linked_configs(scopes, config)
    reading = None
    if linked and submission.files is not None:
        reading = asyncio.create_task(asyncio.to_thread(gather_configs, submission, linked))
    if scopes and not offline and fetcher is not None:
        planned = plan_links(
            scopes,
            config,
            PlanOptions(options.remaps, options.artifacts, options.verify_checksums),
        )
        fetched = await fetcher.fetch([link.request for link in planned])
        reported: set[tuple[str, int]] = set()
        for link in planned:
            result = fetched[link.request]
            results[link.request.purpose][link.url] = result
            # A weights file is probed and, with --verify-checksums, downloaded: one table row.
            if (link.url, link.line) not in reported:
                reported.add((link.url, link.line))
                links.append(_link_report(link, result))
    configs: ConfigSet | None = ConfigSet() if submission.files is not None else None
    if reading is not None:
        configs = await reading
    not_checked: list[str] = []
    if linked and configs is None:
        not_checked.append("the contents of config files (this source cannot read them)")
    if scopes and offline:
        not_checked.append("linked files and pages (offline)")
    elif scopes and not options.artifacts:
        not_checked.append("weights, MD5, predictions, visuals and pages (scores only)")
    if scopes and not options.audit_all and submission.body is None:
        not_checked.append(NO_DESCRIPTION)
    ctx = Context(
        config=config,
        submission=submission,
        readmes=readmes,
        today=options.today or datetime.now(UTC).date(),
        checklist=None if submission.body is None else tuple(parse_checklist(submission.body)),
        fetched=results["body"],
        probed=results["probe"],
        archives=results["archive"],
        checksums=results["checksum"],
        offline=offline,
        configs=configs,
    )
    findings = notices + text_files.check(submission, not_text)
    for scope in scopes:
        # A table of another task is named once (structure); its rows are not reviewed again.
        blocked = structure.blocked_lines(scope, ctx)
        for rule in ENTRY_RULES:
            findings.extend(
                finding
                for finding in rule(scope, ctx)
                if scope.covers(finding.line)
                and (finding.rule == structure.RULE or finding.line not in blocked)
            )
    if scopes and not options.audit_all:
        findings += checklist.check(ctx)
    if not options.audit_all:
        findings += removals.check(ctx, base_readmes)
    return Review(
        base=submission.base,
        head=submission.head,
        entries=[
            ReviewedEntry(
                task=scope.task.name,
                path=scope.section.path,
                section=scope.section.name,
                line=scope.section.line,
                rows=len(scope.rows),
            )
            for scope in scopes
        ],
        findings=sort_findings(findings, submission.body_path),
        links=links,
        not_checked=not_checked,
    )


def parse_readmes(submission: Submission, config: Config) -> dict[str, Readme]:
    """Every task README at head, parsed."""
    readmes: dict[str, Readme] = {}
    for task in config.tasks:
        text = submission.head_texts.get(task.readme)
        if text is not None:
            readmes[task.readme] = parse_readme(text, task.name, task.readme)
    return readmes


def _scopes(
    submission: Submission,
    config: Config,
    readmes: dict[str, Readme],
    base_readmes: dict[str, Readme],
    options: ReviewOptions,
) -> tuple[list[EntryScope], list[Finding], list[str]]:
    """The sections to review, notices about what there is not to review, and the task
    READMEs under review that are not text."""
    scopes: list[EntryScope] = []
    notices: list[Finding] = []
    without_entries: list[str] = []
    not_text: list[str] = []
    touched_readmes = 0
    audit_all = options.audit_all
    for task in config.tasks:
        if options.tasks and task.name not in options.tasks:
            continue
        readme = readmes.get(task.readme)
        changed = submission.changed_file(task.readme)
        if changed is None and not audit_all:
            continue
        if task.readme in submission.not_text:
            touched_readmes += 1
            not_text.append(task.readme)
            continue
        if readme is None:
            continue
        touched_readmes += 1
        found = entries_in_scope(
            readme,
            task,
            changed,
            audit_all,
            base=base_readmes.get(task.readme),
            head_text=submission.head_texts.get(task.readme),
            base_text=submission.base_texts.get(task.readme),
        )
        scopes.extend(found)
        if not found and not audit_all:
            without_entries.append(task.readme)
    if not scopes:
        # Said only when nothing at all is reviewed: a README whose usage notes change beside
        # another README's new entry is not news.
        notices += [
            Finding(
                "notice",
                RULE,
                path,
                None,
                f"{path} changes, but no method section or result row: there is no model entry "
                "to review.",
                None,
            )
            for path in without_entries
        ]
    if touched_readmes == 0:
        listed = ", ".join(task.readme for task in config.tasks[:3])
        notices.append(
            Finding(
                "notice",
                RULE,
                submission.body_path,
                None,
                f"This PR changes no task README ({listed}, …): there is no model entry to review.",
                None,
            )
        )
    return scopes, notices, not_text


def _link_report(link: PlannedLink, result: FetchResult) -> LinkReport:
    archive = result.archive
    return LinkReport(
        url=link.url,
        column=link.column,
        verdict=result.verdict,
        status=result.status,
        seconds=result.seconds,
        path=link.path,
        line=link.line,
        size=result.size,
        entries=archive.entries if archive else None,
        unpacked=archive.uncompressed if archive else None,
        reason=result.reason,
        cached_hours=result.cached_hours,
    )


def sort_findings(findings: list[Finding], body_path: str) -> list[Finding]:
    """Files first (by path and line), the PR description last; duplicates dropped."""
    unique = list(dict.fromkeys(findings))
    return sorted(
        unique,
        key=lambda f: (
            f.path == body_path,
            f.path,
            f.line or 0,
            SEVERITIES.index(f.severity),
            f.rule,
        ),
    )
