"""`zoo-review example`: build the example zoo, serve its files on 127.0.0.1, review it, print."""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.config import Config, load_config
from bot.engine import ReviewOptions, review
from bot.errors import UsageError
from bot.example.server import ArtifactServer
from bot.example.zoo import (
    ARTIFACT_HOST,
    BASE_BRANCH,
    HEAD_BRANCH,
    PAGE_HOSTS,
    ExampleZoo,
    build_example,
)
from bot.model import Review
from bot.net.remap import parse_remap
from bot.net.setup import build_fetcher
from bot.report.output import write_report
from bot.sources.local import GitRepo, load_submission, resolve_revisions


def run_example(args: argparse.Namespace) -> int:
    if args.keep is not None:
        if args.keep.exists() and any(args.keep.iterdir()):
            raise UsageError(f"--keep {args.keep}: the folder exists and is not empty")
        args.keep.mkdir(parents=True, exist_ok=True)
        return _run(args.keep.resolve(), args)
    with tempfile.TemporaryDirectory(prefix="zoo-review-example-") as folder:
        return _run(Path(folder), args)


def _run(root: Path, args: argparse.Namespace) -> int:
    result, config, zoo = review_example(root, broken=args.broken, kept=args.keep is not None)
    code = write_report(result, config, args.format, args.output)
    if args.keep is not None:
        print(
            f"\nKept the example in {root}. Review it again (offline, the server is gone): "
            f"zoo-review check --repo {zoo.repo} --base {BASE_BRANCH} --body {zoo.body} "
            "--offline",
            file=sys.stderr,
        )
    return code


def review_example(
    root: Path, broken: bool, *, kept: bool = False
) -> tuple[Review, Config, ExampleZoo]:
    """Build the example in `root`, serve its files, review it; the review, config and zoo.
    `kept`: `root` outlives the review (--keep); otherwise it is a temporary folder."""
    config = load_config()
    zoo = build_example(root, config, broken=broken)
    with ArtifactServer(zoo.artifacts, zoo.private) as server:
        remaps = [parse_remap(f"^{re.escape(ARTIFACT_HOST)}/(.*)$ {server.url}/$1")]
        remaps += [
            parse_remap(f"^https://{re.escape(host)}/(.*)$ {server.url}/pages/{host}/$1")
            for host in PAGE_HOSTS
        ]
        repo = GitRepo.open(zoo.repo)
        base, head = resolve_revisions(repo, BASE_BRANCH, HEAD_BRANCH)
        submission = load_submission(repo, config, base, head, body_file=zoo.body)
        # Findings name the PR description by its file name, not the temporary folder.
        submission = replace(submission, body_path=zoo.body.name)
        kind = "with planted mistakes" if broken else "a clean contribution"
        where = (
            f"in {zoo.repo}"
            if kept
            else "in a temporary folder, deleted when the example ends (`zoo-review example "
            "--keep DIR` keeps it in DIR)"
        )
        print(
            f"Example zoo ({kind}) {where}: reviewing {BASE_BRANCH}..{HEAD_BRANCH} with the PR "
            f"description {zoo.body.name}; files of {ARTIFACT_HOST} (and the paper and code "
            f"pages) are served from {server.url}.\n",
            file=sys.stderr,
        )
        # The example is the operator here: it allows its own loopback server.
        fetcher = build_fetcher(config.network, allow_private_hosts=True)
        # The example's weights are tiny, so their MD5 is verified too (--verify-checksums).
        options = ReviewOptions(remaps=tuple(remaps), verify_checksums=True)
        return review(submission, config, options, fetcher), config, zoo
