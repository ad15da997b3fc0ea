"""The `zoo-review` command: `check` reviews a local checkout, `example` runs a bundled demo."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import re
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from bot import __version__
from bot.config import Config, load_config, load_config_file
from bot.errors import OperationalError, UsageError
from bot.model import Review, Submission
from bot.net.remap import parse_remap
from bot.report.output import EXIT_CODES, FORMATS, write_report
from bot.report.progress import ProgressBar
from bot.sources.local import (
    GitRepo,
    load_submission,
    read_repo_config,
    resolve_revisions,
    uncommitted_work,
)

if TYPE_CHECKING:
    from bot.net.types import Fetcher

# Start-up: a command imports only what it uses. The fetcher (httpx) is imported when a review
# goes online, the link cache with --cache, and the example (which pulls in http.server) only
# by `zoo-review example`: see `python -X importtime -m bot.cli check ...`. The review itself
# (the engine, the parsers, the rules: about half of zoo-review's own imports) is imported in a
# thread while git runs (import_review_early).

# What the review imports (the rest follows from it), in the thread of import_review_early.
REVIEW_MODULES = ("bot.engine",)

EXIT_USAGE = 2


def entry() -> NoReturn:
    """The `zoo-review` command and `python -m bot`: `main`, then a fast exit.

    The objects built while importing are frozen (the collector does not walk them again), and
    at the end the process leaves with os._exit once the output is flushed, skipping the
    interpreter's teardown and its final collection (~40 ms); only when no other thread runs,
    and after the exit handlers, so nothing is lost. `main` itself returns: tests call it.
    """
    gc.freeze()
    code = main()
    _finish_start_up_threads()
    _exit(code)


# The threads that get the start-up ready (import_review_early, load_certificates_early).
START_UP_THREADS = ("zoo-review-import", "zoo-review-tls")


def _finish_start_up_threads(seconds: float = 30.0) -> None:
    """Wait for the start-up threads that still run (a review that stopped early, e.g. on a
    wrong --repo): the interpreter must not end while one is importing, which crashed it
    (a segmentation fault in about one exit in ten). They take well under a second."""
    for thread in threading.enumerate():
        if thread.name in START_UP_THREADS:
            thread.join(seconds)


def _exit(code: int) -> NoReturn:
    import atexit  # noqa: PLC0415 - only the exit path needs it

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stream: let Python report it as usual
        sys.exit(code)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    traced = sys.gettrace() is not None or sys.getprofile() is not None  # a profiler, coverage
    if threading.active_count() != 1 or run_exit_handlers is None or traced:
        sys.exit(code)
    run_exit_handlers()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)


class Parser(argparse.ArgumentParser):
    """argparse with "did you mean" for a mistyped command, choice or flag."""

    # The subcommands' parsers, by name (set on the top-level parser).
    commands: dict[str, Parser]

    def error(self, message: str) -> NoReturn:
        from bot.rules.suggest import closest  # noqa: PLC0415

        choice = _INVALID_CHOICE.search(message)
        if choice is not None:
            options = re.findall(r"[\w.-]+", choice.group("options"))
            guess = closest(choice.group("value"), options, cutoff=0.6)
            if guess is not None:
                message += f"; did you mean {guess!r}?"
        super().error(message)

    def flags(self) -> list[str]:
        """Every option string of this parser, e.g. `--offline`."""
        return [flag for action in self._actions for flag in action.option_strings]


_INVALID_CHOICE = re.compile(
    r"invalid choice: '(?P<value>[^']*)' \(choose from (?P<options>[^)]*)\)"
)


@contextmanager
def _interruptible() -> Iterator[None]:
    """SIGINT stops the review at once, whatever it is doing. Python's own handler would do so
    too, but inside `asyncio.run` asyncio replaces it with one that only cancels the running
    task at its next `await`: the parsing and the rules never await, so an interrupt there did
    nothing until they finished."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        from bot.rules.suggest import closest  # noqa: PLC0415

        command = parser.commands.get(getattr(args, "command", None) or "", parser)
        parts = []
        for arg in unknown:
            guess = (
                closest(arg.split("=", 1)[0], command.flags(), cutoff=0.7)
                if arg.startswith("--")
                else None
            )
            parts.append(f"{arg} (did you mean {guess}?)" if guess else arg)
        command.error(f"unrecognized arguments: {' '.join(parts)}")
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        with _interruptible():
            code: int = args.run(args)
        return code
    except OperationalError as exc:
        print(f"zoo-review: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("zoo-review: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, keep the traceback for those who ask
        if os.environ.get("ZOO_REVIEW_DEBUG"):
            traceback.print_exc()
        print(
            f"zoo-review: internal error ({type(exc).__name__}: {exc}). This is a bug in "
            "zoo-review, not in your contribution; set ZOO_REVIEW_DEBUG=1 for details and "
            "report it.",
            file=sys.stderr,
        )
        return EXIT_USAGE


def build_parser() -> Parser:
    parser = Parser(
        prog="zoo-review",
        description="Review a model-zoo contribution: template, checklist, venue, links, scores.",
    )
    parser.add_argument("--version", action="version", version=f"zoo-review {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="review the changes of a local git checkout",
        description="Review what a branch adds to the zoo, as the bot would on its PR. Exit "
        "status: 0 pass, 1 errors found, 2 usage or operational error, 3 incomplete (a check "
        "that decides the verdict could not run: re-run it).",
    )
    check.add_argument("--repo", type=Path, default=Path("."), help="the zoo checkout (default: .)")
    check.add_argument(
        "--pr",
        metavar="OWNER/REPO#N",
        help="review this pull request on GitHub instead of a checkout (token: GITHUB_TOKEN or "
        "`gh auth token`; GITHUB_API_URL for GitHub Enterprise Server); writes nothing",
    )
    check.add_argument(
        "--base", help="compare with this revision (default: merge-base with main or master)"
    )
    check.add_argument("--head", help="review this revision (default: HEAD)")
    check.add_argument(
        "--worktree", action="store_true", help="review uncommitted changes of the work tree too"
    )
    check.add_argument(
        "--body", type=Path, help="file with the PR description, to check its checklist (- stdin)"
    )
    add_output_options(check)
    check.add_argument(
        "--config",
        type=Path,
        help="config file merged over the bundled default (default: .github/zoo-review.yml "
        "as it is at the base revision)",
    )
    add_network_options(check)
    check.add_argument(
        "--fix",
        action="store_true",
        help="review the work tree, apply the mechanical fixes (numbers from the scores files, "
        "decimals, escaped pipes, misspelled headers, config paths, …) to it and report the rest",
    )
    check.add_argument(
        "--all",
        dest="audit_all",
        action="store_true",
        help="review every entry of the task READMEs, not only what changed (for maintainers)",
    )
    check.set_defaults(run=run_check)

    audit = commands.add_parser(
        "audit",
        help="check every artifact of the whole zoo (link rot), for maintainers",
        description="Reviews every entry of the task READMEs at a revision and checks every "
        "linked file. Exit status: 0 pass, 1 errors found, 2 usage or operational error, 3 "
        "incomplete (a check that decides the verdict could not run: re-run it).",
    )
    audit.add_argument("--repo", type=Path, default=Path("."), help="the zoo checkout (default: .)")
    audit.add_argument("--rev", default="HEAD", help="the revision to audit (default: HEAD)")
    audit.add_argument(
        "--task", action="append", default=[], help="audit only this task (repeatable)"
    )
    audit.add_argument(
        "--cache", type=Path, help="keep good link results in this folder and reuse them"
    )
    audit.add_argument(
        "--max-cache-age",
        type=float,
        default=24.0,
        metavar="HOURS",
        help="reuse cached results younger than this (default: 24)",
    )
    audit.add_argument(
        "--config",
        type=Path,
        help="config merged over the bundled default (default: the audited revision's "
        ".github/zoo-review.yml)",
    )
    add_output_options(audit)
    add_network_options(audit)
    audit.set_defaults(run=run_audit)

    example = commands.add_parser(
        "example",
        help="build a small zoo with a contribution, serve its files locally, review it",
        description="Runs a real review of a bundled example contribution, without internet.",
    )
    example.add_argument(
        "--broken", action="store_true", help="plant typical mistakes in the contribution"
    )
    add_output_options(example)
    example.add_argument("--keep", type=Path, help="build the example zoo in this new folder")
    example.set_defaults(run=run_example)
    parser.commands = {"check": check, "audit": audit, "example": example}
    return parser


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="report format: text, markdown (the PR comment), json (schemas/report.schema.json) "
        "or github (workflow commands: annotations in a GitHub Actions run)",
    )
    parser.add_argument("--output", type=Path, help="write the report to this file, not stdout")
    parser.add_argument(
        "--verbose", action="store_true", help="list every entry reviewed, not only their count"
    )


def add_network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--remap",
        action="append",
        default=[],
        metavar="'REGEX REPLACEMENT'",
        help="rewrite matching URLs before fetching, e.g. to a mirror (repeatable; $1 or \\1 "
        "for groups)",
    )
    parser.add_argument(
        "--offline", action="store_true", help="fetch nothing; skip the checks that need files"
    )
    parser.add_argument(
        "--allow-private-hosts",
        action="store_true",
        help="operator's permission to fetch from loopback and private addresses and from "
        "non-standard ports (a local mirror, tests)",
    )
    parser.add_argument(
        "--verify-checksums",
        action="store_true",
        help="download each weights file and compare its MD5 (within the config's size and "
        "time budget)",
    )
    parser.add_argument(
        "--scores-only",
        action="store_true",
        help="fetch only the scores files, not the other linked files and pages",
    )


def run_check(args: argparse.Namespace) -> int:
    if args.pr is not None:
        return run_check_pr(args)
    certificates = load_certificates_early(args)
    import_review_early()
    repo = GitRepo.open(args.repo)
    if args.fix:
        if args.head is not None:
            raise UsageError("--fix changes the work tree: review it (no --head REV)")
        args.worktree = True
    base, head = resolve_revisions(repo, args.base, args.head)
    if args.config is not None:
        config = load_config_file(args.config)
    else:
        config = load_config(read_repo_config(repo, base))
    if args.head is None and not args.worktree:
        # Edits not committed yet are what the contributor is working on: review them too.
        dirty = uncommitted_work(repo, config)
        if dirty:
            args.worktree = True
            listed = ", ".join(dirty[:3]) + (
                f" and {len(dirty) - 3} more" if len(dirty) > 3 else ""
            )
            print(
                f"zoo-review: reviewing the work tree: {listed} not committed "
                "(--head HEAD reviews the last commit only)",
                file=sys.stderr,
            )
    submission = load_submission(
        repo, config, base, head, worktree=args.worktree, body_file=args.body
    )
    result = run_review(submission, config, args, certificates=certificates)
    if args.fix:
        result = fix_in_place(result, repo.root, submission.body_path, args.body)
    return write_report(result, config, args.format, args.output, verbose=args.verbose)


def fix_in_place(result: Review, root: Path, body_path: str, body: Path | None) -> Review:
    """Apply every mechanical fix to the work tree (and the --body file), say what changed on
    stderr, and keep in the report only what is left to do."""

    def locate(path: str) -> Path:
        if body is not None and path == body_path:
            return body
        return root / path

    # The description's fixes go into the --body file, when it is a file.
    from bot.fixer import apply_fixes, describe  # noqa: PLC0415

    fixable = [
        f
        for f in result.findings
        if f.fix is not None
        and (f.fix.path != body_path or (body is not None and str(body) != "-"))
    ]
    applied = apply_fixes(fixable, locate)
    fixed = [item.finding for item in applied if item.fixed]
    for item in applied:
        fix = item.finding.fix
        assert fix is not None
        where = f"{fix.path}:{fix.line}"
        if item.fixed:
            print(f"fixed {where}: {describe(fix)} [{item.finding.rule}]", file=sys.stderr)
        else:
            print(f"not fixed {where}: {item.reason} [{item.finding.rule}]", file=sys.stderr)
    left = sum(1 for f in result.findings if f not in fixed)
    print(f"zoo-review: {len(fixed)} fixed, {left} remaining.", file=sys.stderr)
    return replace(result, findings=[f for f in result.findings if f not in fixed])


def run_check_pr(args: argparse.Namespace) -> int:
    """`check --pr`: the pull request through GitHub's API, the review printed, nothing written."""
    from bot import remote  # noqa: PLC0415 - PyGithub is imported only when a PR is asked for

    local = {
        "--base": args.base,
        "--head": args.head,
        "--worktree": args.worktree,
        "--body": args.body,
        "--fix": args.fix,
    }
    given = [flag for flag, value in local.items() if value]
    if given:
        raise UsageError(f"--pr reviews the PR on GitHub; {', '.join(given)} do not apply to it")
    override = load_config_file(args.config) if args.config is not None else None
    checked = remote.check_pr(args.pr, override, lambda sub, cfg: run_review(sub, cfg, args))
    if args.format == "markdown":
        write_text(checked.comment, args.output)
        code = EXIT_CODES[checked.review.verdict]
    else:
        code = write_report(
            checked.review, checked.config, args.format, args.output, verbose=args.verbose
        )
    remote.print_summary(checked.summary)
    return code


def write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text.rstrip("\n") + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OperationalError(f"--output {output}: cannot write it ({exc})") from exc


def run_audit(args: argparse.Namespace) -> int:
    certificates = load_certificates_early(args)
    import_review_early()
    repo = GitRepo.open(args.repo)
    head = repo.resolve(args.rev)
    if head is None:
        raise UsageError(f"--rev {args.rev}: no such commit in {repo.root}")
    if args.config is not None:
        config = load_config_file(args.config)
    else:
        config = load_config(read_repo_config(repo, head))
    unknown = [name for name in args.task if config.task(name) is None]
    if unknown:
        known = ", ".join(task.name for task in config.tasks)
        guesses = [guess_task(name, config) for name in unknown]
        meant = "".join(f"; did you mean --task {g}?" for g in guesses if g is not None)
        raise UsageError(f"--task {', '.join(unknown)}: no such task (tasks: {known}){meant}")
    if args.max_cache_age < 0:
        raise UsageError("--max-cache-age must not be negative")
    submission = load_submission(repo, config, head, head)
    result = run_review(
        submission, config, args, audit_tasks=tuple(args.task), certificates=certificates
    )
    return write_report(result, config, args.format, args.output, verbose=args.verbose)


def guess_task(name: str, config: Config) -> str | None:
    """The task a mistyped `--task` means: a close name (`dett`), or the task whose title has
    the word (`detection` for det, Object Detection)."""
    from bot.rules.suggest import closest  # noqa: PLC0415

    names = [task.name for task in config.tasks]
    guess = closest(name, names, cutoff=0.6)
    if guess is not None:
        return guess
    word = name.casefold()
    titled = [task.name for task in config.tasks if word in task.title.casefold().split()]
    return titled[0] if len(titled) == 1 else None


def run_review(
    submission: Submission,
    config: Config,
    args: argparse.Namespace,
    *,
    audit_tasks: tuple[str, ...] | None = None,
    allow_private_hosts: bool = False,
    certificates: threading.Thread | None = None,
) -> Review:
    """Review with the network options of the command line (`audit_tasks`: an audit;
    `certificates`: the thread of `load_certificates_early`, waited for)."""
    from bot.engine import ReviewOptions, review  # noqa: PLC0415

    options = ReviewOptions(
        audit_all=audit_tasks is not None or getattr(args, "audit_all", False),
        offline=args.offline,
        remaps=tuple(parse_remap(text) for text in args.remap),
        artifacts=not args.scores_only,
        verify_checksums=args.verify_checksums or config.network.verify_checksums,
        tasks=audit_tasks or (),
    )
    if args.offline:
        return review(submission, config, options, None)
    from bot.net.setup import build_fetcher  # noqa: PLC0415 - httpx only when going online

    if certificates is not None:
        certificates.join()  # the TLS context is ready (or nearly): not built a second time
    progress = ProgressBar()
    fetcher: Fetcher = build_fetcher(
        config.network, args.allow_private_hosts or allow_private_hosts, progress
    )
    cache = getattr(args, "cache", None)
    if cache is not None:
        from bot.net.cache import CachedFetcher  # noqa: PLC0415 - only with --cache

        fetcher = CachedFetcher(fetcher, cache, args.max_cache_age)
    try:
        return review(submission, config, options, fetcher)
    finally:
        progress.close()


def load_certificates_early(args: argparse.Namespace) -> threading.Thread | None:
    """Start getting the network ready in a thread, unless offline (bot.net.transport.warm_up:
    the TLS context, and the modules the first request imports).

    Loading the CA certificates takes tens of milliseconds in OpenSSL, which releases the GIL,
    and git, which this thread overlaps, waits for its processes: what the thread does is not
    on the way to the first request any more. What both threads use is imported here first;
    the modules the thread imports, the main thread needs only once it has joined it.
    """
    if args.offline:
        return None
    import certifi  # noqa: PLC0415 - httpx's certificates, only when going online

    from bot.net.transport import warm_up  # noqa: PLC0415

    certifi.where()  # its imports (importlib.resources) and its file, in this thread
    thread = threading.Thread(target=warm_up, name=START_UP_THREADS[1], daemon=True)
    thread.start()
    return thread


def import_review_early() -> threading.Thread:
    """Start importing the review's modules in a thread, and return it.

    The main thread runs git meanwhile, which mostly waits for its processes: the imports take
    that time instead of coming after it. The review imports the modules again when it starts,
    which waits for this thread's import to end; an import that fails here fails there again,
    with its error (a failed import leaves nothing behind in sys.modules). Meanwhile the main
    thread imports none of the modules the review imports (git's code and the configuration's
    are imported already), so neither thread waits for the other's imports.
    """
    thread = threading.Thread(
        target=_import_quietly, args=(REVIEW_MODULES,), name=START_UP_THREADS[0], daemon=True
    )
    thread.start()
    return thread


def _import_quietly(names: Sequence[str]) -> None:
    """Import the modules; an error is left for the review's own import to raise."""
    for name in names:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    # What the command imported is frozen (see `entry`): what this thread imported is too, or
    # each full collection walks it again (the 500-row audit's first request: ~50 ms later).
    if gc.get_freeze_count():
        gc.freeze()


def run_example(args: argparse.Namespace) -> int:
    from bot.example import run as example  # noqa: PLC0415 - http.server etc., only here

    return example.run_example(args)


if __name__ == "__main__":
    entry()
