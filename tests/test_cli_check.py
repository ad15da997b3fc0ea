"""End-to-end `zoo-review check` runs on temporary git repositories with a local artifact server."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.config import load_config
from bot.example.scores import dumps_scores, make_scores
from tests.conftest import Artifacts, GitZoo

HEADER = (
    "| Backbone | Lr schd | MS-train | Box AP-val | Scores-val | Box AP-test | Scores-test "
    "| Config | Weights | Preds | Visuals |\n" + "| :-: " * 11 + "|"
)


@dataclass(frozen=True)
class Row:
    backbone: str
    val: str
    test: str
    stem: str
    weights: str | None = None  # the whole Weights cell when not the usual one


@dataclass
class Contribution:
    """A det section and what to serve for it; tests change one thing at a time."""

    name: str = "Example R-CNN"
    venue: str = "CVPR 2023"
    abstract: str = "We propose a detector that exists to test a model-zoo review."
    rows: list[Row] = field(
        default_factory=lambda: [
            Row("R-50-FPN", "32.15", "30.92", "ex_r50"),
            Row("R-101-FPN", "33.48", "32.27", "ex_r101"),
            Row("ConvNeXt-T", "35.61", "34.40", "ex_convnext"),
        ]
    )
    extra: str = ""
    configs: tuple[str, ...] | None = None  # default: one per row

    def section(self, url: str) -> str:
        rows = "\n".join(self.row(url, row) for row in self.rows)
        return (
            f"\n### {self.name}\n\n"
            f"[Example R-CNN: A Paper](https://arxiv.org/abs/2301.00001) [{self.venue}]\n\n"
            "Authors: Ada Example, Ben Sample\n\n"
            f"<details>\n<summary>Abstract</summary>\n{self.abstract}\n</details>\n\n"
            f"#### Results\n\n{HEADER}\n{rows}\n\n"
            "[[Code](https://github.com/example/example-rcnn)] [[Usage Instructions](#usage)]\n"
            f"{self.extra}"
        )

    def row(self, url: str, row: Row) -> str:
        weights = row.weights or (
            f"[model]({url}/models/{row.stem}.pth) \\| [MD5]({url}/models/{row.stem}.md5)"
        )
        cells = [
            row.backbone,
            "3x",
            "✓",
            row.val,
            f"[scores]({url}/scores-val/{row.stem}.json)",
            row.test,
            f"[scores]({url}/scores-test/{row.stem}.json)",
            f"[config](./configs/det/{row.stem}.py)",
            weights,
            f"[preds]({url}/preds/{row.stem}.json)",
            f"[visuals]({url}/visuals/{row.stem}.zip)",
        ]
        return "| " + " | ".join(cells) + " |"


EXISTING = """# Detection Models

## Model Zoo

### Faster R-CNN

[Faster R-CNN: Towards Real-Time Object Detection](https://arxiv.org/abs/1506.01497) [NeurIPS 2015]

Authors: Shaoqing Ren, Kaiming He

<details>
<summary>Abstract</summary>
Region proposal networks for real-time detection.
</details>

#### Results

{header}
| R-50-FPN | 1x |  | 31.04 | [scores]({url}/scores-val/frcnn.json) | 29.78 | [scores]({url}/scores-test/frcnn.json) | [config](./configs/det/frcnn.py) | [model]({url}/models/frcnn.pth) \\| [MD5]({url}/models/frcnn.md5) | [preds]({url}/preds/frcnn.json) | [visuals]({url}/visuals/frcnn.zip) |

[[Code](https://github.com/facebookresearch/detectron2)] [[Usage Instructions](#usage)]
"""

USAGE = "\n## Usage\n\nRun the model.\n"


def body(skip: int | None = None, untick: int | None = None) -> str:
    lines = ["Adds Example R-CNN.", ""]
    for index, item in enumerate(load_config().checklist):
        if index != skip:
            lines.append(f"- [{' ' if index == untick else 'x'}] {item.text}")
    return "\n".join(lines) + "\n"


@dataclass
class Scenario:
    zoo: GitZoo
    artifacts: Artifacts
    body_file: Path

    def line_of(self, needle: str) -> int:
        text = (self.zoo.root / "det/README.md").read_text(encoding="utf-8")
        for number, line in enumerate(text.split("\n"), start=1):
            if needle in line:
                return number
        raise AssertionError(f"{needle!r} not in the README")


def serve(artifacts: Artifacts, stem: str, val: float, test: float) -> None:
    artifacts.put(f"scores-val/{stem}.json", dumps_scores(make_scores("det", {"AP": val})))
    artifacts.put(f"scores-test/{stem}.json", dumps_scores(make_scores("det", {"AP": test})))
    weights = b"weights of " + stem.encode() * 200
    artifacts.put(f"models/{stem}.pth", weights)
    digest = hashlib.md5(weights, usedforsecurity=False).hexdigest()
    artifacts.put(f"models/{stem}.md5", digest)
    artifacts.put(f"preds/{stem}.json", "[]")
    visuals = io.BytesIO()
    with zipfile.ZipFile(visuals, "w") as archive:
        archive.writestr(f"{stem}/b1c66a42-6f7d68ca.png", b"\x89PNG")
    artifacts.put(f"visuals/{stem}.zip", visuals.getvalue())
    # The paper and code pages, reached through the remap that `run` passes.
    artifacts.put("pages/arxiv.org/abs/2301.00001", "<html>paper</html>")
    artifacts.put("pages/github.com/example/example-rcnn", "<html>code</html>")


def build(
    git_zoo: GitZoo,
    artifacts: Artifacts,
    tmp_path: Path,
    contribution: Contribution | None = None,
    pr_body: str | None = None,
) -> Scenario:
    contribution = contribution or Contribution()
    url = artifacts.base_url
    existing = EXISTING.format(header=HEADER, url=url)
    git_zoo.write("det/README.md", existing + USAGE)
    git_zoo.write("det/configs/det/frcnn.py", "model = 'frcnn'\n")
    serve(artifacts, "frcnn", 31.04, 29.78)
    git_zoo.commit("base zoo")
    git_zoo.branch("contribution")
    git_zoo.write("det/README.md", existing + contribution.section(url) + USAGE)
    configs = contribution.configs
    if configs is None:
        configs = tuple(row.stem for row in contribution.rows)
    for stem in configs:
        git_zoo.write(f"det/configs/det/{stem}.py", f"model = '{stem}'\n")
    for row in contribution.rows:
        try:
            serve(artifacts, row.stem, float(row.val), float(row.test))
        except ValueError:
            serve(artifacts, row.stem, 30.0, 30.0)
    git_zoo.commit("add Example R-CNN")
    body_file = tmp_path / "pr.md"
    body_file.write_text(pr_body if pr_body is not None else body(), encoding="utf-8")
    return Scenario(zoo=git_zoo, artifacts=artifacts, body_file=body_file)


def run(scenario: Scenario, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    """`zoo-review check --format json` on the scenario, operator-allowed to fetch locally."""
    code = main(
        [
            "check",
            "--repo",
            str(scenario.zoo.root),
            "--body",
            str(scenario.body_file),
            "--format",
            "json",
            "--allow-private-hosts",
            *extra,
            "--remap",
            rf"^https://(arxiv\.org|github\.com)/(.*)$ {scenario.artifacts.base_url}/pages/$1/$2",
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def errors(report: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    return [
        (finding["rule"], finding["path"], finding["line"])
        for finding in report["findings"]
        if finding["severity"] == "error"
    ]


def test_clean_contribution_passes(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    code, report = run(scenario, capsys)
    assert code == 0
    assert report["verdict"] == "pass"
    assert report["summary"] == {"errors": 0, "warnings": 0, "notices": 0}
    assert report["entries"] == [
        {
            "task": "det",
            "path": "det/README.md",
            "section": "Example R-CNN",
            "line": scenario.line_of("### Example R-CNN"),
            "rows": 3,
        }
    ]
    assert report["tool"] == "zoo-review"
    assert set(report["reviewed"]) == {"base", "head"}
    assert report["reviewed"]["head"] == git_zoo.git("rev-parse", "HEAD")
    assert report["reviewed"]["base"] == git_zoo.git("rev-parse", "main")


def test_wrong_column_count(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = artifacts.base_url
    unescaped = f"[model]({url}/models/ex_r101.pth) | [MD5]({url}/models/ex_r101.md5)"
    contribution = Contribution()
    contribution.rows[1] = replace(contribution.rows[1], weights=unescaped)
    scenario = build(git_zoo, artifacts, tmp_path, contribution)
    code, report = run(scenario, capsys)
    assert code == 1
    assert errors(report) == [("template", "det/README.md", scenario.line_of("| R-101-FPN"))]
    finding = report["findings"][0]
    assert "12 cells but the header has 11" in finding["message"]
    assert "escape the pipe" in finding["hint"]


def test_metric_disagrees_with_scores_file(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    artifacts.put("scores-val/ex_r101.json", dumps_scores(make_scores("det", {"AP": 33.0712})))
    code, report = run(scenario, capsys)
    assert code == 1
    assert errors(report) == [("scores", "det/README.md", scenario.line_of("| R-101-FPN"))]
    message = report["findings"][0]["message"]
    assert "33.48" in message and "33.07" in message and "Box AP-val" in message


@pytest.mark.parametrize(
    ("defect", "words"),
    [
        ("missing key", "missing key 'AP75'"),
        ("non-finite headline", "NaN"),
        ("double-encoded", "double-encoded"),
        ("obsolete", "obsolete"),
    ],
)
def test_broken_scores_file(
    defect: str,
    words: str,
    git_zoo: GitZoo,
    artifacts: Artifacts,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    document = make_scores("det", {"AP": 35.61})
    text = dumps_scores(document)
    if defect == "missing key":
        del document["AP75"]
        text = dumps_scores(document)
    elif defect == "non-finite headline":
        document["AP"][-1]["OVERALL"] = float("nan")
        text = dumps_scores(document)
    elif defect == "double-encoded":
        text = json.dumps(text)
    else:
        text = json.dumps({"AP": 0.3561, "AP_50": 0.55, "AP_75": 0.34, "AR_max_1": 0.2})
    artifacts.put("scores-val/ex_convnext.json", text)
    code, report = run(scenario, capsys)
    assert code == 1
    line = scenario.line_of("| ConvNeXt-T")
    assert ("scores", "det/README.md", line) in errors(report)
    messages = [f["message"] for f in report["findings"] if f["line"] == line]
    assert any(words in message for message in messages), messages


def test_venue_not_top_tier(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path, Contribution(venue="Workshop on Toys 2023"))
    code, report = run(scenario, capsys)
    assert code == 1
    assert errors(report) == [("venue", "det/README.md", scenario.line_of("[Example R-CNN: A"))]


def test_missing_md5_link(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contribution = Contribution()
    url = artifacts.base_url
    contribution.rows[0] = replace(
        contribution.rows[0], weights=f"[model]({url}/models/ex_r50.pth)"
    )
    scenario = build(git_zoo, artifacts, tmp_path, contribution)
    code, report = run(scenario, capsys)
    assert code == 1
    assert errors(report) == [("links", "det/README.md", scenario.line_of("| R-50-FPN | 3x"))]
    assert "MD5" in report["findings"][0]["message"]


def test_config_not_in_the_pr(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contribution = Contribution(configs=("ex_r50", "ex_convnext"))
    scenario = build(git_zoo, artifacts, tmp_path, contribution)
    code, report = run(scenario, capsys)
    assert code == 1
    assert errors(report) == [("config", "det/README.md", scenario.line_of("| R-101-FPN"))]
    assert "det/configs/det/ex_r101.py" in report["findings"][0]["message"]


@pytest.mark.parametrize(("skip", "untick", "words"), [(4, None, "lacks"), (None, 6, "not ticked")])
def test_checklist_item_missing_or_unticked(
    skip: int | None,
    untick: int | None,
    words: str,
    git_zoo: GitZoo,
    artifacts: Artifacts,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path, pr_body=body(skip=skip, untick=untick))
    code, report = run(scenario, capsys)
    assert code == 1
    item = load_config().checklist[skip if skip is not None else 6].text
    # An unticked item is reported at its line of the description; a missing one has none.
    lines = scenario.body_file.read_text(encoding="utf-8").split("\n")
    line = None if skip is not None else next(i for i, t in enumerate(lines, 1) if item in t)
    assert errors(report) == [("checklist", str(scenario.body_file), line)]
    assert words in report["findings"][0]["message"]
    assert item in report["findings"][0]["message"]


def test_template_placeholder_left_in(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contribution = Contribution(abstract="Put your abstract here.")
    scenario = build(git_zoo, artifacts, tmp_path, contribution)
    code, report = run(scenario, capsys)
    assert code == 1
    details = scenario.line_of("Put your abstract here.") - 2
    assert errors(report) == [("template", "det/README.md", details)]


def test_without_permission_loopback_links_are_refused(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    code = main(
        [
            "check",
            "--repo",
            str(git_zoo.root),
            "--body",
            str(scenario.body_file),
            "--format",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    refused = [f for f in report["findings"] if f["rule"] == "scores"]
    assert len(refused) == 6
    assert all("was not fetched" in f["message"] for f in refused)
    assert all("--allow-private-hosts" in f["message"] for f in refused)


def test_remap_fetches_from_a_mirror(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = replace(artifacts, base_url="https://files.example.org/zoo")
    scenario = build(git_zoo, mirror, tmp_path)
    remap = f"^https://files\\.example\\.org/zoo/(.*)$ {artifacts.base_url}/$1"
    # The pages too: this machine may resolve no host name (the review would be incomplete).
    pages = rf"^https://(arxiv\.org|github\.com)/(.*)$ {artifacts.base_url}/pages/$1/$2"
    code, report = run(scenario, capsys, "--remap", remap, "--remap", pages)
    assert code == 0, report["findings"]
    assert report["summary"]["errors"] == 0


def test_offline_says_what_it_skipped(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    artifacts.put("scores-val/ex_r101.json", "not json")
    code, report = run(scenario, capsys, "--offline")
    assert code == 0
    assert report["findings"] == []
    assert report["verdict"] == "pass"
    assert report["not_checked"] == ["linked files and pages (offline)"]
    text_code = main(["check", "--repo", str(scenario.zoo.root), "--offline"])
    text = capsys.readouterr().out
    assert text_code == 0
    assert "✓ pass" in text
    assert (
        "no problems found in what was checked (linked files and pages not checked: offline; the checklist not checked: no PR description"
        in text
    )


def test_untouched_broken_content_is_not_reviewed(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = artifacts.base_url
    broken_existing = EXISTING.format(header=HEADER, url=url).replace("[NeurIPS 2015]", "[arXiv]")
    git_zoo.write("det/README.md", broken_existing + USAGE)
    git_zoo.commit("a zoo with an old problem")
    git_zoo.branch("contribution")
    contribution = Contribution()
    git_zoo.write("det/README.md", broken_existing + contribution.section(url) + USAGE)
    for row in contribution.rows:
        git_zoo.write(f"det/configs/det/{row.stem}.py", "x = 1\n")
        serve(artifacts, row.stem, float(row.val), float(row.test))
    git_zoo.commit("contribution")
    body_file = tmp_path / "pr.md"
    body_file.write_text(body(), encoding="utf-8")
    scenario = Scenario(zoo=git_zoo, artifacts=artifacts, body_file=body_file)
    code, report = run(scenario, capsys)
    assert code == 0, report["findings"]
    code, report = run(scenario, capsys, "--all", "--offline")
    assert code == 1
    assert ("venue", "det/README.md", 7) in errors(report)


def test_worktree_reviews_uncommitted_changes(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    readme = git_zoo.root / "det/README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("[CVPR 2023]", "[arXiv 2023]"),
        encoding="utf-8",
    )
    code, report = run(scenario, capsys, "--head", "HEAD")
    assert code == 0  # exactly the commit
    for flags in ((), ("--worktree",)):  # the default head has the uncommitted edit too
        code, report = run(scenario, capsys, *flags)
        assert code == 1
        assert errors(report) == [("venue", "det/README.md", scenario.line_of("[Example R-CNN: A"))]
        assert report["reviewed"]["head"].endswith("+worktree")


def test_config_comes_from_the_base_branch(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weaken = "venues:\n  not_venues: []\n  accepted: [{name: arXiv}]\n"
    scenario = build(git_zoo, artifacts, tmp_path, Contribution(venue="arXiv 2023"))
    git_zoo.write(".github/zoo-review.yml", weaken)
    git_zoo.commit("the PR tries to accept arXiv")
    code, report = run(scenario, capsys)
    assert code == 1, "a PR must not weaken its own review"
    git_zoo.git("checkout", "--quiet", "main")
    git_zoo.write(".github/zoo-review.yml", weaken)
    git_zoo.commit("maintainers accept arXiv")
    git_zoo.git("checkout", "--quiet", "contribution")
    code, report = run(scenario, capsys, "--base", "main")
    venue = [f for f in report["findings"] if f["rule"] == "venue"]
    assert venue == []


def test_text_and_markdown_formats(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path, Contribution(venue="arXiv 2023"))
    common = ["--repo", str(git_zoo.root), "--body", str(scenario.body_file)]
    assert main(["check", *common, "--allow-private-hosts"]) == 1
    text = capsys.readouterr().out
    line = scenario.line_of("[Example R-CNN: A")
    assert f"det/README.md:{line}: error [venue]" in text
    assert "\033[" not in text, "no colour when stdout is not a terminal"
    assert main(["check", *common, "--allow-private-hosts", "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert markdown.startswith("### ❌ zoo-review: 1 error to fix")
    assert "`arXiv 2023`" in markdown
    output = tmp_path / "report.json"
    assert main(["check", *common, "--offline", "--format", "json", "--output", str(output)]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads(output.read_text(encoding="utf-8"))["verdict"] == "fail"


def test_usage_and_operational_errors_exit_2(
    git_zoo: GitZoo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--no-such-flag"])
    assert exit_info.value.code == 2
    capsys.readouterr()

    plain_folder = tmp_path / "not-a-repo"
    plain_folder.mkdir()
    assert main(["check", "--repo", str(plain_folder)]) == 2
    assert "not inside a git repository" in capsys.readouterr().err

    # A repository without any commit: the message names what to do, not a --head never given.
    assert main(["check", "--repo", str(git_zoo.root)]) == 2
    err = capsys.readouterr().err
    assert "has no commit yet" in err and "git commit" in err and "--head" not in err

    git_zoo.write("README.md", "zoo\n")
    git_zoo.commit()
    assert main(["check", "--repo", str(git_zoo.root), "--head", "nope"]) == 2
    assert "--head nope: no such commit" in capsys.readouterr().err
    assert main(["check", "--repo", str(git_zoo.root), "--base", "nope"]) == 2
    assert "--base nope: no such commit" in capsys.readouterr().err

    bad_config = tmp_path / "bad.yml"
    bad_config.write_text("network: {timout_seconds: 3}\n", encoding="utf-8")
    assert main(["check", "--repo", str(git_zoo.root), "--config", str(bad_config)]) == 2
    err = capsys.readouterr().err
    assert "timout_seconds" in err and "Traceback" not in err

    missing_body = tmp_path / "missing.md"
    assert main(["check", "--repo", str(git_zoo.root), "--body", str(missing_body)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_default_base_is_the_merge_base_with_main(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    fork_point = git_zoo.git("rev-parse", "main")
    git_zoo.git("checkout", "--quiet", "main")
    git_zoo.write("NOTES.md", "main moved on\n")
    git_zoo.commit("main moves on")
    git_zoo.git("checkout", "--quiet", "contribution")
    code, report = run(scenario, capsys)
    assert code == 0
    assert report["reviewed"]["base"] == fork_point


def test_exit_status_3_when_a_deciding_link_cannot_be_checked(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    config = tmp_path / "quick.yml"
    config.write_text("network:\n  retries: 0\n", encoding="utf-8")
    nothing_listens = r"^http://127\.0\.0\.1:\d+/(scores-test/.*)$ http://127.0.0.1:1/$1"
    code, report = run(scenario, capsys, "--config", str(config), "--remap", nothing_listens)
    assert code == 3
    assert report["verdict"] == "incomplete"
    assert report["summary"]["errors"] == 0
    unchecked = [f for f in report["findings"] if f["incomplete"]]
    assert [f["rule"] for f in unchecked] == ["scores"]
    assert "could not be checked" in unchecked[0]["message"]


def test_a_remap_to_a_private_mirror_without_permission_is_the_operators_problem(
    git_zoo: GitZoo, artifacts: Artifacts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = build(git_zoo, artifacts, tmp_path)
    code = main(
        [
            "check",
            "--repo",
            str(scenario.zoo.root),
            "--body",
            str(scenario.body_file),
            "--format",
            "json",
            "--scores-only",
            # No --allow-private-hosts: a "mirror" on a loopback address and port is refused.
            "--remap",
            r"^http://127\.0\.0\.1:(\d+)/(.*)$ http://127.0.0.2:$1/$2",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 3
    assert report["verdict"] == "incomplete"
    assert report["summary"]["errors"] == 0
    [finding] = [f for f in report["findings"] if f["rule"] == "network"]
    assert finding["incomplete"] is True
    assert "were not fetched: the review's --remap rules send them" in finding["message"]
    assert "not from the contribution" in finding["hint"]
    assert "--allow-private-hosts" in finding["hint"]
    assert "Link the file on a public host" not in json.dumps(report)


def test_the_tls_context_is_built_once_and_early() -> None:
    """check starts loading the certificates in a thread; the fetcher reuses that context."""
    import argparse

    from bot.cli import load_certificates_early
    from bot.net.transport import tls_context

    assert load_certificates_early(argparse.Namespace(offline=True)) is None
    thread = load_certificates_early(argparse.Namespace(offline=False))
    assert thread is not None
    thread.join(10)
    assert not thread.is_alive()
    assert tls_context.cache_info().currsize == 1
    assert tls_context() is tls_context()
