"""Tests parse_readme on the fixture READMEs of every task and on small inline cases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import load_config
from bot.model import Link, MethodSection, Readme
from bot.parse.sections import parse_readme

FIXTURES = Path(__file__).parent / "fixtures" / "readmes"
FILES = "https://zoo-files.example.org"
LAB = "https://github.com/example-lab"
MASK_TASKS = {"sem_seg", "drivable", "mots"}
CONFIG = load_config()


@dataclass(frozen=True)
class Expected:
    """What one method section of a fixture must parse to (all line numbers 1-based)."""

    name: str
    line: int
    end_line: int
    group: str
    group_line: int
    title: str
    paper_url: str
    venue: str
    authors: str
    abstract: tuple[int, int]
    abstract_start: str
    results_line: int
    table_line: int
    columns: int
    rows: tuple[int, ...]
    first_cells: tuple[str, ...]
    code: str
    usage: str = "#usage"
    extra: tuple[str, ...] = ()

    @property
    def paper_line(self) -> int:
        return self.line + 2

    @property
    def authors_line(self) -> int:
        return self.line + 4

    @property
    def code_line(self) -> int:
        return self.rows[-1] + 2


ECHO_DOCS = "/blob/main/docs/GETTING_STARTED.md"

EXPECTED: dict[str, list[Expected]] = {
    "tagging": [
        Expected(
            name="SkyNet-Lite",
            line=15,
            end_line=34,
            group="Weather Tagging",
            group_line=9,
            title="SkyNet-Lite: Cheap Weather Cues",
            paper_url="https://papers.example.org/skynet-lite",
            venue="ECCV 2020",
            authors="Authors: Fay Harrow",
            abstract=(21, 24),
            abstract_start="We study weather recognition",
            results_line=26,
            table_line=28,
            columns=10,
            rows=(30, 31),
            first_cells=("SN-18", "SN-34"),
            code=f"{LAB}/skynet-lite",
        ),
        Expected(
            name="SkyNet-Lite",
            line=41,
            end_line=61,
            group="Scene Tagging",
            group_line=35,
            title="SkyNet-Lite: Cheap Weather Cues",
            paper_url="https://papers.example.org/skynet-lite",
            venue="ECCV 2020",
            authors="Authors: Fay Harrow",
            abstract=(47, 50),
            abstract_start="We study scene recognition",
            results_line=52,
            table_line=54,
            columns=10,
            rows=(56,),
            first_cells=("SN-18",),
            code=f"{LAB}/skynet-lite",
        ),
    ],
    "det": [
        Expected(
            name="Lantern R-CNN",
            line=11,
            end_line=35,
            group="Model Zoo",
            group_line=5,
            title="Lantern R-CNN: Lighting Up Region Proposals",
            paper_url="https://papers.example.org/lantern-rcnn",
            venue="CVPR 2019 / TPAMI 2020",
            authors="Authors: Ada Quill, Bo Renner",
            abstract=(17, 22),
            abstract_start="Region proposals often miss objects",
            results_line=24,
            table_line=26,
            columns=11,
            rows=(28, 29, 30),
            first_cells=("R-50-FPN", "R-50-FPN", "R-101-FPN"),
            code=f"{LAB}/lantern-rcnn",
        ),
        Expected(
            name="Kite Det",
            line=36,
            end_line=57,
            group="Model Zoo",
            group_line=5,
            title="Kite: Anchor-Free Detection with Soft Tails",
            paper_url="https://papers.example.org/kite",
            venue="ICCV 2021",
            authors="Authors: Chen Moss, Dana Vale, Eli Brook",
            abstract=(42, 45),
            abstract_start="We study anchor-free detection",
            results_line=47,
            table_line=49,
            columns=12,
            rows=(51, 52),
            first_cells=("R-50-FPN", "R-50-FPN"),
            code=f"{LAB}/kite",
            extra=("Tricks",),
        ),
    ],
    "ins_seg": [
        Expected(
            name="Mosaic Mask",
            line=11,
            end_line=32,
            group="Model Zoo",
            group_line=5,
            title="Mosaic Mask: Tiles for Instance Masks",
            paper_url="https://papers.example.org/mosaic-mask",
            venue="NeurIPS 2022",
            authors="Authors: Gus Fenn, Hana Cole",
            abstract=(17, 20),
            abstract_start="We study instance masks",
            results_line=22,
            table_line=24,
            columns=13,
            rows=(26, 27),
            first_cells=("R-50-FPN", "R-50-FPN"),
            code=f"{LAB}/mosaic-mask",
        ),
    ],
    "sem_seg": [
        Expected(
            name="Prism Net",
            line=11,
            end_line=32,
            group="Model Zoo",
            group_line=5,
            title="Prism Net: Splitting Context into Bands",
            paper_url="https://papers.example.org/prism-net",
            venue="CVPR 2021",
            authors="Authors: Ivo Marsh, Jun Okafor",
            abstract=(17, 20),
            abstract_start="We study semantic segmentation",
            results_line=22,
            table_line=24,
            columns=11,
            rows=(26, 27),
            first_cells=("R-50-D8", "R-50-D8"),
            code=f"{LAB}/prism-net",
        ),
        Expected(
            name="Ripple Seg",
            line=33,
            end_line=53,
            group="Model Zoo",
            group_line=5,
            title="Ripple: Wave Attention for Street Scenes",
            paper_url="https://papers.example.org/ripple",
            venue="AAAI 2022",
            authors="Authors: Kai Lund",
            abstract=(39, 42),
            abstract_start="We study street scene parsing",
            results_line=44,
            table_line=46,
            columns=11,
            rows=(48,),
            first_cells=("R-101-D8",),
            code=f"{LAB}/ripple",
        ),
    ],
    "drivable": [
        Expected(
            name="Lane Weaver",
            line=11,
            end_line=32,
            group="Model Zoo",
            group_line=5,
            title="Lane Weaver: Threading Drivable Regions",
            paper_url="https://papers.example.org/lane-weaver",
            venue="ICRA 2022",
            authors="Authors: Lea Frost, Mo Adair",
            abstract=(17, 20),
            abstract_start="We study drivable area estimation",
            results_line=22,
            table_line=24,
            columns=11,
            rows=(26, 27),
            first_cells=("R-50-D8", "R-101-D8"),
            code=f"{LAB}/lane-weaver",
        ),
    ],
    "pan_seg": [
        Expected(
            name="Quilt FPN",
            line=11,
            end_line=32,
            group="Model Zoo",
            group_line=5,
            title="Quilt FPN: Stitching Things and Stuff",
            paper_url="https://papers.example.org/quilt-fpn",
            venue="CVPR 2020",
            authors="Authors: Nia Stroud, Otto Perez",
            abstract=(17, 20),
            abstract_start="We study panoptic segmentation",
            results_line=22,
            table_line=24,
            columns=11,
            rows=(26, 27),
            first_cells=("R-50-FPN", "R-50-FPN"),
            code=f"{LAB}/quilt-fpn",
        ),
    ],
    "mot": [
        Expected(
            name="Echo Track",
            line=11,
            end_line=31,
            group="Model Zoo",
            group_line=5,
            title="Echo Track: Tracking by Remembering",
            paper_url="https://papers.example.org/echo-track",
            venue="CVPR 2021 Oral",
            authors="Authors: Pia Lowe, Quinn Hart",
            abstract=(17, 20),
            abstract_start="We study multiple object tracking",
            results_line=22,
            table_line=24,
            columns=13,
            rows=(26,),
            first_cells=("ResNet-50",),
            code=f"{LAB}/echo-track",
            usage=f"{LAB}/echo-track{ECHO_DOCS}",
        ),
    ],
    "mots": [
        Expected(
            name="Echo Mask",
            line=11,
            end_line=31,
            group="Model Zoo",
            group_line=5,
            title="Echo Mask: Remembering Pixels over Time",
            paper_url="https://papers.example.org/echo-mask",
            venue="NeurIPS 2021 Spotlight",
            authors="Authors: Rae Doyle",
            abstract=(17, 20),
            abstract_start="We study tracking and segmentation",
            results_line=22,
            table_line=24,
            columns=13,
            rows=(26,),
            first_cells=("ResNet-50",),
            code=f"{LAB}/echo-mask",
            usage=f"{LAB}/echo-mask{ECHO_DOCS}",
        ),
    ],
    "pose": [
        Expected(
            name="Heron Pose",
            line=15,
            end_line=36,
            group="Top-down Methods",
            group_line=9,
            title="Heron: Long-Necked Keypoint Heads",
            paper_url="https://papers.example.org/heron",
            venue="ICCV 2019",
            authors="Authors: Sol Baker, Tia Wren",
            abstract=(21, 24),
            abstract_start="We study human pose estimation",
            results_line=26,
            table_line=28,
            columns=10,
            rows=(30, 31),
            first_cells=("R-50", "R-101"),
            code=f"{LAB}/heron",
        ),
        Expected(
            name="Finch HR",
            line=37,
            end_line=57,
            group="Top-down Methods",
            group_line=9,
            title="Finch HR: High-Resolution Keypoints on a Budget",
            paper_url="https://papers.example.org/finch-hr",
            venue="ECCV 2022",
            authors="Authors: Uma Reyes",
            abstract=(43, 46),
            abstract_start="We study keypoint localisation",
            results_line=48,
            table_line=50,
            columns=10,
            rows=(52,),
            first_cells=("HR-W32",),
            code=f"{LAB}/finch-hr",
        ),
    ],
}


def template_header(task: str) -> tuple[str, ...]:
    """The column names of the task's table in the default config."""
    spec = CONFIG.task(task)
    assert spec is not None
    return tuple(column.name for column in spec.columns)


def parse_fixture(task: str) -> Readme:
    text = (FIXTURES / f"{task}.md").read_text(encoding="utf-8")
    return parse_readme(text, task, f"{task}/README.md")


def section(readme: Readme, name: str) -> MethodSection:
    matches = [s for s in readme.sections if s.name == name]
    assert len(matches) == 1, [s.name for s in readme.sections]
    return matches[0]


def test_every_task_has_a_fixture() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_fixture_sections_names_lines_and_groups(task: str) -> None:
    readme = parse_fixture(task)
    assert readme.task == task
    assert readme.path == f"{task}/README.md"
    found = [(s.name, s.line, s.end_line, s.group, s.group_line) for s in readme.sections]
    wanted = [(e.name, e.line, e.end_line, e.group, e.group_line) for e in EXPECTED[task]]
    assert found == wanted
    assert all(s.task == task and s.path == f"{task}/README.md" for s in readme.sections)


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_fixture_paper_authors_abstract(task: str) -> None:
    readme = parse_fixture(task)
    for found, wanted in zip(readme.sections, EXPECTED[task], strict=True):
        assert found.paper is not None
        assert (found.paper.title, found.paper.url, found.paper.venue, found.paper.line) == (
            wanted.title,
            wanted.paper_url,
            wanted.venue,
            wanted.paper_line,
        )
        assert found.authors is not None
        assert (found.authors.text, found.authors.line) == (wanted.authors, wanted.authors_line)
        assert len(found.authors.links) == wanted.authors.count(",") + 1
        assert all(
            link.url.startswith("https://people.example.org/") for link in found.authors.links
        )
        assert found.abstract is not None
        assert (found.abstract.line, found.abstract.end_line) == wanted.abstract
        assert found.abstract.text.startswith(wanted.abstract_start)
        assert "<" not in found.abstract.text
        assert "Abstract" not in found.abstract.text
        assert found.results_line == wanted.results_line


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_fixture_tables_rows_and_cells(task: str) -> None:
    readme = parse_fixture(task)
    for found, wanted in zip(readme.sections, EXPECTED[task], strict=True):
        assert len(found.tables) == 1
        table = found.tables[0]
        assert table.line == wanted.table_line
        template = tuple(name for name in table.header if name not in wanted.extra)
        assert template == template_header(task)
        assert len(table.header) == wanted.columns
        assert table.header[-4:] == ("Config", "Weights", "Preds", "Visuals")
        assert table.delimiter_cells == wanted.columns
        assert table.run_on_line is None
        assert tuple(row.line for row in found.rows) == wanted.rows
        assert tuple(row.cells[0].text for row in found.rows) == wanted.first_cells
        for row in found.rows:
            assert len(row.cells) == wanted.columns
            cells = dict(zip(table.header, row.cells, strict=True))
            weights = cells["Weights"]
            assert weights.raw.count(r"\|") == 1
            assert weights.text == "model | MD5"
            assert [link.label for link in weights.links] == ["model", "MD5"]
            assert weights.links[0].url.startswith(f"{FILES}/{task}/")
            assert weights.links[0].url.endswith(".pth")
            assert weights.links[1].url.endswith(".md5")
            assert all(link.line == row.line for link in weights.links)
            preds = cells["Preds"]
            labels = ["preds", "masks"] if task in MASK_TASKS else ["preds"]
            assert [link.label for link in preds.links] == labels
            assert cells["Config"].links[0].url.startswith(f"./configs/{task}/")
            assert cells["Scores-val"].links[0].url.endswith(".json")
            assert "/scores-val/" in cells["Scores-val"].links[0].url
            assert "/scores-test/" in cells["Scores-test"].links[0].url


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_fixture_code_and_usage_links(task: str) -> None:
    readme = parse_fixture(task)
    for found, wanted in zip(readme.sections, EXPECTED[task], strict=True):
        assert found.code == (Link("Code", wanted.code, wanted.code_line),)
        assert found.usage == (Link("Usage Instructions", wanted.usage, wanted.code_line),)


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_fixture_usage_code_block_is_ignored(task: str) -> None:
    readme = parse_fixture(task)
    names = {s.name for s in readme.sections}
    assert "Model Inference" not in names
    assert not any(s.name.startswith("comment lines") for s in readme.sections)
    assert all(table.header != ("a", "b") for s in readme.sections for table in s.tables)
    assert "usage" in readme.anchors
    assert "model-inference" in readme.anchors
    assert "comment-lines-in-shell-scripts-can-look-like-headings" not in readme.anchors


def test_fixture_anchors_cover_headings() -> None:
    readme = parse_fixture("pose")
    assert {"model-zoo", "top-down-methods", "heron-pose", "finch-hr", "results"} <= (
        readme.anchors
    )


def test_det_fixture_extra_column_and_multi_venue() -> None:
    readme = parse_fixture("det")
    kite = section(readme, "Kite Det")
    assert kite.tables[0].header[:4] == ("Backbone", "Tricks", "Lr schd", "MS-train")
    assert [row.cells[1].text for row in kite.rows] == ["soft tails", "soft tails + GN"]
    assert [row.cells[3].text for row in kite.rows] == ["", "✓"]
    lantern = section(readme, "Lantern R-CNN")
    assert lantern.paper is not None
    assert lantern.paper.venue == "CVPR 2019 / TPAMI 2020"


def test_abstract_with_blank_line_inside_details() -> None:
    lantern = section(parse_fixture("det"), "Lantern R-CNN")
    assert lantern.abstract is not None
    assert (lantern.abstract.line, lantern.abstract.end_line) == (17, 22)
    assert lantern.abstract.text == (
        "Region proposals often miss objects in poorly lit scenes. We propose Lantern R-CNN, "
        "which re-weights proposals with a learned illumination prior. On a made-up driving "
        "benchmark, Lantern R-CNN improves box AP by two points without extra inference time."
    )
    # The second abstract paragraph is not taken for a paper, authors or free text line.
    assert [line.line for line in lantern.lines] == [13, 15, 32]


def test_content_lines_cover_the_template_parts_but_not_blank_lines() -> None:
    kite = section(parse_fixture("det"), "Kite Det")
    assert kite.content_lines() == frozenset({36, 38, 40, 42, 43, 44, 45, 47, 49, 50, 51, 52, 54})
    lines = (FIXTURES / "det.md").read_text(encoding="utf-8").split("\n")
    assert all(lines[n - 1].strip() for n in kite.content_lines())
    # The `---` separator and blank lines inside the section are not content.
    assert lines[56 - 1] == "---"
    assert 56 not in kite.content_lines()


def test_content_lines_with_paragraph_and_code_line() -> None:
    lantern = section(parse_fixture("det"), "Lantern R-CNN")
    content = lantern.content_lines()
    assert {11, 13, 15, 17, 18, 19, 21, 22, 24, 26, 27, 28, 29, 30, 32} <= content
    assert not content & {12, 14, 16, 23, 25, 31, 33, 34, 35}


# --- inline cases -------------------------------------------------------------------------

TABLE = """| Backbone | Box AP-val |
| :-: | :-: |
| R-50 | 30.1 |
"""


def parse(text: str) -> Readme:
    return parse_readme(text, "det", "det/README.md")


def test_section_without_table_but_paper_and_authors_is_a_method() -> None:
    text = "## Model Zoo\n\n### Bare\n\n[A Paper](https://p.example/a) [ICCV 2019]\n\nAuthors: Jo\n"
    readme = parse(text)
    assert len(readme.sections) == 1
    bare = readme.sections[0]
    assert (bare.name, bare.line, bare.end_line) == ("Bare", 3, 8)
    assert bare.tables == ()
    assert bare.rows == ()
    assert bare.paper is not None
    assert bare.paper.venue == "ICCV 2019"
    assert bare.authors is not None
    assert bare.authors.text == "Authors: Jo"


def test_text_only_subsection_is_not_a_method() -> None:
    text = "## Usage\n\n### Model Inference\n\nRun the [script](https://x.example/s) to infer.\n"
    assert parse(text).sections == ()


def test_section_with_only_a_table_is_a_method() -> None:
    readme = parse("### Tiny\n\n" + TABLE)
    assert [(s.name, len(s.rows), s.paper) for s in readme.sections] == [("Tiny", 1, None)]
    assert readme.sections[0].rows[0].line == 5


@pytest.mark.parametrize(
    ("paper_line", "venue"),
    [
        ("[A Paper](https://p.example/a)", None),
        ("[A Paper](https://p.example/a) (CVPR 2020)", None),
        ("[A Paper](https://p.example/a) [CVPR 2020] extra", None),
        ("[A Paper](https://p.example/a) []", ""),
        ("[A Paper](https://p.example/a)  [ ECCV 2020 ]  ", "ECCV 2020"),
    ],
)
def test_paper_venue_is_the_bracket_after_the_link(paper_line: str, venue: str | None) -> None:
    readme = parse(f"### M\n\n{paper_line}\n\nAuthors: X\n\n{TABLE}")
    paper = readme.sections[0].paper
    assert paper is not None
    assert (paper.title, paper.url, paper.venue, paper.line) == (
        "A Paper",
        "https://p.example/a",
        venue,
        3,
    )


def test_code_link_line_is_not_the_paper() -> None:
    readme = parse("### M\n\n[[Code](https://g.example/c)] [[Usage Instructions](#usage)]\n")
    assert readme.sections == ()
    readme = parse(f"### M\n\n[[Code](https://g.example/c)]\n\n{TABLE}")
    assert readme.sections[0].paper is None
    assert readme.sections[0].code == (Link("Code", "https://g.example/c", 3),)


def test_links_after_the_table_are_not_the_paper() -> None:
    readme = parse(f"### M\n\n{TABLE}\n[Some Link](https://x.example/y) [CVPR 2020]\n")
    assert readme.sections[0].paper is None


def test_paper_and_authors_without_blank_lines_and_abstract_in_one_html_block() -> None:
    text = (
        "### Dense\n"
        "[Dense Paper](https://p.example/d) [AAAI 2021]\n"
        "Authors: [Kim](https://k.example)\n"
        "\n"
        "<details><summary>Abstract</summary>One &amp; only line.</details>\n"
        "\n"
        "#### Results\n" + TABLE
    )
    dense = parse(text).sections[0]
    assert dense.paper is not None
    assert (dense.paper.line, dense.paper.venue) == (2, "AAAI 2021")
    assert dense.authors is not None
    assert dense.authors.line == 3
    assert dense.abstract is not None
    assert (dense.abstract.text, dense.abstract.line, dense.abstract.end_line) == (
        "One & only line.",
        5,
        5,
    )
    assert dense.results_line == 7
    assert dense.tables[0].line == 8


def test_fenced_code_inside_a_section_adds_no_table_or_heading() -> None:
    text = (
        "### Real\n\n[P](https://p.example) [CVPR 2020]\n\n"
        "```\n### Fake\n| a | b |\n| - | - |\n| 1 | 2 |\n```\n\n" + TABLE
    )
    readme = parse(text)
    assert [s.name for s in readme.sections] == ["Real"]
    assert [t.header for t in readme.sections[0].tables] == [("Backbone", "Box AP-val")]


def test_lenient_table_reaches_the_section() -> None:
    text = (
        "### M\n\n| a | b | c |\n| :-: | :-: |\n| 1 | 2 | 3 | 4 |\n| 1 |\n"
        "[[Code](https://g.example/c)]\n"
    )
    table = parse(text).sections[0].tables[0]
    assert table.header == ("a", "b", "c")
    assert table.delimiter_cells == 2
    assert [(row.line, len(row.cells)) for row in table.rows] == [(5, 4), (6, 1)]
    assert table.run_on_line == 7


def test_group_resets_at_level_one_heading_and_sections_end_before_next_heading() -> None:
    text = (
        "## Group A\n\n### One\n\n"
        + TABLE
        + "\n# Other Part\n\n### Two\n\n"
        + TABLE
        + "\n## Install\n"
    )
    readme = parse(text)
    found = [(s.name, s.line, s.end_line, s.group, s.group_line) for s in readme.sections]
    assert found == [("One", 3, 8, "Group A", 1), ("Two", 11, 16, None, None)]


def test_crlf_readme_parses_like_lf() -> None:
    text = (FIXTURES / "sem_seg.md").read_text(encoding="utf-8")
    lf = parse_readme(text, "sem_seg", "sem_seg/README.md")
    crlf = parse_readme(text.replace("\n", "\r\n"), "sem_seg", "sem_seg/README.md")
    assert crlf == lf


def test_empty_readme_has_no_sections() -> None:
    readme = parse("")
    assert readme.sections == ()
    assert readme.anchors == frozenset()


def test_details_closed_at_the_end_of_a_paragraph() -> None:
    # GitHub closes <details> at an inline `</details>`; the links after it stay visible.
    text = (
        "### M\n\n[P](https://p.example/p) [CVPR 2018]\n\n"
        "<details>\n<summary>Abstract</summary>\nFirst part.\n\nSecond part.</details>\n\n"
        "#### Results\n\n"
        + TABLE
        + "\n[[Code](https://g.example/c)] [[Usage Instructions](#usage)]\n"
    )
    m = parse(text).sections[0]
    assert m.abstract is not None
    assert (m.abstract.text, m.abstract.line, m.abstract.end_line) == (
        "First part. Second part.",
        5,
        9,
    )
    assert m.results_line == 11
    assert m.code == (Link("Code", "https://g.example/c", 17),)
    assert m.usage == (Link("Usage Instructions", "#usage", 17),)


def test_unclosed_details_swallows_the_rest_of_the_section() -> None:
    text = (
        "### M\n\n[P](https://p.example/p) [CVPR 2018]\n\n"
        "<details>\n<summary>Abstract</summary>\nNever closed.\n\n"
        + TABLE
        + "\n[[Code](https://g.example/c)]\n\n### Next\n\n"
        + TABLE
        + "\n[[Code](https://g.example/n)]\n"
    )
    first, second = parse(text).sections
    assert first.abstract is not None
    assert first.abstract.line == 5
    assert first.code == ()
    # The next section starts afresh.
    assert second.abstract is None
    assert second.code == (Link("Code", "https://g.example/n", 21),)


def test_paper_title_with_extra_spaces_in_the_link_label() -> None:
    readme = parse(
        f"### M\n\n[Deep  Layer   Aggregation](https://p.example/d) [CVPR 2018]\n\n{TABLE}"
    )
    paper = readme.sections[0].paper
    assert paper is not None
    assert (paper.title, paper.venue, paper.line) == ("Deep Layer Aggregation", "CVPR 2018", 3)


def test_paper_title_link_across_two_lines() -> None:
    readme = parse(f"### M\n\n[A Long\nTitle](https://p.example/l) [ECCV 2020]\n\n{TABLE}")
    paper = readme.sections[0].paper
    assert paper is not None
    assert (paper.title, paper.url, paper.venue) == (
        "A Long Title",
        "https://p.example/l",
        "ECCV 2020",
    )
