"""Builds the example: a small detection zoo in git, a contribution branch, files, PR body."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.config import Config
from bot.example.scores import dumps_scores, make_scores

ARTIFACT_HOST = "https://zoo-artifacts.example.org"
BASE_BRANCH = "main"
HEAD_BRANCH = "contribution"

_HEADER = """# Detection Models of the Example Zoo

A small zoo in the format of the BDD100K model zoo, built by `zoo-review example`.

## Model Zoo

---
"""

_FOOTER = """
## Usage

Run `python tools/test.py CONFIG WEIGHTS` to evaluate a model.
"""

_ABSTRACT = (
    "We present a detector that exists only to show how a model-zoo review works. It reads a "
    "table, follows every link and compares every number with the evaluator's output."
)


@dataclass(frozen=True)
class Model:
    """One result row: descriptive cells, the numbers it reports and the file stem."""

    backbone: str
    schedule: str
    multiscale: bool
    val: float
    test: float
    stem: str


EXISTING = (
    Model("R-50-FPN", "1x", False, 31.04, 29.78, "faster_rcnn_r50_fpn_1x_det_bdd100k"),
    Model("R-50-FPN", "3x", True, 32.30, 31.45, "faster_rcnn_r50_fpn_3x_det_bdd100k"),
)
CONTRIBUTED = (
    Model("R-50-FPN", "1x", False, 32.15, 30.92, "example_rcnn_r50_fpn_1x_det_bdd100k"),
    Model("R-50-FPN", "3x", True, 33.48, 32.27, "example_rcnn_r50_fpn_3x_det_bdd100k"),
    Model("R-101-FPN", "3x", True, 34.02, 32.85, "example_rcnn_r101_fpn_3x_det_bdd100k"),
    Model("ConvNeXt-T", "3x", True, 35.61, 34.40, "example_rcnn_convnext-t_fpn_3x_det_bdd100k"),
)

_TABLE_HEADER = (
    "| Backbone | Lr schd | MS-train | Box AP-val | Scores-val | Box AP-test | Scores-test "
    "| Config | Weights | Preds | Visuals |\n" + "| :-: " * 11 + "|"
)
CHECKLIST_HEADER = "Adds Example R-CNN to the detection zoo.\n\n"


@dataclass(frozen=True)
class ExampleZoo:
    repo: Path
    body: Path
    artifacts: Path
    # Served paths (below `artifacts`) that answer 403, as private storage does.
    private: frozenset[str] = frozenset()


# The example's paper and code pages (the contribution's and the existing section's), served
# locally like its files (the review needs no internet, an audit of the zoo neither): host, path.
PAGES = (
    ("arxiv.org", "abs/2301.00001"),
    ("github.com", "example-lab/example-rcnn"),
    ("arxiv.org", "abs/1506.01497"),
    ("github.com", "facebookresearch/detectron2"),
)
# The hosts of PAGES, each remapped to the local server once.
PAGE_HOSTS = tuple(dict.fromkeys(host for host, _page in PAGES))


def build_example(root: Path, config: Config, broken: bool) -> ExampleZoo:
    """Create `root/zoo` (git, base and contribution branches), `root/artifacts`, a PR body."""
    repo, artifacts = root / "zoo", root / "artifacts"
    repo.mkdir(parents=True)
    artifacts.mkdir()
    _git(repo, "init", "--quiet", f"--initial-branch={BASE_BRANCH}")

    readme = repo / "det" / "README.md"
    readme.parent.mkdir(parents=True)
    existing = _section("Faster R-CNN", _FASTER_RCNN_PAPER, EXISTING, broken=False)
    readme.write_text(_HEADER + existing + _FOOTER, encoding="utf-8")
    for model in EXISTING:
        _config_file(repo, model)
        _artifacts(artifacts, model, broken=False, index=0)
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", "Detection zoo with Faster R-CNN")

    _git(repo, "checkout", "--quiet", "-b", HEAD_BRANCH)
    contributed = _section("Example R-CNN", _example_paper(broken), CONTRIBUTED, broken=broken)
    readme.write_text(_HEADER + existing + contributed + _FOOTER, encoding="utf-8")
    for index, model in enumerate(CONTRIBUTED):
        if not (broken and index == 2):  # planted: the third row's config is not in the PR
            _config_file(repo, model)
        _artifacts(artifacts, model, broken=broken, index=index)
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", "Add Example R-CNN")

    for host, page in PAGES:
        _write(artifacts / "pages" / host / page, f"<html><title>{page}</title></html>".encode())

    body = root / "pr-body.md"
    body.write_text(_body(config, broken), encoding="utf-8")
    private = (
        frozenset({f"bdd100k/det/models/{CONTRIBUTED[2].stem}.pth"}) if broken else frozenset()
    )  # planted: the third row's weights are not public
    return ExampleZoo(repo=repo, body=body, artifacts=artifacts, private=private)


_FASTER_RCNN_PAPER = (
    "[Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks]"
    "(https://arxiv.org/abs/1506.01497) [NeurIPS 2015]",
    "Authors: Shaoqing Ren, Kaiming He, Ross Girshick, Jian Sun",
    "https://github.com/facebookresearch/detectron2",
)


def _example_paper(broken: bool) -> tuple[str, str, str]:
    venue = "arXiv 2023" if broken else "CVPR 2023"  # planted: a preprint is not a venue
    return (
        f"[Example R-CNN: Reviewing Model Zoo Contributions](https://arxiv.org/abs/2301.00001) "
        f"[{venue}]",
        "Authors: Ada Example, Ben Sample",
        "https://github.com/example-lab/example-rcnn",
    )


def _section(
    name: str, paper: tuple[str, str, str], models: tuple[Model, ...], broken: bool
) -> str:
    paper_line, authors, code = paper
    rows = "\n".join(_row(model, broken, index) for index, model in enumerate(models))
    other = "\nOther information.\n" if broken else ""  # planted: leftover template text
    return f"""
### {name}

{paper_line}

{authors}

<details>
<summary>Abstract</summary>
{_ABSTRACT}
</details>

#### Results

{_TABLE_HEADER}
{rows}

[[Code]({code})] [[Usage Instructions](#usage)]
{other}
---
"""


def _row(model: Model, broken: bool, index: int) -> str:
    base = f"{ARTIFACT_HOST}/bdd100k/det"
    val = f"{model.val:.2f}"
    if broken and index == 1:
        val = f"{model.val + 0.41:.2f}"  # planted: disagrees with the scores file
    weights = f"[model]({base}/models/{model.stem}.pth) \\| [MD5]({base}/models/{model.stem}.md5)"
    if broken and index == 0:
        weights = weights.replace(" \\| ", " | ")  # planted: an unescaped pipe splits the cell
    if broken and index == 3:
        weights = f"[model]({base}/models/{model.stem}.pth)"  # planted: no MD5 link
    cells = [
        model.backbone,
        model.schedule,
        "✓" if model.multiscale else "",
        val,
        f"[scores]({base}/scores-val/{model.stem}.json)",
        f"{model.test:.2f}",
        f"[scores]({base}/scores-test/{model.stem}.json)",
        f"[config](./configs/det/{model.stem}.py)",
        weights,
        f"[preds]({base}/preds/{model.stem}.json)",
        f"[visuals]({base}/visuals/{model.stem}.zip)",
    ]
    return "| " + " | ".join(cells) + " |"


def _config_file(repo: Path, model: Model) -> None:
    """The row's config, which inherits from its backbone's base and loads the row's weights."""
    configs = repo / "det" / "configs"
    backbone = model.backbone.lower()
    base = configs / "_base_" / f"{backbone}.py"
    base.parent.mkdir(parents=True, exist_ok=True)
    base.write_text(f"model = dict(backbone=dict(type={model.backbone!r}))\n", encoding="utf-8")
    path = configs / "det" / f"{model.stem}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    weights = f"{ARTIFACT_HOST}/bdd100k/det/models/{model.stem}.pth"
    path.write_text(
        f'_base_ = "../_base_/{backbone}.py"\nrunner = dict(max_epochs='
        f"{12 if model.schedule == '1x' else 36})\nload_from = {weights!r}\n",
        encoding="utf-8",
    )


def _artifacts(folder: Path, model: Model, broken: bool, index: int) -> None:
    det = folder / "bdd100k" / "det"
    val = make_scores("det", {"AP": model.val}, seed=index * 2 + 1)
    test = make_scores("det", {"AP": model.test}, seed=index * 2 + 2)
    val_text, test_text = dumps_scores(val), dumps_scores(test)
    if broken and index == 2:
        del val["AP75"]  # planted: the val file lacks a metric
        val_text = dumps_scores(val)
    if broken and index == 3:
        test_text = json.dumps(dumps_scores(test))  # planted: double-encoded by an old CLI
    weights = f"example weights of {model.stem}\n".encode() * 64
    _write(det / "scores-val" / f"{model.stem}.json", val_text.encode())
    _write(det / "scores-test" / f"{model.stem}.json", test_text.encode())
    _write(det / "models" / f"{model.stem}.pth", weights)
    if broken and index == 1:
        weights += b"retrained"  # planted: the MD5 file is of other weights
    digest = hashlib.md5(weights, usedforsecurity=False).hexdigest()
    _write(det / "models" / f"{model.stem}.md5", f"{digest}  {model.stem}.pth\n".encode())
    if not (broken and index == 3):  # planted: the last row's preds were never uploaded
        preds = b'[{"name": "b1c66a42-6f7d68ca.jpg", "labels": []}]'
        _write(det / "preds" / f"{model.stem}.json", preds)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("b1c66a42-6f7d68ca.png", b"\x89PNG example")
    _write(det / "visuals" / f"{model.stem}.zip", buffer.getvalue())


def _body(config: Config, broken: bool) -> str:
    lines = []
    for index, item in enumerate(config.checklist):
        if broken and index == 4:
            continue  # planted: an item dropped from the checklist
        tick = " " if broken and index == 6 else "x"  # planted: an unticked item
        lines.append(f"- [{tick}] {item.text}")
    return CHECKLIST_HEADER + "\n".join(lines) + "\n"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Example Contributor",
        "GIT_AUTHOR_EMAIL": "contributor@example.org",
        "GIT_COMMITTER_NAME": "Example Contributor",
        "GIT_COMMITTER_EMAIL": "contributor@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    subprocess.run(
        ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args],
        check=True,
        capture_output=True,
        env=env,
    )
