"""bot/parse/lazy.py: a README is parsed when first read, once; asking what is there parses
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model import Readme
from bot.parse import lazy
from bot.parse.lazy import LazyReadmes
from tests.ruleinput import config, det_readme, method_section, task_readme


def test_each_readme_is_parsed_when_first_read_and_only_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    real = lazy.parse_readme

    def parse(text: str, task: str, path: str, *args: Any) -> Readme:
        parsed.append(path)
        return real(text, task, path, *args)

    monkeypatch.setattr(lazy, "parse_readme", parse)
    mot = task_readme("mot", method_section("Tracker", task="mot"))
    texts = {"mot/README.md": mot, "det/README.md": det_readme(), "notes/README.md": "# Notes"}
    readmes = LazyReadmes(texts, config())
    assert list(readmes) == ["det/README.md", "mot/README.md"]  # the tasks' order; no task: out
    assert len(readmes) == 2 and "det/README.md" in readmes and "notes/README.md" not in readmes
    assert readmes.text("mot/README.md") == mot and readmes.text("notes/README.md") is None
    assert parsed == []  # nothing read yet
    assert readmes["det/README.md"].task == "det"
    assert readmes.get("det/README.md") is readmes["det/README.md"]
    assert readmes.get("pose/README.md") is None
    with pytest.raises(KeyError):
        readmes["notes/README.md"]
    assert parsed == ["det/README.md"]
    assert list(readmes.parsed()) == ["det/README.md", "mot/README.md"]
    assert parsed == ["det/README.md", "mot/README.md"]
