"""What changed since the previous review: "fixed since abc1234" and "new since abc1234"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.model import Finding, Review
from bot.publish.state import Stored, StoredFinding, fingerprint
from bot.report.markdown import LineLink, code_span

MAX_LISTED = 10


@dataclass(frozen=True)
class Progress:
    since: str
    fixed: tuple[StoredFinding, ...]
    new: tuple[Finding, ...]


def compare(previous: Stored | None, review: Review) -> Progress | None:
    """The difference with the previous review; None without one (or with a garbled marker)."""
    if previous is None:
        return None
    current = [f for f in review.findings if f.severity != "notice"]
    now = {fingerprint(f) for f in current}
    before = previous.fingerprints()
    fixed = tuple(item for item in previous.findings if item.fingerprint not in now)
    new = tuple(f for f in current if fingerprint(f) not in before)
    return Progress(since=previous.head, fixed=fixed, new=new)


def render_progress(progress: Progress, line_link: LineLink | None = None) -> str:
    """A short Markdown section; the stored paths are untrusted, so they go in code spans."""
    short = progress.since[:7]
    if not progress.fixed and not progress.new:
        return f"**Since `{short}`:** nothing fixed, nothing new.\n"
    lines = [
        f"**Since `{short}`:** ✅ {len(progress.fixed)} fixed since `{short}` · "
        f"🆕 {len(progress.new)} new since `{short}`",
        "",
    ]
    for item in progress.fixed[:MAX_LISTED]:
        where = code_span(item.path) + (f":{item.line}" if item.line else "")
        lines.append(f"- ✅ fixed: `{item.rule}` in {where}")
    for finding in progress.new[:MAX_LISTED]:
        label = finding.path + (f":{finding.line}" if finding.line else "")
        url = line_link(finding.path, finding.line) if line_link else None
        where = f"[{code_span(label)}]({url})" if url else code_span(label)
        lines.append(f"- 🆕 new: `{finding.rule}` in {where}")
    hidden = max(len(progress.fixed) - MAX_LISTED, 0) + max(len(progress.new) - MAX_LISTED, 0)
    if hidden:
        lines.append(f"- … and {hidden} more")
    return "\n".join(lines) + "\n"
