"""Checks that the Docker image's lock files still satisfy pyproject.toml.

requirements/action.lock must pin every runtime dependency of [project] dependencies, and
requirements/build.lock every requirement of [build-system], at versions their specifiers
allow, each with at least one hash. Otherwise the image would be built without a dependency,
or with one the code does not support. Regenerate with `sh requirements/compile.sh`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# The image: CPython 3.12 on Linux (see the Dockerfile).
ENVIRONMENT = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "extra": "",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: Path) -> dict[str, Version]:
    """The `name==version` pins of a lock, each required to carry a --hash."""
    found: dict[str, Version] = {}
    text = lock.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if not match:
            continue
        if "--hash=sha256:" not in block:
            sys.exit(f"{lock.relative_to(ROOT)}: {match[1]} has no --hash")
        found[canonicalize_name(match[1])] = Version(match[2])
    return found


def check(requirements: list[str], lock: Path) -> list[str]:
    locked = pins(lock)
    problems = []
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate(ENVIRONMENT):
            continue
        version = locked.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{lock.relative_to(ROOT)}: `{req.name}` is not locked")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(
                f"{lock.relative_to(ROOT)}: `{req.name}=={version}` does not satisfy `{req}`"
            )
    return problems


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    problems = check(
        project["project"].get("dependencies", []), ROOT / "requirements" / "action.lock"
    )
    problems += check(project["build-system"]["requires"], ROOT / "requirements" / "build.lock")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            "Regenerate the locks with `sh requirements/compile.sh` and commit them.",
            file=sys.stderr,
        )
        return 1
    print("lock files: up to date with pyproject.toml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
