"""`may_link` never rules out a README that links a reviewed row's file, however it is written."""

from __future__ import annotations

import html

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.parse.sections import parse_readme
from bot.rules.layout import layout_of
from bot.rules.zoo_links import may_link, row_names
from tests.ruleinput import config, make_row, method_section, task_readme

DET = "det/README.md"
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
NAME_CHARS = st.sampled_from([*"abcXYZ019", *PUNCTUATION, " ", "é", "字"])
PREFIXES = [
    "",
    "./configs/",
    "../det/configs/",
    "https://files.example.org/zoo/",
    "HTTPS://Files.Example.org/a%20b/",
    "https://github.com/SysCV/bdd100k-models/blob/main/det/configs/",
]


def encode(char: str, how: int) -> str:
    """One character of a link destination, written one of five ways."""
    if how == 1 and char in PUNCTUATION:
        return "\\" + char
    if how == 2:
        return f"&#{ord(char)};"
    if how == 3:
        return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
    if how == 4 and char == "&":
        return "&amp;"
    return char


@st.composite
def destinations(draw: st.DrawFn) -> str:
    chars = draw(st.lists(NAME_CHARS, min_size=1, max_size=8))
    hows = draw(st.lists(st.integers(0, 4), min_size=len(chars), max_size=len(chars)))
    name = "".join(encode(char, how) for char, how in zip(chars, hows, strict=True))
    suffix = draw(st.sampled_from(["", ".pth", ".py?raw=true", ".json#top"]))
    return draw(st.sampled_from(PREFIXES)) + name + suffix


def linked(destination: str, style: str) -> tuple[str, str]:
    """A scores cell linking `destination`, and text for after the table (a definition)."""
    if style == "autolink":
        return f"<{destination}>", ""
    if style == "reference":
        return "[scores][ref]", f"\n[ref]: {destination}\n"
    return f"[scores]({destination})", ""


@settings(max_examples=400, deadline=None)
@given(destinations(), st.sampled_from(["inline", "autolink", "reference"]))
@example("https://files.example.org/zoo/a\\_b%41&#95;", "inline")
def test_a_readme_linking_a_file_may_link_it(destination: str, style: str) -> None:
    cell, after = linked(destination.replace("|", "\\|"), style)
    row = make_row(slug="other", overrides={"Scores-val": cell})
    text = task_readme("det", method_section("Other", rows=[row])) + after
    cfg = config()
    readme = parse_readme(text, "det", DET, cfg.limits)
    task = cfg.task("det")
    assert task is not None
    for section in readme.sections:
        for table in section.tables:
            layout = layout_of(task, table)
            for table_row in table.rows:
                for name in row_names(layout, table_row, DET, cfg):
                    if name is not None:
                        assert may_link(text, DET, {name}), (name, destination, style)


def test_a_readme_is_ruled_out_only_without_the_name() -> None:
    text = task_readme("det", method_section("Other", rows=[make_row(slug="other")]))
    assert not may_link(text, DET, {"sparse_r50_1x.pth", "sparse_r50_1x.py"})
    assert may_link(text, DET, {"sparse_r50_1x.pth", "other.pth"})
    # Written with escapes, entities or percent-encodings, the name is still found.
    for written in ("a\\_b.pth", "a&#95;b.pth", "a%5Fb.pth", "a&lowbar;b.pth"):
        assert may_link(f"[w](https://x.org/{written})", DET, {"a_b.pth"}), written
    assert html.unescape("&lowbar;") == "_"
    assert may_link("[c](.)", "det/configs/README.md", {"configs"})  # its folder
    assert not may_link("[c](.)", DET, {"configs"})
