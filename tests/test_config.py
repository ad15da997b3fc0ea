"""The zoo catalog: the bundled default, repository overrides, and clear errors for bad configs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot import config as config_module
from bot.config import (
    build,
    load_config,
    load_config_file,
    merge,
    normalize_header,
    parse_yaml,
    record_default,
    validate,
)
from bot.errors import ConfigError
from bot.parse.sections import parse_readme
from bot.resources import default_config_path, default_record_path, recorded_default_config


def test_the_default_describes_the_nine_tasks() -> None:
    config = load_config()
    assert [task.name for task in config.tasks] == [
        "tagging", "det", "ins_seg", "sem_seg", "drivable", "pan_seg", "mot", "mots", "pose",
    ]  # fmt: skip
    det = config.task("det")
    assert det is not None and det.readme == "det/README.md" and det.configs == "det/configs"
    metric = det.column("box ap-val")
    assert metric is not None and metric.metric is not None
    assert (metric.metric.key, metric.metric.decimals) == (("AP", -1, "OVERALL"), 2)
    weights = det.column("Weights")
    assert weights is not None
    assert [(link.kind, link.label) for link in weights.links] == [
        ("weights", "model"),
        ("md5", "MD5"),
    ]
    mot = config.task("mot")
    assert mot is not None
    id_switches = mot.column("ID Sw.-val")
    assert id_switches is not None and id_switches.metric is not None
    assert id_switches.metric.decimals == 0
    assert len(config.checklist) == 12
    assert config.task_for_readme("pose/README.md") is config.task("pose")


def test_merge_rules() -> None:
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2, "c": 3}
    override = {"a": {"y": [3]}, "b": None, "d": 4}
    assert merge(base, override) == {"a": {"x": 1, "y": [3]}, "c": 3, "d": 4}


def test_an_override_extends_and_removes() -> None:
    config = load_config(
        "network: {timeout_seconds: 5}\ntasks:\n  pose: null\n  det: {title: Detection (2D)}\n"
    )
    assert config.network.timeout_seconds == 5
    assert config.task("pose") is None
    det = config.task("det")
    assert det is not None and det.title == "Detection (2D)" and len(det.columns) == 11
    assert config.source == ".github/zoo-review.yml"


def test_a_new_task_is_a_config_change() -> None:
    config = load_config(
        """
tasks:
  lane:
    title: Lane Marking
    readme: lane/README.md
    configs: lane/configs
    scores_schema: sem_seg
    columns:
      - {name: Backbone}
      - {name: F-score-val, metric: {split: val, key: [F, -1, AVERAGE], decimals: 1}}
      - {name: Scores-val, links: [{kind: scores, label: scores, split: val, ext: [json]}]}
"""
    )
    lane = config.task("lane")
    assert lane is not None
    readme = parse_readme(
        "## Model Zoo\n\n### LaneNet\n\n[LaneNet](https://arxiv.org/abs/1) [ECCV 2018]\n\n"
        "#### Results\n\n| Backbone | F-score-val | Scores-val |\n| :-: | :-: | :-: |\n"
        "| R-18 | 71.3 | [scores](https://x.org/s.json) |\n",
        "lane",
        "lane/README.md",
    )
    (section,) = readme.sections
    assert [lane.column(name) is not None for name in section.tables[0].header] == [True] * 3


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("network: {timout_seconds: 3}", "network: unknown key 'timout_seconds'"),
        ("network: {timeout_seconds: fast}", "network.timeout_seconds: 'fast' is not of type"),
        ("tasks: {det: {columns: [{name: X, metric: {split: val}}]}}", "missing key 'key'"),
        ("tasks: {det: {columns: [{name: X, links: [{kind: scores, label: s}]}]}}", "'split'"),
        ("venues: {workshop_severity: fatal}", "venues.workshop_severity: 'fatal' is not one of"),
        (
            "tasks: {det: {columns: [{name: X, metric: {split: val, key: [a], decimals: 1}, "
            "links: [{kind: other, label: l}]}]}}",
            "either a metric or a link column",
        ),
        ("tasks: {det: {readme: /abs/README.md}}", "tasks.det.readme"),
        ("version: 2", "version"),
    ],
)
def test_bad_configs_name_the_key(text: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(text)
    assert words in str(error.value)
    assert ".github/zoo-review.yml is not a valid zoo-review config" in str(error.value)


def test_yaml_errors_say_where() -> None:
    with pytest.raises(ConfigError, match="not valid YAML at line 2, column 20: mapping values"):
        load_config("network:\n  timeout_seconds: : x\n")
    with pytest.raises(ConfigError, match="must be a mapping of keys, not a list"):
        load_config("- a\n- b\n")


def test_config_files(tmp_path: Path) -> None:
    good = tmp_path / "zoo.yml"
    good.write_text("zoo: {name: My Zoo}\n", encoding="utf-8")
    assert load_config_file(good).zoo_name == "My Zoo"
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config_file(tmp_path / "missing.yml")
    binary = tmp_path / "binary.yml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config_file(binary)


def test_header_names_compare_without_case_and_spacing() -> None:
    assert normalize_header("  Box   AP-val ") == normalize_header("box ap-val")


def test_the_bundled_default_is_valid_and_recorded() -> None:
    """A run takes the recorded default (no YAML, no schema) only while default-config.yml is
    the file validated here, and the record holds exactly what the YAML says."""
    path = default_config_path()
    raw = path.read_bytes()
    data = parse_yaml(raw.decode("utf-8"), str(path))
    validate(data, "bundled default")
    record = json.loads(default_record_path(path).read_text(encoding="utf-8"))
    assert record == {"sha256": hashlib.sha256(raw).hexdigest(), "config": data}, (
        "bot/default-config.yml changed: record it (this validates it too) with "
        "`python -c 'import bot.config as c; c.record_default()'` and commit "
        "bot/default-config.recorded.json"
    )
    assert recorded_default_config(path, raw) == data
    assert load_config() == build(data)


@pytest.mark.parametrize("record", ["none", "other digest", "not json"])
def test_a_bundled_default_that_is_not_the_recorded_one_is_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record: str
) -> None:
    """An edited or damaged installation cannot slip an invalid config into a review."""
    damaged = tmp_path / "default-config.yml"
    text = default_config_path().read_text(encoding="utf-8")
    damaged.write_text(text.replace("network:\n", "network:\n  timeout_secs: 5\n", 1), "utf-8")
    recorded = default_record_path(damaged)
    if record == "other digest":
        valid = parse_yaml(text, "default")
        recorded.write_text(json.dumps({"sha256": "0" * 64, "config": valid}), "utf-8")
    elif record == "not json":
        recorded.write_text("{", "utf-8")
    monkeypatch.setattr(config_module, "default_config_path", lambda: damaged)
    with pytest.raises(ConfigError, match=r"(?s)bundled default is not a valid .*timeout_secs"):
        load_config()
    damaged.write_text(text.replace("timeout_seconds: 20", "timeout_seconds: 7"), "utf-8")
    assert load_config().network.timeout_seconds == 7  # valid, though not the recorded file
    with pytest.raises(ConfigError, match="not UTF-8"):
        damaged.write_bytes(b"\xff" + text.encode())
        load_config()


def test_record_default_writes_what_load_config_trusts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = tmp_path / "default-config.yml"
    edited.write_text("network: {timeout_secs: 1}\n")
    with pytest.raises(ConfigError, match="timeout_secs"):
        record_default(edited)  # an invalid config is not recorded
    assert not default_record_path(edited).exists()
    text = default_config_path().read_text("utf-8")
    edited.write_text(text.replace("timeout_seconds: 20", "timeout_seconds: 9"))
    assert record_default(edited) == default_record_path(edited)
    monkeypatch.setattr(config_module, "default_config_path", lambda: edited)
    monkeypatch.setattr(config_module, "validate", lambda data, source: pytest.fail("validated"))
    assert load_config().network.timeout_seconds == 9
