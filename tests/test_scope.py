"""Tests for bot.scope: sections and rows matched by identity, line endings normalised."""

from __future__ import annotations

from bot.model import ChangedFile
from bot.parse.sections import parse_readme
from bot.scope import entries_in_scope, match_sections
from tests.ruleinput import line_of, make_row, method_section, task_readme, task_spec
from tests.test_engine import DET, added, pr, run_review

R50 = make_row(slug="a50")
R101 = make_row(slug="a101", overrides={"Backbone": "R-101-FPN"})
X101 = make_row(slug="x101", overrides={"Backbone": "X-101-FPN"})
# Two old sections, one of them breaking the template (a preprint, no authors): reviewing it
# again would show its old findings as if the PR had caused them.
OLD = method_section("Old Broken", venue="arXiv 2019", authors=None, rows=[R50, R101])
DENSE = method_section("Dense Priors", rows=[X101])
BASE = task_readme("det", OLD, DENSE)


def scoped(base: str, head: str) -> list[tuple[str, bool, int]]:
    """(section, new, rows under review) of each section in scope."""
    readme = parse_readme(head, "det", DET)
    changed = ChangedFile(DET, "modified", added(base, head))
    scopes = entries_in_scope(
        readme,
        task_spec("det"),
        changed,
        False,
        base=parse_readme(base, "det", DET),
        head_text=head,
        base_text=base,
    )
    return [(s.section.name, s.new, len(s.rows)) for s in scopes]


def test_a_heading_inserted_above_the_sections_changes_none_of_them() -> None:
    toc = (
        "## Table of Contents\n\n   * [Old Broken](#old-broken)\n   * [Dense Priors](#dense-priors)"
    )
    head = BASE.replace("---\n\n### Old Broken", f"{toc}\n\n---\n\n### Old Broken")
    assert head != BASE
    assert scoped(BASE, head) == []
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert [f for f in result.findings if f.rule in ("removals", "skeleton", "venue")] == []
    assert result.entries == []


def test_crlf_line_endings_change_nothing() -> None:
    head = BASE.replace("\n", "\r\n")
    assert scoped(BASE, head) == []
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert [(f.rule, f.severity) for f in result.findings] == [("scope", "notice")]


def test_a_byte_order_mark_changes_nothing() -> None:
    head = "\ufeff" + BASE
    assert scoped(BASE, head) == []
    assert scoped(head, BASE) == []


def test_a_moved_section_is_the_same_section() -> None:
    head = task_readme("det", DENSE, OLD)
    assert scoped(BASE, head) == []
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert not [f for f in result.findings if f.rule == "removals"]


def test_a_row_added_to_a_moved_section_is_the_only_row_reviewed() -> None:
    old = method_section("Old Broken", venue="arXiv 2019", authors=None, rows=[R50, R101, X101])
    head = task_readme("det", DENSE, old)
    assert scoped(BASE, head) == [("Old Broken", False, 1)]
    result = run_review(pr({DET: head}, {DET: BASE}))
    # The old section's preprint and missing authors are not this PR's doing.
    assert [f for f in result.findings if f.rule in ("skeleton", "venue")] == []


def test_a_new_section_among_old_ones_is_new() -> None:
    head = task_readme("det", OLD, method_section(rows=[make_row(slug="s50")]), DENSE)
    assert scoped(BASE, head) == [("Sparse Anchors", True, 1)]


def test_sections_of_the_same_name_are_told_apart_by_group() -> None:
    weather = method_section("DLA", task="tagging", rows=[make_row("tagging", slug="w")])
    scene = method_section("DLA", task="tagging", rows=[make_row("tagging", slug="s")])
    text = f"# Tagging\n\n## Weather Tagging\n\n{weather}\n\n## Scene Tagging\n\n{scene}\n"
    base = parse_readme(text, "tagging", "tagging/README.md").sections
    head = tuple(reversed(base))
    assert [s.group for s in base] == ["Weather Tagging", "Scene Tagging"]
    matched = match_sections(base, head)
    assert [matched[id(section)] is section for section in head] == [True, True]


def test_a_new_descriptive_column_keeps_the_rows() -> None:
    names = ["Backbone", "Tricks", *[n for n in header() if n != "Backbone"]]
    rows = [
        make_row(slug="a50", header=names),
        make_row(slug="a101", header=names, overrides={"Backbone": "R-101-FPN"}),
    ]
    edited = method_section("Old Broken", venue="arXiv 2019", authors=None, header=names, rows=rows)
    head = task_readme("det", edited, DENSE)
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert [f for f in result.findings if f.rule == "removals"] == []
    # The rows did change (a column more): they are reviewed, the untouched lines are not.
    assert [(e.section, e.rows) for e in result.entries] == [("Old Broken", 2)]
    assert {f.rule for f in result.findings} <= {"template", "links", "config", "duplicates"}


def header() -> list[str]:
    return [column.name for column in task_spec("det").columns]


def test_only_the_changed_lines_of_a_matched_section_are_in_scope() -> None:
    head = BASE.replace("| 31.04 |", "| 31.05 |", 1)
    assert scoped(BASE, head) == [("Old Broken", False, 1)]
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert result.entries[0].line == line_of(head, "### Old Broken")
    assert [f for f in result.findings if f.rule in ("skeleton", "venue")] == []


def test_a_huge_repetitive_change_is_bounded() -> None:
    import time

    from bot.scope import MAX_DIFF_PAIRS

    filler = "\n".join(["Same text."] * 1500)
    base = task_readme("det", OLD.replace("#### Results", f"{filler}\n\n#### Results"), DENSE)
    head = base.replace(filler, "\n".join(["Same text!"] * 1500))
    assert MAX_DIFF_PAIRS < 1500 * 1500
    started = time.process_time()
    found = scoped(base, head)
    assert time.process_time() - started < 2
    assert found == [("Old Broken", False, 0)]


def test_many_removed_rows_are_matched_in_linear_time() -> None:
    import time

    from bot.rules import removals
    from tests.ruleinput import make_context, make_submission

    rows = [make_row(slug=f"r{i}", overrides={"Backbone": f"B{i}"}) for i in range(200)]
    base = task_readme("det", method_section(rows=rows))
    head = task_readme("det", method_section(rows=rows[::2]))
    ctx = make_context(make_submission({DET: head}, base_texts={DET: base}))
    started = time.process_time()
    found = removals.check(ctx, {DET: parse_readme(base, "det", DET)})
    assert time.process_time() - started < 2
    assert len(found) == 1 and "100 rows" in found[0].message
