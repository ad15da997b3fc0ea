"""Tests for bot.rules.config_files: config links name files that exist in the reviewed tree."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.model import Finding
from bot.net.types import FetchResult
from bot.rules import config_files
from tests.ruleinput import (
    check,
    config_path,
    det_readme,
    line_of,
    link_url,
    make_input,
    make_row,
    ok_result,
    run,
    summary,
)

ROW = "| R-50-FPN |"
ZOO_BLOB = "https://github.com/SysCV/bdd100k-models/blob/main"


def config_findings(link: str, head_paths: tuple[str, ...] = ()) -> tuple[str, list[Finding]]:
    text = det_readme(rows=[make_row(overrides={"Config": f"[config]({link})"})])
    return text, check(config_files.check, text, head_paths=head_paths)


def test_relative_path_present_at_head_is_fine() -> None:
    path = config_path("det", "sparse_r50_1x")
    assert path == "det/configs/det/sparse_r50_1x.py"
    assert check(config_files.check, det_readme(), head_paths=[path]) == []


def test_relative_path_absent_at_head() -> None:
    text = det_readme()
    findings = check(config_files.check, text, head_paths=[])
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config file `det/configs/det/sparse_r50_1x.py` does not exist at the reviewed commit."
    )
    assert findings[0].hint is not None and "under det/configs/" in findings[0].hint


def test_path_without_dot_slash_and_root_relative_path() -> None:
    present = ("det/configs/b.py",)
    assert config_findings("configs/b.py", present)[1] == []
    assert config_findings("/det/configs/b.py", present)[1] == []


def test_relative_path_outside_the_configs_folder() -> None:
    text, findings = config_findings("./models/b.py", ("det/models/b.py",))
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config link `./models/b.py` points to `det/models/b.py`, outside det/configs/."
    )


def test_relative_path_into_another_task() -> None:
    _, findings = config_findings("../sem_seg/configs/b.py", ("sem_seg/configs/b.py",))
    assert len(findings) == 1
    assert "points to `sem_seg/configs/b.py`, outside det/configs/" in findings[0].message


def test_relative_path_leaving_the_repository() -> None:
    text, findings = config_findings("../../x.py")
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == "The config link `../../x.py` leaves the repository."


def test_github_url_to_another_repository_is_fine() -> None:
    link = "https://github.com/example-lab/sparse-anchors/blob/main/configs/sparse_r50.py"
    assert config_findings(link)[1] == []


def test_github_url_into_the_zoo_for_a_present_path_is_fine() -> None:
    link = f"{ZOO_BLOB}/det/configs/det/b.py"
    assert config_findings(link, ("det/configs/det/b.py",))[1] == []


def test_github_url_into_the_zoo_for_a_missing_path() -> None:
    text, findings = config_findings(f"{ZOO_BLOB}/det/configs/det/missing.py")
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config link points to `det/configs/det/missing.py` in SysCV/bdd100k-models, "
        "which has no such file at this PR's head."
    )


def test_zoo_repository_name_ignores_case() -> None:
    link = "https://github.com/syscv/BDD100K-Models/blob/main/det/configs/det/missing.py"
    _, findings = config_findings(link)
    assert len(findings) == 1
    assert "no such file" in findings[0].message


def test_web_url_outside_github() -> None:
    text, findings = config_findings("https://files.example.org/zoo/det/configs/b.py")
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config link `https://files.example.org/zoo/det/configs/b.py` is a web page "
        "outside GitHub."
    )


def test_github_page_that_is_not_a_file() -> None:
    _, findings = config_findings("https://github.com/example-lab/sparse-anchors")
    assert len(findings) == 1
    assert "a web page outside GitHub" in findings[0].message


def test_link_that_is_neither_path_nor_url() -> None:
    _, findings = config_findings("mailto:someone@example.org")
    assert len(findings) == 1
    assert "is not a path or URL" in findings[0].message


def test_each_row_is_checked_on_its_own_line() -> None:
    rows = [make_row(slug="a"), make_row(slug="b", overrides={"Backbone": "R-101-FPN"})]
    text = det_readme(rows=rows)
    findings = check(config_files.check, text, head_paths=["det/configs/det/a.py"])
    assert summary(findings) == [("error", "config", line_of(text, "| R-101-FPN |"))]
    assert "`det/configs/det/b.py`" in findings[0].message


def test_rows_outside_the_scope_are_not_checked() -> None:
    rows = [make_row(slug="a"), make_row(slug="b", overrides={"Backbone": "R-101-FPN"})]
    inp = make_input(det_readme(rows=rows), head_paths=[])
    first_only = replace(inp.scope, new=False, rows=inp.section.rows[:1])
    findings = run(config_files.check, replace(inp, scope=first_only))
    assert summary(findings) == [("error", "config", inp.section.rows[0].line)]
    assert "`det/configs/det/a.py`" in findings[0].message


# --- the deep check: what the config holds ----------------------------------------------------

CONFIG = config_path("det", "sparse_r50_1x")
MODEL = link_url("det", "sparse_r50_1x", "models")


def deep(files: dict[str, str | bytes], rows: list[str] | None = None) -> tuple[str, list[Finding]]:
    text = det_readme(rows=rows)
    return text, check(config_files.check, text, files=files)


def test_a_config_that_parses_and_loads_the_row_model_is_fine() -> None:
    files = {
        CONFIG: f'_base_ = ["../_base_/models/frcnn.py"]\nload_from = "{MODEL}"\n',
        "det/configs/_base_/models/frcnn.py": "model = dict(type='FasterRCNN')\n",
    }
    assert deep(files)[1] == []


def test_syntax_error_names_the_file_line_column_and_source() -> None:
    glued = f'fp16 = dict(loss_scale=dict(init_scale=512))load_from = "{MODEL}"'
    text, findings = deep({CONFIG: f"model = dict()\n\n{glued}\n"})
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        f"The config `{CONFIG}` is not valid Python: line 3, column 45: invalid syntax: `{glued}`."
    )
    assert findings[0].hint == (
        "Put `load_from = …` on a line of its own: a line break is missing before column 45 of "
        f"line 3 in `{CONFIG}`."
    )


def test_other_syntax_errors_get_a_plain_hint() -> None:
    _, findings = deep({CONFIG: "model = dict(\n"})
    assert len(findings) == 1
    assert findings[0].message.startswith(f"The config `{CONFIG}` is not valid Python: line 1")
    assert findings[0].hint is not None and findings[0].hint.startswith("Fix line 1")


def test_parser_stack_exhaustion_is_a_syntax_problem() -> None:
    _, findings = deep({CONFIG: "x = " + "-" * 200_000 + "1\n"})
    assert [f.severity for f in findings] == ["error"]
    assert "nested too deeply for Python's parser" in findings[0].message


def test_base_chain_that_breaks_two_levels_down() -> None:
    files = {
        CONFIG: '_base_ = "./sparse_base.py"\n',
        "det/configs/det/sparse_base.py": "_base_ = [\n    '../_base_/models/frcnn.py',\n]\n",
        "det/configs/_base_/models/frcnn.py": "_base_ = '../datasets/bdd100k_typo.py'\n",
    }
    text, findings = deep(files)
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config `det/configs/_base_/models/frcnn.py` (inherited by "
        f"`{CONFIG}`: `sparse_r50_1x.py` → `sparse_base.py` → `frcnn.py`) names `_base_` "
        "`../datasets/bdd100k_typo.py` (line 1), but `det/configs/_base_/datasets/"
        "bdd100k_typo.py` does not exist at the reviewed commit."
    )
    assert findings[0].hint is not None
    assert "relative to the config's own folder" in findings[0].hint


def test_missing_base_gets_the_closest_existing_name() -> None:
    files = {
        CONFIG: '_base_ = "./retinanet_pvt-t_fpn_3x_bdd100k.py"\n',
        "det/configs/det/retinanet_pvt-t_fpn_3x_det_bdd100k.py": "model = dict()\n",
        "det/configs/_base_/models/frcnn.py": "model = dict()\n",
    }
    _, findings = deep(files)
    assert [f.message for f in findings] == [
        f"The config `{CONFIG}` names `_base_` `./retinanet_pvt-t_fpn_3x_bdd100k.py` (line 1), "
        "but `det/configs/det/retinanet_pvt-t_fpn_3x_bdd100k.py` does not exist at the reviewed "
        "commit. Did you mean `./retinanet_pvt-t_fpn_3x_det_bdd100k.py`?"
    ]
    files[CONFIG] = '_base_ = "../_base_/frcnn.py"\n'
    _, findings = deep(files)
    assert findings[0].message.endswith("Did you mean `../_base_/models/frcnn.py`?")


@pytest.mark.parametrize(
    "name",
    [
        "../_base_/models/danet_r50-d8.py",  # dmnet_r50-d8.py is another model, not a typo
        "../_base_/models/fcn_r50-d8.py",  # so is gcnet_r50-d8.py
        "./retinanet_x.py",  # two candidates differ as much: no guess
    ],
)
def test_missing_base_gets_no_guess_when_words_differ(name: str) -> None:
    files = {
        CONFIG: f'_base_ = "{name}"\n',
        "det/configs/_base_/models/dmnet_r50-d8.py": "model = dict()\n",
        "det/configs/_base_/models/gcnet_r50-d8.py": "model = dict()\n",
        "det/configs/det/retinanet_x_a.py": "model = dict()\n",
        "det/configs/det/retinanet_x_b.py": "model = dict()\n",
    }
    _, findings = deep(files)
    assert len(findings) == 1
    assert "Did you mean" not in findings[0].message


def test_missing_base_of_the_linked_config_itself() -> None:
    _, findings = deep({CONFIG: '_base_ = "./retinanet_pvt-t_fpn_3x_bdd100k.py"\n'})
    assert [f.message for f in findings] == [
        f"The config `{CONFIG}` names `_base_` `./retinanet_pvt-t_fpn_3x_bdd100k.py` (line 1), "
        "but `det/configs/det/retinanet_pvt-t_fpn_3x_bdd100k.py` does not exist at the reviewed "
        "commit."
    ]


def test_base_with_a_syntax_error() -> None:
    files = {CONFIG: '_base_ = "./b.py"\n', "det/configs/det/b.py": "x = (\n"}
    _, findings = deep(files)
    assert len(findings) == 1
    assert findings[0].message.startswith(
        f"The config `det/configs/det/b.py` (inherited by `{CONFIG}`: `sparse_r50_1x.py` → "
        "`b.py`) is not valid Python: line 1"
    )


def test_base_cycle() -> None:
    files = {
        CONFIG: '_base_ = "./a.py"\n',
        "det/configs/det/a.py": '_base_ = ["./b.py"]\n',
        "det/configs/det/b.py": 'model = dict()\n_base_ = "./a.py"\n',
    }
    text, findings = deep(files)
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    message = findings[0].message
    assert "leads back to it: the `_base_` chain loops" in message
    assert "(`det/configs/det/a.py` → `det/configs/det/b.py` → `det/configs/det/a.py`)" in message
    assert "names `_base_` `./a.py` (line 2)" in message


def test_config_that_names_itself() -> None:
    _, findings = deep({CONFIG: '_base_ = "./sparse_r50_1x.py"\n'})
    assert len(findings) == 1
    assert "the `_base_` chain loops" in findings[0].message


def test_chain_deeper_than_the_cap() -> None:
    files: dict[str, str | bytes] = {CONFIG: '_base_ = "./level1.py"\n'}
    for level in range(1, 20):
        files[f"det/configs/det/level{level}.py"] = f'_base_ = "./level{level + 1}.py"\n'
    files["det/configs/det/level20.py"] = "model = dict()\n"
    _, findings = deep(files)
    assert [f.message for f in findings] == [
        f"The `_base_` chain of the config `{CONFIG}` is 21 configs deep; zoo-review follows "
        "chains of at most 16."
    ]


def test_diamond_of_bases_is_walked_once() -> None:
    """Each level names both configs of the next: 2^30 paths, 60 files, one pass."""
    files: dict[str, str | bytes] = {CONFIG: '_base_ = ["./a0.py", "./b0.py"]\n'}
    for level in range(15):
        for side in "ab":
            nxt = f'["./a{level + 1}.py", "./b{level + 1}.py"]' if level < 14 else "[]"
            files[f"det/configs/det/{side}{level}.py"] = f"_base_ = {nxt}\n"
    assert deep(files)[1] == []


def test_scoped_and_absolute_bases_are_notices() -> None:
    files = {CONFIG: '_base_ = ["mmdet::faster_rcnn/frcnn.py", "/abs/x.py", "../../../../y.py"]\n'}
    _, findings = deep(files)
    assert [f.severity for f in findings] == ["notice"] * 3
    assert (
        "names `_base_` `mmdet::faster_rcnn/frcnn.py` (line 1), which is not a path in this "
        "repository: it was not followed." in findings[0].message
    )


def test_base_that_is_not_a_literal_is_a_notice() -> None:
    _, findings = deep({CONFIG: 'root = "../_base_/"\n_base_ = [root + "x.py"]\n'})
    assert [f.severity for f in findings] == ["notice"]
    assert "sets `_base_` (line 2) to something other than a string" in findings[0].message


def test_yaml_base_only_has_to_exist() -> None:
    files = {CONFIG: '_base_ = "./data.yaml"\n', "det/configs/det/data.yaml": "not: [python"}
    assert deep(files)[1] == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("model = 1\n".encode("utf-16"), "UTF-16 text (a byte-order mark FF FE)"),
        (b"model = 1\n\x00", "binary data: a NUL byte at offset 10"),
        (b"name = 'caf\xe9'\n", "invalid UTF-8 at byte 11"),
    ],
)
def test_config_that_is_not_text(data: bytes, words: str) -> None:
    _, findings = deep({CONFIG: data})
    assert [f.message for f in findings] == [f"The config `{CONFIG}` is not UTF-8 text ({words})."]


def test_utf8_bom_config_is_fine() -> None:
    assert deep({CONFIG: b"\xef\xbb\xbfmodel = dict()\n"})[1] == []


def test_config_too_large() -> None:
    _, findings = deep({CONFIG: b"#" * (1 << 20) + b"\n"})
    assert [f.message for f in findings] == [
        f"The config `{CONFIG}` is larger than 1 MiB: that is not a config file."
    ]


def test_load_from_that_differs_shows_both() -> None:
    other = "https://download.openmmlab.com/mmdetection/v2.0/frcnn_coco.pth"
    text, findings = deep({CONFIG: f"model = dict()\nload_from = '{other}'\n"})
    assert summary(findings) == [("warning", "config", line_of(text, ROW))]
    assert findings[0].message == (
        f"The config `{CONFIG}` sets `load_from` to `{other}` (line 2 of `{CONFIG}`), not to "
        f"this row's model `{MODEL}`."
    )


def test_load_from_inherited_from_a_base() -> None:
    files = {
        CONFIG: '_base_ = "./b.py"\n',
        "det/configs/det/b.py": 'load_from = "https://example.org/other.pth"\n',
    }
    _, findings = deep(files)
    assert [f.severity for f in findings] == ["warning"]
    assert "(line 1 of `det/configs/det/b.py`)" in findings[0].message
    files[CONFIG] = f'_base_ = "./b.py"\nload_from = "{MODEL}"\n'
    assert deep(files)[1] == []


def test_load_from_none_or_computed_is_not_compared() -> None:
    assert deep({CONFIG: "load_from = None\n"})[1] == []
    assert deep({CONFIG: 'root = "https://x/"\nload_from = root + "m.pth"\n'})[1] == []


def test_a_shared_broken_base_is_said_once_for_the_section() -> None:
    rows = [make_row(slug="a"), make_row(slug="b", overrides={"Backbone": "R-101-FPN"})]
    files = {
        "det/configs/det/a.py": '_base_ = "../_base_/m.py"\n',
        "det/configs/det/b.py": '_base_ = "../_base_/m.py"\n',
        "det/configs/_base_/m.py": "model = dict(\n",
    }
    text, findings = deep(files, rows)
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message.endswith(
        f"Also reached from the row at line {line_of(text, '| R-101-FPN |')}."
    )


def test_zoo_blob_link_is_checked_like_a_relative_one() -> None:
    link = f"{ZOO_BLOB}/det/configs/det/b.py"
    text = det_readme(rows=[make_row(overrides={"Config": f"[config]({link})"})])
    files = {"det/configs/det/b.py": "model = dict(\n"}
    findings = check(config_files.check, text, files=files)
    assert len(findings) == 1 and "is not valid Python" in findings[0].message


def test_unreadable_config_makes_the_review_incomplete() -> None:
    inp = make_input(det_readme())
    configs = replace(inp.ctx.configs, files={}, unread={CONFIG: "it could not be read"})
    ctx = replace(inp.ctx, configs=configs)
    findings = config_files.check(inp.scope, ctx)
    assert [(f.severity, f.incomplete) for f in findings] == [("warning", True)]


def test_without_a_file_reader_only_existence_is_checked() -> None:
    inp = make_input(det_readme(), files={CONFIG: "model = dict(\n"})
    ctx = replace(inp.ctx, configs=None)
    assert config_files.check(inp.scope, ctx) == []


# --- a config in another GitHub repository: its raw text, fetched ---------------------------

EXTERNAL = "https://github.com/example-lab/sparse-anchors/blob/main/configs/sparse_r50.py"


def external(result: FetchResult | None) -> tuple[str, list[Finding]]:
    text = det_readme(rows=[make_row(overrides={"Config": f"[config]({EXTERNAL})"})])
    fetched = {} if result is None else {EXTERNAL: result}
    return text, check(config_files.check, text, fetched=fetched)


def test_external_config_is_parsed() -> None:
    assert external(ok_result(EXTERNAL, f"load_from = '{MODEL}'\n"))[1] == []
    text, findings = external(ok_result(EXTERNAL, "model = dict(\n"))
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message.startswith(
        "The config `example-lab/sparse-anchors/configs/sparse_r50.py` is not valid Python"
    )


def test_external_config_bases_are_not_followed() -> None:
    _, findings = external(ok_result(EXTERNAL, '_base_ = ["./base.py"]\n'))
    assert [f.severity for f in findings] == ["notice"]
    assert "so that chain was not followed" in findings[0].message


def test_external_config_that_is_gone_or_unreachable() -> None:
    _, findings = external(FetchResult(EXTERNAL, "broken", status=404))
    assert [f.message for f in findings] == [
        "The config link leads to no file on GitHub (HTTP 404)."
    ]
    _, findings = external(FetchResult(EXTERNAL, "inconclusive", reason="timed out"))
    assert [(f.severity, f.incomplete) for f in findings] == [("warning", True)]
    assert external(None)[1] == []  # offline


def test_external_load_from_is_compared() -> None:
    _, findings = external(ok_result(EXTERNAL, "load_from = 'https://example.org/x.pth'\n"))
    assert [f.severity for f in findings] == ["warning"]


def test_several_missing_bases_of_one_config_are_one_finding() -> None:
    bases = [".../_base_drive_/models/m.py", ".../_base_drive_/default_runtime.py"]
    _, findings = deep({CONFIG: f"_base_ = [\n    {bases[0]!r},\n    {bases[1]!r},\n]\n"})
    assert [f.message for f in findings] == [
        f"The config `{CONFIG}` names 2 `_base_` files that do not exist at the reviewed commit: "
        f"`{bases[0]}` (line 2), `{bases[1]}` (line 3)."
    ]
    assert findings[0].hint == (
        f"Fix the names in `{CONFIG}` (a `_base_` path is relative to the config's own folder, "
        "`det/configs/det/`) or add the missing files."
    )
