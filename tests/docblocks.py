"""The fenced blocks of the docs and what the page says about each (see docs/development.md,
"Docs that stay true"): parsing, and matching a command's output with the page's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Blocks in these languages are commands: run (console) or marked as not run, with the reason.
COMMAND_LANGUAGES = frozenset({"console", "sh", "bash", "shell", "zsh", "shell-session"})
# Blocks in these are data or text; `check:` directives validate some of them.
DATA_LANGUAGES = frozenset({"yaml", "json", "text", "python", "toml", "markdown", "diff"})

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
_DIRECTIVE = re.compile(r"^\s*<!-- (?P<verb>[a-z ]+): (?P<value>.+?) -->\s*$")
DIRECTIVES = frozenset({"not run", "run in", "check", "run elsewhere", "generated"})
_EXIT = re.compile(r"#.*\bexit status (?P<code>\d+)")


def pages() -> list[Path]:
    """README.md and every page of docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass
class Command:
    """One `$ ` command of a console block, the output the page shows and its exit status."""

    text: str
    expected: list[str] = field(default_factory=list)
    status: int = 0


@dataclass
class Block:
    """A fenced block: where it is, its language, its text and the directive before it."""

    page: Path
    line: int
    language: str
    text: str
    directives: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def runs(self) -> bool:
        return (
            self.language == "console"
            and "not run" not in self.directives
            and "run elsewhere" not in self.directives
        )

    def commands(self) -> list[Command]:
        """The `$ ` lines (a line ending in `\\` goes on) and the output after each."""
        commands: list[Command] = []
        lines = self.text.split("\n")
        index = 0
        while index < len(lines):
            line = lines[index]
            index += 1
            if line.startswith("$ "):
                text = line[2:]
                while text.endswith("\\") and index < len(lines):
                    text = text + "\n" + lines[index]
                    index += 1
                found = _EXIT.search(text.rsplit("\n", 1)[-1])
                status = int(found.group("code")) if found else 0
                commands.append(Command(text, status=status))
            elif commands:
                commands[-1].expected.append(line)
            elif line.strip():
                raise ValueError(f"{self.where}: output before the first `$ ` command: {line!r}")
        for command in commands:
            while command.expected and not command.expected[-1].strip():
                command.expected.pop()
        return commands


def blocks(page: Path) -> list[Block]:
    """Every fenced block of `page`, with the directives in HTML comments just above it."""
    lines = page.read_text(encoding="utf-8").split("\n")
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = len(opening.group("indent")), opening.group("fence")
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines):
            closing = _FENCE.match(lines[index])
            if (
                closing is not None
                and closing.group("fence")[0] == fence[0]
                and len(closing.group("fence")) >= len(fence)
                and not closing.group("info").strip()
            ):
                break
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        index += 1
        found.append(
            Block(
                page=page,
                line=start + 1,
                language=opening.group("info").strip().split(" ")[0],
                text="\n".join(body),
                directives=_directives(lines, start),
            )
        )
    return found


def _directives(lines: list[str], fence: int) -> dict[str, str]:
    """`<!-- verb: value -->` lines right above the fence (blank lines between are fine)."""
    directives: dict[str, str] = {}
    index = fence - 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    while index >= 0:
        match = _DIRECTIVE.match(lines[index])
        if match is None:
            break
        directives[match.group("verb")] = match.group("value")
        index -= 1
    return directives


def all_blocks() -> list[Block]:
    return [block for page in pages() for block in blocks(page)]


def problems(block: Block) -> list[str]:
    """Why `block` breaks the convention, if it does."""
    out = [
        f"{block.where}: unknown directive `{verb}` (known: {', '.join(sorted(DIRECTIVES))})"
        for verb in block.directives
        if verb not in DIRECTIVES
    ]
    reason = block.directives.get("not run")
    if reason is not None and len(reason.split()) < 3:
        out.append(f"{block.where}: `not run` needs the reason, in words, for the reader")
    if not block.language:
        out.append(
            f"{block.where}: a block without a language: ```console to run its commands, "
            "```text for plain text"
        )
    elif block.language in COMMAND_LANGUAGES and block.language != "console":
        if reason is None:
            out.append(
                f"{block.where}: ```{block.language} commands are neither run (write them as "
                "```console with `$ ` prompts) nor marked `<!-- not run: REASON -->`"
            )
    elif block.language not in COMMAND_LANGUAGES | DATA_LANGUAGES:
        out.append(f"{block.where}: unknown block language {block.language!r}")
    if block.language == "console":
        try:
            if not block.commands():
                out.append(f"{block.where}: a console block without a `$ ` command")
        except ValueError as exc:
            out.append(str(exc))
    return out


def pattern(expected: list[str]) -> re.Pattern[str]:
    """The output a command may print: `...` alone on a line stands for any lines (or none),
    `...` within a line for any text on that line; everything else is literal."""
    parts: list[str] = []
    for line in expected:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append("[^\n]*".join(re.escape(piece) for piece in line.rstrip().split("...")))
            parts.append("\n")
    return re.compile("".join(parts))


def normalise(output: str) -> str:
    """Lines without trailing white space, no blank lines at the end, a final newline."""
    lines = [line.rstrip() for line in output.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


def matches(expected: list[str], output: str) -> bool:
    return pattern(expected).fullmatch(normalise(output)) is not None
