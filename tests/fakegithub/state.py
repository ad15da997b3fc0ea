"""The fake GitHub's in-memory world: users, repositories, commits, pull requests and comments."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.fakegithub.diffs import FileChange, TreeEntry, build_tree, compare, object_sha

ACTIONS_LOGIN = "github-actions[bot]"
ACTIONS_ID = 41898282
PERMISSION_LEVELS = ("admin", "maintain", "write", "triage", "read", "none")
# The legacy `permission` field: maintain shows as write and triage as read.
LEGACY_PERMISSION = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
    "none": "none",
}
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
STATUS_STATES = ("error", "failure", "pending", "success")

FileData = Mapping[str, bytes | str | None]


def utcnow() -> datetime:
    """The current time in UTC, whole seconds (GitHub's resolution)."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class User:
    """A GitHub account: a person, a bot or an organization."""

    login: str
    id: int
    type: str = "User"  # "User", "Bot" or "Organization"
    name: str | None = None
    site_admin: bool = False
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class Repo:
    """A repository; `branches` maps branch names to commit ids."""

    owner: User
    name: str
    id: int
    default_branch: str = "main"
    private: bool = False
    parent: Repo | None = None  # set on forks
    description: str | None = None
    branches: dict[str, str] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)  # login -> level
    associations: dict[str, str] = field(default_factory=dict)  # login -> override
    created_at: datetime = field(default_factory=utcnow)

    @property
    def full_name(self) -> str:
        """owner/name."""
        return f"{self.owner.login}/{self.name}"

    @property
    def fork(self) -> bool:
        """Whether this repository is a fork."""
        return self.parent is not None


@dataclass
class Commit:
    """A commit: a full snapshot of files (path -> bytes) and its parents."""

    sha: str
    files: dict[str, bytes]
    parents: list[str]
    message: str
    author: User | None
    tree_sha: str
    tree: list[TreeEntry]
    date: datetime


@dataclass
class Pull:
    """A pull request; `head_history` lists every head commit it has had, oldest first."""

    repo: Repo
    number: int
    id: int
    title: str
    body: str | None
    user: User
    head_repo: Repo
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    state: str = "open"
    draft: bool = False
    locked: bool = False
    maintainer_can_modify: bool = False
    merge_commit_sha: str | None = None
    author_association: str | None = None  # None: computed from the repository
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    head_history: list[str] = field(default_factory=list)


@dataclass
class Issue:
    """A plain issue (pull requests are issues too, but live in `World.pulls`)."""

    repo: Repo
    number: int
    id: int
    title: str
    body: str | None
    user: User
    state: str = "open"
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    state_reason: str | None = None
    closed_at: datetime | None = None


@dataclass
class Reaction:
    """An emoji reaction on an issue comment."""

    id: int
    content: str
    user: User
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class IssueComment:
    """A comment on an issue or a pull request's conversation."""

    id: int
    repo: Repo
    issue_number: int
    user: User
    body: str
    author_association: str
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class Review:
    """A pull request review; state is COMMENTED, APPROVED, CHANGES_REQUESTED or PENDING."""

    id: int
    pull: Pull
    user: User
    body: str
    state: str
    commit_id: str
    author_association: str
    submitted_at: datetime | None = field(default_factory=utcnow)


@dataclass
class ReviewComment:
    """An inline comment of a review, anchored to a line of the diff at `commit_id`."""

    id: int
    pull: Pull
    review_id: int
    path: str
    line: int | None
    side: str
    start_line: int | None
    start_side: str | None
    position: int | None
    commit_id: str
    body: str
    user: User
    diff_hunk: str
    author_association: str
    in_reply_to_id: int | None = None
    subject_type: str = "line"
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


@dataclass
class CommitStatus:
    """A commit status (the Statuses API, not Checks)."""

    id: int
    repo: Repo
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: User
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


class World:
    """Everything the fake GitHub knows; mutate it with the helpers, under `lock` while serving."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.commits: dict[str, Commit] = {}
        self.pulls: dict[tuple[str, int], Pull] = {}
        self.issues: dict[tuple[str, int], Issue] = {}
        self.issue_comments: dict[int, IssueComment] = {}
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.statuses: list[CommitStatus] = []
        # Custom repository roles: (repo, login) -> the role's name, built on the user's level.
        self.custom_roles: dict[tuple[str, str], str] = {}
        # The repository setting "Allow GitHub Actions to create and approve pull requests".
        self.actions_can_approve = False
        # Whether a GITHUB_TOKEN may REQUEST_CHANGES (refused by default, like APPROVE).
        self.actions_can_request_changes = False
        self._ids = itertools.count(1_000_001)
        self._user_ids = itertools.count(5_000_001)
        self._numbers: dict[str, itertools.count[int]] = {}
        self._clock = datetime(2024, 1, 1, tzinfo=UTC)
        self._diff_cache: dict[tuple[str, str], list[FileChange]] = {}
        self.add_user(ACTIONS_LOGIN, type="Bot", id=ACTIONS_ID)

    # -- ids and lookups -------------------------------------------------------------------

    def next_id(self) -> int:
        """A fresh id for any object (GitHub's ids are unique per kind; these are unique)."""
        return next(self._ids)

    @property
    def actions_bot(self) -> User:
        """The github-actions[bot] account a GITHUB_TOKEN acts as."""
        return self.users[ACTIONS_LOGIN]

    def add_user(
        self, login: str, *, type: str = "User", id: int | None = None, name: str | None = None
    ) -> User:
        """Create (or return) an account."""
        if login in self.users:
            return self.users[login]
        user = User(login=login, id=id if id is not None else next(self._user_ids), type=type)
        user.name = name
        self.users[login] = user
        return user

    def user(self, login: str | User) -> User:
        """The account named `login`, created as a plain user when it does not exist yet."""
        if isinstance(login, User):
            return login
        return self.users.get(login) or self.add_user(login)

    def repo(self, full_name: str | Repo) -> Repo:
        """The repository `owner/name`; KeyError when absent."""
        return full_name if isinstance(full_name, Repo) else self.repos[full_name]

    def repo_by_id(self, repo_id: int) -> Repo | None:
        """The repository with GitHub id `repo_id`, if any."""
        return next((r for r in self.repos.values() if r.id == repo_id), None)

    # -- repositories and commits ----------------------------------------------------------

    def add_repo(
        self,
        full_name: str,
        *,
        default_branch: str = "main",
        private: bool = False,
        owner_type: str = "User",
        files: FileData | None = None,
        description: str | None = None,
    ) -> Repo:
        """Create a repository; with `files`, also a first commit on the default branch."""
        owner_login, name = full_name.split("/")
        owner = self.add_user(owner_login, type=owner_type)
        repo = Repo(
            owner=owner,
            name=name,
            id=self.next_id(),
            default_branch=default_branch,
            private=private,
            description=description,
        )
        self.repos[full_name] = repo
        self._numbers[full_name] = itertools.count(1)
        if files is not None:
            self.add_commit(repo, files, branch=default_branch)
        return repo

    def fork(self, repo: str | Repo, owner: str) -> Repo:
        """A fork of `repo` owned by `owner`, with the same branches."""
        parent = self.repo(repo)
        fork = self.add_repo(f"{owner}/{parent.name}", default_branch=parent.default_branch)
        fork.parent = parent
        fork.private = parent.private
        fork.branches = dict(parent.branches)
        return fork

    def _tick(self) -> datetime:
        self._clock += timedelta(minutes=1)
        return self._clock

    def add_commit(
        self,
        repo: str | Repo,
        files: FileData,
        parent: str | None = None,
        *,
        message: str = "Update files",
        author: str | User | None = None,
        branch: str | None = None,
        replace: bool = False,
    ) -> str:
        """Commit a snapshot and return its id.

        Without `parent`, `files` is the whole tree. With `parent`, `files` is applied on top of
        the parent's files (a None value deletes the path) unless `replace` is true. `branch`, if
        given, is moved to the new commit; a repository's first commit also becomes its default
        branch.
        """
        target = self.repo(repo)
        snapshot: dict[str, bytes] = {}
        if parent is not None and not replace:
            snapshot = dict(self.commits[parent].files)
        for path, value in files.items():
            if value is None:
                snapshot.pop(path, None)
            else:
                snapshot[path.strip("/")] = _as_bytes(value)
        tree_sha, tree = build_tree(snapshot)
        date = self._tick()
        who = self.user(author) if author is not None else target.owner
        stamp = f"{who.login} <{who.id}+{who.login}@users.noreply.github.com> {int(date.timestamp())} +0000"
        lines = [f"tree {tree_sha}"]
        lines += [f"parent {p}" for p in ([parent] if parent else [])]
        lines += [f"author {stamp}", f"committer {stamp}", "", message, ""]
        sha = object_sha("commit", "\n".join(lines).encode())
        self.commits[sha] = Commit(
            sha=sha,
            files=snapshot,
            parents=[parent] if parent else [],
            message=message,
            author=who,
            tree_sha=tree_sha,
            tree=tree,
            date=date,
        )
        if branch is not None:
            target.branches[branch] = sha
        elif not target.branches:
            target.branches[target.default_branch] = sha
        return sha

    def set_branch(self, repo: str | Repo, name: str, sha: str) -> None:
        """Point branch `name` of `repo` at commit `sha`."""
        self.repo(repo).branches[name] = sha

    def resolve_ref(self, repo: str | Repo, ref: str | None) -> str | None:
        """A commit id for a branch name, `refs/heads/…`, a full or abbreviated id, or None."""
        target = self.repo(repo)
        if ref is None or ref == "":
            return target.branches.get(target.default_branch)
        name = ref.removeprefix("refs/heads/")
        if name in target.branches:
            return target.branches[name]
        if ref in self.commits:
            return ref
        if len(ref) >= 7 and all(c in "0123456789abcdef" for c in ref):
            found = [sha for sha in self.commits if sha.startswith(ref)]
            if len(found) == 1:
                return found[0]
        for tag in ("refs/pull/",):
            if ref.startswith(tag):
                number, _, kind = ref.removeprefix(tag).partition("/")
                pull = self.pulls.get((target.full_name, int(number)))
                if pull is not None:
                    return pull.head_sha if kind == "head" else pull.merge_commit_sha
        return None

    def tree_of(self, sha: str) -> tuple[str, list[TreeEntry]] | None:
        """The root tree of a commit id or of a tree id: (tree id, recursive listing)."""
        commit = self.commits.get(sha)
        if commit is not None:
            return commit.tree_sha, commit.tree
        for candidate in self.commits.values():
            if candidate.tree_sha == sha:
                return candidate.tree_sha, candidate.tree
            for entry in candidate.tree:
                if entry.type == "tree" and entry.sha == sha:
                    prefix = entry.path + "/"
                    below = [
                        TreeEntry(e.path.removeprefix(prefix), e.mode, e.type, e.sha, e.size)
                        for e in candidate.tree
                        if e.path.startswith(prefix)
                    ]
                    return sha, below
        return None

    def diff(self, base_sha: str, head_sha: str) -> list[FileChange]:
        """The files changed between two commits, as GitHub lists them for a pull request."""
        key = (base_sha, head_sha)
        if key not in self._diff_cache:
            base = self.commits[base_sha].files
            head = self.commits[head_sha].files
            self._diff_cache[key] = compare(base, head)
        return self._diff_cache[key]

    def commits_between(self, base_sha: str, head_sha: str) -> int:
        """How many commits are on the first-parent chain from head back to base."""
        count, sha = 0, head_sha
        while sha != base_sha and sha in self.commits:
            count += 1
            parents = self.commits[sha].parents
            if not parents:
                break
            sha = parents[0]
        return max(count, 1)

    # -- permissions -----------------------------------------------------------------------

    def grant(self, repo: str | Repo, login: str | User, level: str) -> None:
        """Give `login` a role on `repo`: admin, maintain, write, triage, read or none."""
        assert level in PERMISSION_LEVELS, level
        self.repo(repo).permissions[self.user(login).login] = level

    def role(self, repo: str | Repo, login: str | User) -> str:
        """The role of `login` on `repo`, as GitHub's `role_name` shows it."""
        target, user = self.repo(repo), self.user(login)
        if user.login == target.owner.login:
            return "admin"
        level = target.permissions.get(user.login)
        if level is None or level == "none":
            # Anybody can read a public repository.
            return "none" if target.private else "read"
        return level

    def association(self, repo: str | Repo, login: str | User) -> str:
        """GitHub's author_association of `login` on `repo`."""
        target, user = self.repo(repo), self.user(login)
        if user.login in target.associations:
            return target.associations[user.login]
        if user.login == target.owner.login:
            return "OWNER"
        if target.permissions.get(user.login, "none") != "none":
            return "COLLABORATOR"
        return "NONE"

    # -- pull requests and issues ----------------------------------------------------------

    def _number(self, repo: Repo) -> int:
        return next(self._numbers[repo.full_name])

    def open_pull(
        self,
        repo: str | Repo,
        base_sha: str,
        head_sha: str,
        body: str | None,
        user: str | User,
        head_repo: str | Repo | None = None,
        *,
        title: str = "Add a model",
        head_ref: str = "add-model",
        base_ref: str | None = None,
        draft: bool = False,
        author_association: str | None = None,
    ) -> Pull:
        """Open a pull request of `head_sha` onto `base_sha`; a fork when `head_repo` is another
        repository. The head branch is created (or moved) in the head repository."""
        target = self.repo(repo)
        source = self.repo(head_repo) if head_repo is not None else target
        author = self.user(user)
        source.branches[head_ref] = head_sha
        now = self._tick()
        pull = Pull(
            repo=target,
            number=self._number(target),
            id=self.next_id(),
            title=title,
            body=body,
            user=author,
            head_repo=source,
            head_ref=head_ref,
            head_sha=head_sha,
            base_ref=base_ref or target.default_branch,
            base_sha=base_sha,
            draft=draft,
            maintainer_can_modify=source is not target,
            author_association=author_association,
            created_at=now,
            updated_at=now,
            head_history=[head_sha],
        )
        pull.merge_commit_sha = self._test_merge(pull)
        self.pulls[(target.full_name, pull.number)] = pull
        return pull

    def _test_merge(self, pull: Pull) -> str:
        """GitHub's refs/pull/N/merge: the base branch tip with the pull's changes on top."""
        tip = pull.repo.branches.get(pull.base_ref, pull.base_sha)
        changes: dict[str, bytes | str | None] = {}
        head_files = self.commits[pull.head_sha].files
        for change in self.diff(pull.base_sha, pull.head_sha):
            if change.previous_filename:
                changes[change.previous_filename] = None
            changes[change.filename] = head_files.get(change.filename)
        return self.add_commit(
            pull.repo, changes, tip, message=f"Merge {pull.head_sha} into {tip}", author="web-flow"
        )

    def pull(self, repo: str | Repo, number: int) -> Pull:
        """The pull request `number` of `repo`; KeyError when absent."""
        return self.pulls[(self.repo(repo).full_name, number)]

    def pull_files(self, pull: Pull, head_sha: str | None = None) -> list[FileChange]:
        """The pull request's files at its head (or at an earlier head `head_sha`)."""
        return self.diff(pull.base_sha, head_sha or pull.head_sha)

    def move_head(self, pull: Pull, new_sha: str) -> str:
        """A push to the head branch: the pull's head becomes `new_sha`; returns the old head."""
        before = pull.head_sha
        pull.head_sha = new_sha
        pull.head_history.append(new_sha)
        pull.head_repo.branches[pull.head_ref] = new_sha
        pull.updated_at = self._tick()
        pull.merge_commit_sha = self._test_merge(pull)
        return before

    def edit_pull(
        self, pull: Pull, *, title: str | None = None, body: str | None = None
    ) -> dict[str, dict[str, str | None]]:
        """Edit the title and/or body; returns the webhook `changes` object."""
        changes: dict[str, dict[str, str | None]] = {}
        if title is not None and title != pull.title:
            changes["title"] = {"from": pull.title}
            pull.title = title
        if body is not None and body != pull.body:
            changes["body"] = {"from": pull.body}
            pull.body = body
        pull.updated_at = self._tick()
        return changes

    def open_issue(self, repo: str | Repo, title: str, body: str | None, user: str | User) -> Issue:
        """Open a plain issue."""
        target = self.repo(repo)
        now = self._tick()
        issue = Issue(
            repo=target,
            number=self._number(target),
            id=self.next_id(),
            title=title,
            body=body,
            user=self.user(user),
            created_at=now,
            updated_at=now,
        )
        self.issues[(target.full_name, issue.number)] = issue
        return issue

    def issues_of(self, repo: str | Repo) -> list[Issue]:
        """The plain issues of `repo`, oldest first."""
        name = self.repo(repo).full_name
        return sorted((i for (r, _n), i in self.issues.items() if r == name), key=lambda i: i.id)

    def retarget(self, pull: Pull, base_ref: str) -> None:
        """The author changes the PR's base branch (its base commit becomes that branch's tip)."""
        pull.base_ref = base_ref
        pull.base_sha = pull.repo.branches[base_ref]
        pull.updated_at = self._tick()
        pull.merge_commit_sha = self._test_merge(pull)

    def issue_exists(self, repo: str | Repo, number: int) -> bool:
        """Whether `number` is an issue or a pull request of `repo`."""
        key = (self.repo(repo).full_name, number)
        return key in self.issues or key in self.pulls

    def pull_association(self, pull: Pull) -> str:
        """The pull request author's author_association."""
        return pull.author_association or self.association(pull.repo, pull.user)

    # -- comments, reviews, statuses -------------------------------------------------------

    def add_issue_comment(
        self, repo: str | Repo, number: int, user: str | User, body: str
    ) -> IssueComment:
        """A comment on issue or pull request `number`."""
        target, author = self.repo(repo), self.user(user)
        now = utcnow()
        comment = IssueComment(
            id=self.next_id(),
            repo=target,
            issue_number=number,
            user=author,
            body=body,
            author_association=self.association(target, author),
            created_at=now,
            updated_at=now,
        )
        self.issue_comments[comment.id] = comment
        return comment

    def comments_on(self, repo: str | Repo, number: int) -> list[IssueComment]:
        """The comments on issue or pull request `number`, oldest first."""
        name = self.repo(repo).full_name
        found = [
            c
            for c in self.issue_comments.values()
            if c.repo.full_name == name and c.issue_number == number
        ]
        return sorted(found, key=lambda c: c.id)

    def reviews_of(self, pull: Pull) -> list[Review]:
        """The reviews of a pull request, oldest first."""
        return sorted((r for r in self.reviews.values() if r.pull is pull), key=lambda r: r.id)

    def review_comments_of(self, pull: Pull) -> list[ReviewComment]:
        """The submitted review comments of a pull request, oldest first."""
        pending = {r.id for r in self.reviews.values() if r.state == "PENDING"}
        found = [
            c
            for c in self.review_comments.values()
            if c.pull is pull and c.review_id not in pending
        ]
        return sorted(found, key=lambda c: c.id)

    def add_status(
        self,
        repo: str | Repo,
        sha: str,
        state: str,
        context: str = "default",
        description: str | None = None,
        target_url: str | None = None,
        creator: str | User | None = None,
    ) -> CommitStatus:
        """A commit status on `sha`."""
        assert state in STATUS_STATES, state
        now = utcnow()
        status = CommitStatus(
            id=self.next_id(),
            repo=self.repo(repo),
            sha=sha,
            state=state,
            context=context,
            description=description,
            target_url=target_url,
            creator=self.user(creator) if creator is not None else self.actions_bot,
            created_at=now,
            updated_at=now,
        )
        self.statuses.append(status)
        return status

    def statuses_of(self, repo: str | Repo, sha: str) -> list[CommitStatus]:
        """Statuses of a commit, newest first (as GitHub lists them)."""
        name = self.repo(repo).full_name
        found = [s for s in self.statuses if s.repo.full_name == name and s.sha == sha]
        return sorted(found, key=lambda s: s.id, reverse=True)
