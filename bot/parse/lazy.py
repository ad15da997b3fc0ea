"""Task READMEs as a mapping that parses each one when it is first asked for, once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.budget import CpuBudget
from bot.config import Config
from bot.model import Readme
from bot.parse.sections import parse_readme


class LazyReadmes(Mapping[str, Readme]):
    """The task READMEs among `texts`, by path; a README is parsed (charged to `budget`) when
    it is first read, so that a review parses only the READMEs its rules look at."""

    def __init__(
        self, texts: Mapping[str, str], config: Config, budget: CpuBudget | None = None
    ) -> None:
        self._texts = texts
        self._config = config
        self._budget = budget
        self._parsed: dict[str, Readme] = {}

    def __getitem__(self, path: str) -> Readme:
        readme = self._parsed.get(path)
        if readme is not None:
            return readme
        text = self._texts.get(path)
        task = self._config.task_for_readme(path)
        if text is None or task is None:
            raise KeyError(path)
        readme = self._parsed[path] = parse_readme(
            text, task.name, path, self._config.limits, self._budget
        )
        return readme

    def __iter__(self) -> Iterator[str]:
        # In the order of the tasks, whatever the order of the texts.
        return iter(dict.fromkeys(t.readme for t in self._config.tasks if t.readme in self._texts))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, path: object) -> bool:
        # Without parsing (Mapping's would read the item).
        return (
            isinstance(path, str)
            and path in self._texts
            and self._config.task_for_readme(path) is not None
        )

    def text(self, path: str) -> str | None:
        """The text of the task README at `path`, parsed or not."""
        return self._texts.get(path) if path in self else None

    def parsed(self) -> dict[str, Readme]:
        """All of them, parsed, in the order of the tasks."""
        return {path: self[path] for path in self}
