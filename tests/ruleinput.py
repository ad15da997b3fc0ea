"""Builds rule inputs for tests: task READMEs from parameters, a Submission, a Context, a scope."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from bot.config import Config, TaskSpec, load_config
from bot.configs import gather_configs, linked_configs
from bot.engine import parse_readmes
from bot.model import ChangedFile, Finding, MethodSection, Submission
from bot.net.types import FetchResult
from bot.parse.checklist import parse_checklist
from bot.quote import plain
from bot.rules.context import Context, EntryScope
from bot.urls import is_relative, repo_path

TODAY = date(2026, 11, 24)
HOST = "https://files.example.org/zoo"
BODY_PATH = "PR description"

PAPER_TITLE = "Sparse Anchors for Driving Scenes"
PAPER_URL = "https://arxiv.org/abs/2305.01234"
VENUE = "CVPR 2023"
AUTHORS = "Authors: [Ada Lovelace](https://example.org/ada), Alan Turing"
ABSTRACT = (
    "We detect road users with a small set of learned anchors. The anchors adapt to the\n"
    "scale of each scene and need no hand-tuned priors."
)
RESULTS = "#### Results"
CODE_LINKS = (
    "[[Code](https://github.com/example-lab/sparse-anchors)] "
    "[[Usage Instructions](https://github.com/example-lab/sparse-anchors#usage)]"
)

# Descriptive cells of a default row, by column name.
DESCRIPTIVE = {
    "Backbone": "R-50-FPN",
    "Lr schd": "1x",
    "MS-train": "",
    "Input": "720 \\* 1280",
    "Iters": "80K",
    "Detector": "Faster R-CNN",
    "Input Size": "256 \\* 192",
}
# Metric cells of a default row, by split and number of decimals.
METRIC = {
    "val": {2: "31.04", 1: "36.6", 0: "6193"},
    "test": {2: "29.78", 1: "35.9", 0: "5871"},
}


@cache
def config() -> Config:
    """The bundled default config, loaded once."""
    return load_config()


def task_spec(task: str, cfg: Config | None = None) -> TaskSpec:
    spec = (cfg or config()).task(task)
    assert spec is not None, task
    return spec


# --- README text ---------------------------------------------------------------------------


def link_url(task: str, slug: str, kind: str) -> str:
    """Where a default row's file of `kind` lives, e.g. kind "scores-val" or "models"."""
    ext = {"models": "pth", "md5": "md5", "visuals": "zip", "masks": "zip"}.get(kind, "json")
    folder = "models" if kind == "md5" else kind
    return f"{HOST}/{task}/{folder}/{slug}.{ext}"


def scores_url(task: str, slug: str, split: str = "val") -> str:
    return link_url(task, slug, f"scores-{split}")


def config_link(task: str, slug: str) -> str:
    """The relative config link of a default row (README-relative)."""
    return f"./configs/{task}/{slug}.py"


def config_path(task: str, slug: str) -> str:
    """The repository path a default row's config link names."""
    return f"{task_spec(task).folder}/configs/{task}/{slug}.py"


def row_cells(
    task: str = "det",
    slug: str = "sparse_r50_1x",
    overrides: Mapping[str, str] | None = None,
    header: Sequence[str] | None = None,
) -> list[str]:
    """The cells of a result row: defaults per column, `overrides` by column name."""
    spec = task_spec(task)
    overrides = dict(overrides or {})
    names = list(header) if header is not None else [column.name for column in spec.columns]
    cells: list[str] = []
    for name in names:
        if name in overrides:
            cells.append(overrides[name])
            continue
        column = spec.column(name)
        if column is None:
            cells.append("")
        elif column.metric is not None:
            cells.append(METRIC[column.metric.split][column.metric.decimals])
        elif column.links:
            cells.append(_link_cell(task, slug, name))
        else:
            cells.append(DESCRIPTIVE.get(name, ""))
    return cells


def _link_cell(task: str, slug: str, name: str) -> str:
    if name.startswith("Scores-"):
        split = name.removeprefix("Scores-")
        return f"[scores]({scores_url(task, slug, split)})"
    if name == "Config":
        return f"[config]({config_link(task, slug)})"
    if name == "Weights":
        return f"[model]({link_url(task, slug, 'models')}) \\| [MD5]({link_url(task, slug, 'md5')})"
    if name == "Preds":
        return f"[preds]({link_url(task, slug, 'preds')})"
    if name == "Visuals":
        return f"[visuals]({link_url(task, slug, 'visuals')})"
    raise ValueError(name)


def table_line(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def make_row(
    task: str = "det",
    slug: str = "sparse_r50_1x",
    overrides: Mapping[str, str] | None = None,
    header: Sequence[str] | None = None,
) -> str:
    """One table row line (see `row_cells`)."""
    return table_line(row_cells(task, slug, overrides, header))


def header_names(task: str = "det") -> list[str]:
    return [column.name for column in task_spec(task).columns]


def method_section(
    name: str = "Sparse Anchors",
    *,
    task: str = "det",
    paper: str | None = None,
    paper_title: str = PAPER_TITLE,
    paper_url: str = PAPER_URL,
    venue: str | None = VENUE,
    authors: str | None = AUTHORS,
    abstract: str | None = ABSTRACT,
    results: str | None = RESULTS,
    header: Sequence[str] | None = None,
    delimiter: str | None = None,
    rows: Sequence[str] | None = None,
    table: bool = True,
    after_table: str | None = None,
    links: str | None = CODE_LINKS,
    extra: str | None = None,
) -> str:
    """One `### Name` method section in the template's shape; None leaves a part out.

    `paper` replaces the whole paper line; otherwise it is built from title, URL and venue
    (no venue: no brackets). `after_table` is a line glued to the table without a blank line.
    """
    names = list(header) if header is not None else header_names(task)
    blocks = [f"### {name}"]
    if paper is None:
        paper = f"[{paper_title}]({paper_url})" + (f" [{venue}]" if venue is not None else "")
    if paper:
        blocks.append(paper)
    if authors is not None:
        blocks.append(authors)
    if abstract is not None:
        blocks.append(f"<details>\n<summary>Abstract</summary>\n{abstract}\n</details>")
    if results is not None:
        blocks.append(results)
    if table:
        if rows is None:
            rows = [make_row(task, header=names)]
        lines = [table_line(names), delimiter or table_line([":-:"] * len(names)), *rows]
        if after_table is not None:
            lines.append(after_table)
        blocks.append("\n".join(lines))
    if links is not None:
        blocks.append(links)
    if extra is not None:
        blocks.append(extra)
    return "\n\n".join(blocks)


TITLES = {
    "tagging": "Image Tagging Models of BDD100K",
    "det": "Detection Models of BDD100K",
    "ins_seg": "Instance Segmentation Models of BDD100K",
    "sem_seg": "Semantic Segmentation Models of BDD100K",
    "mot": "MOT Models of BDD100K",
}


def task_readme(task: str, *sections: str, zoo_heading: str | None = "Model Zoo") -> str:
    """A whole task README: title, intro, the given blocks separated by rules, Usage heading."""
    parts = [
        f"# {TITLES.get(task, task)}",
        "A short description of the task, the data and how the models below were trained.",
    ]
    if zoo_heading is not None:
        parts += [f"## {zoo_heading}", "All models use the settings of their configs."]
    for section in sections:
        parts += ["---", section]
    parts += [
        "---",
        "## Usage",
        "Run `python test.py CONFIG CHECKPOINT` to evaluate a model.",
        "## Contribution",
        "See the contribution guide.",
    ]
    return "\n\n".join(parts) + "\n"


def det_readme(name: str = "Sparse Anchors", **kwargs: object) -> str:
    """A det README with one method section (arguments as for `method_section`)."""
    return task_readme("det", method_section(name, task="det", **kwargs))  # type: ignore[arg-type]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the `nth` line of `text` containing `needle`."""
    found = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            found += 1
            if found == nth:
                return number
    raise AssertionError(f"{needle!r} not found {nth} time(s)")


def relative_configs(text: str, path: str) -> set[str]:
    """Repository paths of every relative `[config](…)` link in a README's text."""
    found: set[str] = set()
    for url in re.findall(r"\[config\]\(([^)]*)\)", text):
        if url and is_relative(url):
            target = repo_path(path, url)
            if target is not None:
                found.add(target)
    return found


# --- submission, context, scope ----------------------------------------------------------

# What a config at head holds unless a test gives its text.
DEFAULT_CONFIG = "model = dict(type='FasterRCNN')\n"


@dataclass(frozen=True)
class DictFiles:
    """A source's file reader over a dict; other `.py` paths at head hold DEFAULT_CONFIG."""

    files: Mapping[str, bytes]
    present: frozenset[str]

    def read(self, paths: Sequence[str], limit: int) -> Mapping[str, bytes]:
        found: dict[str, bytes] = {}
        for path in paths:
            if path in self.files:
                found[path] = self.files[path][: limit + 1]
            elif path in self.present and path.endswith(".py"):
                found[path] = DEFAULT_CONFIG.encode()
        return found


def make_submission(
    head_texts: Mapping[str, str],
    *,
    body: str | None = None,
    head_paths: Iterable[str] | None = None,
    base_texts: Mapping[str, str] | None = None,
    changed: Sequence[ChangedFile] | None = None,
    files: Mapping[str, str | bytes] | None = None,
) -> Submission:
    """A submission holding these READMEs; `head_paths` default: the READMEs and their configs.
    `files`: other files at head by path (configs; others hold DEFAULT_CONFIG)."""
    if head_paths is None:
        paths: set[str] = set(head_texts)
        for path, text in head_texts.items():
            paths |= relative_configs(text, path)
    else:
        paths = set(head_texts) | set(head_paths)
    data = {
        path: text.encode() if isinstance(text, str) else text
        for path, text in (files or {}).items()
    }
    paths |= set(data)
    if changed is None:
        changed = tuple(
            ChangedFile(path, "added", frozenset(range(1, text.count("\n") + 2)))
            for path, text in head_texts.items()
        )
    return Submission(
        base="base0000",
        head="head1111",
        body=body,
        body_path=BODY_PATH,
        changed=tuple(changed),
        head_texts=dict(head_texts),
        base_texts=dict(base_texts or {}),
        head_paths=frozenset(paths),
        repository=config().repository,
        files=DictFiles(data, frozenset(paths)),
    )


def make_context(
    submission: Submission,
    *,
    cfg: Config | None = None,
    fetched: Mapping[str, FetchResult] | None = None,
    offline: bool = False,
    probed: Mapping[str, FetchResult] | None = None,
    archives: Mapping[str, FetchResult] | None = None,
    checksums: Mapping[str, FetchResult] | None = None,
) -> Context:
    cfg = cfg or config()
    readmes = parse_readmes(submission, cfg)
    every_section = [
        EntryScope(
            section=section,
            task=task_spec(readme.task, cfg),
            new=True,
            changed=None,
            rows=section.rows,
        )
        for readme in readmes.values()
        for section in readme.sections
    ]
    return Context(
        config=cfg,
        submission=submission,
        readmes=readmes,
        configs=gather_configs(submission, linked_configs(every_section, cfg)),
        today=TODAY,
        checklist=None if submission.body is None else tuple(parse_checklist(submission.body)),
        fetched=dict(fetched or {}),
        probed=dict(probed or {}),
        archives=dict(archives or {}),
        checksums=dict(checksums or {}),
        offline=offline,
    )


@dataclass(frozen=True)
class RuleInput:
    """What one entry rule reads: the context and the scope of one section."""

    ctx: Context
    scope: EntryScope

    @property
    def section(self) -> MethodSection:
        return self.scope.section


def make_input(
    text: str,
    task: str = "det",
    *,
    section: int | str = 0,
    others: Mapping[str, str] | None = None,
    head_paths: Iterable[str] | None = None,
    body: str | None = None,
    fetched: Mapping[str, FetchResult] | None = None,
    cfg: Config | None = None,
    offline: bool = False,
    probed: Mapping[str, FetchResult] | None = None,
    archives: Mapping[str, FetchResult] | None = None,
    checksums: Mapping[str, FetchResult] | None = None,
    files: Mapping[str, str | bytes] | None = None,
) -> RuleInput:
    """Parse `text` as the task's README and scope the chosen section (new, all rows)."""
    cfg = cfg or config()
    spec = task_spec(task, cfg)
    head_texts = {spec.readme: text, **(others or {})}
    submission = make_submission(head_texts, body=body, head_paths=head_paths, files=files)
    ctx = make_context(
        submission,
        cfg=cfg,
        fetched=fetched,
        offline=offline,
        probed=probed,
        archives=archives,
        checksums=checksums,
    )
    readme = ctx.readmes[spec.readme]
    if isinstance(section, int):
        chosen = readme.sections[section]
    else:
        matches = [s for s in readme.sections if s.name == section]
        assert len(matches) == 1, f"{len(matches)} sections named {section!r}"
        chosen = matches[0]
    scope = EntryScope(section=chosen, task=spec, new=True, changed=None, rows=chosen.rows)
    return RuleInput(ctx=ctx, scope=scope)


Rule = Callable[[EntryScope, Context], list[Finding]]


def readable(findings: Iterable[Finding]) -> list[Finding]:
    """The findings with their messages and hints as plain text (values in backticks)."""
    return [
        replace(f, message=plain(f.message), hint=None if f.hint is None else plain(f.hint))
        for f in findings
    ]


def run(rule: Rule, inp: RuleInput) -> list[Finding]:
    """Run one entry rule on the input; messages in plain text."""
    return readable(rule(inp.scope, inp.ctx))


def check(rule: Rule, text: str, task: str = "det", **kwargs: object) -> list[Finding]:
    """`run(rule, make_input(text, task, **kwargs))`."""
    return run(rule, make_input(text, task, **kwargs))  # type: ignore[arg-type]


def summary(findings: Iterable[Finding]) -> list[tuple[str, str, int | None]]:
    """(severity, rule, line) of each finding, for compact asserts."""
    return [(f.severity, f.rule, f.line) for f in findings]


def ok_result(url: str, body: str | bytes) -> FetchResult:
    data = body.encode() if isinstance(body, str) else body
    return FetchResult(url, "ok", status=200, body=data)
