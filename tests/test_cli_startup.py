"""Start-up of `check` and `audit`: the review's modules are imported while git runs, the
rules stage's while the requests are in flight."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from bot import engine
from tests.conftest import GitZoo

ROOT = Path(__file__).resolve().parents[1]


def run_script(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`script` in a fresh interpreter, from the project's root."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# In a fresh interpreter (the test process imported everything long ago): import the command,
# then run it with git's first call made to wait (at most 10 s) for the engine's import to
# start. Without the early import, the engine is imported only once git is done: the wait
# runs out and the test fails.
SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import bot.cli as cli

    at_import = sorted(name for name in ("bot.engine", "bot.rules") if name in sys.modules)
    seen = []
    opened = cli.GitRepo.open.__func__

    def open_(cls, directory):
        deadline = time.monotonic() + 10
        while "bot.engine" not in sys.modules and time.monotonic() < deadline:
            time.sleep(0.002)
        seen.append("bot.engine" in sys.modules)
        return opened(cls, directory)

    cli.GitRepo.open = classmethod(open_)
    code = cli.main(sys.argv[1:])
    print(json.dumps({"at_import": at_import, "seen": seen, "code": code}))
    """
)

README = """# Object Detection

## Faster R-CNN

[Faster R-CNN](https://arxiv.org/abs/1506.01497) [NeurIPS 2015]

| Backbone | Lr schd | MS-train | Box AP-val | Scores-val | Box AP-test | Scores-test | Config | Weights | Preds | Visuals |
| :------: | :-----: | :------: | :--------: | :--------: | :---------: | :---------: | :----: | :-----: | :---: | :-----: |
"""

# A contribution checked, and the zoo audited, offline.
COMMANDS = [
    ["check", "--offline", "--base", "main", "--format", "json"],
    ["audit", "--offline", "--task", "det", "--format", "json"],
]


def _review_a_contribution(git_zoo: GitZoo, script: str, command: list[str]) -> Any:
    """`script` run with `command` on a zoo with one contribution; its last line, parsed."""
    git_zoo.write("det/README.md", README)
    git_zoo.commit("zoo")
    git_zoo.branch("contribution")
    git_zoo.write("det/README.md", README + "\nMore text.\n")
    git_zoo.commit("contribution")
    done = run_script(script, *command, "--repo", str(git_zoo.root))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", COMMANDS)
def test_the_review_is_imported_while_git_runs(git_zoo: GitZoo, command: list[str]) -> None:
    report = _review_a_contribution(git_zoo, SCRIPT, command)
    # Importing the command imports no rule: that is the thread's work.
    assert report["at_import"] == []
    # git's first call came after the engine's import had started.
    assert report["seen"] == [True]
    # And the review ran to its verdict with the modules that thread imported.
    assert report["code"] in (0, 1, 3)


FREEZE = textwrap.dedent(
    """
    import gc, json, sys
    import bot.cli as cli

    frozen_first = sys.argv[1] == "frozen"
    if frozen_first:
        gc.freeze()  # as `entry` does
    before = gc.get_freeze_count()
    cli.import_review_early().join(60)
    print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                      "engine": "bot.engine" in sys.modules}))
    """
)


@pytest.mark.parametrize("how", ["frozen", "not frozen"])
def test_what_the_thread_imports_is_frozen_as_entry_froze_the_rest(how: str) -> None:
    """The command (`entry`) freezes what it imported, so that the collector does not walk it
    again; the thread freezes what it imports too. A caller that froze nothing (a test calling
    `main`) gets nothing frozen."""
    done = run_script(FREEZE, how)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["engine"]
    if how == "frozen":
        # The engine, the parsers and the rules: thousands of objects (8,000 in 3.11).
        assert report["after"] > report["before"] + 2_000
    else:
        assert report["after"] == report["before"] == 0


EARLY_END = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import bot.cli as cli

    marker = Path(sys.argv[1])

    def slow_import(names):  # an import that is still running when the review stops
        time.sleep(0.5)
        marker.write_text("finished", encoding="utf-8")

    cli._import_quietly = slow_import
    sys.argv = ["zoo-review", "check", "--offline", "--repo", sys.argv[2]]
    cli.entry()
    """
)


def test_a_review_that_stops_early_waits_for_the_import_thread(tmp_path: Path) -> None:
    """A wrong --repo ends the review while the review's modules are still being imported:
    the process waits for that thread before it ends (an interpreter that ended during an
    import crashed with a segmentation fault in about one exit in ten)."""
    marker = tmp_path / "imported"
    done = run_script(EARLY_END, str(marker), str(tmp_path / "no-such-folder"))
    assert done.returncode == 2, done.stderr
    assert "no such directory" in done.stderr
    assert marker.read_text(encoding="utf-8") == "finished"


RULES_LATER = textwrap.dedent(
    """
    import json, sys, threading
    import bot.cli as cli
    import bot.engine as engine

    with_engine = sorted(
        name for name in (*engine.RULES_STAGE, "bot.rules.scores", "bot.rules.artifacts")
        if name in sys.modules
    )
    threads = []
    importing = engine._import_rules_stage

    def import_stage():
        threads.append(threading.current_thread().name)
        importing()

    engine._import_rules_stage = import_stage
    code = cli.main(sys.argv[1:])
    print(json.dumps({"with_engine": with_engine, "threads": threads, "code": code,
                      "after": [name for name in engine.RULES_STAGE if name in sys.modules]}))
    """
)


@pytest.mark.parametrize("command", COMMANDS)
def test_the_rules_stage_is_imported_in_a_thread_after_the_engine(
    git_zoo: GitZoo, command: list[str]
) -> None:
    """The engine comes without the rules it applies after the fetch (their import delayed
    the first request by about 40 ms); a thread imports them while the requests are out."""
    report = _review_a_contribution(git_zoo, RULES_LATER, command)
    assert report["with_engine"] == []
    assert len(report["threads"]) == 1
    assert report["threads"][0] != "MainThread"
    assert report["after"] == list(engine.RULES_STAGE)
    assert report["code"] in (0, 1, 3)


def _imported_in_functions(path: Path) -> set[str]:
    """The `bot` modules a file imports inside its functions."""
    names: set[str] = set()
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot"):
                for alias in node.names:
                    module = f"{node.module}.{alias.name}"
                    # `from bot.rules import checklist` imports a module; `from bot.ignore
                    # import apply_ignores` a name of one.
                    names.add(
                        module
                        if (ROOT / (module.replace(".", "/") + ".py")).exists()
                        else str(node.module)
                    )
    return names


def test_the_rules_stage_lists_what_the_engine_imports_after_the_fetch() -> None:
    """What `_review` imports where the rules stage starts is what the thread imports: a
    module left out of RULES_STAGE would be imported by the loop, a stale one for nothing."""
    assert _imported_in_functions(ROOT / "bot" / "engine.py") == set(engine.RULES_STAGE)
