"""Web links the bot writes: a finding's line at the reviewed commit, the commit, the run."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Links:
    """Where things are on GitHub's web UI (GITHUB_SERVER_URL, not the API)."""

    server_url: str
    repository: str
    head_sha: str
    run_id: str | None = None
    head_paths: frozenset[str] | None = None

    @property
    def repo_url(self) -> str:
        return f"{self.server_url.rstrip('/')}/{self.repository}"

    @property
    def run_url(self) -> str | None:
        return f"{self.repo_url}/actions/runs/{self.run_id}" if self.run_id else None

    @property
    def commit_url(self) -> str:
        return f"{self.repo_url}/commit/{self.head_sha}"

    def line_link(self, path: str, line: int | None) -> str | None:
        """`https://<server>/<repo>/blob/<head_sha>/<path>#L<line>` for a file of the commit."""
        if self.head_paths is not None and path not in self.head_paths:
            return None
        url = f"{self.repo_url}/blob/{self.head_sha}/{quote(path)}"
        return url if line is None else f"{url}#L{line}"
