"""Checks that each row's config link names a file present at the head commit."""

from __future__ import annotations

from bot.model import Finding
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.layout import layout_of
from bot.urls import github_blob, is_relative, is_web, repo_path

RULE = "config"


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    section = entry.section
    task = entry.task
    configs = task.configs.rstrip("/") if task.configs else None
    where = f"{configs}/" if configs else "the task's folder"
    # A truncated listing (GitHub's limit) proves no absence; the source says it was not checked.
    complete = ctx.submission.head_paths_complete

    for table in section.tables:
        layout = layout_of(task, table)
        for row in table.rows:
            if row not in entry.rows:
                continue
            for column, _spec, link in layout.links(row, "config"):
                url = link.url.strip()
                if not url:
                    continue

                def add(message: str, hint: str, line: int = row.line) -> None:
                    findings.append(Finding("error", RULE, section.path, line, message, hint))

                if is_relative(url):
                    path = repo_path(section.path, url)
                    if path is None:
                        add(
                            f"The config link {q(url)} leaves the repository.",
                            f"Link the config file relative to {section.path}, inside {where}.",
                        )
                    elif configs and not path.startswith(configs + "/"):
                        add(
                            f"The config link {q(url)} points to {q(path)}, outside {where}.",
                            f"Put the config file under {where} and link it from there.",
                        )
                    elif path not in ctx.submission.head_paths and complete:
                        add(
                            f"The config file {q(path)} does not exist at the reviewed commit.",
                            f"Add the file to your PR under {where}, or fix the path in "
                            f"'{column.name}'.",
                        )
                    continue
                blob = github_blob(url)
                repository = (ctx.config.repository or "").casefold()
                if blob is not None:
                    if (
                        blob[0].casefold() == repository
                        and blob[1] not in ctx.submission.head_paths
                        and complete
                    ):
                        add(
                            f"The config link points to {q(blob[1])} in {ctx.config.repository}, "
                            "which has no such file at this PR's head.",
                            f"Add the config file to your PR under {where} and link it "
                            "relatively, e.g. `./configs/…`.",
                        )
                    continue
                reason = "a web page outside GitHub" if is_web(url) else "not a path or URL"
                add(
                    f"The config link {q(url)} is {reason}.",
                    f"Link a config file in the PR (a relative path into {where}) or a file in "
                    "your GitHub repository.",
                )
    return findings
