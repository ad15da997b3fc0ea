"""`zoo-review check --pr OWNER/REPO#N`: review a pull request on GitHub from a terminal through
the Action's GitHub source, printing what the bot would post and writing nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from github.GithubException import BadCredentialsException, GithubException
from requests import RequestException

from bot.action.client import Pacing, build_client
from bot.config import REPO_CONFIG_PATH, Config, load_config
from bot.errors import OperationalError, UsageError
from bot.model import Review, Submission
from bot.publish.inline import plan_inline
from bot.publish.links import Links
from bot.publish.sticky import render_sticky
from bot.sources.github import describe_error, load_pull, read_config, snapshot

# Anchored (`^`): tried at one position only, also by a scan (tests/test_regex_linear.py).
_PR = re.compile(r"^(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(?P<number>[1-9][0-9]{0,9})")
DOTCOM_API = "https://api.github.com"


@dataclass(frozen=True)
class PrRef:
    repository: str
    number: int


def parse_pr(text: str) -> PrRef:
    match = _PR.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"--pr {text!r}: write OWNER/REPO#NUMBER, e.g. SysCV/bdd100k-models#12")
    return PrRef(match["repo"], int(match["number"]))


def find_token(env: Mapping[str, str]) -> str:
    """GITHUB_TOKEN, else what `gh auth token` prints (GitHub CLI's login)."""
    token = env.get("GITHUB_TOKEN", "").strip()
    if token:
        return token
    gh = shutil.which("gh", path=env.get("PATH"))
    if gh is not None:
        try:
            done = subprocess.run(
                [gh, "auth", "token"], capture_output=True, text=True, timeout=15, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            done = None
        if done is not None and done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    raise UsageError(
        "--pr needs a GitHub token: set GITHUB_TOKEN, or log in with the GitHub CLI "
        "(`gh auth login`) so that `gh auth token` prints one"
    )


def server_url(api_url: str, env: Mapping[str, str]) -> str:
    """The web address for links: GITHUB_SERVER_URL, else derived from the API's address."""
    explicit = env.get("GITHUB_SERVER_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    if api_url.rstrip("/") == DOTCOM_API:
        return "https://github.com"
    return api_url.rstrip("/").removesuffix("/api/v3")


@dataclass(frozen=True)
class Checked:
    """The review of a PR on GitHub and what the bot would post for it."""

    review: Review
    config: Config
    comment: str  # the sticky comment, exactly
    summary: str  # one paragraph: the status, the comment, the inline comments


def check_pr(
    text: str,
    config_override: Config | None,
    review_with: Callable[[Submission, Config], Review],
    env: Mapping[str, str] | None = None,
) -> Checked:
    """Review the PR through the Action's GitHub source (GET requests only)."""
    environ = os.environ if env is None else env
    ref = parse_pr(text)
    api_url = environ.get("GITHUB_API_URL", "").strip() or DOTCOM_API
    client = build_client(api_url, find_token(environ), Pacing())
    try:
        repo = client.get_repo(ref.repository)
        pull = repo.get_pull(ref.number)
        snap = snapshot(pull)
        config = config_override or load_config(
            read_config(repo, snap.base_sha, REPO_CONFIG_PATH, required=False)
        )
        data = load_pull(repo, pull, snap, config)
        result = review_with(data.submission, config)
        result.findings += data.findings
        links = Links(
            server_url(api_url, environ),
            repo.full_name,
            snap.head_sha,
            None,
            data.submission.head_paths,
        )
        sticky = render_sticky(result, links, guide=config.guide, pr_body=snap.body)
        inline = plan_inline(result, data.patches, (), "")
    except BadCredentialsException as exc:
        raise OperationalError("GitHub rejected the token (401 Bad credentials)") from exc
    except GithubException as exc:
        raise OperationalError(
            f"GitHub's API failed for {ref.repository}#{ref.number}: {describe_error(exc)}"
        ) from exc
    except RequestException as exc:
        raise OperationalError(f"cannot reach GitHub's API at {api_url}: {exc}") from exc
    states = {"fail": "failure", "incomplete": "error", "pass": "success"}
    summary = (
        f"On {ref.repository}#{ref.number} ({snap.state}) the Action would set the status "
        f"`zoo-review` on {snap.head_sha[:7]} to `{states[result.verdict]}`, write its comment "
        f"({len(sticky.comment)} characters; `--format markdown` prints it) and comment on "
        f"{len(inline)} changed line(s). Nothing was written to GitHub."
    )
    return Checked(result, config, sticky.comment, summary)


def print_summary(text: str) -> None:
    print(text, file=sys.stderr)
