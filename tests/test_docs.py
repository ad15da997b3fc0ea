"""The docs stay true: every command shown in README.md and docs/*.md is run here and must
print what the page shows; the generated parts of the pages are current.

The convention (docs/development.md, "Docs that stay true"): a ```console block is run, each
`$ ` line a command, the lines after it its output (`...` alone on a line: any lines; within a
line: any text), exit status 0 unless the command ends with `# exit status N`. A block of
commands in another language (sh, bash, …) must say why it is not run, in an HTML comment
right above it: `<!-- not run: REASON -->`, or `<!-- run elsewhere: PAGE -->` when the same
commands run on that page. `<!-- run in: DIR -->` picks the sandbox folder a block runs in;
`<!-- check: config -->` (a YAML block) and `<!-- check: report -->` (JSON) validate data.

The commands run in a sandbox made once per page: a copy of the broken example zoo
(`zoo/`, on its contribution branch, with the PR description in `zoo/pr.md`), HOME in the
sandbox, this venv first on PATH, no package index. What needs the internet runs as a local
equivalent, each listed in SUBSTITUTIONS and said on docs/development.md:
- zoo-review's repository on GitHub is this checkout (`file://`), and pip finds packages only
  in the wheelhouse .ci/run builds (`pip wheel -w .ci/wheelhouse . hatchling pip`); blocks that
  install are skipped without it, like tests/test_precommit.py;
- `zoo-review check` and `audit` (not `--offline`) fetch the example zoo's links from a local
  server, with the options `zoo-review example` uses itself (`--allow-private-hosts` and a
  `--remap` per host).
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from bot.config import build, load_config
from bot.example.server import ArtifactServer
from bot.example.zoo import ARTIFACT_HOST, PAGE_HOSTS, build_example
from bot.resources import load_schema
from tests.docblocks import (
    ROOT,
    Block,
    Command,
    all_blocks,
    matches,
    normalise,
    pages,
    problems,
)
from tests.reportschema import check_report

WHEELHOUSE = Path(os.environ.get("ZOO_REVIEW_WHEELHOUSE", ROOT / ".ci" / "wheelhouse"))
GITHUB_REPOSITORY = "https://github.com/SysCV/zoo-review"
STATUS = "@@zoo-review-docs-test-status"

# Text of a command as the page shows it -> what the test runs instead, and why (the first
# that matches applies).
SUBSTITUTIONS: dict[str, tuple[str, str]] = {
    f"git clone --quiet {GITHUB_REPOSITORY}": (
        f"git clone --quiet file://{ROOT} zoo-review",
        "zoo-review's repository is this checkout",
    ),
    GITHUB_REPOSITORY: (f"file://{ROOT}", "zoo-review's repository is this checkout"),
}
_ONLINE = re.compile(r"(?<![\w/-])zoo-review (?P<command>check|audit)(?=\s|$)")
_INSTALLS = re.compile(r"\b(?:pipx|pip)\b")


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["docs_generate"] = module
    spec.loader.exec_module(module)
    return module


generate = _load_generator()
BLOCKS = all_blocks()
RUN = [block for block in BLOCKS if block.runs]


# --- the convention ----------------------------------------------------------------------


def test_every_block_is_run_or_says_why_not() -> None:
    found = [problem for block in BLOCKS for problem in problems(block)]
    assert not found, "\n".join(found)


def test_blocks_run_elsewhere_are_run_there() -> None:
    run_commands: dict[str, set[str]] = {}
    for block in RUN:
        where = str(block.page.relative_to(ROOT))
        run_commands.setdefault(where, set()).update(c.text for c in block.commands())
    for block in BLOCKS:
        page = block.directives.get("run elsewhere")
        if page is None:
            continue
        shown = {command.text for command in block.commands()}
        missing = shown - run_commands.get(page, set())
        assert not missing, f"{block.where}: not run on {page}: {sorted(missing)}"


def test_substitutions_are_all_used() -> None:
    commands = " ".join(c.text for block in RUN for c in block.commands())
    unused = [text for text in SUBSTITUTIONS if text not in commands]
    assert not unused, f"substitutions no page needs any more: {unused}"


# --- generated parts and schemas ---------------------------------------------------------


def test_generated_parts_are_current() -> None:
    stale = [str(page.relative_to(ROOT)) for page in generate.stale()]
    assert not stale, f"{stale} not current: run `python docs/generate.py` and commit the pages"


def test_every_generated_part_is_on_a_page() -> None:
    text = "".join(page.read_text(encoding="utf-8") for page in generate.pages())
    for name in ("config-reference", "report-fields", "include examples/workflows/zoo-review.yml"):
        assert f"<!-- generated: {name} (python docs/generate.py" in text, name


@pytest.mark.parametrize("name", ["config.schema.json", "report.schema.json"])
def test_every_key_of_the_schemas_is_described(name: str) -> None:
    schema = load_schema(name)
    missing = [
        key.path for key in generate.keys(schema, schema) if not key.schema.get("description")
    ]
    assert not missing, f"schemas/{name}: keys without a description: {missing}"


def _containers(data: Any, parts: list[str]) -> Iterator[dict[str, Any]]:
    """The mappings of `data` that the key path `parts` (with `[]` and `<name>`) leads to."""
    if not parts:
        if isinstance(data, dict):
            yield data
        return
    head, rest = parts[0], parts[1:]
    if not isinstance(data, dict):
        return
    if head == "<name>":
        for value in data.values():
            yield from _containers(value, rest)
        return
    name, _, listed = head.partition("[]")
    value = data.get(name)
    if head.endswith("[]"):
        for item in value if isinstance(value, list) else ():
            yield from _containers(item, rest)
    elif listed == "" and value is not None:
        yield from _containers(value, rest)


def test_a_key_left_out_takes_its_documented_default() -> None:
    """For every key with a `default` in the schema, a config without the key is the same as
    one that sets the default (so the reference's defaults are the code's)."""
    schema = load_schema("config.schema.json")
    bundled = yaml.safe_load((ROOT / "bot" / "default-config.yml").read_text(encoding="utf-8"))
    checked = []
    for key in generate.keys(schema, schema):
        if "default" not in key.schema:
            continue
        *parents, name = re.split(r"\.(?![^\[]*\])", key.path)
        without = copy.deepcopy(bundled)
        spots = list(_containers(without, parents))
        assert spots, f"{key.path}: no place in bot/default-config.yml to try its default"
        spots[0].pop(name, None)
        with_default = copy.deepcopy(without)
        next(iter(_containers(with_default, parents)))[name] = key.schema["default"]
        assert build(without) == build(with_default), f"{key.path}: the schema's default is wrong"
        checked.append(key.path)
    assert "network.budget_seconds" in checked


# --- data blocks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if "check" in b.directives], ids=lambda b: b.where
)
def test_data_blocks_are_valid(block: Block) -> None:
    kind = block.directives["check"]
    if kind == "config":
        load_config(block.text, block.where)
    elif kind == "report":
        check_report(json.loads(block.text))
    else:
        pytest.fail(f"{block.where}: unknown check {kind!r} (config, report)")


# --- the commands ------------------------------------------------------------------------


@dataclass
class Ran:
    """What one block printed: each command with its output and exit status, or why the
    block was not run, or how the shell failed."""

    results: list[tuple[Command, str, int]] = field(default_factory=list)
    skipped: str | None = None
    failed: str | None = None


class PageRun:
    """The blocks of one page, run in order in the page's sandbox (as a reader follows them)
    by a thread of their own; a test waits for its block."""

    def __init__(self, docs: Docs, page: Path, folder: Path) -> None:
        self.docs = docs
        self.page = page
        self.folder = folder
        self.env = docs.environment(folder)
        self.ran: dict[int, Ran] = {}
        self.done = threading.Condition()
        self.process: subprocess.Popen[str] | None = None
        self.stopped = False
        self.thread = threading.Thread(target=self._run_all, name=f"docs {page.name}", daemon=True)
        self.thread.start()

    def _run_all(self) -> None:
        for block in RUN:
            if block.page != self.page:
                continue
            reason = skip_reason(block)
            try:
                ran = Ran(skipped=reason) if reason is not None else self._run(block)
            except Exception as exc:  # the test reports it
                ran = Ran(failed=f"{type(exc).__name__}: {exc}")
            with self.done:
                self.ran[block.line] = ran
                self.done.notify_all()

    def _run(self, block: Block) -> Ran:
        """The block's commands in one shell (`cd` and variables carry over), each followed by
        a line with its exit status."""
        commands = block.commands()
        cwd = self.folder / block.directives.get("run in", ".")
        script = ["exec 2>&1", f"cd {shlex.quote(str(cwd))}"]
        for command in commands:
            script += [self.docs.localise(command.text), f"printf '\\n{STATUS} %s\\n' \"$?\""]
        with self.done:
            if self.stopped:
                return Ran(failed="the session ended")
            self.process = subprocess.Popen(
                ["bash", "--noprofile", "--norc", "-c", "\n".join(script)],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        try:
            stdout, _ = self.process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            self.stop()
            return Ran(failed="the block ran for more than 600 s")
        pieces = re.split(rf"\n{re.escape(STATUS)} (\d+)\n", "\n" + stdout)
        outputs = [
            (pieces[i][1:] if i == 0 else pieces[i], int(pieces[i + 1]))
            for i in range(0, len(pieces) - 1, 2)
        ]
        if len(outputs) != len(commands):
            return Ran(
                failed=f"the shell stopped after {len(outputs)} of {len(commands)} commands "
                f"(exit {self.process.returncode}):\n{stdout}"
            )
        return Ran([(c, out, status) for c, (out, status) in zip(commands, outputs, strict=True)])

    def wait(self, block: Block) -> Ran:
        with self.done:
            self.done.wait_for(lambda: block.line in self.ran, timeout=1200)
            return self.ran.get(block.line, Ran(failed="still running after 1200 s"))

    def stop(self) -> None:
        """End the running block (its whole process group: pip, git, …)."""
        with self.done:
            self.stopped = True
            process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Docs:
    """The pages' sandboxes, each a copy of one template (the broken example zoo, on its
    contribution branch, with its PR description in zoo/pr.md), and the example's files
    served on 127.0.0.1, for the whole test session."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="zoo-review-docs-"))
        example = build_example(self.base / "example", load_config(), broken=True)
        self.template = self.base / "template"
        (self.template / "home").mkdir(parents=True)
        shutil.copytree(example.repo, self.template / "zoo", symlinks=True)
        shutil.copy(example.body, self.template / "zoo" / "pr.md")
        self.server = ArtifactServer(example.artifacts, example.private)
        self.server.__enter__()
        self.pipx_shared = self.base / "pipx-shared"
        self.runs: dict[Path, PageRun] = {}
        self.lock = threading.Lock()

    def run(self, page: Path) -> PageRun:
        with self.lock:
            if page not in self.runs:
                folder = self.base / f"page-{len(self.runs)}-{page.stem}"
                shutil.copytree(self.template, folder, symlinks=True)
                self.runs[page] = PageRun(self, page, folder)
            return self.runs[page]

    def close(self) -> None:
        for run in self.runs.values():
            run.stop()
            run.thread.join(timeout=10)
        self.server.__exit__(None, None, None)
        shutil.rmtree(self.base, ignore_errors=True)

    def environment(self, folder: Path) -> dict[str, str]:
        venv = Path(sys.executable).parent
        keep = {name: os.environ[name] for name in ("SYSTEMROOT", "TMPDIR") if name in os.environ}
        return {
            **keep,
            "PATH": os.pathsep.join([str(folder / ".local" / "bin"), str(venv), os.defpath]),
            "HOME": str(folder / "home"),
            "LC_ALL": "C.UTF-8",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "COLUMNS": "100",
            "PYTHONUNBUFFERED": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "A Contributor",
            "GIT_AUTHOR_EMAIL": "contributor@example.org",
            "GIT_COMMITTER_NAME": "A Contributor",
            "GIT_COMMITTER_EMAIL": "contributor@example.org",
            # No package index: pip finds packages only in the local wheelhouse.
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(WHEELHOUSE),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIPX_HOME": str(folder / ".local" / "pipx"),
            "PIPX_BIN_DIR": str(folder / ".local" / "bin"),
            "PIPX_MAN_DIR": str(folder / ".local" / "man"),
            "PIPX_SHARED_LIBS": str(self.pipx_shared),
            # pipx installs with pip (which reads the settings above), also where uv is on the
            # PATH; uv, if it runs, reads the same wheelhouse.
            "PIPX_DEFAULT_BACKEND": "pip",
            "UV_NO_INDEX": "1",
            "UV_FIND_LINKS": str(WHEELHOUSE),
            "USE_EMOJI": "0",
        }

    def localise(self, text: str) -> str:
        """The command as it runs here: GitHub is this checkout, the example's hosts local."""
        for shown, (runs, _why) in SUBSTITUTIONS.items():
            text = text.replace(shown, runs)
        if "--offline" in text or "--pr" in text:
            return text
        url = self.server.url
        remaps = [f"^{re.escape(ARTIFACT_HOST)}/(.*)$ {url}/$1"]
        remaps += [f"^https://{re.escape(host)}/(.*)$ {url}/pages/{host}/$1" for host in PAGE_HOSTS]
        options = " --allow-private-hosts" + "".join(f" --remap '{r}'" for r in remaps)
        return _ONLINE.sub(lambda m: m.group(0) + options, text)


_DOCS: list[Docs] = []


def docs() -> Docs:
    """The session's sandboxes, made on first use."""
    if not _DOCS:
        _DOCS.append(Docs())
    return _DOCS[0]


def start_early(nodeids: list[str]) -> None:
    """Start the pages whose blocks install zoo-review (tens of seconds of pip) as soon as
    their tests are collected, so that they run beside the rest of the suite
    (tests/conftest.py calls this; their tests then only wait for them)."""
    selected = set(nodeids)
    for block in RUN:
        installs = _INSTALLS.search(" ".join(c.text for c in block.commands()))
        chosen = f"tests/test_docs.py::test_doc_commands[{block.where}]" in selected
        if installs and chosen and skip_reason(block) is None:
            docs().run(block.page)


def finish() -> None:
    """End what still runs and remove the sandboxes (tests/conftest.py, at the session's end)."""
    while _DOCS:
        _DOCS.pop().close()


def skip_reason(block: Block) -> str | None:
    text = " ".join(command.text for command in block.commands())
    if GITHUB_REPOSITORY in text and not (ROOT / ".git").exists():
        return "zoo-review's repository is cloned from this checkout, which is not a git one"
    if _INSTALLS.search(text):
        wheels = {path.name.split("-")[0] for path in WHEELHOUSE.glob("*.whl")}
        if not {"zoo_review", "hatchling", "pip"} <= wheels:
            return (
                f"no wheelhouse at {WHEELHOUSE} with zoo_review, hatchling and pip: "
                f"`pip wheel -w {WHEELHOUSE} . hatchling pip` (.ci/run builds it)"
            )
    return None


def _report(block: Block, command: Command, output: str, status: int) -> str:
    expected = "\n".join(command.expected)
    diff = "\n".join(
        difflib.unified_diff(
            command.expected, normalise(output).split("\n"), "the page", "the command", lineterm=""
        )
    )
    return (
        f"{block.where}: `$ {command.text}` exited {status} (the page: {command.status}) "
        f"and printed:\n{output}\n--- the page shows:\n{expected}\n--- diff:\n{diff}"
    )


@pytest.mark.parametrize("block", RUN, ids=lambda block: block.where)
def test_doc_commands(block: Block) -> None:
    ran = docs().run(block.page).wait(block)
    if ran.skipped is not None:
        pytest.skip(ran.skipped)
    if ran.failed is not None:
        pytest.fail(f"{block.where}: {ran.failed}")
    for command, output, status in ran.results:
        assert status == command.status and matches(command.expected, output), _report(
            block, command, output, status
        )


# --- claims the pages make ---------------------------------------------------------------

_NAMED_TEST = re.compile(r"`(?P<file>tests/test_\w+\.py)::(?P<test>test_\w+)`")


def test_the_tests_the_pages_name_exist() -> None:
    """docs/security.md (and any page) names the tests that hold a promise: they must exist."""
    missing = []
    named = 0
    for page in pages():
        for match in _NAMED_TEST.finditer(page.read_text(encoding="utf-8")):
            named += 1
            path = ROOT / match.group("file")
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
            if not re.search(rf"^(?:async )?def {match.group('test')}\(", text, re.MULTILINE):
                missing.append(f"{page.relative_to(ROOT)}: {match.group(0)}")
    assert named >= 50
    assert not missing, "tests named on a page but not found:\n" + "\n".join(missing)


def test_the_example_workflow_sets_each_input_to_its_default() -> None:
    """docs/action.md says so: the inputs the workflow shows are there to be changed."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    workflow = yaml.safe_load(
        (ROOT / "examples" / "workflows" / "zoo-review.yml").read_text(encoding="utf-8")
    )
    (step,) = [s for s in workflow["jobs"]["review"]["steps"] if "zoo-review@" in s["uses"]]
    defaults = {name: str(spec["default"]) for name, spec in action["inputs"].items()}
    assert step["with"], "the workflow shows no input"
    for name, value in step["with"].items():
        assert str(value) == defaults[name], f"{name}: {value!r}, the default is {defaults[name]!r}"


_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the headings of `page` (lower case, punctuation dropped,
    spaces as dashes, a number after repeats)."""
    seen: dict[str, int] = {}
    anchors = set()
    fence = False
    for line in page.read_text(encoding="utf-8").split("\n"):
        if line.lstrip().startswith("```"):
            fence = not fence
        if fence or not line.startswith("#"):
            continue
        text = line.lstrip("#").strip().lower()
        slug = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def test_links_between_pages_lead_somewhere() -> None:
    """Every relative link of the pages names a file of this repository and, with `#anchor`,
    a heading of that page."""
    broken = []
    for page in pages():
        text = re.sub(r"(?ms)^\s*```.*?^\s*```", "", page.read_text(encoding="utf-8"))
        text = re.sub(r"(`+).*?\1", "", text)  # links inside code spans are text
        for match in _LINK.finditer(text):
            target = match.group("target")
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)
