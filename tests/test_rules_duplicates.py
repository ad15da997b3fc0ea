"""Tests for bot.rules.duplicates: links reused from other rows and repeated section names."""

from __future__ import annotations

from dataclasses import replace

from bot.rules import duplicates
from tests.ruleinput import (
    check,
    config_link,
    line_of,
    link_url,
    make_input,
    make_row,
    method_section,
    run,
    scores_url,
    summary,
    task_readme,
)

NEW = "Sparse Anchors"
OLD = "Dense Priors"
OLD_ROW = make_row(slug="dense_r50", overrides={"Backbone": "R-101-FPN"})


def two_sections(new_row: str, old_name: str = OLD) -> str:
    old = method_section(old_name, rows=[OLD_ROW])
    return task_readme("det", old, method_section(NEW, rows=[new_row]))


def test_distinct_links_have_no_findings() -> None:
    text = two_sections(make_row(slug="sparse_r50"))
    assert check(duplicates.check, text, section=NEW) == []


def test_new_row_reusing_another_sections_scores_link() -> None:
    reused = scores_url("det", "dense_r50", "val")
    row = make_row(slug="sparse_r50", overrides={"Scores-val": f"[scores]({reused})"})
    text = two_sections(row)
    findings = check(duplicates.check, text, section=NEW)
    assert summary(findings) == [("error", "duplicates", line_of(text, "| R-50-FPN |"))]
    old_line = line_of(text, "| R-101-FPN |")
    assert findings[0].message == (
        f"The [scores] link of 'Scores-val' is also used by det/README.md:{old_line} "
        f"(`{OLD}, R-101-FPN`)."
    )
    assert findings[0].hint is not None and "its own scores file" in findings[0].hint


def test_new_row_reusing_a_config_link() -> None:
    link = config_link("det", "dense_r50")
    text = two_sections(make_row(slug="sparse_r50", overrides={"Config": f"[config]({link})"}))
    findings = check(duplicates.check, text, section=NEW)
    assert len(findings) == 1
    assert "The [config] link of 'Config' is also used by det/README.md:" in findings[0].message


def test_config_links_compare_as_repository_paths() -> None:
    # `configs/det/x.py` and `./configs/det/x.py` name the same file.
    text = two_sections(
        make_row(slug="sparse_r50", overrides={"Config": "[config](configs/det/dense_r50.py)"})
    )
    findings = check(duplicates.check, text, section=NEW)
    assert len(findings) == 1
    assert "[config]" in findings[0].message


def test_new_row_reusing_weights_link() -> None:
    reused = link_url("det", "dense_r50", "models")
    md5 = link_url("det", "sparse_r50", "md5")
    weights = f"[model]({reused}) \\| [MD5]({md5})"
    text = two_sections(make_row(slug="sparse_r50", overrides={"Weights": weights}))
    findings = check(duplicates.check, text, section=NEW)
    assert len(findings) == 1
    assert "The [model] link of 'Weights' is also used by" in findings[0].message
    assert "its own weights file" in (findings[0].hint or "")


def test_web_urls_compare_without_case_in_the_host() -> None:
    reused = scores_url("det", "dense_r50", "test").replace("files.example", "FILES.Example")
    text = two_sections(
        make_row(slug="sparse_r50", overrides={"Scores-test": f"[scores]({reused})"})
    )
    findings = check(duplicates.check, text, section=NEW)
    assert len(findings) == 1
    assert "'Scores-test'" in findings[0].message


def test_reuse_across_task_readmes() -> None:
    reused = scores_url("det", "dense_r50", "val")
    ins_seg = task_readme(
        "ins_seg",
        method_section(
            "Masks",
            task="ins_seg",
            rows=[
                make_row("ins_seg", slug="masks", overrides={"Scores-val": f"[scores]({reused})"})
            ],
        ),
    )
    det = task_readme("det", method_section(OLD, rows=[OLD_ROW]))
    findings = check(duplicates.check, ins_seg, "ins_seg", others={"det/README.md": det})
    assert len(findings) == 1
    assert "also used by det/README.md:" in findings[0].message


def test_two_other_places_are_counted() -> None:
    reused = scores_url("det", "dense_r50", "val")
    copy = make_row(slug="other", overrides={"Scores-val": f"[scores]({reused})"})
    old = method_section(OLD, rows=[OLD_ROW, copy])
    new = make_row(slug="sparse_r50", overrides={"Scores-val": f"[scores]({reused})"})
    text = task_readme("det", old, method_section(NEW, rows=[new]))
    findings = check(duplicates.check, text, section=NEW)
    assert len(findings) == 1
    assert findings[0].message.endswith("(and 1 more).")


def test_section_named_like_an_existing_one_is_a_warning() -> None:
    text = two_sections(make_row(slug="sparse_r50"), old_name=NEW)
    findings = check(duplicates.check, text, section=1)
    second = line_of(text, f"### {NEW}", nth=2)
    assert summary(findings) == [("warning", "duplicates", second)]
    first = line_of(text, f"### {NEW}")
    assert findings[0].message == f"A section `{NEW}` already exists at line {first}."


def test_same_name_check_ignores_case() -> None:
    text = two_sections(make_row(slug="sparse_r50"), old_name=NEW.upper())
    findings = check(duplicates.check, text, section=1)
    assert [f.severity for f in findings] == ["warning"]


def test_same_name_is_only_reported_for_a_new_section() -> None:
    text = two_sections(make_row(slug="sparse_r50"), old_name=NEW)
    inp = make_input(text, section=1)
    old_scope = replace(inp.scope, new=False)
    assert run(duplicates.check, replace(inp, scope=old_scope)) == []


def test_same_name_in_another_tagging_group_is_fine() -> None:
    weather = method_section("Light Tagger", task="tagging", rows=[make_row("tagging", "w")])
    scene = method_section("Light Tagger", task="tagging", rows=[make_row("tagging", "s")])
    text = task_readme(
        "tagging", "## Weather Tagging\n\n" + weather, "## Scene Tagging\n\n" + scene
    )
    assert check(duplicates.check, text, "tagging", section=1) == []


def test_same_name_in_the_same_tagging_group_is_reported() -> None:
    first = method_section("Light Tagger", task="tagging", rows=[make_row("tagging", "w")])
    second = method_section("Light Tagger", task="tagging", rows=[make_row("tagging", "s")])
    text = task_readme("tagging", "## Weather Tagging\n\n" + first, second)
    findings = check(duplicates.check, text, "tagging", section=1)
    assert summary(findings) == [("warning", "duplicates", line_of(text, "### Light", nth=2))]
