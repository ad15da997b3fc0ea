"""FakeGitHub: a threaded HTTP server on 127.0.0.1 that answers like GitHub's REST API."""

from __future__ import annotations

import io
import json
import re
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from tests.fakegithub.diffs import diff_hunk, find_line, find_position
from tests.fakegithub.faults import (
    GATEWAY_HTML,
    PRIMARY_DOC,
    PRIMARY_MESSAGE,
    SECONDARY_DOC,
    SECONDARY_MESSAGE,
    Faults,
)
from tests.fakegithub.render import Json, Renderer, Urls, error, validation_error
from tests.fakegithub.state import (
    ACTIONS_LOGIN,
    REACTIONS,
    STATUS_STATES,
    IssueComment,
    Pull,
    Reaction,
    Repo,
    Review,
    ReviewComment,
    User,
    World,
    utcnow,
)

if TYPE_CHECKING:
    from github import Github

DEFAULT_TOKEN = "ghs_FakeActionsToken0000000000000000000"
GHES_PREFIX = "/api/v3"
MAX_PULL_FILES = 3000
DOCS = "https://docs.github.com/rest"
NOT_INTEGRATION = "Resource not accessible by integration"
REVIEW_DOC = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
REVIEW_COMMENT_DOC = (
    "https://docs.github.com/rest/pulls/comments#create-a-review-comment-for-a-pull-request"
)
REVIEW_EVENTS = {
    "COMMENT": "COMMENTED",
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
}


class ApiError(Exception):
    """An error answer: raised by handlers, turned into a JSON response."""

    def __init__(self, status: int, body: Json, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body.get('message')}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(doc: str = DOCS) -> ApiError:
    """GitHub's 404."""
    return ApiError(404, error("Not Found", doc, 404))


@dataclass
class Token:
    """An access token and what it may do: `repos` None means every repository."""

    value: str
    login: str
    write: bool = True
    repos: frozenset[str] | None = None
    rate_limit: int = 1000
    used: int = 0
    reset: int = 0


@dataclass
class Request:
    """One API request as a handler sees it."""

    method: str
    path: str  # without the /api/v3 prefix and without the query
    query: dict[str, str]
    body: Any
    identity: User
    token: Token
    urls: Urls
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Response:
    """One answer: JSON `body` unless `raw` is given."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"


@dataclass
class LoggedRequest:
    """What the fake saw and answered, for assertions."""

    seq: int
    method: str
    path: str
    query: dict[str, str]
    body: Any
    identity: str | None
    status: int
    route: str | None
    prefix: str
    response: Any  # the JSON answer (None for an empty or non-JSON one)
    performed: bool  # a write that changed the world (even if the client saw an error)
    fault: str | None
    triggers: list[str]
    elapsed: float


class RequestLog:
    """Every request the fake answered, in order; `unknown` holds unrouted ones."""

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def add(self, entry: LoggedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LoggedRequest]:
        """A snapshot of the log."""
        with self._lock:
            return list(self._entries)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def find(
        self, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> list[LoggedRequest]:
        """Entries by method, path regex (full match, prefix-free) and status."""
        found = []
        for entry in self.entries:
            if method is not None and entry.method != method.upper():
                continue
            if path is not None and not re.fullmatch(path, entry.path):
                continue
            if status is not None and entry.status != status:
                continue
            found.append(entry)
        return found

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests matched."""
        return len(self.find(method, path))

    def writes(self) -> list[LoggedRequest]:
        """Every non-GET request."""
        return [e for e in self.entries if e.method not in ("GET", "HEAD")]

    @property
    def unknown(self) -> list[LoggedRequest]:
        """Requests no route matched."""
        return [e for e in self.entries if e.route is None and e.status == 404]

    def clear(self) -> None:
        """Forget everything so far."""
        with self._lock:
            self._entries.clear()


Handler = Callable[["Api", Request], Response]
_O = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"


@dataclass(frozen=True)
class Route:
    """A method, a path regex and the handler; `name` is GitHub's operation id."""

    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Handler


ROUTES: list[Route] = []


def route(method: str, pattern: str, name: str) -> Callable[[Handler], Handler]:
    """Register a handler."""

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method, re.compile(pattern), name, handler))
        return handler

    return register


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class Api:
    """The REST handlers, over one world; every handler runs under the world's lock."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self.world = fake.world

    def render(self, request: Request) -> Renderer:
        """A renderer whose URLs use the prefix the client called."""
        return Renderer(self.world, request.urls)

    # -- shared lookups --------------------------------------------------------------------

    def repo(self, request: Request) -> Repo:
        """The repository of the path; 404 when absent or invisible to the caller."""
        wanted = f"{request.params['owner']}/{request.params['repo']}".lower()
        for repo in self.world.repos.values():
            if repo.full_name.lower() == wanted:
                if repo.private and not self._can_see(request, repo):
                    raise not_found()
                return repo
        raise not_found()

    def _can_see(self, request: Request, repo: Repo) -> bool:
        token = request.token
        if request.identity.type == "Bot":
            return token.repos is None or repo.full_name in token.repos
        return self.world.role(repo, request.identity) != "none"

    def require_write(self, request: Request, repo: Repo, level: str = "read") -> None:
        """403 when the token may not write to `repo` (read-only GITHUB_TOKEN, other repo)."""
        token = request.token
        if request.identity.type == "Bot":
            if not token.write or (token.repos is not None and repo.full_name not in token.repos):
                raise ApiError(403, error(NOT_INTEGRATION, DOCS, 403))
            return
        ranks = ["none", "read", "triage", "write", "maintain", "admin"]
        if ranks.index(self.world.role(repo, request.identity)) < ranks.index(level):
            raise not_found()

    def pull(self, request: Request) -> Pull:
        """The pull request of the path."""
        repo = self.repo(request)
        pull = self.world.pulls.get((repo.full_name, int(request.params["number"])))
        if pull is None:
            raise not_found("https://docs.github.com/rest/pulls/pulls#get-a-pull-request")
        return pull

    def json_body(self, request: Request) -> dict[str, Any]:
        """The request body as an object; 400 otherwise."""
        if not isinstance(request.body, dict):
            raise ApiError(400, error("Problems parsing JSON", DOCS, 400))
        return request.body

    def paginate(
        self, request: Request, items: list[Any], limit: int | None = None
    ) -> tuple[list[Any], dict[str, str]]:
        """One page of `items` and GitHub's Link header (per_page ≤ 100, page from 1)."""
        if limit is not None:
            items = items[:limit]
        per_page = min(max(_int(request.query.get("per_page"), 30), 1), 100)
        page = max(_int(request.query.get("page"), 1), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        if last == 1:
            return chunk, {}
        repo_match = re.match(_O, request.path)
        path = request.path
        if repo_match:
            # GitHub's pagination links go through /repositories/{id}.
            repo = self.world.repos.get(f"{repo_match['owner']}/{repo_match['repo']}")
            if repo is not None:
                path = f"/repositories/{repo.id}" + request.path[repo_match.end() :]

        def link(number: int, rel: str) -> str:
            query = {k: v for k, v in request.query.items() if k != "page"}
            query["page"] = str(number)
            return f'<{request.urls.api}{path}?{urlencode(query)}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links.append(link(page + 1, "next"))
            links.append(link(last, "last"))
        if page > 1:
            links.append(link(1, "first"))
        return chunk, {"Link": ", ".join(links)}

    def page(self, request: Request, items: list[Any], limit: int | None = None) -> Response:
        """A paginated 200 of already-rendered items."""
        chunk, headers = self.paginate(request, items, limit)
        return Response(200, chunk, headers)

    # -- repositories, users ---------------------------------------------------------------

    @route("GET", _O, "repos/get")
    def get_repo(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}."""
        repo = self.repo(request)
        return Response(
            200, self.render(request).repository(repo, full=True, viewer=request.identity)
        )

    @route("GET", "/user", "users/get-authenticated")
    def get_authenticated(self, request: Request) -> Response:
        """GET /user: 403 for an integration (GITHUB_TOKEN), the private profile otherwise."""
        if request.identity.type == "Bot":
            doc = "https://docs.github.com/rest/users/users#get-the-authenticated-user"
            raise ApiError(403, error(NOT_INTEGRATION, doc, 403))
        return Response(200, self.render(request).private_user(request.identity))

    @route("GET", r"/users/(?P<login>[^/]+)", "users/get-by-username")
    def get_user(self, request: Request) -> Response:
        """GET /users/{username}."""
        wanted = request.params["login"].lower()
        user = next((u for u in self.world.users.values() if u.login.lower() == wanted), None)
        if user is None:
            raise not_found("https://docs.github.com/rest/users/users#get-a-user")
        return Response(200, self.render(request).public_user(user))

    @route(
        "GET",
        _O + r"/collaborators/(?P<login>[^/]+)/permission",
        "repos/get-collaborator-permission-level",
    )
    def get_permission(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}/collaborators/{username}/permission."""
        repo = self.repo(request)
        user = self.world.users.get(request.params["login"])
        if user is None:
            raise not_found()
        return Response(200, self.render(request).collaborator_permission(repo, user))

    @route("GET", "/rate_limit", "rate-limit/get")
    def rate_limit(self, request: Request) -> Response:
        """GET /rate_limit."""
        token = request.token
        core = {
            "limit": token.rate_limit,
            "used": token.used,
            "remaining": max(token.rate_limit - token.used, 0),
            "reset": token.reset,
        }
        now = int(time.time())
        search = {"limit": 30, "used": 0, "remaining": 30, "reset": now + 60}
        graphql = {"limit": token.rate_limit, "used": 0, "remaining": token.rate_limit,
                   "reset": now + 3600}  # fmt: skip
        resources = {"core": core, "search": search, "graphql": graphql}
        return Response(200, {"resources": resources, "rate": core})

    # -- pull requests ---------------------------------------------------------------------

    @route("GET", _O + r"/pulls/(?P<number>\d+)", "pulls/get")
    def get_pull(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}/pulls/{pull_number}."""
        return Response(200, self.render(request).pull(self.pull(request)))

    @route("GET", _O + r"/pulls/(?P<number>\d+)/files", "pulls/list-files")
    def list_files(self, request: Request) -> Response:
        """GET …/pulls/{n}/files: paginated, at most 3000 files like GitHub."""
        pull = self.pull(request)
        renderer = self.render(request)
        files = self.world.pull_files(pull)[:MAX_PULL_FILES]
        chunk, headers = self.paginate(request, files)
        entries = [renderer.diff_entry(pull, f) for f in chunk]
        limit = self.fake.max_patch_chars
        for entry in entries:  # GitHub leaves out the patch of a diff too large to show
            if limit is not None and len(entry.get("patch", "")) > limit:
                del entry["patch"]
        return Response(200, entries, headers)

    # -- contents, trees, commits ----------------------------------------------------------

    def resolve(self, request: Request, repo: Repo, ref: str | None, doc: str) -> str:
        """A commit id for `ref`; 404 "No commit found for the ref" otherwise."""
        sha = self.world.resolve_ref(repo, ref)
        if sha is None:
            raise ApiError(404, error(f"No commit found for the ref {ref}", doc, 404))
        return sha

    @route("GET", _O + r"/contents(?:/(?P<path>.*))?", "repos/get-content")
    def get_content(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}/contents/{path}?ref=: a file or a directory listing."""
        repo = self.repo(request)
        doc = "https://docs.github.com/rest/repos/contents#get-repository-content"
        ref = request.query.get("ref") or repo.default_branch
        sha = self.resolve(request, repo, ref, doc)
        commit = self.world.commits[sha]
        path = (request.params.get("path") or "").strip("/")
        renderer = self.render(request)
        if path in commit.files:
            return Response(200, renderer.content_file(repo, path, commit.files[path], ref))
        prefix = f"{path}/" if path else ""
        below = [
            e for e in commit.tree if e.path.startswith(prefix) and "/" not in e.path[len(prefix) :]
        ]
        if not below:
            raise not_found(doc)
        return Response(200, renderer.directory(repo, path, below, ref))

    @route("GET", _O + r"/git/trees/(?P<sha>.+)", "git/get-tree")
    def get_tree(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}/git/trees/{tree_sha}[?recursive=…]."""
        repo = self.repo(request)
        doc = "https://docs.github.com/rest/git/trees#get-a-tree"
        wanted = request.params["sha"]
        commit_sha = self.world.resolve_ref(repo, wanted)
        found = self.world.tree_of(commit_sha or wanted)
        if found is None:
            raise not_found(doc)
        tree_sha, entries = found
        if "recursive" not in request.query:
            entries = [e for e in entries if "/" not in e.path]
        limit = self.fake.max_tree_entries
        truncated = len(entries) > limit
        entries = entries[:limit]
        return Response(200, self.render(request).tree(repo, tree_sha, entries, truncated))

    @route("GET", _O + r"/tarball(?:/(?P<ref>.+))?", "repos/download-tarball-archive")
    def tarball(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}/tarball/{ref}: a redirect to the archive (GitHub sends it
        to codeload.github.com; the fake serves it itself)."""
        repo = self.repo(request)
        doc = "https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar"
        ref = request.params.get("ref") or repo.default_branch
        sha = self.resolve(request, repo, ref, doc)
        location = f"{request.urls.repo(repo)}/_codeload/{sha}.tar.gz"
        return Response(302, headers={"Location": location})

    @route("GET", _O + r"/_codeload/(?P<sha>[0-9a-f]{40})\.tar\.gz", "codeload/legacy-tar-gz")
    def codeload(self, request: Request) -> Response:
        """The archive of a commit: its files below `<owner>-<repo>-<short sha>/`."""
        repo = self.repo(request)
        commit = self.world.commits.get(request.params["sha"])
        if commit is None:
            raise not_found()
        top = f"{repo.full_name.replace('/', '-')}-{commit.sha[:7]}"
        packed = io.BytesIO()
        with tarfile.open(fileobj=packed, mode="w:gz") as archive:
            folder = tarfile.TarInfo(top)
            folder.type = tarfile.DIRTYPE
            archive.addfile(folder)
            for path, data in sorted(commit.files.items()):
                info = tarfile.TarInfo(f"{top}/{path}")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return Response(200, raw=packed.getvalue(), content_type="application/x-gzip")

    @route("GET", _O + r"/commits/(?P<ref>.+)/statuses", "repos/list-commit-statuses-for-ref")
    @route("GET", _O + r"/statuses/(?P<ref>[^/]+)", "repos/list-commit-statuses-for-ref")
    def list_statuses(self, request: Request) -> Response:
        """GET …/commits/{ref}/statuses (and the older …/statuses/{ref} PyGithub calls)."""
        repo = self.repo(request)
        doc = "https://docs.github.com/rest/commits/statuses#list-commit-statuses-for-a-reference"
        sha = self.resolve(request, repo, request.params["ref"], doc)
        renderer = self.render(request)
        return self.page(request, [renderer.status(s) for s in self.world.statuses_of(repo, sha)])

    @route("GET", _O + r"/commits/(?P<ref>.+)/status", "repos/get-combined-status-for-ref")
    def combined_status(self, request: Request) -> Response:
        """GET …/commits/{ref}/status."""
        repo = self.repo(request)
        doc = "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference"
        sha = self.resolve(request, repo, request.params["ref"], doc)
        statuses = self.world.statuses_of(repo, sha)
        return Response(200, self.render(request).combined_status(repo, sha, statuses))

    @route("GET", _O + r"/commits/(?P<ref>.+)", "repos/get-commit")
    def get_commit(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}/commits/{ref}."""
        repo = self.repo(request)
        ref = request.params["ref"]
        sha = self.world.resolve_ref(repo, ref)
        if sha is None:
            doc = "https://docs.github.com/rest/commits/commits#get-a-commit"
            raise ApiError(422, error(f"No commit found for SHA: {ref}", doc, 422))
        return Response(200, self.render(request).commit(repo, self.world.commits[sha]))

    @route("POST", _O + r"/statuses/(?P<sha>[^/]+)", "repos/create-commit-status")
    def create_status(self, request: Request) -> Response:
        """POST /repos/{owner}/{repo}/statuses/{sha}."""
        repo = self.repo(request)
        self.require_write(request, repo, "write")
        body = self.json_body(request)
        doc = "https://docs.github.com/rest/commits/statuses#create-a-commit-status"
        sha = request.params["sha"]
        if sha not in self.world.commits:
            raise ApiError(422, error(f"No commit found for SHA: {sha}", doc, 422))
        state = body.get("state")
        if state not in STATUS_STATES:
            problem = {"resource": "Status", "code": "custom", "field": "state",
                       "message": "state is not included in the list"}  # fmt: skip
            raise ApiError(422, validation_error([problem], doc))
        description = body.get("description")
        if isinstance(description, str) and len(description) > 140:
            problem = {"resource": "Status", "code": "custom", "field": "description",
                       "message": "description is too long (maximum is 140 characters)"}  # fmt: skip
            raise ApiError(422, validation_error([problem], doc))
        status = self.world.add_status(
            repo,
            sha,
            state,
            context=body.get("context") or "default",
            description=description,
            target_url=body.get("target_url"),
            creator=request.identity,
        )
        return Response(201, self.render(request).status(status))

    # -- issues and issue comments ---------------------------------------------------------

    def issue_number(self, request: Request, repo: Repo) -> int:
        """The issue number of the path; 404 when there is no such issue or pull."""
        number = int(request.params["number"])
        if not self.world.issue_exists(repo, number):
            raise not_found("https://docs.github.com/rest/issues/issues#get-an-issue")
        return number

    def comment(self, request: Request, repo: Repo) -> IssueComment:
        """The issue comment of the path."""
        comment = self.world.issue_comments.get(int(request.params["id"]))
        if comment is None or comment.repo is not repo:
            raise not_found("https://docs.github.com/rest/issues/comments#get-an-issue-comment")
        return comment

    @route("GET", _O + r"/issues/(?P<number>\d+)", "issues/get")
    def get_issue(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}/issues/{n} (pull requests are issues too)."""
        repo = self.repo(request)
        number = self.issue_number(request, repo)
        return Response(200, self.render(request).issue(repo, number))

    @route("GET", _O + r"/issues", "issues/list-for-repo")
    def list_issues(self, request: Request) -> Response:
        """GET /repos/{owner}/{repo}/issues: issues and pull requests, filtered by state and
        creator, sorted by created or updated time (newest first by default), paginated."""
        repo = self.repo(request)
        state = request.query.get("state", "open")
        creator = request.query.get("creator")
        numbers = [i.number for i in self.world.issues_of(repo)]
        numbers += [
            p.number for (name, _n), p in self.world.pulls.items() if name == repo.full_name
        ]
        renderer = self.render(request)
        items = [renderer.issue(repo, number) for number in numbers]
        if state != "all":
            items = [item for item in items if item["state"] == state]
        if creator is not None:
            items = [i for i in items if i["user"]["login"].lower() == creator.lower()]
        key = "updated_at" if request.query.get("sort") == "updated" else "created_at"
        items.sort(key=lambda item: (item[key], item["id"]))
        if request.query.get("direction", "desc") == "desc":
            items.reverse()
        return self.page(request, items)

    @route("POST", _O + r"/issues", "issues/create")
    def create_issue(self, request: Request) -> Response:
        """POST /repos/{owner}/{repo}/issues, as the caller."""
        repo = self.repo(request)
        self.require_write(request, repo)
        body = self.json_body(request)
        title = body.get("title")
        doc = "https://docs.github.com/rest/issues/issues#create-an-issue"
        if not isinstance(title, str) or not title.strip():
            problem = {"resource": "Issue", "code": "missing_field", "field": "title"}
            raise ApiError(422, validation_error([problem], doc))
        text = body.get("body")
        if isinstance(text, str) and len(text) > 65536:
            problem = {"resource": "Issue", "code": "custom", "field": "body",
                       "message": "body is too long (maximum is 65536 characters)"}  # fmt: skip
            raise ApiError(422, validation_error([problem], doc))
        issue = self.world.open_issue(repo, title, text, request.identity)
        rendered = self.render(request).issue(repo, issue.number)
        return Response(201, rendered, {"Location": rendered["url"]})

    @route("PATCH", _O + r"/issues/(?P<number>\d+)", "issues/update")
    def update_issue(self, request: Request) -> Response:
        """PATCH /repos/{owner}/{repo}/issues/{n}: title, body, state and state_reason."""
        repo = self.repo(request)
        issue = self.world.issues.get((repo.full_name, int(request.params["number"])))
        if issue is None:
            raise not_found("https://docs.github.com/rest/issues/issues#update-an-issue")
        self.require_write(request, repo)
        body = self.json_body(request)
        if isinstance(body.get("title"), str):
            issue.title = body["title"]
        if "body" in body:
            issue.body = body["body"]
        if body.get("state") in ("open", "closed"):
            issue.state = body["state"]
            closed = issue.state == "closed"
            issue.closed_at = utcnow() if closed else None
            issue.state_reason = body.get("state_reason", "completed") if closed else "reopened"
        issue.updated_at = utcnow()
        return Response(200, self.render(request).issue(repo, issue.number))

    @route("GET", _O + r"/issues/(?P<number>\d+)/comments", "issues/list-comments")
    def list_comments(self, request: Request) -> Response:
        """GET …/issues/{n}/comments: oldest first, paginated."""
        repo = self.repo(request)
        number = self.issue_number(request, repo)
        renderer = self.render(request)
        comments = [renderer.issue_comment(c) for c in self.world.comments_on(repo, number)]
        return self.page(request, comments)

    @route("POST", _O + r"/issues/(?P<number>\d+)/comments", "issues/create-comment")
    def create_comment(self, request: Request) -> Response:
        """POST …/issues/{n}/comments, as the caller."""
        repo = self.repo(request)
        number = self.issue_number(request, repo)
        self.require_write(request, repo)
        body = self.json_body(request)
        text = body.get("body")
        doc = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
        if not isinstance(text, str) or not text.strip():
            problem = {"resource": "IssueComment", "code": "missing_field", "field": "body"}
            raise ApiError(422, validation_error([problem], doc))
        if len(text) > 65536:
            problem = {"resource": "IssueComment", "code": "custom", "field": "body",
                       "message": "body is too long (maximum is 65536 characters)"}  # fmt: skip
            raise ApiError(422, validation_error([problem], doc))
        comment = self.world.add_issue_comment(repo, number, request.identity, text)
        rendered = self.render(request).issue_comment(comment)
        return Response(201, rendered, {"Location": rendered["url"]})

    @route("GET", _O + r"/issues/comments/(?P<id>\d+)", "issues/get-comment")
    def get_comment(self, request: Request) -> Response:
        """GET …/issues/comments/{id}."""
        repo = self.repo(request)
        return Response(200, self.render(request).issue_comment(self.comment(request, repo)))

    @route("PATCH", _O + r"/issues/comments/(?P<id>\d+)", "issues/update-comment")
    def update_comment(self, request: Request) -> Response:
        """PATCH …/issues/comments/{id}."""
        repo = self.repo(request)
        comment = self.comment(request, repo)
        self.require_write(request, repo)
        text = self.json_body(request).get("body")
        if not isinstance(text, str) or not text.strip():
            doc = "https://docs.github.com/rest/issues/comments#update-an-issue-comment"
            problem = {"resource": "IssueComment", "code": "missing_field", "field": "body"}
            raise ApiError(422, validation_error([problem], doc))
        comment.body = text
        comment.updated_at = utcnow()
        return Response(200, self.render(request).issue_comment(comment))

    @route("DELETE", _O + r"/issues/comments/(?P<id>\d+)", "issues/delete-comment")
    def delete_comment(self, request: Request) -> Response:
        """DELETE …/issues/comments/{id}: 204."""
        repo = self.repo(request)
        comment = self.comment(request, repo)
        self.require_write(request, repo)
        del self.world.issue_comments[comment.id]
        return Response(204)

    @route(
        "GET", _O + r"/issues/comments/(?P<id>\d+)/reactions", "reactions/list-for-issue-comment"
    )
    def list_reactions(self, request: Request) -> Response:
        """GET …/issues/comments/{id}/reactions[?content=]."""
        repo = self.repo(request)
        comment = self.comment(request, repo)
        wanted = request.query.get("content")
        reactions = [r for r in comment.reactions if wanted is None or r.content == wanted]
        renderer = self.render(request)
        return self.page(request, [renderer.reaction(r) for r in reactions])

    @route(
        "POST", _O + r"/issues/comments/(?P<id>\d+)/reactions", "reactions/create-for-issue-comment"
    )
    def create_reaction(self, request: Request) -> Response:
        """POST …/issues/comments/{id}/reactions: 201, or 200 when it already exists."""
        repo = self.repo(request)
        comment = self.comment(request, repo)
        self.require_write(request, repo)
        content = self.json_body(request).get("content")
        if content not in REACTIONS:
            doc = "https://docs.github.com/rest/reactions/reactions#create-reaction-for-an-issue-comment"
            problem = {"resource": "Reaction", "code": "custom", "field": "content",
                       "message": "content is not included in the list"}  # fmt: skip
            raise ApiError(422, validation_error([problem], doc))
        renderer = self.render(request)
        for existing in comment.reactions:
            if existing.content == content and existing.user is request.identity:
                return Response(200, renderer.reaction(existing))
        reaction = Reaction(id=self.world.next_id(), content=content, user=request.identity)
        comment.reactions.append(reaction)
        return Response(201, renderer.reaction(reaction))

    # -- reviews and review comments -------------------------------------------------------

    @route("GET", _O + r"/pulls/(?P<number>\d+)/comments", "pulls/list-review-comments")
    def list_review_comments(self, request: Request) -> Response:
        """GET …/pulls/{n}/comments: submitted review comments, oldest first, paginated."""
        pull = self.pull(request)
        renderer = self.render(request)
        comments = [renderer.review_comment(c) for c in self.world.review_comments_of(pull)]
        return self.page(request, comments)

    @route("GET", _O + r"/pulls/(?P<number>\d+)/reviews", "pulls/list-reviews")
    def list_reviews(self, request: Request) -> Response:
        """GET …/pulls/{n}/reviews (pending reviews only for their author)."""
        pull = self.pull(request)
        renderer = self.render(request)
        reviews = [
            renderer.review(r)
            for r in self.world.reviews_of(pull)
            if r.state != "PENDING" or r.user is request.identity
        ]
        return self.page(request, reviews)

    @route("GET", _O + r"/pulls/(?P<number>\d+)/reviews/(?P<id>\d+)", "pulls/get-review")
    def get_review(self, request: Request) -> Response:
        """GET …/pulls/{n}/reviews/{id}."""
        pull = self.pull(request)
        review = self.world.reviews.get(int(request.params["id"]))
        if review is None or review.pull is not pull:
            raise not_found()
        return Response(200, self.render(request).review(review))

    def _anchor(
        self, pull: Pull, commit_id: str, spec: dict[str, Any]
    ) -> tuple[str | None, dict[str, Any]]:
        """Resolve an inline comment against the diff at `commit_id`: (problem, fields)."""
        path = spec.get("path")
        change = next(
            (c for c in self.world.pull_files(pull, commit_id) if c.filename == path), None
        )
        if change is None:
            return "Path could not be resolved", {}
        if spec.get("subject_type") == "file":
            hunk = change.patch.split("\n", 1)[0] if change.patch else ""
            return None, {"line": None, "side": "RIGHT", "position": None, "diff_hunk": hunk,
                          "subject_type": "file"}  # fmt: skip
        if "line" in spec and spec["line"] is not None:
            side = str(spec.get("side") or "RIGHT").upper()
            anchor = find_line(change.patch, int(spec["line"]), side)
            if anchor is None:
                return "Line could not be resolved", {}
            start_line = spec.get("start_line")
            start_side = None
            if start_line is not None:
                start_side = str(spec.get("start_side") or side).upper()
                start = find_line(change.patch, int(start_line), start_side)
                if start is None or start.hunk != anchor.hunk or start.index >= anchor.index:
                    return "Start line could not be resolved", {}
            assert change.patch is not None
            return None, {
                "line": int(spec["line"]),
                "side": side,
                "start_line": start_line,
                "start_side": start_side,
                "position": anchor.position,
                "diff_hunk": diff_hunk(change.patch, anchor),
            }
        if "position" in spec and spec["position"] is not None:
            anchor = find_position(change.patch, int(spec["position"]))
            if anchor is None or change.patch is None:
                return "Position could not be resolved", {}
            side = "LEFT" if anchor.kind == "-" else "RIGHT"
            line = anchor.old if side == "LEFT" else anchor.new
            return None, {"line": line, "side": side, "position": anchor.position,
                          "diff_hunk": diff_hunk(change.patch, anchor)}  # fmt: skip
        return "Line could not be resolved", {}

    def _new_comment(
        self, pull: Pull, review: Review, spec: dict[str, Any], fields: dict[str, Any]
    ) -> ReviewComment:
        now = utcnow()
        return ReviewComment(
            id=self.world.next_id(),
            pull=pull,
            review_id=review.id,
            path=spec["path"],
            line=fields.get("line"),
            side=fields.get("side", "RIGHT"),
            start_line=fields.get("start_line"),
            start_side=fields.get("start_side"),
            position=fields.get("position"),
            commit_id=review.commit_id,
            body=str(spec.get("body") or ""),
            user=review.user,
            diff_hunk=fields.get("diff_hunk", ""),
            author_association=review.author_association,
            subject_type=fields.get("subject_type", "line"),
            created_at=now,
            updated_at=now,
        )

    @route("POST", _O + r"/pulls/(?P<number>\d+)/reviews", "pulls/create-review")
    def create_review(self, request: Request) -> Response:
        """POST …/pulls/{n}/reviews: all or nothing, like GitHub; 200 on success."""
        pull = self.pull(request)
        self.require_write(request, pull.repo)
        body = self.json_body(request)

        def unprocessable(*messages: str) -> ApiError:
            return ApiError(
                422, error("Unprocessable Entity", REVIEW_DOC, 422) | {"errors": list(messages)}
            )

        event = body.get("event")
        if event is not None and event not in REVIEW_EVENTS:
            problem = {"resource": "PullRequestReview", "code": "invalid", "field": "event"}
            raise ApiError(422, validation_error([problem], REVIEW_DOC))
        user = request.identity
        if event in ("APPROVE", "REQUEST_CHANGES"):
            allowed = (
                self.world.actions_can_approve
                if event == "APPROVE"
                else self.world.actions_can_request_changes
            )
            if user.login == ACTIONS_LOGIN and not allowed:
                raise unprocessable("GitHub Actions is not permitted to approve pull requests.")
            if user is pull.user:
                verb = "approve" if event == "APPROVE" else "request changes on"
                raise unprocessable(f"Can not {verb} your own pull request")
        commit_id = body.get("commit_id") or pull.head_sha
        if commit_id not in pull.head_history:
            raise unprocessable("commit_id is not part of the pull request")
        if event is None and any(
            r.state == "PENDING" and r.user is user for r in self.world.reviews_of(pull)
        ):
            raise unprocessable("User can only have one pending review per pull request")
        specs = body.get("comments") or []
        resolved: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for spec in specs:
            reason, fields = self._anchor(pull, commit_id, spec)
            if reason is not None:
                raise unprocessable(reason)
            resolved.append((spec, fields))
        association = self.world.association(pull.repo, user)
        review = Review(
            id=self.world.next_id(),
            pull=pull,
            user=user,
            body=str(body.get("body") or ""),
            state=REVIEW_EVENTS[event] if event else "PENDING",
            commit_id=commit_id,
            author_association=association,
            submitted_at=utcnow() if event else None,
        )
        self.world.reviews[review.id] = review
        for spec, fields in resolved:
            comment = self._new_comment(pull, review, spec, fields)
            self.world.review_comments[comment.id] = comment
        return Response(200, self.render(request).review(review))

    @route("POST", _O + r"/pulls/(?P<number>\d+)/comments", "pulls/create-review-comment")
    def create_review_comment(self, request: Request) -> Response:
        """POST …/pulls/{n}/comments: one inline comment in a review of its own; 201."""
        pull = self.pull(request)
        self.require_write(request, pull.repo)
        body = self.json_body(request)
        user = request.identity
        association = self.world.association(pull.repo, user)
        reply_to = body.get("in_reply_to")
        if reply_to is not None:
            parent = self.world.review_comments.get(int(reply_to))
            if parent is None or parent.pull is not pull:
                problem = {"resource": "PullRequestReviewComment", "code": "invalid",
                           "field": "in_reply_to"}  # fmt: skip
                raise ApiError(422, validation_error([problem], REVIEW_COMMENT_DOC))
            spec = {"path": parent.path, "body": body.get("body")}
            fields = {
                "line": parent.line,
                "side": parent.side,
                "position": parent.position,
                "diff_hunk": parent.diff_hunk,
            }
            commit_id = parent.commit_id
        else:
            commit_id = body.get("commit_id") or ""
            if commit_id not in pull.head_history:
                problem = {"resource": "PullRequestReviewComment", "code": "invalid",
                           "field": "commit_id",
                           "message": "commit_id is not part of the pull request"}  # fmt: skip
                raise ApiError(422, validation_error([problem], REVIEW_COMMENT_DOC))
            spec = body
            problem_text, fields = self._anchor(pull, commit_id, body)
            if problem_text is not None:
                field_name = "pull_request_review_thread.line"
                message = f"{field_name} must be part of the diff"
                if problem_text.startswith("Path"):
                    field_name, message = (
                        "pull_request_review_thread.path",
                        "Path could not be resolved",
                    )
                problem = {"resource": "PullRequestReviewComment", "code": "custom",
                           "field": field_name, "message": message}  # fmt: skip
                raise ApiError(422, validation_error([problem], REVIEW_COMMENT_DOC))
        review = Review(
            id=self.world.next_id(),
            pull=pull,
            user=user,
            body="",
            state="COMMENTED",
            commit_id=commit_id,
            author_association=association,
        )
        self.world.reviews[review.id] = review
        comment = self._new_comment(pull, review, spec, fields)
        comment.in_reply_to_id = int(reply_to) if reply_to is not None else None
        self.world.review_comments[comment.id] = comment
        return Response(201, self.render(request).review_comment(comment))


@dataclass
class _Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    body_error: bool
    token: Token
    urls: Urls
    request_id: str


@dataclass
class _Outcome:
    route: str | None = None
    fault: str | None = None
    performed: bool = False
    fired: list[str] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeGitHub


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: _Server

    def version_string(self) -> str:
        return "github.com"

    def log_message(self, format: str, *args: object) -> None:
        return

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        response = self.server.fake.dispatch(self.command, self.path, dict(self.headers), raw)
        payload = response.raw if response.raw is not None else b""
        if response.raw is None and response.body is not None:
            payload = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _handle


class FakeGitHub:
    """GitHub's REST API on 127.0.0.1, at both `/` (api.github.com style) and `/api/v3` (GitHub
    Enterprise style); `api_url` is the one `enterprise` selects.

    `with FakeGitHub(world) as server: gh = server.client()`.
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        enterprise: bool = False,
        token: str = DEFAULT_TOKEN,
        max_tree_entries: int = 100_000,
        rate_limit: int = 1000,
        max_patch_chars: int | None = None,
    ) -> None:
        self.world = world or World()
        self.enterprise = enterprise
        self.token = token
        self.max_tree_entries = max_tree_entries
        self.max_patch_chars = max_patch_chars
        self.rate_limit = rate_limit
        self.faults = Faults()
        self.log = RequestLog()
        self.tokens: dict[str, Token] = {}
        self.add_token(token, ACTIONS_LOGIN, rate_limit=rate_limit)
        self._api = Api(self)
        self._seq = 0
        self._seq_lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, args=(0.02,), name="fake-github", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses and clients -------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on."""
        assert self._httpd is not None, "start the server first"
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        """http://127.0.0.1:PORT — also where the web (html_url) pages would be."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def dotcom_api_url(self) -> str:
        """The API base in api.github.com style (no path prefix)."""
        return self.root_url

    @property
    def ghes_api_url(self) -> str:
        """The API base in GitHub Enterprise Server style (`/api/v3`)."""
        return self.root_url + GHES_PREFIX

    @property
    def api_url(self) -> str:
        """The API base the tests should give the Action (GITHUB_API_URL)."""
        return self.ghes_api_url if self.enterprise else self.dotcom_api_url

    def urls(self, enterprise: bool | None = None) -> Urls:
        """API and web URLs for one style."""
        use = self.enterprise if enterprise is None else enterprise
        return Urls(api=self.ghes_api_url if use else self.dotcom_api_url, html=self.root_url)

    def renderer(self) -> Renderer:
        """A renderer with this server's `api_url` (what payloads use)."""
        return Renderer(self.world, self.urls())

    def add_token(
        self,
        token: str,
        login: str = ACTIONS_LOGIN,
        *,
        write: bool = True,
        repos: set[str] | None = None,
        rate_limit: int | None = None,
    ) -> str:
        """Accept `token` as `login` (a user account is created if needed). `write=False` makes
        it read-only like a fork PR's GITHUB_TOKEN; `repos` limits it to those repositories."""
        if login not in self.world.users:
            self.world.add_user(login)
        self.tokens[token] = Token(
            token,
            login,
            write=write,
            repos=frozenset(repos) if repos is not None else None,
            rate_limit=rate_limit if rate_limit is not None else self.rate_limit,
        )
        return token

    def client(
        self, token: str | None = None, *, enterprise: bool | None = None, **kwargs: Any
    ) -> Github:
        """A PyGithub client for this server, without PyGithub's request throttling."""
        from github import Auth, Github

        options: dict[str, Any] = {"seconds_between_requests": 0, "seconds_between_writes": 0}
        options.update(kwargs)
        base = self.urls(enterprise).api
        return Github(base_url=base, auth=Auth.Token(token or self.token), **options)

    # -- request handling ------------------------------------------------------------------

    def _next_seq(self) -> int:
        with self._seq_lock:
            self._seq += 1
            return self._seq

    def dispatch(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Response:
        """Answer one HTTP request (called from the server threads)."""
        started = time.monotonic()
        seq = self._next_seq()
        request_id = f"{seq:04X}:{seq * 7919:X}:{seq * 104729:X}:{int(time.time()):X}"
        parts = urlsplit(target)
        path, prefix = parts.path, ""
        if path == GHES_PREFIX or path.startswith(GHES_PREFIX + "/"):
            prefix, path = GHES_PREFIX, path[len(GHES_PREFIX) :]
        path = self._canonical(path.rstrip("/") or "/")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body: Any = None
        body_error = False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body, body_error = raw.decode("utf-8", "replace"), True
        lower = {k.lower(): v for k, v in headers.items()}
        base_headers = {
            "X-GitHub-Request-Id": request_id,
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": lower.get("x-github-api-version", "2022-11-28"),
            "Access-Control-Allow-Origin": "*",
        }
        urls = Urls(api=self.root_url + prefix, html=self.root_url)
        token = self._authenticate(lower.get("authorization"))
        outcome = _Outcome()
        if isinstance(token, Token):
            base_headers.update(self._rate_headers(token))
            call = _Call(method, path, query, body, body_error, token, urls, request_id)
            response = self._serve(call, base_headers, outcome)
        else:
            response = Response(401, error(token, DOCS, 401))
        for name, value in base_headers.items():
            response.headers.setdefault(name, value)
        outcome.fired += self.faults.after_request(self.world)
        self.log.add(
            LoggedRequest(
                seq=seq,
                method=method,
                path=path,
                query=query,
                body=body,
                identity=token.login if isinstance(token, Token) else None,
                status=response.status,
                route=outcome.route,
                prefix=prefix,
                response=response.body if response.raw is None else None,
                performed=outcome.performed,
                fault=outcome.fault,
                triggers=outcome.fired,
                elapsed=time.monotonic() - started,
            )
        )
        return response

    def _canonical(self, path: str) -> str:
        """/repositories/{id}/… (GitHub's pagination links) -> /repos/{owner}/{repo}/…."""
        match = re.match(r"/repositories/(\d+)(/.*)?$", path)
        if match:
            repo = self.world.repo_by_id(int(match.group(1)))
            if repo is not None:
                return f"/repos/{repo.full_name}{match.group(2) or ''}"
        return path

    def _authenticate(self, header: str | None) -> Token | str:
        if not header:
            return "Requires authentication"
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("token", "bearer"):
            return "Bad credentials"
        token = self.tokens.get(value.strip())
        return token if token is not None else "Bad credentials"

    def _rate_headers(self, token: Token) -> dict[str, str]:
        now = int(time.time())
        with self._seq_lock:
            if token.reset <= now:
                token.reset, token.used = now + 3600, 0
            token.used += 1
        return {
            "X-RateLimit-Limit": str(token.rate_limit),
            "X-RateLimit-Remaining": str(max(token.rate_limit - token.used, 0)),
            "X-RateLimit-Reset": str(token.reset),
            "X-RateLimit-Used": str(token.used),
            "X-RateLimit-Resource": "core",
        }

    def _serve(self, call: _Call, headers: dict[str, str], outcome: _Outcome) -> Response:
        method, path = call.method, call.path
        delay = self.faults.take("delay", method, path)
        if delay is not None:
            time.sleep(delay.seconds)
        limited = self.faults.take("secondary_rate_limit", method, path)
        if limited is not None:
            outcome.fault = "secondary_rate_limit"
            extra = (
                {"Retry-After": str(limited.retry_after)} if limited.retry_after is not None else {}
            )
            message = SECONDARY_MESSAGE.format(request_id=call.request_id)
            return Response(limited.status, error(message, SECONDARY_DOC), extra)
        broken = self.faults.take("server_error", method, path)
        if broken is not None:
            outcome.fault = "server_error"
            html = "text/html; charset=utf-8"
            return Response(broken.status, raw=GATEWAY_HTML.encode(), content_type=html)
        primary = self.faults.take("primary_rate_limit", method, path)
        if primary is not None or call.token.used > call.token.rate_limit:
            outcome.fault = "primary_rate_limit"
            reset = int(time.time()) + primary.reset_in if primary is not None else call.token.reset
            headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
            return Response(403, error(PRIMARY_MESSAGE, PRIMARY_DOC, 403))
        found = None
        for candidate in ROUTES:
            if candidate.method == method or (method == "HEAD" and candidate.method == "GET"):
                match = candidate.pattern.fullmatch(path)
                if match:
                    groups = match.groupdict().items()
                    params = {k: unquote(v) for k, v in groups if v is not None}
                    found = (candidate, params)
                    break
        if found is None:
            return Response(404, error("Not Found", DOCS, 404))
        candidate, params = found
        outcome.route = candidate.name
        writing = method not in ("GET", "HEAD")
        if writing:
            outcome.fired += self.faults.before_write(self.world)
        if call.body_error:
            return Response(400, error("Problems parsing JSON", DOCS, 400))
        identity = self.world.users[call.token.login]
        request = Request(
            method, path, call.query, call.body, identity, call.token, call.urls, params
        )
        with self.world.lock:
            try:
                response = candidate.handler(self._api, request)
            except ApiError as problem:
                response = Response(problem.status, problem.body, dict(problem.headers))
        if writing and response.status < 400:
            outcome.performed = True
            failing = self.faults.take("fail_after_success", method, path)
            if failing is not None:
                outcome.fault = "fail_after_success"
                html = "text/html; charset=utf-8"
                return Response(failing.status, raw=GATEWAY_HTML.encode(), content_type=html)
        return response

    def assert_no_unknown_routes(self) -> None:
        """Fail when the client called something the fake does not serve."""
        unknown = [f"{e.method} {e.prefix}{e.path}" for e in self.log.unknown]
        assert not unknown, f"unserved GitHub API calls: {unknown}"
