"""Builds the benchmark's zoos in git (det sections, the other tasks' READMEs) and registers
every det file they link with the server."""

from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from bench.server import Blob, Failure, Site, Weights
from bot.config import LinkSpec, TaskSpec
from bot.example.scores import dumps_scores, make_scores

ARTIFACTS = "https://dl.cv.ethz.ch/bdd100k/det"
MiB = 1024 * 1024
HEADER = (
    "| Backbone | Lr schd | MS-train | Box AP-val | Scores-val | Box AP-test | Scores-test "
    "| Config | Weights | Preds | Visuals |\n" + "| :-: " * 11 + "|"
)
# The sections of BDD100K's det README and their number of rows (64 in all).
DET_SECTIONS = (
    ("Faster R-CNN", 5),
    ("RetinaNet", 5),
    ("Cascade R-CNN", 4),
    ("FCOS", 4),
    ("Deformable ConvNets v2", 4),
    ("Libra R-CNN", 4),
    ("HRNet", 4),
    ("ATSS", 4),
    ("Sparse R-CNN", 4),
    ("DyHead", 4),
    ("Swin Transformer", 5),
    ("Pyramid Vision Transformer", 4),
    ("Pyramid Vision Transformer v2", 5),
    ("ResNet Strikes Back", 4),
    ("ConvNeXt", 4),
)
BACKBONES = ("R-50-FPN", "R-101-FPN", "X-101-32x4d-FPN", "Swin-T", "ConvNeXt-T")


@dataclass(frozen=True)
class Row:
    backbone: str
    schedule: str
    val: float
    test: float
    stem: str


@dataclass(frozen=True)
class Section:
    name: str
    slug: str
    rows: tuple[Row, ...]

    @property
    def paper(self) -> str:
        number = int(hashlib.sha1(self.slug.encode()).hexdigest()[:5], 16) % 99999
        return f"https://arxiv.org/abs/2{number:04d}.{number:05d}"

    @property
    def code(self) -> str:
        return f"https://github.com/bench-lab/{self.slug}"

    def urls(self) -> list[str]:
        """The web links the review checks, in README order."""
        urls = [self.paper, self.code]
        for row in self.rows:
            urls += [_artifact(kind, row.stem) for kind in _KINDS]
        return urls


_KINDS = ("scores-val", "scores-test", "models", "md5", "preds", "visuals")


def _artifact(kind: str, stem: str) -> str:
    if kind == "models":
        return f"{ARTIFACTS}/models/{stem}.pth"
    if kind == "md5":
        return f"{ARTIFACTS}/models/{stem}.md5"
    if kind == "visuals":
        return f"{ARTIFACTS}/visuals/{stem}.zip"
    return f"{ARTIFACTS}/{kind}/{stem}.json"


def make_section(name: str, rows: int, seed: int) -> Section:
    rng = random.Random(seed)
    slug = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")
    made = []
    for index in range(rows):
        backbone = BACKBONES[index % len(BACKBONES)]
        schedule = ("1x", "3x", "5x")[index % 3]
        val = round(rng.uniform(28, 45), 2)
        stem = f"{slug}_{backbone.lower().replace('-', '_')}_{schedule}_{index}_det_bdd100k"
        made.append(Row(backbone, schedule, val, round(val - rng.uniform(0.5, 1.5), 2), stem))
    return Section(name, slug, tuple(made))


def many_sections(rows: int, per_section: int = 5) -> list[Section]:
    """`rows` det rows in sections of `per_section` (an audit at scale)."""
    count = -(-rows // per_section)
    return [
        make_section(f"Method {index:04d}", min(per_section, rows - index * per_section), index)
        for index in range(count)
    ]


# As long as the abstracts of the real zoo (about 1,000 characters).
ABSTRACT = " ".join(["A detector for the benchmark, trained and evaluated on BDD100K."] * 16)


def section_text(section: Section) -> str:
    rows = "\n".join(_row_text(row) for row in section.rows)
    return _section(section.name, section.paper, section.code, f"{HEADER}\n{rows}")


def _section(name: str, paper: str, code: str, table: str) -> str:
    return (
        f"\n### {name}\n\n[{name}: A Paper]({paper}) [CVPR 2021]\n\n"
        "Authors: Ada Example, Ben Sample\n\n"
        f"<details>\n<summary>Abstract</summary>\n{ABSTRACT}\n</details>\n\n"
        f"#### Results\n\n{table}\n\n"
        f"[[Code]({code})] [[Usage Instructions](#usage)]\n\n---\n"
    )


# The other task READMEs of the zoo and about as many rows as BDD100K's have: a review of a
# det contribution reads them all (the duplicates rule looks at every link of the zoo).
OTHER_TASKS = {
    "tagging": 36,
    "ins_seg": 30,
    "sem_seg": 85,
    "drivable": 85,
    "pan_seg": 5,
    "mot": 2,
    "mots": 2,
    "pose": 30,
}


def task_readme(task: TaskSpec, rows: int, per_section: int = 5) -> str:
    """A README for any task of the config: sections whose tables have the task's columns."""
    header = "| " + " | ".join(column.name for column in task.columns) + " |"
    header += "\n" + "| :-: " * len(task.columns) + "|"
    body = ""
    for number in range(-(-rows // per_section)):
        lines = []
        for index in range(min(per_section, rows - number * per_section)):
            stem = f"{task.name}_method_{number:03d}_r{index}_bdd100k"
            cells = []
            for column in task.columns:
                if column.metric is not None:
                    cells.append(f"{40 + (number * 7 + index) % 20:.2f}")
                elif column.links:
                    cells.append(" \\| ".join(_link(task, spec, stem) for spec in column.links))
                else:
                    cells.append(("R-50-FPN", "R-101-FPN", "Swin-T")[index % 3])
            lines.append("| " + " | ".join(cells) + " |")
        name = f"{task.title} Method {number:03d}"
        slug = f"{task.name}_{number:03d}"
        paper = f"https://arxiv.org/abs/2{number:03d}.{zlib.crc32(slug.encode()) % 100000:05d}"
        table = header + "\n" + "\n".join(lines)
        body += _section(name, paper, f"https://github.com/bench-lab/{slug}", table)
    return f"# {task.title} Models\n\n## Model Zoo\n\n---\n{body}\n## Usage\n\nRun the model.\n"


def _link(task: TaskSpec, spec: LinkSpec, stem: str) -> str:
    if spec.kind == "config":
        return f"[{spec.label}](./configs/{task.name}/{stem}.py)"
    suffix = spec.ext[0] if spec.ext else "pth"
    return f"[{spec.label}](https://dl.cv.ethz.ch/bdd100k/{task.name}/{spec.kind}/{stem}.{suffix})"


def _row_text(row: Row) -> str:
    url = {kind: _artifact(kind, row.stem) for kind in _KINDS}
    cells = [
        row.backbone,
        row.schedule,
        "✓" if row.schedule != "1x" else "",
        f"{row.val:.2f}",
        f"[scores]({url['scores-val']})",
        f"{row.test:.2f}",
        f"[scores]({url['scores-test']})",
        f"[config](./configs/det/{row.stem}.py)",
        f"[model]({url['models']}) \\| [MD5]({url['md5']})",
        f"[preds]({url['preds']})",
        f"[visuals]({url['visuals']})",
    ]
    return "| " + " | ".join(cells) + " |"


def readme_text(sections: list[Section]) -> str:
    body = "".join(section_text(section) for section in sections)
    return f"# Detection Models\n\n## Model Zoo\n\n---\n{body}\n## Usage\n\nRun the model.\n"


def visuals_zip(entries: int = 10_000) -> bytes:
    """One visualisation per validation image, as in BDD100K (its directory exceeds one tail)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(entries):
            archive.writestr(f"{index:08x}-b1c66a42.png", b"\x89PNG")
    return buffer.getvalue()


def register(
    site: Site,
    sections: list[Section],
    *,
    weights_size: int,
    true_md5: bool = False,
    visuals: bytes | None = None,
) -> None:
    """Serve every file the sections link to, under the path of its `dl.cv.ethz.ch` URL."""
    zipped = Blob(visuals if visuals is not None else visuals_zip(), "application/zip")
    for section_index, section in enumerate(sections):
        for index, row in enumerate(section.rows):
            seed = section_index * 100 + index
            paths = {kind: server_path(_artifact(kind, row.stem)) for kind in _KINDS}
            val = make_scores("det", {"AP": row.val}, seed=seed * 2)
            test = make_scores("det", {"AP": row.test}, seed=seed * 2 + 1)
            weights = Weights(weights_size, seed)
            digest = weights.md5() if true_md5 else hashlib.md5(row.stem.encode()).hexdigest()
            site.files[paths["scores-val"]] = Blob(dumps_scores(val).encode(), "application/json")
            site.files[paths["scores-test"]] = Blob(dumps_scores(test).encode(), "application/json")
            site.files[paths["models"]] = weights
            site.files[paths["md5"]] = Blob(f"{digest}  {row.stem}.pth\n".encode(), "text/plain")
            preds = b'[{"name": "b1c66a42-6f7d68ca.jpg", "labels": []}]'
            site.files[paths["preds"]] = Blob(preds, "application/json")
            site.files[paths["visuals"]] = zipped


def failure_mix(urls: list[str], seed: int = 7) -> dict[str, Failure]:
    """Link rot on the artifact host: ~2% 404, ~3% 503 then 200, ~5% redirected, one 403."""
    paths = sorted({server_path(url) for url in urls if url.startswith(ARTIFACTS)})
    rng = random.Random(seed)
    rng.shuffle(paths)
    count = len(paths)
    n404, n503, nmoved = round(count * 0.02), round(count * 0.03), round(count * 0.05)
    mix: dict[str, Failure] = {paths[0]: "403"}
    for path in paths[1 : 1 + n404]:
        mix[path] = "404"
    for path in paths[1 + n404 : 1 + n404 + n503]:
        mix[path] = "503-once"
    for path in paths[1 + n404 + n503 : 1 + n404 + n503 + nmoved]:
        mix[path] = "redirect"
    return mix


def server_path(url: str) -> str:
    """The path a URL is served under once remapped (see `remaps`)."""
    if url.startswith("https://dl.cv.ethz.ch/"):
        return "/" + url.removeprefix("https://dl.cv.ethz.ch/")
    return "/pages/" + url.removeprefix("https://")


def remaps(base: str) -> list[str]:
    """`--remap` values: the artifact host to the server, every other page under /pages/."""
    return [
        rf"^https://dl\.cv\.ethz\.ch/(.*)$ {base}/$1",
        rf"^https://([^/]+)/(.*)$ {base}/pages/$1/$2",
    ]


def remapped(base: str, url: str) -> str:
    return base + server_path(url)


_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "commit.gpgsign=false", *args],
        check=True,
        capture_output=True,
        env={**os.environ, **_GIT_ENV},
    )


def build_repo(
    root: Path, base: list[Section], added: list[Section], others: dict[str, str] | None = None
) -> Path:
    """A zoo whose `main` holds `base` (and the `others` READMEs, by path) and whose
    `contribution` branch adds `added` to det."""
    repo = root / "zoo"
    repo.mkdir(parents=True)
    _git(repo, "init", "--quiet", "--initial-branch=main")
    for path, text in (others or {}).items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text, encoding="utf-8")
    _write_zoo(repo, base)
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", "base zoo")
    if added:
        _git(repo, "checkout", "--quiet", "-b", "contribution")
        _write_zoo(repo, base + added)
        _git(repo, "add", "-A")
        _git(repo, "commit", "--quiet", "-m", "add a method")
    return repo


def _write_zoo(repo: Path, sections: list[Section]) -> None:
    readme = repo / "det" / "README.md"
    readme.parent.mkdir(parents=True, exist_ok=True)
    readme.write_text(readme_text(sections), encoding="utf-8")
    configs = repo / "det" / "configs" / "det"
    configs.mkdir(parents=True, exist_ok=True)
    for section in sections:
        for row in section.rows:
            (configs / f"{row.stem}.py").write_text(f"model = {row.stem!r}\n", encoding="utf-8")
