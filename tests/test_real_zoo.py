"""Parses the real BDD100K task READMEs (when a copy is present) and checks what is found."""

from __future__ import annotations

from functools import cache

import pytest

from bot.config import load_config
from bot.model import Readme
from bot.parse.sections import parse_readme
from tests.conftest import REFERENCE_COUNTS, REFERENCE_ZOO

COUNTS = REFERENCE_COUNTS

CONFIG = load_config()
TASKS = {task.name: task for task in CONFIG.tasks}

pytestmark = pytest.mark.skipif(
    not REFERENCE_ZOO.is_dir(), reason=f"no reference copy of the zoo at {REFERENCE_ZOO}"
)


@cache
def parse_task(name: str) -> Readme:
    task = TASKS[name]
    path = REFERENCE_ZOO / task.readme
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return parse_readme(path.read_text(encoding="utf-8"), task.name, task.readme)


def test_counts_cover_every_configured_task() -> None:
    assert sorted(TASKS) == sorted(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_section_and_row_counts(name: str) -> None:
    readme = parse_task(name)
    rows = sum(len(section.rows) for section in readme.sections)
    assert (len(readme.sections), rows) == COUNTS[name]


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_section_follows_the_template(name: str) -> None:
    readme = parse_task(name)
    for section in readme.sections:
        where = f"{section.path}:{section.line} {section.name}"
        assert section.paper is not None, where
        assert section.paper.venue, where
        assert section.paper.url.startswith("http"), where
        assert section.authors is not None, where
        assert section.authors.line > section.paper.line, where
        assert section.abstract is not None, where
        assert section.abstract.text, where
        assert section.abstract.line <= section.abstract.end_line, where
        assert len(section.tables) == 1, where
        assert section.code, where
        assert section.usage, where
        assert section.line < section.tables[0].line <= section.end_line, where


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_row_has_as_many_cells_as_its_header(name: str) -> None:
    readme = parse_task(name)
    for section in readme.sections:
        for table in section.tables:
            assert table.delimiter_cells == len(table.header), section.name
            assert table.run_on_line is None, section.name
            for row in table.rows:
                assert len(row.cells) == len(table.header), f"{section.path}:{row.line}"


def test_groups_of_tagging_and_pose() -> None:
    tagging = parse_task("tagging")
    assert {section.group for section in tagging.sections} == {"Weather Tagging", "Scene Tagging"}
    pose = parse_task("pose")
    assert {section.group for section in pose.sections} == {"Top-down Methods"}
