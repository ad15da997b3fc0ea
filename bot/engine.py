"""Runs a review: parse the submission, choose what to review, fetch, apply the rules."""

from __future__ import annotations

import asyncio
import functools
import importlib
from collections.abc import Callable, Collection, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from bot.budget import CpuBudget, OutOfTime
from bot.config import Config
from bot.config_reach import ConfigChanges, config_candidates, find_config_changes
from bot.configs import ConfigSet, external_config_links, gather_configs, linked_configs
from bot.model import (
    SEVERITIES,
    ChecklistItem,
    Finding,
    LinkReport,
    Readme,
    Review,
    ReviewedEntry,
    Submission,
)
from bot.net.remap import Remap
from bot.net.types import Fetcher, FetchResult, Purpose, Request
from bot.parse.checklist import parse_checklist
from bot.parse.lazy import LazyReadmes
from bot.parse.sections import parse_readme
from bot.plan import PlannedLink, PlanOptions, plan_links
from bot.rules import limits as limits_rule
from bot.rules.context import Context, EntryScope
from bot.rules.zoo_links import MAX_NEEDLES, Place, link_index, may_link, row_names
from bot.scope import entries_in_scope
from bot.scores import validate as scores_validate
from bot.scores.arrival import ScoresKey, ScoresOnArrival
from bot.scores.validate import ScoresOutcome

if TYPE_CHECKING:
    from bot.rules.fetched import CutLink

RULE = "scope"
_T = TypeVar("_T")
NO_DESCRIPTION = "the checklist (no PR description; pass it with --body FILE)"
# The modules of the rules stage, imported in a thread while the requests are in flight
# (`_get_ready`): imported with the engine, they delayed the first request by about 40 ms.
# `_review` imports them where the rules stage starts.
RULES_STAGE = (
    "bot.ignore",
    "bot.rules.audience",
    "bot.rules.checklist",
    "bot.rules.config_changes",
    "bot.rules.entry",
    "bot.rules.fetched",
    "bot.rules.removals",
    "bot.rules.structure",
    "bot.rules.text_files",
    "bot.rules.venue",
)


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


@dataclass
class _Made:
    """What a review has made so far: what it says if it runs out of CPU time."""

    scopes: list[EntryScope] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    links: list[LinkReport] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)


async def review_async(
    submission: Submission, config: Config, options: ReviewOptions, fetcher: Fetcher | None
) -> Review:
    """The review; past `limits.cpu_seconds` of parsing and rules it stops, and what it made
    so far is the review, with a finding that makes it incomplete."""
    budget = CpuBudget(config.limits.cpu_seconds)
    made = _Made()
    try:
        with budget.charging():
            return await _review(submission, config, options, fetcher, budget=budget, made=made)
    except OutOfTime as exc:
        return _stopped(submission, options, made, exc)


def _stopped(submission: Submission, options: ReviewOptions, made: _Made, exc: OutOfTime) -> Review:
    paths = [scope.section.path for scope in made.scopes]
    paths += [
        changed.path for changed in submission.changed if changed.path in submission.head_texts
    ]
    finding = limits_rule.out_of_time(paths[0] if paths else submission.body_path, exc)
    return Review(
        base=submission.base,
        head=submission.head,
        entries=_entries(made.scopes),
        findings=sort_findings([*made.findings, finding], submission.body_path),
        links=made.links,
        not_checked=made.not_checked,
        audit=options.audit_all,
    )


def _entries(scopes: Sequence[EntryScope]) -> list[ReviewedEntry]:
    return [
        ReviewedEntry(
            task=scope.task.name,
            path=scope.section.path,
            section=scope.section.name,
            line=scope.section.line,
            rows=len(scope.rows),
        )
        for scope in scopes
    ]


async def _review(
    submission: Submission,
    config: Config,
    options: ReviewOptions,
    fetcher: Fetcher | None,
    *,
    budget: CpuBudget,
    made: _Made,
) -> Review:
    # Only the READMEs under review are parsed before the first request; the rest of the zoo
    # (for the duplicates rule) is parsed while the requests are in flight.
    limits = config.limits
    # A README over its cap is not parsed at all (nor compared with its base, which is not
    # parsed either); the PR description's checklist is not read past the cap.
    too_large = {
        path: found
        for path, text in submission.head_texts.items()
        if (found := limits_rule.measure_readme(path, text, limits)) is not None
    }
    head_texts = {p: t for p, t in submission.head_texts.items() if p not in too_large}
    readmes = LazyReadmes(head_texts, config, budget)
    unread = {**submission.not_text, **submission.links_out, **too_large}
    base_texts = {
        p: t
        for p, t in submission.base_texts.items()
        if p not in unread and limits_rule.measure_readme(p, t, limits) is None
    }
    base_readmes = LazyReadmes(base_texts, config, budget)
    long_body = limits_rule.measure_body(submission.body_path, submission.body, limits)
    body = None if long_body is not None else submission.body
    scopes, notices, not_text, no_readme = _scopes(
        submission, config, readmes, base_readmes, options, unread=unread
    )
    made.scopes = scopes
    scores_read: dict[ScoresKey, ScoresOutcome] = {}
    results: dict[Purpose, dict[str, FetchResult]] = {
        "body": {}, "probe": {}, "archive": {}, "checksum": {}
    }  # fmt: skip
    links = made.links
    cut: list[CutLink] = []
    offline = options.offline or fetcher is None
    # The linked configs and their `_base_` chains are read from the source (offline too),
    # in a thread, once the requests are out (2,000 of them took seconds before the first one).
    linked = linked_configs(scopes, config)

    def start_reading() -> asyncio.Task[ConfigSet] | None:
        if not linked or submission.files is None:
            return None
        return asyncio.create_task(asyncio.to_thread(gather_configs, submission, linked))

    # The rows whose configs the PR changes without touching them (offline too).
    candidates = {} if options.audit_all else config_candidates(submission, config)
    reaching: Callable[[ConfigSet | None], ConfigChanges | None] | None = None
    if candidates and submission.files is not None:
        reviewed = {(scope.section.path, row.line) for scope in scopes for row in scope.rows}

        def reaching(configs: ConfigSet | None) -> ConfigChanges | None:
            find = functools.partial(
                find_config_changes,
                submission,
                config,
                readmes,
                reviewed,
                tasks=options.tasks,
                known=configs,
            )
            return _charged(budget, find)

    getting_ready = functools.partial(
        _get_ready,
        functools.partial(_prepare, readmes, config, body, budget, scopes),
        start_reading,
        reaching,
        readable=submission.files is not None,
    )
    if scopes and not offline and fetcher is not None:
        planned = plan_links(
            scopes,
            config,
            PlanOptions(options.remaps, options.artifacts, options.verify_checksums),
        )
        requests = [link.request for link in planned]
        arrival = ScoresOnArrival(planned, budget, _metric_keys(config))
        try:
            with budget.paused():
                fetching = fetcher.fetch(requests, arrival.heard)
                fetched, ready = await _fetch_and_prepare(
                    fetching, functools.partial(getting_ready, arrival.wake)
                )
                scores_read = await arrival.outcomes()
                # The fetch kept no body of the scores files read on arrival; those that could
                # not be read there are the rule's to read.
                not_read = arrival.unread()
        finally:
            arrival.close()
        from bot.rules.fetched import CutLink  # noqa: PLC0415 - see RULES_STAGE

        reported: set[tuple[str, int]] = set()
        for link in planned:
            result = fetched[link.request]
            if link.request in not_read:
                result = replace(result, body=not_read[link.request])
            if result.verdict == "refused" and link.request.url != link.url.strip():
                result = replace(result, cut="remap")
            # A link not checked for a reason of the whole review is said once, not by each rule.
            if result.cut is None:
                results[link.request.purpose][link.url] = result
            # A weights file is probed and, with --verify-checksums, downloaded: one table row.
            if (link.url, link.line) not in reported:
                reported.add((link.url, link.line))
                links.append(_link_report(link, result))
                if result.cut is not None:
                    cut.append(CutLink(result.cut, link.path, link.line, result.reason))
    else:
        with budget.paused():
            ready = await getting_ready(lambda: None)
    zoo, configs, changes = ready.zoo, ready.configs, ready.changes
    not_checked = made.not_checked
    if (linked or candidates) and configs is None:
        not_checked.append("the contents of config files (this source cannot read them)")
    if scopes and offline:
        not_checked.append("linked files and pages (offline)")
    elif scopes and not options.artifacts:
        skipped = "weights, MD5, predictions, visuals and pages"
        if external_config_links(scopes, config):
            skipped = "weights, MD5, predictions, visuals, pages and configs in other repositories"
        not_checked.append(f"{skipped} (scores only)")
    if scopes and not options.audit_all and submission.body is None:
        not_checked.append(NO_DESCRIPTION)
    ctx = Context(
        config=config,
        submission=submission,
        readmes=zoo.readmes,
        today=options.today or datetime.now(UTC).date(),
        checklist=zoo.checklist,
        fetched=results["body"],
        scores=scores_read,
        probed=results["probe"],
        archives=results["archive"],
        checksums=results["checksum"],
        offline=offline,
        configs=configs,
        zoo_index=zoo.links,
    )
    # The rules stage (RULES_STAGE).
    from bot.ignore import apply_ignores, unused_notice  # noqa: PLC0415
    from bot.rules import checklist, config_changes, removals, structure, text_files  # noqa: PLC0415
    from bot.rules.audience import for_maintainers  # noqa: PLC0415
    from bot.rules.entry import ENTRY_RULES  # noqa: PLC0415
    from bot.rules.fetched import cut_findings  # noqa: PLC0415
    from bot.rules.venue import config_file  # noqa: PLC0415

    summary = config_changes.summary(changes, no_readme, submission.body_path)
    if no_readme and not summary:
        summary = [_no_readme(submission, config)]
    findings = notices + summary + text_files.check(submission, not_text)
    findings += [
        limits_rule.too_large_readme(too_large[path]) for path in not_text if path in too_large
    ]
    if long_body is not None:
        findings.append(limits_rule.too_long_body(long_body))
    findings += cut_findings(cut, len(links) - len(cut), config.network.budget_seconds)
    made.findings = findings
    for scope in scopes:
        doing = f"checking the section {scope.section.name!r} of {scope.section.path}"
        # A table of another task is named once (structure); its rows are not reviewed again.
        blocked = structure.blocked_lines(scope, ctx)
        for rule in ENTRY_RULES:
            budget.check(doing)
            findings.extend(
                replace(finding, section=scope.section.name)
                for finding in rule(scope, ctx)
                if scope.covers(finding.line)
                and (finding.rule == structure.RULE or finding.line not in blocked)
            )
    if changes is not None:
        budget.check("checking the rows whose configs the PR changes")
        findings += config_changes.check(changes, ctx)
    if scopes and not options.audit_all and long_body is None:
        budget.check("checking the checklist")
        findings += checklist.check(ctx)
    if not options.audit_all:
        budget.check("comparing the READMEs with their base")
        findings += removals.check(ctx, base_readmes.parsed())
    # Other findings on a line cut at a cap are consequences of the cut: only the cap is said.
    capped = {
        path: limits_rule.capped_lines(readme)
        for path in {finding.path for finding in findings}
        if (readme := zoo.readmes.get(path)) is not None
    }
    findings = [
        finding
        for finding in findings
        if finding.rule == limits_rule.RULE or finding.line not in capped.get(finding.path, ())
    ]
    if options.audit_all:
        findings = [for_maintainers(finding) for finding in findings]
    ignored = apply_ignores(findings, config, ctx.readmes)
    findings = ignored.kept
    if options.audit_all and not options.tasks:
        # Only a review of the whole zoo can tell that an exception excuses nothing any more.
        findings += [unused_notice(spec, config_file(config.source)) for spec in ignored.unused]
    return Review(
        base=submission.base,
        head=submission.head,
        entries=_entries(scopes),
        findings=sort_findings(findings, submission.body_path),
        links=links,
        not_checked=not_checked,
        ignored=ignored.hidden,
        audit=options.audit_all,
    )


@dataclass(frozen=True)
class _Zoo:
    """Every task README at head (parsed when read), the index of the links of those that may
    share a file with a reviewed row (duplicates rule) and the PR description's checklist."""

    readmes: Mapping[str, Readme]
    links: Mapping[str, list[Place]]
    checklist: tuple[ChecklistItem, ...] | None


def _prepare(
    readmes: LazyReadmes,
    config: Config,
    body: str | None,
    budget: CpuBudget,
    scopes: Sequence[EntryScope],
) -> _Zoo:
    """What the rules need besides the fetched files: the READMEs, the links of those that may
    share a file with a reviewed row, the checklist, and the quick checks of the scores files
    under review (charged to `budget`, in whichever thread it runs)."""
    with budget.charging():
        return _prepare_zoo(readmes, config, body, budget, scopes)


def _prepare_zoo(
    readmes: LazyReadmes,
    config: Config,
    body: str | None,
    budget: CpuBudget,
    scopes: Sequence[EntryScope],
) -> _Zoo:
    # The scores' quick checks first: the files that arrive meanwhile wait for them.
    scores_validate.prepare(
        {
            name
            for scope in scopes
            for column in scope.task.columns
            for spec in column.links
            if spec.kind == "scores" and (name := spec.schema or scope.task.scores_schema)
        }
    )
    # Only the READMEs that may link a file a reviewed row links are parsed for the index:
    # parsing a whole zoo took about 0.3 s of a 3-row review.
    names: set[str | None] = set()
    for scope in scopes:
        for layout, row in scope.reviewed_rows():
            names.update(row_names(layout, row, scope.section.path, config))
    reviewed = {scope.section.path for scope in scopes}
    every = None in names or len(names) > MAX_NEEDLES
    known = {name for name in names if name is not None}
    indexed = {
        task.readme: readmes[task.readme]
        for task in config.tasks
        if task.readme in readmes
        and (
            every
            or task.readme in reviewed
            or may_link(readmes.text(task.readme) or "", task.readme, known)
        )
    }
    checklist = None if body is None else tuple(parse_checklist(body, budget))
    return _Zoo(readmes, link_index(indexed, config), checklist)


@dataclass(frozen=True)
class _Ready:
    """What the rules read besides the fetched files."""

    zoo: _Zoo
    # The linked configs and their chains as read at head; None when the source cannot read
    # files.
    configs: ConfigSet | None
    # The rows the PR's changes to config files reach; None when it changes none.
    changes: ConfigChanges | None


def _import_rules_stage() -> None:
    for name in RULES_STAGE:
        importlib.import_module(name)


async def _get_ready(
    preparing: Callable[[], _Zoo],
    start_reading: Callable[[], asyncio.Task[ConfigSet] | None],
    reaching: Callable[[ConfigSet | None], ConfigChanges | None] | None,
    prepared: Callable[[], None],
    *,
    readable: bool,
) -> _Ready:
    """The zoo prepared in a thread, then `prepared()`; the configs read meanwhile; then, in
    threads, the rules stage imported and the rows the PR's config changes reach (which may
    parse every README)."""
    reading = start_reading()
    zoo = await asyncio.to_thread(preparing)
    prepared()
    await asyncio.to_thread(_import_rules_stage)
    configs = ConfigSet() if readable else None
    if reading is not None:
        configs = await reading
    changes = None if reaching is None else await asyncio.to_thread(reaching, configs)
    return _Ready(zoo, configs, changes)


async def _fetch_and_prepare(
    fetching: Coroutine[Any, Any, dict[Request, FetchResult]],
    getting_ready: Callable[[], Coroutine[Any, Any, _Ready]],
) -> tuple[dict[Request, FetchResult], _Ready]:
    """Fetch, and get the rules' inputs ready while the answers are awaited: in threads,
    started once the requests are out (the loop has nothing left to run), so that it does not
    slow them down."""
    fetch = asyncio.ensure_future(fetching)
    try:
        await _until_idle()
        ready = await getting_ready()
        return await fetch, ready
    finally:
        fetch.cancel()  # a finished fetch ignores it; one left behind by an error stops


async def _until_idle(tick: float = 0.001, limit: float = 0.5) -> None:
    """Wait until the event loop is idle: a short sleep ends on time only when no other task
    kept the loop busy (building the client, connecting, sending). At most `limit` seconds."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + limit
    while loop.time() < give_up:
        due = loop.time() + tick
        await asyncio.sleep(tick)
        if loop.time() - due < tick:
            return


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
    readmes: LazyReadmes,
    base_readmes: LazyReadmes,
    options: ReviewOptions,
    *,
    unread: Collection[str] = (),
) -> tuple[list[EntryScope], list[Finding], list[str], bool]:
    """The sections to review, notices about what there is not to review (and errors where
    the READMEs under review are over a cap), the task READMEs under review that are not read
    (`unread`: not text, a link out of the repository, over the cap), and whether the PR
    changes no task README."""
    scopes: list[EntryScope] = []
    notices: list[Finding] = []
    without_entries: list[str] = []
    not_text: list[str] = []
    touched_readmes = 0
    audit_all = options.audit_all
    for task in config.tasks:
        if options.tasks and task.name not in options.tasks:
            continue
        changed = submission.changed_file(task.readme)
        if changed is None and not audit_all:
            continue
        if task.readme in unread:
            touched_readmes += 1
            not_text.append(task.readme)
            continue
        readme = readmes.get(task.readme)
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
        # A section over its cap is not reviewed; the limits rule says so.
        large = limits_rule.large_sections(readme)
        found = [scope for scope in found if scope.section.line not in large]
        notices += limits_rule.check(readme, changed, audit_all)
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
    return scopes, notices, not_text, touched_readmes == 0


def _no_readme(submission: Submission, config: Config) -> Finding:
    listed = ", ".join(task.readme for task in config.tasks[:3])
    return Finding(
        "notice",
        RULE,
        submission.body_path,
        None,
        f"This PR changes no task README ({listed}, …): there is no model entry to review.",
        None,
    )


def _charged(budget: CpuBudget, work: Callable[[], _T]) -> _T:
    """`work()`, its CPU time charged to `budget` in the thread it runs in."""
    with budget.charging():
        return work()


def _metric_keys(config: Config) -> dict[str | None, set[tuple[str | int, ...]]]:
    """By scores schema: where the metrics of the tasks whose files it checks are in a file."""
    keys: dict[str | None, set[tuple[str | int, ...]]] = {}
    for task in config.tasks:
        metrics = {tuple(column.metric.key) for column in task.columns if column.metric}
        for column in task.columns:
            for spec in column.links:
                if spec.kind == "scores":
                    keys.setdefault(spec.schema or task.scores_schema, set()).update(metrics)
    return keys


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
