"""Words a failed fetch for the contributor: what happened to the link and what to do."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.model import Finding, Severity
from bot.net.types import Cut, FetchResult
from bot.quote import q

# Findings about the review's fetching as a whole (no network, the time budget), said once.
RULE = "network"


@dataclass(frozen=True)
class FetchProblem:
    severity: Severity
    message: str
    hint: str


# Per verdict: severity, what happened (after "{what} "), and what to do. `{status}` is
# " (HTTP 404)" or empty, `{reason}` is ": why" or empty.
_FAILURES: dict[str, tuple[Severity, str, str]] = {
    "broken": (
        "error",
        "is broken{status}.",
        "Upload the file again to public storage and update the link.",
    ),
    "not_public": (
        "error",
        "is not public{status}.",
        "Share the file publicly: the guide requires storage anyone can read.",
    ),
    "refused": (
        "error",
        "was not fetched{reason}.",
        "Link the file on a public host with an http(s) URL.",
    ),
    "too_large": (
        "error",
        "is too large to be what it claims{reason}.",
        "Check that the link points to the right file.",
    ),
    "unverifiable": (
        "warning",
        "cannot be verified{reason}.",
        "Link the file itself (a URL that downloads it); otherwise a maintainer checks it by hand.",
    ),
    "invalid": (
        "error",
        "is not a valid http(s) URL{reason}.",
        "Link the file with a full https:// URL.",
    ),
}
_TRANSIENT: tuple[Severity, str, str] = (
    "warning",
    "could not be checked{status}{reason}.",
    "This is often temporary; a maintainer can re-run the review.",
)


def describe_failure(result: FetchResult, what: str) -> FetchProblem | None:
    """None when the fetch succeeded; `what` names the link, e.g. "The [scores] link of 'X'"."""
    if result.verdict == "ok":
        return None
    if result.verdict == "broken" and result.unresolved is not None:
        host = result.unresolved
        fault = (result.reason or "").removeprefix(f"the host {host} ") or "does not exist"
        return FetchProblem(
            "error",
            f"{what} is broken: the host {q(host)} {fault}.",
            "Check the host name in the link for a typo; if it is right, the name is not (or no "
            "longer) registered: upload the file to public storage and update the link.",
        )
    severity, happened, hint = _FAILURES.get(result.verdict, _TRANSIENT)
    status = f" (HTTP {result.status})" if result.status else ""
    reason = f": {q(result.reason)}" if result.reason else ""
    return FetchProblem(severity, f"{what} {happened.format(status=status, reason=reason)}", hint)


def article(word: str) -> str:
    """`an` before a vowel sound (`an MD5 file`, `an archive`), else `a`."""
    spelled = len(word) > 1 and (word[1].isupper() or word[1].isdigit())
    vowel = word[:1] in "AEFHILMNORSX" if spelled else word[:1].lower() in "aeiou"
    return "an" if vowel else "a"


@dataclass
class Unchecked:
    """Transient failures (timeouts, 5xx, no network) of one section: said once per cause.

    `decisive`: the links decide the verdict (scores, weights, MD5, preds, masks, visuals), so
    the review is `incomplete` until they are checked; pages (paper, code, usage) are not."""

    rule: str
    path: str
    decisive: bool = True
    lines: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, result: FetchResult, line: int) -> None:
        self.lines[result.reason or f"HTTP {result.status}"].append(line)

    def findings(self, what: str) -> list[Finding]:
        """One warning per cause, e.g. `3 linked files of this section could not be checked`."""
        findings = []
        for reason, lines in self.lines.items():
            count = (
                f"{article(what).capitalize()} {what}"
                if len(lines) == 1
                else f"{len(lines)} {what}s"
            )
            if self.decisive:
                hint = (
                    "The review is incomplete until they are checked. This is usually "
                    "temporary (a slow or unreachable host, or no network where the review "
                    "ran); a maintainer can re-run the review."
                )
            else:
                hint = (
                    "This is usually temporary (a slow or unreachable host, or no network where "
                    "the review ran); a maintainer can re-run the review."
                )
            findings.append(
                Finding(
                    "warning",
                    self.rule,
                    self.path,
                    lines[0],
                    f"{count} of this section could not be checked: {q(reason)}.",
                    hint,
                    incomplete=self.decisive,
                )
            )
        return findings


@dataclass(frozen=True)
class CutLink:
    """A link the review did not check for a reason of the whole review, and where it stands."""

    cause: Cut
    path: str
    line: int
    reason: str | None = None


def cut_findings(links: Sequence[CutLink], checked: int, budget_seconds: float) -> list[Finding]:
    """One finding per cause (no network, the time budget, memory), however many links it cut; each
    makes the review incomplete, pages included: nothing says those links are fine. `checked`:
    how many links were checked nonetheless."""
    findings: list[Finding] = []
    for cause in ("no_network", "remap", "budget", "memory"):
        cut = [link for link in links if link.cause == cause]
        if not cut:
            continue
        count = "1 link" if len(cut) == 1 else f"{len(cut):,} links"
        line: int | None = cut[0].line
        if cause == "no_network":
            line = None
            if checked:  # addresses written as numbers (a local mirror) were reached
                what = f"{count} with a host name were not checked"
            else:
                what = f"nothing linked was checked ({count})"
            message = f"No host could be resolved: this machine seems to have no network; {what}."
            hint = (
                "Re-run the review on a machine with network access (`--offline` reviews "
                "the files alone, without the links)."
            )
        elif cause == "remap":
            why = f" ({q(cut[0].reason)})" if cut[0].reason else ""
            message = (
                f"{count} {'was' if len(cut) == 1 else 'were'} not fetched: the review's "
                "--remap rules send them to an "
                f"address the fetcher refuses{why}: {_places(cut)}."
            )
            hint = (
                "This comes from how the review was run, not from the contribution: to fetch "
                "from a mirror on a private address or another port, the operator adds "
                "--allow-private-hosts (in the Action: ZOO_REVIEW_ALLOW_PRIVATE_HOSTS=1), "
                "or fixes the --remap rule."
            )
        elif cause == "memory":
            message = (
                f"{count} could not be read: the linked files already read fill what a "
                f"review holds at once ({_places(cut)})."
            )
            hint = (
                "They are listed in the link table as inconclusive. Linked scores, MD5 and "
                "predictions files are far smaller than this; check that these links point "
                "to the right files."
            )
        else:
            message = (
                f"The review's time budget of {budget_seconds:g} s ran out before {count} "
                f"could be checked: {_places(cut)}."
            )
            hint = (
                "They are listed in the link table as inconclusive. Re-run the review; if "
                "the budget keeps running out, a maintainer can raise "
                "`network.budget_seconds`."
            )
        findings.append(Finding("warning", RULE, cut[0].path, line, message, hint, incomplete=True))
    return findings


def _places(links: Sequence[CutLink], shown: int = 8) -> str:
    """`det/README.md` lines 45, 46 and 50; `mot/README.md` line 12 (and 3 more)."""
    by_path: dict[str, list[int]] = defaultdict(list)
    for link in links[:shown]:
        if link.line not in by_path[link.path]:
            by_path[link.path].append(link.line)
    parts = []
    for path, lines in by_path.items():
        numbers = [str(line) for line in lines]
        listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        parts.append(f"{q(path)} line{'s' if len(numbers) > 1 else ''} {listed}")
    more = f" (and {len(links) - shown:,} more links)" if len(links) > shown else ""
    return "; ".join(parts) + more
