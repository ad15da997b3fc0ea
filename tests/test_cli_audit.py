"""`zoo-review audit`: every entry and link of the zoo, the JSON contract, and the link cache."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.config import load_config
from bot.example.server import ArtifactServer
from bot.example.zoo import ARTIFACT_HOST, EXISTING, HEAD_BRANCH, ExampleZoo, build_example
from bot.net.cache import CACHE_FILE


@dataclass(frozen=True)
class Served:
    zoo: ExampleZoo
    url: str


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    zoo = build_example(tmp_path, load_config(), broken=False)
    # The pages of the section already in the zoo, so that every link of the audit answers.
    for page in ("arxiv.org/abs/1506.01497", "github.com/facebookresearch/detectron2"):
        target = zoo.artifacts / "pages" / page
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("<html>page</html>", encoding="utf-8")
    with ArtifactServer(zoo.artifacts) as server:
        yield Served(zoo, server.url)


def audit(
    served: Served, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    code = main(
        [
            "audit",
            "--repo",
            str(served.zoo.repo),
            "--rev",
            HEAD_BRANCH,
            "--format",
            "json",
            "--allow-private-hosts",
            "--remap",
            f"^{re.escape(ARTIFACT_HOST)}/(.*)$ {served.url}/$1",
            "--remap",
            rf"^https://(arxiv\.org|github\.com)/(.*)$ {served.url}/pages/$1/$2",
            *extra,
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def test_audit_reviews_every_entry(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = audit(served, capsys)
    assert code == 0, report["findings"]
    assert report["verdict"] == "pass"
    sections = [(entry["section"], entry["rows"]) for entry in report["entries"]]
    assert sections == [("Faster R-CNN", len(EXISTING)), ("Example R-CNN", 4)]
    assert set(report) >= {"tool", "version", "verdict", "reviewed", "summary", "findings"}


def test_audit_finds_link_rot(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    preds = next((served.zoo.artifacts / "bdd100k/det/preds").glob("faster_rcnn_r50_fpn_1x*"))
    preds.unlink()
    code, report = audit(served, capsys)
    assert code == 1
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [(f["rule"], f["path"]) for f in errors] == [("artifacts", "det/README.md")]
    assert "is broken (HTTP 404)" in errors[0]["message"]


def test_unknown_task_is_a_usage_error(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--repo", str(served.zoo.repo), "--task", "lidar"]) == 2
    assert "no such task" in capsys.readouterr().err


def test_the_cache_answers_for_good_links_only(
    served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    code, _ = audit(served, capsys, "--cache", str(cache))
    assert code == 0
    saved = json.loads((cache / CACHE_FILE).read_text(encoding="utf-8"))
    assert saved["entries"], "good probes and archives are remembered"
    assert not any(key.startswith("body ") for key in saved["entries"]), "files are re-read"

    # The weights and visuals vanish: the cache still vouches for them, the scores are re-read.
    shutil.rmtree(served.zoo.artifacts / "bdd100k/det/models")
    shutil.rmtree(served.zoo.artifacts / "bdd100k/det/visuals")
    code, report = audit(served, capsys, "--cache", str(cache), "--format", "json")
    md5_errors = [f for f in report["findings"] if f["rule"] == "checksums"]
    assert md5_errors, "MD5 files are always fetched, so their loss is seen"
    assert not [f for f in report["findings"] if f["rule"] == "artifacts"]

    # With a zero maximum age nothing is taken from the cache.
    code, report = audit(served, capsys, "--cache", str(cache), "--max-cache-age", "0")
    assert any(f["rule"] == "artifacts" for f in report["findings"])


def test_a_corrupt_cache_is_ignored_and_replaced(
    served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CACHE_FILE).write_text("{not json", encoding="utf-8")
    code = main(
        [
            "audit",
            "--repo",
            str(served.zoo.repo),
            "--rev",
            HEAD_BRANCH,
            "--allow-private-hosts",
            "--scores-only",
            "--remap",
            f"^{re.escape(ARTIFACT_HOST)}/(.*)$ {served.url}/$1",
            "--cache",
            str(cache),
        ]
    )
    assert code == 0
    assert "ignoring the unreadable cache" in capsys.readouterr().err
    assert json.loads((cache / CACHE_FILE).read_text(encoding="utf-8"))["version"] == 1
