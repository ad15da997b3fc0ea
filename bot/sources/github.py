"""Builds a Submission from a pull request (or a branch, for the audit) through PyGithub."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from github.ContentFile import ContentFile
from github.GithubException import GithubException, UnknownObjectException
from github.PullRequest import PullRequest
from github.Repository import Repository

from bot.config import Config
from bot.errors import ConfigError, OperationalError
from bot.model import PR_DESCRIPTION, ChangedFile, FileStatus, Finding, Submission
from bot.parse.diff import added_lines, base_text
from bot.sources.github_files import GitHubFiles, MergeBaseFiles
from bot.text import NotText, decode_text

_STATUS: dict[str, FileStatus] = {
    "added": "added",
    "copied": "added",
    "removed": "removed",
    "renamed": "renamed",
    "modified": "modified",
    "changed": "modified",
    "unchanged": "modified",
}
# GitHub lists at most this many files of a pull request.
MAX_PULL_FILES = 3000
RULE = "github"
RECHECK = "a maintainer comments `/zoo-review recheck`"


@dataclass(frozen=True)
class PullSnapshot:
    """What a pull request was when the review read it (compared again before writing)."""

    number: int
    head_sha: str
    base_sha: str
    base_ref: str
    body: str | None
    author: str
    base_repo: str
    head_repo: str | None  # None when the fork was deleted
    state: str
    changed_files: int = 0

    @property
    def from_fork(self) -> bool:
        return self.head_repo != self.base_repo


@dataclass(frozen=True)
class PullData:
    """The Submission, plus each changed file's patch (None: GitHub sent none) for inline notes,
    and findings about what GitHub did not list (they make the review incomplete)."""

    submission: Submission
    patches: Mapping[str, str | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


def snapshot(pull: PullRequest) -> PullSnapshot:
    head_repo = pull.head.repo
    return PullSnapshot(
        number=pull.number,
        head_sha=pull.head.sha,
        base_sha=pull.base.sha,
        base_ref=pull.base.ref,
        body=pull.body,
        author=pull.user.login,
        base_repo=pull.base.repo.full_name,
        head_repo=head_repo.full_name if head_repo is not None else None,
        state=pull.state,
        changed_files=pull.changed_files,
    )


def read_text(repo: Repository, path: str, ref: str) -> str | None:
    """A file's text at `ref` (a commit id), or None when there is no such file."""
    data = read_bytes(repo, path, ref)
    return None if data is None else data.decode("utf-8", "replace")


def read_bytes(repo: Repository, path: str, ref: str) -> bytes | None:
    """A file's bytes at `ref` (a commit id), or None when there is no such file."""
    try:
        content = repo.get_contents(path, ref=ref)
    except UnknownObjectException:
        return None
    if isinstance(content, list):  # a folder
        return None
    return _decode(content, path, ref)


def _decode(content: ContentFile, path: str, ref: str) -> bytes:
    if content.encoding != "base64":
        raise OperationalError(
            f"{path} at {ref[:12]} is {content.size} bytes, too large to read through GitHub's "
            "contents API (1 MB at most); zoo-review reviews READMEs below that size"
        )
    return content.decoded_content


def _text_or_none(data: bytes | None) -> str | None:
    """The text of a file, or None when it is absent or not text (bot/text.py)."""
    if data is None:
        return None
    try:
        return decode_text(data)
    except NotText:
        return None


def read_config(repo: Repository, base_sha: str, path: str, *, required: bool) -> str | None:
    """The repository's zoo-review config as it is at the BASE commit: a PR cannot weaken its
    own review. `required`: the maintainer named the file, so its absence is an error."""
    text = read_text(repo, path, base_sha)
    if text is None and required:
        raise ConfigError(
            f"the config file {path} (input `config`) does not exist on the base branch at "
            f"{base_sha[:12]}; add it there or remove the `config` input"
        )
    return text


@dataclass(frozen=True)
class Listing:
    """The file paths of a commit; `complete` is False when GitHub truncated the recursive tree
    (more than 100,000 entries or 7 MB). It is never completed folder by folder: that costs one
    request per folder, which a PR with many folders would turn into thousands."""

    paths: frozenset[str]
    complete: bool
    # Each path's blob id, to tell which files two commits differ in.
    blobs: Mapping[str, str] = field(default_factory=dict)


def tree_paths(repo: Repository, sha: str) -> Listing:
    """Every file path at commit `sha`, in one request."""
    tree = repo.get_git_tree(sha, recursive=True)
    blobs = {e.path: e.sha for e in tree.tree if e.type == "blob"}
    return Listing(frozenset(blobs), complete=not tree.truncated, blobs=blobs)


def changed_configs(base: Listing, head: Listing, config: Config) -> list[ChangedFile]:
    """The files under a task's configs folder, and the Python files, that differ between two
    listings (by blob id): what a merge queue's commit changes in the configs."""
    folders = tuple(task.configs.rstrip("/") + "/" for task in config.tasks if task.configs)
    changed: list[ChangedFile] = []
    for path in sorted(base.blobs.keys() | head.blobs.keys()):
        if not (path.startswith(folders) or path.endswith(".py")):
            continue
        old, new = base.blobs.get(path), head.blobs.get(path)
        if old != new:
            status: FileStatus = (
                "added" if old is None else "removed" if new is None else "modified"
            )
            changed.append(ChangedFile(path=path, status=status))
    return changed


def truncated_tree(sha: str) -> Finding:
    """The finding for a head commit whose file listing GitHub truncated."""
    return Finding(
        "warning",
        RULE,
        PR_DESCRIPTION,
        None,
        f"GitHub truncated the list of files at commit {sha[:7]} (more than 100,000 entries or "
        "7 MB), so zoo-review could not check that the linked config files exist.",
        "A contribution adds a README section and a few config files: remove the other files "
        f"from the PR, then {RECHECK}.",
        incomplete=True,
    )


def too_many_files(count: int) -> Finding:
    """The finding for a PR that changes more files than GitHub lists."""
    return Finding(
        "warning",
        RULE,
        PR_DESCRIPTION,
        None,
        f"The PR changes {count} files; GitHub lists only the first {MAX_PULL_FILES}, so "
        "zoo-review cannot see whether a task README is among the others.",
        "Split the PR: the contribution (README section and config files) in one PR, the other "
        f"changes in another; then {RECHECK}.",
        incomplete=True,
    )


def _merge_base_text(head: str | None, patch: str | None) -> str | None:
    """The file at the merge base, from its head text and GitHub's patch; None without them."""
    if head is None or patch is None:
        return None
    return base_text(head, patch)


def added_by_comparison(old: str | None, new: str) -> frozenset[int]:
    """1-based lines of `new` that are not in `old`: the added lines when GitHub sends no patch
    (a diff too large to show)."""
    new_lines = new.split("\n")
    if old is None:
        return frozenset(range(1, len(new_lines) + 1))
    matcher = difflib.SequenceMatcher(None, old.split("\n"), new_lines, autojunk=False)
    added: set[int] = set()
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            added.update(range(j1 + 1, j2 + 1))
    return frozenset(added)


def _readme_paths(config: Config) -> list[str]:
    return [task.readme for task in config.tasks]


def _head_texts(
    repo: Repository, sha: str, readmes: Iterable[str], listing: Listing
) -> tuple[dict[str, str], dict[str, str]]:
    """The task READMEs' texts at `sha`, and what those that are not text hold (one request
    each; a truncated listing does not prove one absent, so then each README is asked for)."""
    texts: dict[str, str] = {}
    not_text: dict[str, str] = {}
    for path in readmes:
        if path in listing.paths or not listing.complete:
            data = read_bytes(repo, path, sha)
            if data is None:
                continue
            try:
                texts[path] = decode_text(data)
            except NotText as exc:
                not_text[path] = exc.found
    return texts, not_text


def load_pull(repo: Repository, pull: PullRequest, snap: PullSnapshot, config: Config) -> PullData:
    """The pull request at `snap.head_sha` against `snap.base_sha`, read from the BASE
    repository (GitHub keeps a fork's commits there too); nothing is checked out or run."""
    readmes = _readme_paths(config)
    listing = tree_paths(repo, snap.head_sha)
    head_paths = listing.paths
    head_texts, not_text = _head_texts(repo, snap.head_sha, readmes, listing)
    changed: list[ChangedFile] = []
    patches: dict[str, str | None] = {}
    base_texts: dict[str, str] = {}
    # Each changed file and its patch by its path before the change (the merge base's files).
    before: dict[str, tuple[ChangedFile, str | None]] = {}
    count = 0
    for item in pull.get_files():
        count += 1
        status = _STATUS.get(item.status, "modified")
        previous = item.previous_filename if status == "renamed" else None
        patch: str | None = item.patch
        patches[item.filename] = patch
        lines: frozenset[int] = frozenset()
        if item.filename in readmes:
            new = head_texts.get(item.filename)
            # The patch is against the merge base: rebuilt from it, the base text leaves out
            # what the base branch gained since the PR branched off (not the PR's doing).
            old = None if status == "added" else _merge_base_text(new, patch)
            if old is None and status != "added":
                old = _text_or_none(read_bytes(repo, previous or item.filename, snap.base_sha))
            if old is not None:
                base_texts[item.filename] = old
            if status != "removed" and new is not None:
                if patch is not None:
                    lines = added_lines(patch)
                    if status == "added" and not lines:
                        lines = frozenset(range(1, new.count("\n") + 2))
                else:
                    lines = added_by_comparison(old, new)
        change = ChangedFile(
            path=item.filename, status=status, added_lines=lines, previous_path=previous
        )
        changed.append(change)
        if status != "added":
            # A rename without changes has no patch: the file before is the file at head.
            same = status == "renamed" and patch is None and item.changes == 0
            before[previous or item.filename] = (change, "" if same else patch)
    findings: list[Finding] = []
    if not listing.complete:
        findings.append(truncated_tree(snap.head_sha))
    if max(count, snap.changed_files) > MAX_PULL_FILES:
        findings.append(too_many_files(max(count, snap.changed_files)))
    head_files = GitHubFiles(repo, snap.head_sha)
    submission = Submission(
        base=snap.base_sha,
        head=snap.head_sha,
        body=snap.body or "",
        body_path=PR_DESCRIPTION,
        changed=tuple(changed),
        head_texts=head_texts,
        base_texts=base_texts,
        head_paths=head_paths,
        repository=snap.base_repo,
        not_text=not_text,
        head_paths_complete=listing.complete,
        files=head_files,
        base_files=MergeBaseFiles(
            head_files,
            GitHubFiles(repo, snap.base_sha),
            before,
            frozenset(c.path for c in changed if c.status in ("added", "renamed")),
        ),
    )
    return PullData(submission=submission, patches=patches, findings=tuple(findings))


def load_branch(repo: Repository, sha: str, config: Config) -> PullData:
    """The zoo at commit `sha` as a Submission with no changes (the audit reviews all of it)."""
    listing = tree_paths(repo, sha)
    head_texts, not_text = _head_texts(repo, sha, _readme_paths(config), listing)
    submission = Submission(
        base=sha,
        head=sha,
        body=None,
        body_path=PR_DESCRIPTION,
        changed=(),
        head_texts=head_texts,
        base_texts={},
        head_paths=listing.paths,
        repository=repo.full_name,
        not_text=not_text,
        head_paths_complete=listing.complete,
        files=GitHubFiles(repo, sha, contents_reads=0),  # every config: one tarball
    )
    findings = () if listing.complete else (truncated_tree(sha),)
    return PullData(submission=submission, findings=findings)


def load_commits(repo: Repository, base_sha: str, head_sha: str, config: Config) -> PullData:
    """What commit `head_sha` changes in the task READMEs and config files since `base_sha` (a
    merge queue's commit: no PR, no description): each README read at both commits, the added
    lines by comparison, the config files by their blob ids in both trees; bounded by the
    number of tasks and two tree requests."""
    readmes = _readme_paths(config)
    listing = tree_paths(repo, head_sha)
    base_listing = tree_paths(repo, base_sha)
    head_texts, not_text = _head_texts(repo, head_sha, readmes, listing)
    changed: list[ChangedFile] = []
    base_texts: dict[str, str] = {}
    for path in readmes:
        old, new = _text_or_none(read_bytes(repo, path, base_sha)), head_texts.get(path)
        if old == new and path not in not_text:
            continue
        gone = new is None and path not in not_text
        status: FileStatus = "added" if old is None else "removed" if gone else "modified"
        if old is not None:
            base_texts[path] = old
        lines = added_by_comparison(old, new) if new is not None else frozenset()
        changed.append(ChangedFile(path=path, status=status, added_lines=lines))
    changed += changed_configs(base_listing, listing, config)
    submission = Submission(
        base=base_sha,
        head=head_sha,
        body=None,
        body_path=PR_DESCRIPTION,
        changed=tuple(changed),
        head_texts=head_texts,
        base_texts=base_texts,
        head_paths=listing.paths,
        repository=repo.full_name,
        not_text=not_text,
        head_paths_complete=listing.complete,
        files=GitHubFiles(repo, head_sha),
        base_files=GitHubFiles(repo, base_sha),
    )
    findings = tuple(
        truncated_tree(sha)
        for sha, tree in ((head_sha, listing), (base_sha, base_listing))
        if not tree.complete
    )
    return PullData(submission=submission, findings=findings)


def describe_error(exc: GithubException) -> str:
    """GitHub's answer in one line, for messages."""
    data = exc.data
    message = data.get("message") if isinstance(data, dict) else None
    return f"HTTP {exc.status}" + (f": {message}" if isinstance(message, str) else "")
