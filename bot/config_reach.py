"""Finds the rows of the zoo that a PR's changes to config files reach: a reverse index from every
file of each linked config's `_base_` chain (read at head) to the rows that link it, and those
rows' chains as they were before the change."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from bot.config import Config, TaskSpec
from bot.configs import ConfigSet, read_configs, zoo_config_path
from bot.model import ChangedFile, MethodSection, Readme, Submission, TableRow
from bot.rules.config_chain import Chains
from bot.rules.layout import Layout, layout_of


@dataclass(frozen=True)
class ConfigUser:
    """A row of the zoo at head that links a config of the zoo (repository path `path`)."""

    task: TaskSpec
    section: MethodSection
    layout: Layout
    row: TableRow
    url: str
    path: str


@dataclass(frozen=True)
class ConfigChanges:
    """The config files a PR changes, the rows of the zoo they reach, and what was read."""

    # Each changed file that may be a config, by its path at head and, when the PR removes or
    # renames it, by its path before.
    changed: Mapping[str, ChangedFile]
    # The changed config files: under a task's configs folder, or in a linked config's chain.
    config_files: tuple[str, ...] = ()
    # Those that no row of the zoo links, directly or through `_base_`.
    unused: tuple[str, ...] = ()
    # The rows to check: they use a changed file and are not under review otherwise.
    users: tuple[ConfigUser, ...] = ()
    # The configs that rows under review link (the `config` rule says their problems).
    reviewed: tuple[str, ...] = ()
    # For each config a row links: the changed files of its chain.
    reached: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The linked configs and their chains at head, and those of `users` before the change
    # (None: the source cannot read files before the change), with the paths there.
    head: ConfigSet = field(default_factory=ConfigSet)
    base: ConfigSet | None = None
    base_paths: frozenset[str] = frozenset()
    # Linked configs whose chain could not be read whole: whether a change reaches them is not
    # known.
    unknown: tuple[str, ...] = ()


def config_candidates(submission: Submission, config: Config) -> dict[str, ChangedFile]:
    """The files a PR changes that may be configs (under a task's configs folder, or Python),
    by path at head and by previous path."""
    folders = tuple(task.configs.rstrip("/") + "/" for task in config.tasks if task.configs)
    found: dict[str, ChangedFile] = {}
    for changed in submission.changed:
        for path in (changed.path, changed.previous_path):
            if path and (path.startswith(folders) or path.endswith(".py")):
                found[path] = changed
    return found


def zoo_config_users(
    readmes: Mapping[str, Readme], config: Config, tasks: Collection[str] = ()
) -> list[ConfigUser]:
    """Every row of the zoo that links a config of the zoo, in README order."""
    repository = (config.repository or "").casefold()
    users: list[ConfigUser] = []
    for readme in readmes.values():
        task = config.task(readme.task)
        if task is None or (tasks and task.name not in tasks):
            continue
        for section in readme.sections:
            for table in section.tables:
                layout = layout_of(task, table)
                for row in table.rows:
                    for _column, _spec, link in layout.links(row, "config"):
                        path = zoo_config_path(link.url, readme.path, repository)
                        if path is not None:
                            users.append(ConfigUser(task, section, layout, row, link.url, path))
    return users


def find_config_changes(
    submission: Submission,
    config: Config,
    readmes: Mapping[str, Readme],
    reviewed: Collection[tuple[str, int]],
    *,
    tasks: Collection[str] = (),
    known: ConfigSet | None = None,
) -> ConfigChanges | None:
    """The rows a PR's changes to config files reach; None when it changes no possible config
    or the source cannot read files. `reviewed`: (README, line) of the rows under review;
    `known`: configs read at head already (for them), not read again."""
    changed = config_candidates(submission, config)
    reader = submission.files
    if not changed or reader is None:
        return None
    users = zoo_config_users(readmes, config, tasks)
    complete = submission.head_paths_complete
    linked = [user.path for user in users]
    head = read_configs(
        reader, submission.head_paths, complete, linked, known, links_out=submission.links_out
    )
    chains = Chains(head, submission.head_paths, complete)
    reached: dict[str, tuple[str, ...]] = {}
    used: set[str] = set()
    unknown: list[str] = []
    for path in dict.fromkeys(user.path for user in users):
        files, whole = _chain_files(chains, path)
        used |= files
        reached[path] = tuple(sorted(files & changed.keys()))
        if not whole and not reached[path]:
            unknown.append(path)
    folders = tuple(task.configs.rstrip("/") + "/" for task in config.tasks if task.configs)
    config_files = tuple(path for path in changed if path.startswith(folders) or path in used)
    checked = tuple(
        user
        for user in users
        if reached[user.path] and (user.section.path, user.row.line) not in reviewed
    )
    under_review = [user.path for user in users if (user.section.path, user.row.line) in reviewed]
    base: ConfigSet | None = None
    base_paths = _base_paths(submission)
    if checked and submission.base_files is not None:
        wanted = [user.path for user in checked]
        # What the PR does not change is the same before: only its changed files are read.
        same = ConfigSet(
            {p: c for p, c in head.files.items() if p not in changed},
            {p: r for p, r in head.unread.items() if p not in changed},
        )
        base = read_configs(submission.base_files, base_paths, complete, wanted, same)
    return ConfigChanges(
        changed=changed,
        config_files=config_files,
        unused=_unused(config_files, used, readmes, config, changed),
        users=checked,
        reviewed=tuple(dict.fromkeys(under_review)),
        reached=reached,
        head=head,
        base=base,
        base_paths=base_paths,
        unknown=tuple(unknown),
    )


def _unused(
    config_files: tuple[str, ...],
    used: set[str],
    readmes: Mapping[str, Readme],
    config: Config,
    changed: Mapping[str, ChangedFile],
) -> tuple[str, ...]:
    """The changed config files that no row links, directly or through `_base_`, nor names in
    any cell: a row whose cells are misaligned (a template error of its own, said once) still
    names its config, which is then not "linked by no row"."""
    unlinked = [path for path in config_files if path not in used]
    if not unlinked:
        return ()
    repository = (config.repository or "").casefold()
    found: set[str] = set()
    for readme in readmes.values():
        for section in readme.sections:
            for table in section.tables:
                for row in table.rows:
                    for cell in row.cells:
                        for link in cell.links:
                            path = zoo_config_path(link.url, readme.path, repository)
                            if path is not None and path in changed:
                                found.add(path)
    return tuple(path for path in unlinked if path not in found)


def _chain_files(chains: Chains, path: str) -> tuple[set[str], bool]:
    """Every file the config at `path` is made of (itself, the configs it reaches through
    `_base_` and every `_base_` path they name, whether it exists or not), and whether all of
    them could be read."""
    configs = chains.configs
    if path not in configs.files:
        return {path}, path not in configs.unread
    order, _parent = chains.reach(path)
    files = set(order)
    whole = True
    for node in order:
        for base in configs.files[node].bases:
            if base.path is not None:
                files.add(base.path)
                whole = whole and base.path not in configs.unread
    return files, whole


def _base_paths(submission: Submission) -> frozenset[str]:
    """The paths before the change: those at head, without what the PR adds, with what it
    removes (the change's own file list, so no second listing is requested)."""
    added = {c.path for c in submission.changed if c.status in ("added", "renamed")}
    gone = {c.path for c in submission.changed if c.status == "removed"}
    gone |= {c.previous_path for c in submission.changed if c.previous_path}
    return (submission.head_paths - added) | gone
