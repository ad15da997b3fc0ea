"""A PR that changes config files but no README row: the rows of the zoo whose config chain holds
a changed file are config-checked, what the change broke is said at those rows, what was broken
before is not the PR's doing, and the notice says what was checked."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli import main
from bot.config_reach import find_config_changes
from bot.engine import ReviewOptions, parse_readmes, review
from bot.model import ChangedFile
from tests.conftest import Artifacts, GitZoo
from tests.ruleinput import config, link_url, make_row, make_submission, method_section, task_readme

BASE = "det/configs/_base_/models/frcnn.py"
SHARED = "det/configs/_base_/schedule.py"


def model(slug: str) -> str:
    return link_url("det", slug, "models")


def row(slug: str, backbone: str) -> str:
    cell = f"[config](./configs/det/{slug}.py)"
    return make_row(slug=slug, overrides={"Backbone": backbone, "Config": cell})


def config_file(slug: str, *bases: str, extra: str = "") -> str:
    names = ", ".join(f"'{base}'" for base in bases)
    return f"_base_ = [{names}]\n{extra}load_from = '{model(slug)}'\n"


# Two sections, three rows: `alpha` and `beta` inherit from the shared model base, `gamma` does
# not. A venue that is not one (`arXiv 2023`) stands in the README: old content that the other
# rules would report on a row under review, and must not report here.
README = task_readme(
    "det",
    method_section("Alpha Net", rows=[row("alpha", "R-50-FPN"), row("beta", "R-101-FPN")]),
    method_section("Gamma Net", venue="arXiv 2023", rows=[row("gamma", "Swin-T")]),
)
ZOO = {
    "det/README.md": README,
    "det/configs/det/alpha.py": config_file("alpha", "../_base_/models/frcnn.py"),
    "det/configs/det/beta.py": config_file("beta", "./alpha.py", "../_base_/schedule.py"),
    "det/configs/det/gamma.py": config_file("gamma", "../_base_/schedule.py"),
    BASE: "model = dict(type='FasterRCNN')\n",
    SHARED: "runner = dict(max_epochs=12)\n",
    "det/configs/det/unlinked.py": "model = dict()\n",
}


def line_of(needle: str) -> int:
    return next(n for n, line in enumerate(README.split("\n"), 1) if needle in line)


def zoo_then(
    git_zoo: GitZoo, change: dict[str, str | None], base: dict[str, str] | None = None
) -> None:
    """The zoo (with `base` over it) on main, then a branch that writes or deletes files."""
    for path, text in {**ZOO, **(base or {})}.items():
        git_zoo.write(path, text)
    git_zoo.commit("zoo")
    git_zoo.branch("configs")
    for path, new in change.items():
        if new is None:
            (git_zoo.root / path).unlink()
        else:
            git_zoo.write(path, new)
    git_zoo.commit("change configs")


def check(git_zoo: GitZoo, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    code = main(["check", "--repo", str(git_zoo.root), "--offline", "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


def found(report: dict[str, Any]) -> list[tuple[str, str, int | None, str]]:
    return [(f["severity"], f["rule"], f["line"], f["message"]) for f in report["findings"]]


def notice(report: dict[str, Any]) -> str:
    [message] = [f["message"] for f in report["findings"] if f["rule"] == "scope"]
    return str(message)


def test_a_syntax_error_fails_at_the_row_that_links_the_config(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = config_file("gamma", "../_base_/schedule.py", extra="model = dict(\n")
    zoo_then(git_zoo, {"det/configs/det/gamma.py": broken})
    code, report = check(git_zoo, capsys)
    assert code == 1
    [(severity, rule, line, message)] = [f for f in found(report) if f[1] == "config"]
    assert (severity, rule, line) == ("error", "config", line_of("| Swin-T |"))
    assert message.startswith("The config `det/configs/det/gamma.py` is not valid Python: line 2")
    assert message.endswith("This PR's change to `det/configs/det/gamma.py` broke it.")
    # Only the config is checked: the venue of the row's section is old content.
    assert [f[1] for f in found(report)] == ["config", "scope"]
    assert notice(report) == (
        "This PR changes no task README; it changes 1 config file: the row of the zoo that "
        "uses it was checked (their configs and `_base_` chains)."
    )
    assert report["entries"] == []
    section = next(f["section"] for f in report["findings"] if f["rule"] == "config")
    assert section == "Gamma Net"


def test_a_deleted_base_fails_at_every_row_whose_chain_used_it(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    zoo_then(git_zoo, {BASE: None})
    code, report = check(git_zoo, capsys)
    assert code == 1
    [(severity, _rule, line, message)] = [f for f in found(report) if f[1] == "config"]
    # One mistake (alpha.py names a file that is gone), said once at the first row that
    # reaches it, naming the other (beta inherits from alpha); gamma does not use it.
    assert (severity, line) == ("error", line_of("| R-50-FPN |"))
    assert "`det/configs/det/alpha.py` names `_base_` `../_base_/models/frcnn.py`" in message
    assert "This PR deletes `det/configs/_base_/models/frcnn.py`." in message
    assert message.endswith(f"Also reached from the row at line {line_of('| R-101-FPN |')}.")
    assert notice(report).startswith(
        "This PR changes no task README; it changes 1 config file: the 2 rows of the zoo that "
        "use it were checked"
    )


def test_a_renamed_shared_base_names_each_config_that_still_uses_the_old_name(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    zoo_then(git_zoo, {SHARED: None, "det/configs/_base_/schedule_1x.py": ZOO[SHARED]})
    code, report = check(git_zoo, capsys)
    assert code == 1
    errors = [(line, message) for _s, rule, line, message in found(report) if rule == "config"]
    # beta.py and gamma.py each name it: two mistakes, each at the first row that reaches it.
    assert [line for line, _ in errors] == [line_of("| R-101-FPN |"), line_of("| Swin-T |")]
    assert all("This PR deletes `det/configs/_base_/schedule.py`." in m for _, m in errors)
    assert all("Did you mean `../_base_/schedule_1x.py`?" in m for _, m in errors)
    assert notice(report).startswith("This PR changes no task README; it changes 2 config files")
    assert "`det/configs/_base_/schedule_1x.py` is linked by no row of the zoo" in notice(report)


def test_a_pr_that_fixes_a_config_passes_and_says_what_it_checked(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    glued = config_file("gamma", "../_base_/schedule.py").replace(
        "load_from", "fp16 = dict(loss_scale=512)load_from"
    )
    zoo_then(git_zoo, {"det/configs/det/gamma.py": ZOO["det/configs/det/gamma.py"]},
             base={"det/configs/det/gamma.py": glued})  # fmt: skip
    code, report = check(git_zoo, capsys)
    assert code == 0, report["findings"]
    assert report["verdict"] == "pass"
    assert [f[1] for f in found(report)] == ["scope"]
    assert "the row of the zoo that uses it was checked" in notice(report)


def test_a_problem_from_before_the_pr_does_not_fail_it(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    # gamma.py names a missing base on main; the PR edits the schedule gamma uses, and edits
    # gamma.py without fixing it.
    old = config_file("gamma", "../_base_/schedule.py", "../_base_/gone.py")
    zoo_then(
        git_zoo,
        {SHARED: "runner = dict(max_epochs=24)\n", "det/configs/det/gamma.py": "# v2\n" + old},
        base={"det/configs/det/gamma.py": old},
    )
    code, report = check(git_zoo, capsys)
    assert code == 0, report["findings"]
    [(severity, _rule, line, message)] = [f for f in found(report) if f[1] == "config"]
    assert (severity, line) == ("notice", line_of("| Swin-T |"))
    assert "`../_base_/gone.py`" in message
    assert message.endswith("It was so before this PR too: not new, so it does not fail this PR.")


def test_an_old_problem_in_a_file_the_pr_does_not_touch_is_not_said(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    old = config_file("gamma", "../_base_/schedule.py", "../_base_/gone.py")
    zoo_then(git_zoo, {SHARED: "runner = dict(max_epochs=24)\n"},
             base={"det/configs/det/gamma.py": old})  # fmt: skip
    code, report = check(git_zoo, capsys)
    assert code == 0, report["findings"]
    assert [f[1] for f in found(report)] == ["scope"]
    assert "the 2 rows of the zoo that use it were checked" in notice(report)


def test_an_unlinked_config_passes_with_a_clear_notice(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    zoo_then(git_zoo, {"det/configs/det/unlinked.py": "model = dict(\n"})
    code, report = check(git_zoo, capsys)
    assert code == 0, report["findings"]
    assert found(report) == [
        (
            "notice",
            "scope",
            None,
            "This PR changes no task README; it changes 1 config file: "
            "`det/configs/det/unlinked.py` is linked by no row of the zoo, directly or as a "
            "`_base_`, so it was not checked.",
        )
    ]


def test_a_deleted_config_still_linked_is_an_error_naming_the_row(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    zoo_then(git_zoo, {"det/configs/det/gamma.py": None})
    code, report = check(git_zoo, capsys)
    assert code == 1
    [(severity, _rule, line, message)] = [f for f in found(report) if f[1] == "config"]
    assert (severity, line) == ("error", line_of("| Swin-T |"))
    assert message == (
        "The row `Swin-T` of `Gamma Net` links the config `det/configs/det/gamma.py`, which "
        "this PR deletes."
    )


def test_a_load_from_the_pr_changes_is_a_warning(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    other = ZOO["det/configs/det/gamma.py"].replace(model("gamma"), "https://example.org/a.pth")
    zoo_then(git_zoo, {"det/configs/det/gamma.py": other})
    code, report = check(git_zoo, capsys)
    assert code == 0
    [(severity, _rule, line, message)] = [f for f in found(report) if f[1] == "config"]
    assert (severity, line) == ("warning", line_of("| Swin-T |"))
    assert "`https://example.org/a.pth`" in message and message.endswith("this PR changed it.")


def test_rows_under_review_are_not_checked_twice_and_other_rows_are(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    # The PR adds a row (delta, reviewed in full) and breaks the shared schedule that gamma
    # uses too; beta uses it as well.
    readme = README.replace(
        row("gamma", "Swin-T"), row("gamma", "Swin-T") + "\n" + row("delta", "Swin-S")
    )
    zoo_then(
        git_zoo,
        {
            "det/README.md": readme,
            "det/configs/det/delta.py": config_file("delta", "../_base_/schedule.py"),
            SHARED: "runner = dict(max_epochs=12\n",
        },
    )
    code, report = check(git_zoo, capsys)
    assert code == 1
    lines = [line for _s, rule, line, _m in found(report) if rule == "config"]
    delta = next(n for n, line in enumerate(readme.split("\n"), 1) if "| Swin-S |" in line)
    # One mistake, said once: at the row under review (the config rule); beta and gamma use
    # the broken file too, and are not told again.
    assert lines == [delta]
    assert notice(report) == (
        "This PR also changes 2 config files: the 2 other rows of the zoo that use them were "
        "checked (their configs and `_base_` chains)."
    )


def test_tasks_limits_the_rows_checked() -> None:
    files = {path: text for path, text in ZOO.items() if path not in ("det/README.md", BASE)}
    submission = make_submission(
        {"det/README.md": README},
        changed=(ChangedFile(BASE, "removed"),),
        head_paths=files,
        files=files,
    )
    only_sem_seg = review(
        submission, config(), ReviewOptions(offline=True, tasks=("sem_seg",)), None
    )
    assert only_sem_seg.verdict == "pass"
    every_task = review(submission, config(), ReviewOptions(offline=True), None)
    assert every_task.verdict == "fail"


def test_a_config_that_could_not_be_read_makes_the_review_incomplete() -> None:
    readme = README
    submission = make_submission(
        {"det/README.md": readme},
        changed=(ChangedFile(SHARED, "modified"),),
        head_paths=ZOO,
        files={SHARED: ZOO[SHARED]},
    )

    class Failing:
        """Reads nothing: every config is unreadable."""

        def read(self, paths: object, limit: int) -> dict[str, bytes]:
            return {}

    submission = submission.__class__(**{**submission.__dict__, "files": Failing()})
    result = review(submission, config(), ReviewOptions(offline=True), None)
    assert result.verdict == "incomplete"
    [unread] = [f for f in result.findings if f.incomplete]
    assert unread.message.startswith("3 configs that rows of the zoo link could not be read")


def test_the_reverse_index_follows_bases_and_names_missing_ones() -> None:
    readme = README
    files = {path: text for path, text in ZOO.items() if path not in ("det/README.md", BASE)}
    submission = make_submission(
        {"det/README.md": readme},
        changed=(ChangedFile(BASE, "removed"),),
        head_paths=files,
        files=files,
    )
    changes = find_config_changes(submission, config(), parse_readmes(submission, config()), ())
    assert changes is not None
    assert [user.path for user in changes.users] == [
        "det/configs/det/alpha.py",
        "det/configs/det/beta.py",
    ]
    assert changes.reached["det/configs/det/gamma.py"] == ()
    assert changes.config_files == (BASE,)
    assert changes.unused == ()
    assert BASE in changes.base_paths


@pytest.mark.parametrize("external", [True, False])
def test_scores_only_says_that_configs_of_other_repositories_are_not_fetched(
    git_zoo: GitZoo, artifacts: Artifacts, capsys: pytest.CaptureFixture[str], external: bool
) -> None:
    link = "https://github.com/example-lab/sparse-anchors/blob/v1.0/configs/sparse.py"
    cell = f"[config]({link})" if external else "[config](./configs/det/alpha.py)"
    readme = task_readme(
        "det", method_section(rows=[make_row(slug="alpha", overrides={"Config": cell})])
    )
    git_zoo.write("det/README.md", task_readme("det"))
    git_zoo.commit("zoo")
    git_zoo.branch("contribution")
    git_zoo.write("det/README.md", readme)
    git_zoo.write("det/configs/det/alpha.py", config_file("alpha"))
    git_zoo.commit("add")
    artifacts.put("any.bin", b"{}")
    main(
        [
            "check",
            "--repo",
            str(git_zoo.root),
            "--format",
            "json",
            "--scores-only",
            "--allow-private-hosts",
            "--remap",
            rf"^https://.*$ {artifacts.base_url}/any.bin",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert [link["column"] for link in report["links"]] == ["Scores-val", "Scores-test"]
    skipped = "weights, MD5, predictions, visuals and pages"
    if external:
        skipped = "weights, MD5, predictions, visuals, pages and configs in other repositories"
    assert f"{skipped} (scores only)" in report["not_checked"]


def test_a_row_with_split_cells_still_links_its_config(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new row whose `model | MD5` pipe is unescaped has its cells under the wrong columns:
    that is one template error, not also a notice that its config "is linked by no row"."""
    split = make_row(
        slug="delta",
        overrides={
            "Backbone": "R-50-FPN",
            "Config": "[config](./configs/det/delta.py)",
            "Weights": f"[model]({model('delta')}) | [MD5]({model('delta')}.md5)",
        },
    )
    readme = task_readme(
        "det",
        method_section("Alpha Net", rows=[row("alpha", "R-50-FPN"), row("beta", "R-101-FPN")]),
        method_section("Gamma Net", venue="arXiv 2023", rows=[row("gamma", "Swin-T")]),
        method_section("Delta Net", rows=[split]),
    )
    zoo_then(
        git_zoo,
        {"det/README.md": readme, "det/configs/det/delta.py": config_file("delta", "./alpha.py")},
    )
    code, report = check(git_zoo, capsys)
    assert code == 1
    assert [(f[0], f[1]) for f in found(report)] == [("error", "template")], report["findings"]
