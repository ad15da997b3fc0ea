"""JSON shapes of GitHub's REST API and webhooks, rendered from the fake's world."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tests.fakegithub.diffs import FileChange, TreeEntry, blob_sha, compare
from tests.fakegithub.state import (
    LEGACY_PERMISSION,
    REACTIONS,
    Commit,
    CommitStatus,
    IssueComment,
    Pull,
    Reaction,
    Repo,
    Review,
    ReviewComment,
    User,
    World,
)

Json = dict[str, Any]
LARGE_CONTENT = 1024 * 1024  # the contents API leaves out files above 1 MB


def iso(moment: datetime | None) -> str | None:
    """GitHub's timestamp format."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def _node(prefix: str, number: int) -> str:
    raw = base64.b64encode(f"0:{number}".encode()).decode().rstrip("=")
    return f"{prefix}_kw{raw}"


@dataclass(frozen=True)
class Urls:
    """Where the API and the web pages live: `api` has no trailing slash."""

    api: str
    html: str

    def repo(self, repo: Repo) -> str:
        """The API URL of a repository."""
        return f"{self.api}/repos/{repo.full_name}"

    def web(self, repo: Repo) -> str:
        """The web URL of a repository."""
        return f"{self.html}/{repo.full_name}"


class Renderer:
    """Turns world objects into the JSON GitHub sends for them."""

    def __init__(self, world: World, urls: Urls) -> None:
        self.world = world
        self.urls = urls

    # -- users -----------------------------------------------------------------------------

    def simple_user(self, user: User) -> Json:
        """SimpleUser."""
        api = f"{self.urls.api}/users/{quote(user.login)}"
        return {
            "login": user.login,
            "id": user.id,
            "node_id": _node("U" if user.type != "Bot" else "BOT", user.id),
            "avatar_url": f"{self.urls.html}/avatars/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": self._user_html(user),
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": user.type,
            "user_view_type": "public",
            "site_admin": user.site_admin,
        }

    def _user_html(self, user: User) -> str:
        if user.type == "Bot":
            return f"{self.urls.html}/apps/{quote(user.login.removesuffix('[bot]'))}"
        return f"{self.urls.html}/{quote(user.login)}"

    def public_user(self, user: User) -> Json:
        """PublicUser, as GET /users/{login} answers."""
        return {
            **self.simple_user(user),
            "name": user.name,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": sum(1 for r in self.world.repos.values() if r.owner is user),
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": iso(user.created_at),
            "updated_at": iso(user.created_at),
        }

    def private_user(self, user: User) -> Json:
        """PrivateUser, as GET /user answers for a personal token."""
        return {
            **self.public_user(user),
            "private_gists": 0,
            "total_private_repos": 0,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": True,
            "plan": {
                "name": "free",
                "space": 976562499,
                "collaborators": 0,
                "private_repos": 10000,
            },
        }

    # -- repositories ----------------------------------------------------------------------

    def repository(self, repo: Repo, *, full: bool = False, viewer: User | None = None) -> Json:
        """Repository (in pulls and payloads) or FullRepository (GET /repos/{o}/{r})."""
        api, web = self.urls.repo(repo), self.urls.web(repo)
        host = self.urls.html.split("://", 1)[-1]
        pushed = (
            self.world.commits[repo.branches[repo.default_branch]].date if repo.branches else None
        )
        data: Json = {
            "id": repo.id,
            "node_id": _node("R", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": repo.private,
            "owner": self.simple_user(repo.owner),
            "html_url": web,
            "description": repo.description,
            "fork": repo.fork,
            "url": api,
            "forks_url": f"{api}/forks",
            "keys_url": f"{api}/keys{{/key_id}}",
            "collaborators_url": f"{api}/collaborators{{/collaborator}}",
            "teams_url": f"{api}/teams",
            "hooks_url": f"{api}/hooks",
            "issue_events_url": f"{api}/issues/events{{/number}}",
            "events_url": f"{api}/events",
            "assignees_url": f"{api}/assignees{{/user}}",
            "branches_url": f"{api}/branches{{/branch}}",
            "tags_url": f"{api}/tags",
            "blobs_url": f"{api}/git/blobs{{/sha}}",
            "git_tags_url": f"{api}/git/tags{{/sha}}",
            "git_refs_url": f"{api}/git/refs{{/sha}}",
            "trees_url": f"{api}/git/trees{{/sha}}",
            "statuses_url": f"{api}/statuses/{{sha}}",
            "languages_url": f"{api}/languages",
            "stargazers_url": f"{api}/stargazers",
            "contributors_url": f"{api}/contributors",
            "subscribers_url": f"{api}/subscribers",
            "subscription_url": f"{api}/subscription",
            "commits_url": f"{api}/commits{{/sha}}",
            "git_commits_url": f"{api}/git/commits{{/sha}}",
            "comments_url": f"{api}/comments{{/number}}",
            "issue_comment_url": f"{api}/issues/comments{{/number}}",
            "contents_url": f"{api}/contents/{{+path}}",
            "compare_url": f"{api}/compare/{{base}}...{{head}}",
            "merges_url": f"{api}/merges",
            "archive_url": f"{api}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{api}/downloads",
            "issues_url": f"{api}/issues{{/number}}",
            "pulls_url": f"{api}/pulls{{/number}}",
            "milestones_url": f"{api}/milestones{{/number}}",
            "notifications_url": f"{api}/notifications{{?since,all,participating}}",
            "labels_url": f"{api}/labels{{/name}}",
            "releases_url": f"{api}/releases{{/id}}",
            "deployments_url": f"{api}/deployments",
            "created_at": iso(repo.created_at),
            "updated_at": iso(pushed or repo.created_at),
            "pushed_at": iso(pushed or repo.created_at),
            "git_url": f"git://{host}/{repo.full_name}.git",
            "ssh_url": f"git@{host}:{repo.full_name}.git",
            "clone_url": f"{web}.git",
            "svn_url": web,
            "homepage": None,
            "size": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": "Python",
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": 0,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": self._open_issues(repo),
            "license": None,
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": [],
            "visibility": "private" if repo.private else "public",
            "forks": 0,
            "open_issues": self._open_issues(repo),
            "watchers": 0,
            "default_branch": repo.default_branch,
        }
        if full:
            role = self.world.role(repo, viewer) if viewer is not None else "read"
            rank = ["none", "read", "triage", "write", "maintain", "admin"].index(role)
            data["permissions"] = {
                "admin": rank >= 5,
                "maintain": rank >= 4,
                "push": rank >= 3,
                "triage": rank >= 2,
                "pull": rank >= 1,
            }
            data["temp_clone_token"] = ""
            data["network_count"] = 0
            data["subscribers_count"] = 0
            if repo.parent is not None:
                data["parent"] = self.repository(repo.parent)
                root = repo.parent
                while root.parent is not None:
                    root = root.parent
                data["source"] = self.repository(root)
        return data

    def _open_issues(self, repo: Repo) -> int:
        pulls = sum(1 for p in self.world.pulls.values() if p.repo is repo and p.state == "open")
        issues = sum(1 for i in self.world.issues.values() if i.repo is repo and i.state == "open")
        return pulls + issues

    def minimal_repository(self, repo: Repo) -> Json:
        """MinimalRepository (inside a combined status)."""
        return self.repository(repo)

    # -- pull requests ---------------------------------------------------------------------

    def pull(self, pull: Pull) -> Json:
        """PullRequest, as GET /repos/{o}/{r}/pulls/{n} answers (also the webhook's shape)."""
        api, web = self.urls.repo(pull.repo), self.urls.web(pull.repo)
        url = f"{api}/pulls/{pull.number}"
        files = self.world.pull_files(pull)
        statuses = f"{api}/statuses/{pull.head_sha}"
        links = {
            "self": {"href": url},
            "html": {"href": f"{web}/pull/{pull.number}"},
            "issue": {"href": f"{api}/issues/{pull.number}"},
            "comments": {"href": f"{api}/issues/{pull.number}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": statuses},
        }
        return {
            "url": url,
            "id": pull.id,
            "node_id": _node("PR", pull.id),
            "html_url": f"{web}/pull/{pull.number}",
            "diff_url": f"{web}/pull/{pull.number}.diff",
            "patch_url": f"{web}/pull/{pull.number}.patch",
            "issue_url": f"{api}/issues/{pull.number}",
            "number": pull.number,
            "state": pull.state,
            "locked": pull.locked,
            "title": pull.title,
            "user": self.simple_user(pull.user),
            "body": pull.body,
            "created_at": iso(pull.created_at),
            "updated_at": iso(pull.updated_at),
            "closed_at": None,
            "merged_at": None,
            "merge_commit_sha": pull.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "labels": [],
            "milestone": None,
            "draft": pull.draft,
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{api}/pulls/comments{{/number}}",
            "comments_url": f"{api}/issues/{pull.number}/comments",
            "statuses_url": statuses,
            "head": self._branch(pull.head_repo, pull.head_ref, pull.head_sha),
            "base": self._branch(pull.repo, pull.base_ref, pull.base_sha),
            "_links": links,
            "author_association": self.world.pull_association(pull),
            "auto_merge": None,
            "active_lock_reason": None,
            "merged": False,
            "mergeable": True,
            "rebaseable": True,
            "mergeable_state": "clean" if not pull.draft else "draft",
            "merged_by": None,
            "comments": len(self.world.comments_on(pull.repo, pull.number)),
            "review_comments": len(self.world.review_comments_of(pull)),
            "maintainer_can_modify": pull.maintainer_can_modify,
            "commits": self.world.commits_between(pull.base_sha, pull.head_sha),
            "additions": sum(f.additions for f in files),
            "deletions": sum(f.deletions for f in files),
            "changed_files": len(files),
        }

    def _branch(self, repo: Repo, ref: str, sha: str) -> Json:
        return {
            "label": f"{repo.owner.login}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": self.simple_user(repo.owner),
            "repo": self.repository(repo),
        }

    def diff_entry(self, pull: Pull, change: FileChange) -> Json:
        """DiffEntry, one element of GET /repos/{o}/{r}/pulls/{n}/files."""
        api, web = self.urls.repo(pull.repo), self.urls.web(pull.head_repo)
        sha = pull.head_sha if change.status != "removed" else pull.base_sha
        return file_entry(change, api, web, sha)

    # -- contents, trees, commits ----------------------------------------------------------

    def content_file(self, repo: Repo, path: str, data: bytes, ref: str) -> Json:
        """ContentFile, as GET /repos/{o}/{r}/contents/{path} answers for a file."""
        api, web = self.urls.repo(repo), self.urls.web(repo)
        sha = blob_sha(data)
        url = f"{api}/contents/{quote(path)}?ref={quote(ref, safe='')}"
        git = f"{api}/git/blobs/{sha}"
        html = f"{web}/blob/{ref}/{quote(path)}"
        large = len(data) > LARGE_CONTENT
        encoded = base64.b64encode(data).decode()
        # GitHub wraps the base64 text at 60 characters.
        wrapped = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
        return {
            "type": "file",
            "encoding": "none" if large else "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": "" if large else wrapped,
            "sha": sha,
            "url": url,
            "git_url": git,
            "html_url": html,
            "download_url": f"{web}/raw/{ref}/{quote(path)}",
            "_links": {"self": url, "git": git, "html": html},
        }

    def directory(self, repo: Repo, path: str, entries: list[TreeEntry], ref: str) -> list[Json]:
        """A directory listing, as GET /repos/{o}/{r}/contents/{dir} answers."""
        api, web = self.urls.repo(repo), self.urls.web(repo)
        listing: list[Json] = []
        for entry in entries:
            is_dir = entry.type == "tree"
            url = f"{api}/contents/{quote(entry.path)}?ref={quote(ref, safe='')}"
            git = f"{api}/git/{'trees' if is_dir else 'blobs'}/{entry.sha}"
            html = f"{web}/{'tree' if is_dir else 'blob'}/{ref}/{quote(entry.path)}"
            listing.append(
                {
                    "type": "dir" if is_dir else "file",
                    "size": entry.size or 0,
                    "name": entry.path.rsplit("/", 1)[-1],
                    "path": entry.path,
                    "sha": entry.sha,
                    "url": url,
                    "git_url": git,
                    "html_url": html,
                    "download_url": None if is_dir else f"{web}/raw/{ref}/{quote(entry.path)}",
                    "_links": {"self": url, "git": git, "html": html},
                }
            )
        return listing

    def tree(self, repo: Repo, sha: str, entries: list[TreeEntry], truncated: bool) -> Json:
        """GitTree, as GET /repos/{o}/{r}/git/trees/{sha} answers."""
        api = self.urls.repo(repo)
        items: list[Json] = []
        for entry in entries:
            kind = "trees" if entry.type == "tree" else "blobs"
            item: Json = {
                "path": entry.path,
                "mode": entry.mode,
                "type": entry.type,
                "sha": entry.sha,
            }
            if entry.size is not None:
                item["size"] = entry.size
            item["url"] = f"{api}/git/{kind}/{entry.sha}"
            items.append(item)
        return {"sha": sha, "url": f"{api}/git/trees/{sha}", "tree": items, "truncated": truncated}

    def commit(self, repo: Repo, commit: Commit) -> Json:
        """Commit, as GET /repos/{o}/{r}/commits/{ref} answers (files against the first parent)."""
        api, web = self.urls.repo(repo), self.urls.web(repo)
        who = commit.author
        person = {
            "name": who.login if who else "unknown",
            "email": f"{who.id}+{who.login}@users.noreply.github.com" if who else "",
            "date": iso(commit.date),
        }
        base = commit.parents[0] if commit.parents else None
        changes = self.world.diff(base, commit.sha) if base else compare({}, commit.files)
        files: list[Json] = []
        for change in changes:
            files.append(file_entry(change, api, web, commit.sha))
        user = self.simple_user(who) if who else None
        return {
            "sha": commit.sha,
            "node_id": _node("C", int(commit.sha[:8], 16)),
            "commit": {
                "author": person,
                "committer": person,
                "message": commit.message,
                "tree": {"sha": commit.tree_sha, "url": f"{api}/git/trees/{commit.tree_sha}"},
                "url": f"{api}/git/commits/{commit.sha}",
                "comment_count": 0,
                "verification": {
                    "verified": False,
                    "reason": "unsigned",
                    "signature": None,
                    "payload": None,
                    "verified_at": None,
                },
            },
            "url": f"{api}/commits/{commit.sha}",
            "html_url": f"{web}/commit/{commit.sha}",
            "comments_url": f"{api}/commits/{commit.sha}/comments",
            "author": user,
            "committer": user,
            "parents": [
                {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{web}/commit/{p}"}
                for p in commit.parents
            ],
            "stats": {
                "total": sum(c.changes for c in changes),
                "additions": sum(c.additions for c in changes),
                "deletions": sum(c.deletions for c in changes),
            },
            "files": files,
        }

    def collaborator_permission(self, repo: Repo, user: User) -> Json:
        """RepositoryCollaboratorPermission."""
        role = self.world.role(repo, user)
        rank = ["none", "read", "triage", "write", "maintain", "admin"].index(role)
        # A custom repository role shows its own name; `permission` stays the base role's.
        shown = self.world.custom_roles.get((repo.full_name, user.login), role)
        return {
            "permission": LEGACY_PERMISSION[role],
            "role_name": shown,
            "user": {
                **self.simple_user(user),
                "permissions": {
                    "admin": rank >= 5,
                    "maintain": rank >= 4,
                    "push": rank >= 3,
                    "triage": rank >= 2,
                    "pull": rank >= 1,
                },
                "role_name": shown,
            },
        }

    # -- issues and comments ---------------------------------------------------------------

    def reactions_summary(self, url: str, reactions: list[Reaction]) -> Json:
        """The `reactions` rollup on comments and issues."""
        summary: Json = {"url": url, "total_count": len(reactions)}
        for content in REACTIONS:
            summary[content] = sum(1 for r in reactions if r.content == content)
        return summary

    def issue(self, repo: Repo, number: int) -> Json:
        """Issue, for a plain issue or a pull request seen as an issue."""
        api, web = self.urls.repo(repo), self.urls.web(repo)
        pull = self.world.pulls.get((repo.full_name, number))
        plain = self.world.issues.get((repo.full_name, number))
        url = f"{api}/issues/{number}"
        data: Json = {
            "url": url,
            "repository_url": api,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{web}/{'pull' if pull else 'issues'}/{number}",
            "number": number,
            "labels": [],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "active_lock_reason": None,
            "comments": len(self.world.comments_on(repo, number)),
            "closed_at": None,
            "reactions": self.reactions_summary(f"{url}/reactions", []),
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "state_reason": None,
        }
        if pull is not None:
            data.update(
                {
                    "id": pull.id + 1,
                    "node_id": _node("PR", pull.id),
                    "title": pull.title,
                    "user": self.simple_user(pull.user),
                    "state": pull.state,
                    "created_at": iso(pull.created_at),
                    "updated_at": iso(pull.updated_at),
                    "author_association": self.world.pull_association(pull),
                    "body": pull.body,
                    "draft": pull.draft,
                    "pull_request": {
                        "url": f"{api}/pulls/{number}",
                        "html_url": f"{web}/pull/{number}",
                        "diff_url": f"{web}/pull/{number}.diff",
                        "patch_url": f"{web}/pull/{number}.patch",
                        "merged_at": None,
                    },
                }
            )
        else:
            assert plain is not None
            data.update(
                {
                    "id": plain.id,
                    "node_id": _node("I", plain.id),
                    "title": plain.title,
                    "user": self.simple_user(plain.user),
                    "state": plain.state,
                    "created_at": iso(plain.created_at),
                    "updated_at": iso(plain.updated_at),
                    "author_association": self.world.association(repo, plain.user),
                    "body": plain.body,
                    "state_reason": plain.state_reason,
                    "closed_at": iso(plain.closed_at) if plain.closed_at else None,
                }
            )
        return data

    def issue_comment(self, comment: IssueComment) -> Json:
        """IssueComment."""
        api, web = self.urls.repo(comment.repo), self.urls.web(comment.repo)
        url = f"{api}/issues/comments/{comment.id}"
        kind = (
            "pull"
            if (comment.repo.full_name, comment.issue_number) in self.world.pulls
            else "issues"
        )
        return {
            "url": url,
            "html_url": f"{web}/{kind}/{comment.issue_number}#issuecomment-{comment.id}",
            "issue_url": f"{api}/issues/{comment.issue_number}",
            "id": comment.id,
            "node_id": _node("IC", comment.id),
            "user": self.simple_user(comment.user),
            "created_at": iso(comment.created_at),
            "updated_at": iso(comment.updated_at),
            "author_association": comment.author_association,
            "body": comment.body,
            "reactions": self.reactions_summary(f"{url}/reactions", comment.reactions),
            "performed_via_github_app": None,
        }

    def reaction(self, reaction: Reaction) -> Json:
        """Reaction."""
        return {
            "id": reaction.id,
            "node_id": _node("REA", reaction.id),
            "user": self.simple_user(reaction.user),
            "content": reaction.content,
            "created_at": iso(reaction.created_at),
        }

    # -- reviews ---------------------------------------------------------------------------

    def review(self, review: Review) -> Json:
        """PullRequestReview."""
        pull = review.pull
        api, web = self.urls.repo(pull.repo), self.urls.web(pull.repo)
        html = f"{web}/pull/{pull.number}#pullrequestreview-{review.id}"
        pull_url = f"{api}/pulls/{pull.number}"
        data: Json = {
            "id": review.id,
            "node_id": _node("PRR", review.id),
            "user": self.simple_user(review.user),
            "body": review.body,
            "state": review.state,
            "html_url": html,
            "pull_request_url": pull_url,
            "author_association": review.author_association,
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "commit_id": review.commit_id,
        }
        if review.submitted_at is not None:
            data["submitted_at"] = iso(review.submitted_at)
        return data

    def review_comment(self, comment: ReviewComment) -> Json:
        """PullRequestReviewComment."""
        pull = comment.pull
        api, web = self.urls.repo(pull.repo), self.urls.web(pull.repo)
        url = f"{api}/pulls/comments/{comment.id}"
        html = f"{web}/pull/{pull.number}#discussion_r{comment.id}"
        pull_url = f"{api}/pulls/{pull.number}"
        data: Json = {
            "url": url,
            "pull_request_review_id": comment.review_id,
            "id": comment.id,
            "node_id": _node("PRRC", comment.id),
            "diff_hunk": comment.diff_hunk,
            "path": comment.path,
            "commit_id": comment.commit_id,
            "original_commit_id": comment.commit_id,
            "user": self.simple_user(comment.user),
            "body": comment.body,
            "created_at": iso(comment.created_at),
            "updated_at": iso(comment.updated_at),
            "html_url": html,
            "pull_request_url": pull_url,
            "author_association": comment.author_association,
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "pull_request": {"href": pull_url},
            },
            "reactions": self.reactions_summary(f"{url}/reactions", []),
            "start_line": comment.start_line,
            "original_start_line": comment.start_line,
            "start_side": comment.start_side,
            "line": comment.line,
            "original_line": comment.line,
            "side": comment.side,
            "original_position": comment.position,
            "position": comment.position,
            "subject_type": comment.subject_type,
        }
        if comment.in_reply_to_id is not None:
            data["in_reply_to_id"] = comment.in_reply_to_id
        return data

    # -- statuses --------------------------------------------------------------------------

    def status(self, status: CommitStatus) -> Json:
        """Status, as POST /repos/{o}/{r}/statuses/{sha} and the statuses list answer."""
        return {
            "url": f"{self.urls.repo(status.repo)}/statuses/{status.sha}",
            "avatar_url": f"{self.urls.html}/avatars/u/{status.creator.id}?v=4",
            "id": status.id,
            "node_id": _node("SC", status.id),
            "state": status.state,
            "description": status.description,
            "target_url": status.target_url,
            "context": status.context,
            "created_at": iso(status.created_at),
            "updated_at": iso(status.updated_at),
            "creator": self.simple_user(status.creator),
        }

    def combined_status(self, repo: Repo, sha: str, statuses: list[CommitStatus]) -> Json:
        """CombinedCommitStatus: the latest status per context, and their combined state."""
        latest: dict[str, CommitStatus] = {}
        for status in statuses:  # newest first
            latest.setdefault(status.context, status)
        states = {s.state for s in latest.values()}
        if states & {"error", "failure"}:
            state = "failure"
        elif "pending" in states or not states:
            state = "pending"
        else:
            state = "success"
        api = self.urls.repo(repo)
        simple = []
        for status in sorted(latest.values(), key=lambda s: s.id):
            rendered = self.status(status)
            rendered.pop("creator")
            simple.append(rendered)
        return {
            "state": state,
            "statuses": simple,
            "sha": sha,
            "total_count": len(simple),
            "repository": self.minimal_repository(repo),
            "commit_url": f"{api}/commits/{sha}",
            "url": f"{api}/commits/{sha}/status",
        }


def error(message: str, doc: str = "https://docs.github.com/rest", status: int = 0) -> Json:
    """GitHub's error body."""
    body: Json = {"message": message, "documentation_url": doc}
    if status:
        body["status"] = str(status)
    return body


def validation_error(errors: list[Any], doc: str, message: str = "Validation Failed") -> Json:
    """GitHub's 422 body."""
    return {"message": message, "errors": errors, "documentation_url": doc, "status": "422"}


def file_entry(change: FileChange, api: str, web: str, sha: str) -> Json:
    """DiffEntry: one changed file, as pull files and commits list them; URLs at `sha`."""
    path = quote(change.filename)
    data: Json = {
        "sha": change.sha,
        "filename": change.filename,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.changes,
        "blob_url": f"{web}/blob/{sha}/{path}",
        "raw_url": f"{web}/raw/{sha}/{path}",
        "contents_url": f"{api}/contents/{path}?ref={sha}",
    }
    if change.patch is not None:
        data["patch"] = change.patch
    if change.previous_filename is not None:
        data["previous_filename"] = change.previous_filename
    return data
