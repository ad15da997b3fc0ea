"""Did you mean: mistyped flags, commands, choices, tasks, config keys and config paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.errors import ConfigError
from bot.quote import plain
from bot.rules import config_files
from tests.conftest import GitZoo
from tests.ruleinput import check, det_readme, make_row


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["check", "--ofline"], "unrecognized arguments: --ofline (did you mean --offline?)"),
        (
            ["chek"],
            "invalid choice: 'chek' (choose from 'check', 'audit', 'example'); did you mean 'check'?",
        ),
        (["check", "--format", "jsn"], "did you mean 'json'?"),
    ],
)
def test_a_mistyped_flag_command_or_choice(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert said in capsys.readouterr().err


def test_a_task_named_by_its_title(git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]) -> None:
    git_zoo.write("det/README.md", "# Detection\n")
    git_zoo.commit("zoo")
    for task, meant in (("detection", "det"), ("dett", "det"), ("semseg", "sem_seg")):
        code = main(["audit", "--repo", str(git_zoo.root), "--task", task, "--offline"])
        assert code == 2
        assert f"did you mean --task {meant}?" in capsys.readouterr().err


def test_a_mistyped_config_key() -> None:
    with pytest.raises(ConfigError) as error:
        load_config("network:\n  timout_seconds: 30\n")
    assert "network: unknown key 'timout_seconds': did you mean 'timeout_seconds'?" in str(
        error.value
    )


def test_a_config_path_next_to_the_file_the_pr_adds() -> None:
    text = det_readme(
        rows=[
            make_row(
                slug="sparse_r50_1x",
                overrides={"Config": "[config](./configs/det/sparse_r50_1x_dte.py)"},
            )
        ]
    )
    findings = check(config_files.check, text, head_paths=["det/configs/det/sparse_r50_1x.py"])
    assert [plain(f.message) for f in findings] == [
        "The config file `det/configs/det/sparse_r50_1x_dte.py` does not exist at the reviewed "
        "commit. Did you mean `det/configs/det/sparse_r50_1x.py`?"
    ]
    fix = findings[0].fix
    assert fix is not None and "[config](./configs/det/sparse_r50_1x.py)" in fix.new


def test_no_suggestion_of_a_file_another_row_links(tmp_path: Path) -> None:
    rows = [
        make_row(slug="a_r50_1x"),
        make_row(slug="a_r101_1x", overrides={"Backbone": "R-101-FPN"}),
    ]
    text = det_readme(rows=rows)
    findings = check(config_files.check, text, head_paths=["det/configs/det/a_r50_1x.py"])
    assert [plain(f.message) for f in findings] == [
        "The config file `det/configs/det/a_r101_1x.py` does not exist at the reviewed commit."
    ]
    assert findings[0].fix is None
