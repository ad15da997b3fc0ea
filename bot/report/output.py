"""Writes a review in the chosen format to stdout or a file; the exit status follows the verdict."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from bot.config import Config
from bot.errors import OperationalError
from bot.model import Review

FORMATS = ("text", "markdown", "json", "github")
EXIT_PASS, EXIT_FAIL, EXIT_INCOMPLETE = 0, 1, 3
EXIT_CODES = {"pass": EXIT_PASS, "fail": EXIT_FAIL, "incomplete": EXIT_INCOMPLETE}


def render(
    review: Review, config: Config, fmt: str, colour: bool = False, verbose: bool = False
) -> str:
    return "".join(render_parts(review, config, fmt, colour, verbose))


def render_parts(
    review: Review, config: Config, fmt: str, colour: bool = False, verbose: bool = False
) -> Iterable[str]:
    """The report in the pieces it is written in (JSON: a line per link; the others: whole)."""
    # Only the chosen format's renderer is imported (start-up time: `github` pulls in the
    # workflow commands and `secrets`).
    if fmt == "json":
        from bot.report.jsonout import json_parts  # noqa: PLC0415

        return json_parts(review)
    return [_render_whole(review, config, fmt, colour, verbose)]


def _render_whole(review: Review, config: Config, fmt: str, colour: bool, verbose: bool) -> str:
    if fmt == "github":
        from bot.report.github import render_github  # noqa: PLC0415

        return render_github(review)
    if fmt == "markdown":
        from bot.report.markdown import render_markdown  # noqa: PLC0415

        return render_markdown(review, guide=config.guide)
    from bot.report.text import render_text  # noqa: PLC0415

    return render_text(review, colour=colour, verbose=verbose)


def write_report(
    review: Review, config: Config, fmt: str, output: Path | None, *, verbose: bool = False
) -> int:
    """Print (colour only on a terminal, never with NO_COLOR) or write the report."""
    colour = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    parts = render_parts(review, config, fmt, colour=colour, verbose=verbose)
    if output is not None:
        try:
            with output.open("w", encoding="utf-8") as file:
                file.writelines(parts)
        except OSError as exc:
            raise OperationalError(f"--output {output}: cannot write it ({exc})") from exc
    else:
        sys.stdout.writelines(parts)
        sys.stdout.flush()
    return EXIT_CODES[review.verdict]
