"""The runner's files and commands: job summary, outputs, annotations, and a log that no
contributor text can turn into a workflow command."""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from bot.errors import OperationalError
from bot.model import Finding, Severity
from bot.quote import plain

# GitHub shows at most 10 annotations of each kind per step.
ANNOTATION_CAP = 10
# GitHub drops a step's job summary larger than 1 MiB; what we append stays below, with room
# for the note that says it was cut.
SUMMARY_LIMIT = 1024 * 1024 - 4096
SUMMARY_CUT = (
    "\n\n> ✂️ The job summary is cut at GitHub's 1 MiB limit; the whole review is in the log "
    "of this step and in the JSON report (the `report` output)."
)
_COMMAND = {"error": "error", "warning": "warning", "notice": "notice"}
# White space within the line only: `\s*` would rescan runs of blank lines from each one.
_STARTS_COMMAND = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)


def escape_data(value: str) -> str:
    """A workflow command's message: %, CR and LF escaped, so it stays one command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value: also `:` and `,`, which end a property."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def neutralize(text: str) -> str:
    """Text for the log with no line starting with `::` and no `##[` (both are commands)."""
    text = _STARTS_COMMAND.sub(lambda m: f"{m.group(1)}:\u200b", text)
    return text.replace("##[", "#\u200b#[")


def log(text: str, stream: TextIO | None = None) -> None:
    """Print our own text, neutralized anyway: values in it may come from a PR."""
    out = stream or sys.stdout
    out.write(neutralize(text).rstrip("\n") + "\n")
    out.flush()


def command(name: str, message: str, properties: Mapping[str, str | int] | None = None) -> str:
    """One workflow command line, every part escaped."""
    props = ",".join(
        f"{key}={escape_property(str(value))}" for key, value in (properties or {}).items()
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def annotation_lines(
    findings: Iterable[Finding], body_path: str, cap: int | None = ANNOTATION_CAP
) -> tuple[list[str], dict[Severity, int]]:
    """Annotation commands for the findings within GitHub's caps (None: all of them), and how
    many were left out."""
    lines: list[str] = []
    used: dict[Severity, int] = {"error": 0, "warning": 0, "notice": 0}
    skipped: dict[Severity, int] = {"error": 0, "warning": 0, "notice": 0}
    for finding in findings:
        if cap is not None and used[finding.severity] >= cap:
            skipped[finding.severity] += 1
            continue
        used[finding.severity] += 1
        message = plain(finding.message)
        if finding.hint:
            message += f"\n{plain(finding.hint)}"
        properties: dict[str, str | int] = {"title": f"zoo-review {finding.rule}"}
        if finding.path != body_path:
            properties["file"] = finding.path
            if finding.line is not None:
                properties["line"] = finding.line
        lines.append(command(_COMMAND[finding.severity], message, properties))
    return lines, skipped


def emit(lines: Iterable[str], stream: TextIO | None = None) -> None:
    """Print workflow commands that `command` built (already escaped)."""
    out = stream or sys.stdout
    for line in lines:
        out.write(line + "\n")
    out.flush()


def fit_summary(markdown: str, room: int) -> tuple[str, bool]:
    """`markdown` cut to whole lines within `room` bytes (UTF-8) with a note saying so; and
    whether it was kept whole."""
    text = markdown.rstrip("\n") + "\n\n"
    if len(text.encode("utf-8")) <= room:
        return text, True
    budget = max(room - len(SUMMARY_CUT.encode("utf-8")) - 2, 0)
    kept: list[str] = []
    size = 0
    for line in text.split("\n"):
        cost = len(line.encode("utf-8")) + 1
        if size + cost > budget:
            break
        kept.append(line)
        size += cost
    return "\n".join(kept).rstrip("\n") + SUMMARY_CUT + "\n\n", False


def append_summary(markdown: str, path: str | None) -> bool:
    """Append to the job summary (the file GITHUB_STEP_SUMMARY names), within GitHub's 1 MiB
    per step; False without a summary file or when it had to be cut."""
    if not path:
        return False
    try:
        target = Path(path)
        used = target.stat().st_size if target.exists() else 0
        text, whole = fit_summary(markdown, max(SUMMARY_LIMIT - used, 0))
        with target.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise OperationalError(f"cannot write the job summary {path}: {exc}") from exc
    return whole


def write_outputs(values: Mapping[str, str], path: str | None) -> bool:
    """Set step outputs in the GITHUB_OUTPUT file, with a random heredoc delimiter per value."""
    if not path:
        return False
    chunks: list[str] = []
    for name, value in values.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:  # pragma: no cover - 128 random bits
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    try:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write("".join(chunks))
    except OSError as exc:
        raise OperationalError(f"cannot write the step outputs {path}: {exc}") from exc
    return True
