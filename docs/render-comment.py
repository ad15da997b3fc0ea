#!/usr/bin/env python3
"""Renders a zoo-review PR comment the way GitHub shows it, and screenshots it to a PNG.

The Markdown goes through `cmarkgfm`, the Python binding of GitHub's own fork of cmark, with
the GFM extensions GitHub uses for comments (tables, autolinks, strikethrough, task lists,
tagfilter), and is laid out with a small stylesheet modelled on github-markdown-css (light
theme) inside a comment box. Headless Chromium then takes a full-height screenshot.

    python docs/render-comment.py               # the Action's comment on the broken example
    python docs/render-comment.py comment.md    # any Markdown file ('-' reads stdin)
    python docs/render-comment.py comment.md -o out.png --width 900 --html out.html

Needs: `pip install -e '.[lint]'` (cmarkgfm) and Debian's `chromium` (apt-get install -y
chromium fonts-noto-color-emoji fonts-liberation). Not run in CI: it only makes docs/comment.png.
The page loads nothing from the network (its Content-Security-Policy allows nothing but its
own styles), and Chromium runs with its background networking off.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from bot.example.run import review_example
from bot.publish.inline import comment_body
from bot.publish.links import Links
from bot.publish.sticky import render_sticky

ROOT = Path(__file__).resolve().parent.parent

# A subset of github-markdown-css (light), enough for what the bot writes: headings, lists,
# tables, code spans, <details>, <sub>.
CSS = """
html { background: #ffffff; }
body {
  margin: 0; padding: 16px;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial,
    "Liberation Sans", sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji";
  color: #1f2328;
}
.comment { border: 1px solid #d1d9e0; border-radius: 6px; }
.review { margin-top: 16px; }
.suggestion { border: 1px solid #d1d9e0; border-radius: 6px; overflow: hidden; margin: 8px 0;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 12px; }
.suggestion-head { background: #f6f8fa; padding: 6px 12px; border-bottom: 1px solid #d1d9e0;
  font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  font-size: 13px; font-weight: 600; color: #59636e; }
.suggestion .del, .suggestion .add { padding: 2px 12px; white-space: pre-wrap;
  word-break: break-all; }
.suggestion .del { background: #ffebe9; }
.suggestion .add { background: #dafbe1; }
.comment-header {
  display: flex; align-items: center; gap: 8px; padding: 8px 16px;
  background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0;
  font-size: 14px; color: #59636e;
}
.avatar {
  width: 20px; height: 20px; border-radius: 4px; background: #2da44e; color: #fff;
  font-size: 11px; font-weight: 600; display: inline-flex; align-items: center;
  justify-content: center;
}
.comment-header strong { color: #1f2328; }
.label {
  border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 7px; font-size: 12px;
  font-weight: 500; line-height: 18px;
}
.markdown-body {
  padding: 16px; font-size: 14px; line-height: 1.5; word-wrap: break-word;
}
.markdown-body > *:first-child { margin-top: 0 !important; }
.markdown-body > *:last-child { margin-bottom: 0 !important; }
.markdown-body h1, .markdown-body h2, .markdown-body h3, .markdown-body h4 {
  margin-top: 24px; margin-bottom: 16px; font-weight: 600; line-height: 1.25;
}
.markdown-body h1 { font-size: 2em; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; }
.markdown-body h2 { font-size: 1.5em; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; }
.markdown-body h3 { font-size: 1.25em; }
.markdown-body h4 { font-size: 1em; }
.markdown-body p, .markdown-body ul, .markdown-body ol, .markdown-body table,
.markdown-body details, .markdown-body blockquote { margin-top: 0; margin-bottom: 16px; }
.markdown-body ul, .markdown-body ol { padding-left: 2em; }
.markdown-body li + li { margin-top: .25em; }
.markdown-body a { color: #0969da; text-decoration: none; }
.markdown-body code {
  padding: .2em .4em; margin: 0; font-size: 85%; white-space: break-spaces;
  background-color: #818b981f; border-radius: 6px;
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono",
    monospace;
}
.markdown-body table {
  display: block; width: max-content; max-width: 100%; overflow: auto;
  border-spacing: 0; border-collapse: collapse; font-variant: tabular-nums;
}
.markdown-body th { font-weight: 600; }
.markdown-body th, .markdown-body td { padding: 6px 13px; border: 1px solid #d1d9e0; }
.markdown-body tr { background-color: #ffffff; border-top: 1px solid #d1d9e0b3; }
.markdown-body tr:nth-child(2n) { background-color: #f6f8fa; }
.markdown-body details summary { cursor: pointer; display: list-item; }
.markdown-body details[open] > summary { margin-bottom: 8px; }
.markdown-body sub { font-size: 75%; line-height: 0; color: #59636e; }
.markdown-body blockquote { padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
.markdown-body hr { height: .25em; margin: 24px 0; background: #d1d9e0; border: 0; }
"""

# Run only in the measuring pass: writes the page's height into the DOM that --dump-dom prints.
MEASURE_JS = (
    "addEventListener('load', () => document.documentElement.setAttribute("
    "'data-height', String(Math.ceil(document.documentElement.getBoundingClientRect().height))"
    "));"
)

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
]


@dataclass(frozen=True)
class Inline:
    """An inline review comment: where it stands, its Markdown, and the line it suggests for."""

    path: str
    line: int
    markdown: str
    old: str


def example_markdown() -> tuple[str, Inline | None]:
    """The sticky comment the Action posts on the bundled broken example, as GitHub gets it,
    and its first inline comment that carries a suggestion."""
    with tempfile.TemporaryDirectory(prefix="render-comment-zoo-") as folder:
        review, config, _zoo = review_example(Path(folder), broken=True)
    links = Links(
        server_url="https://github.com",
        repository=config.repository or "SysCV/bdd100k-models",
        head_sha=review.head,
        run_id="11955713604",
    )
    sticky = render_sticky(review, links, guide=config.guide).comment
    fixed = next(
        (f for f in review.findings if f.fix is not None and f.fix.line == f.line and f.fix.new),
        None,
    )
    if fixed is None or fixed.fix is None or fixed.line is None:
        return sticky, None
    return sticky, Inline(fixed.path, fixed.line, comment_body(fixed), fixed.fix.old)


_SUGGESTION = re.compile(r'<pre lang="suggestion"><code>(.*?)</code></pre>', re.DOTALL)


def suggested_change(body: str, old: str) -> str:
    """GitHub's look of a suggestion: a "Suggested change" box, the line as it is and as
    suggested (cmarkgfm leaves it a code block with lang="suggestion")."""

    def box(match: re.Match[str]) -> str:
        new = match.group(1).rstrip("\n")
        rows = f'<div class="del">- {html.escape(old)}</div>'
        rows += "".join(f'<div class="add">+ {line}</div>' for line in new.split("\n"))
        head = '<div class="suggestion-head">Suggested change</div>'
        return f'<div class="suggestion">{head}{rows}</div>'

    return _SUGGESTION.sub(box, body)


def _html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(
        markdown,
        # Raw HTML (<details>, <sub>, <br>) is kept, as on GitHub; the tagfilter extension
        # still neutralises <script>, <iframe> etc., and the CSP below blocks anything else.
        options=Options.CMARK_OPT_UNSAFE,
    )


def page(markdown: str, measure: bool, inline: Inline | None = None) -> str:
    body = _html(markdown)
    review = ""
    if inline is not None:
        review = f"""<div class="comment review">
<div class="comment-header"><span class="avatar">zr</span><strong>github-actions</strong>
<span class="label">bot</span><span>reviewed <code>{html.escape(inline.path)}</code> line
{inline.line}</span></div>
<div class="markdown-body">
{suggested_change(_html(inline.markdown), inline.old)}
</div></div>"""
    script = f"<script>{MEASURE_JS}</script>" if measure else ""
    digest = base64.b64encode(hashlib.sha256(MEASURE_JS.encode()).digest()).decode()
    script_src = f"'sha256-{digest}'" if measure else "'none'"
    csp = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script_src}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">
<title>zoo-review comment</title><style>{CSS}</style>{script}</head>
<body><div class="comment">
<div class="comment-header"><span class="avatar">zr</span><strong>github-actions</strong>
<span class="label">bot</span><span>commented</span></div>
<div class="markdown-body">
{body}
</div></div>{review}</body></html>
"""


def chromium(extra: list[str], url: str, profile: str, binary: str) -> str:
    command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        sys.exit(f"chromium failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "markdown", nargs="?", help="Markdown file ('-': stdin); default: the broken example"
    )
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "comment.png"))
    parser.add_argument("--width", type=int, default=900, help="page width in CSS pixels")
    parser.add_argument("--scale", type=float, default=1.0, help="device scale factor")
    parser.add_argument("--html", help="also keep the rendered HTML in this file")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()

    inline: Inline | None = None
    if args.markdown is None:
        markdown, inline = example_markdown()
    elif args.markdown == "-":
        markdown = sys.stdin.read()
    else:
        markdown = Path(args.markdown).read_text(encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="render-comment-") as tmp:
        profile = os.path.join(tmp, "profile")
        measure = Path(tmp, "measure.html")
        measure.write_text(page(markdown, measure=True, inline=inline), encoding="utf-8")
        dom = chromium(
            [f"--window-size={args.width},800", "--dump-dom"],
            measure.as_uri(),
            profile,
            args.chromium,
        )
        found = re.search(r'data-height="(\d+)"', dom)
        height = int(found[1]) if found else 2000
        final = Path(tmp, "comment.html")
        final.write_text(page(markdown, measure=False, inline=inline), encoding="utf-8")
        if args.html:
            shutil.copyfile(final, args.html)
        output = Path(args.output).resolve()
        output.parent.mkdir(parents=True, exist_ok=True)
        chromium(
            [
                f"--window-size={args.width},{height}",
                f"--force-device-scale-factor={args.scale}",
                f"--screenshot={output}",
            ],
            final.as_uri(),
            profile,
            args.chromium,
        )
    print(f"{output}: {args.width}x{height} CSS px at scale {args.scale}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
