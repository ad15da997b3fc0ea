"""The GitHub source's file reader against the fake: a few configs through the contents API,
many (an audit) through one tarball, and failures that leave files unread (never guessed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.action.client import Pacing, build_client
from bot.config import load_config
from bot.engine import ReviewOptions, review
from bot.quote import plain
from bot.sources.github import load_branch
from bot.sources.github_files import CONTENTS_READS, GitHubFiles
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.state import World
from tests.ruleinput import make_row, method_section, task_readme

REPO = "example-org/zoo"
CONTENTS = r"/repos/example-org/zoo/contents/.*"
ARCHIVE = r"/repos/example-org/zoo/(tarball|_codeload)/.*"


def zoo_files() -> dict[str, bytes]:
    files = {
        f"det/configs/det/c{i}.py": f"_base_ = '../_base_/m.py'\nx = {i}\n".encode()
        for i in range(40)
    }
    files["det/configs/_base_/m.py"] = b"model = dict(type='FasterRCNN')\n"
    files["det/configs/det/big.py"] = b"#" * 2_000_000
    files["det/configs/det/broken.py"] = b"model = dict(\n"
    files["README.md"] = b"# zoo\n"
    return files


@pytest.fixture
def server() -> Iterator[tuple[FakeGitHub, str]]:
    world = World()
    world.add_repo(REPO, files=zoo_files())
    sha = world.repos[REPO].branches["main"]
    with FakeGitHub(world) as fake:
        yield fake, sha


def reader(fake: FakeGitHub, sha: str, contents_reads: int = CONTENTS_READS) -> GitHubFiles:
    client = build_client(fake.api_url, fake.token, Pacing(scale=0))
    return GitHubFiles(client.get_repo(REPO), sha, contents_reads=contents_reads)


def test_a_few_files_are_read_one_request_each(server: tuple[FakeGitHub, str]) -> None:
    fake, sha = server
    files = reader(fake, sha)
    found = files.read(["det/configs/det/c1.py", "det/configs/_base_/m.py", "nothing.py"], 100)
    assert found == {
        "det/configs/det/c1.py": b"_base_ = '../_base_/m.py'\nx = 1\n",
        "det/configs/_base_/m.py": b"model = dict(type='FasterRCNN')\n",
    }
    assert fake.log.count("GET", CONTENTS) == 3
    assert fake.log.count("GET", ARCHIVE) == 0
    fake.assert_no_unknown_routes()


def test_many_files_come_from_one_tarball(server: tuple[FakeGitHub, str]) -> None:
    fake, sha = server
    files = reader(fake, sha)
    paths = [f"det/configs/det/c{i}.py" for i in range(40)]
    found = files.read(paths, 1 << 20)
    assert set(found) == set(paths)
    assert found["det/configs/det/c7.py"] == b"_base_ = '../_base_/m.py'\nx = 7\n"
    # the next level comes from the same archive
    assert files.read(["det/configs/_base_/m.py"], 100) == {
        "det/configs/_base_/m.py": b"model = dict(type='FasterRCNN')\n"
    }
    assert fake.log.count("GET", CONTENTS) == 0
    assert fake.log.count("GET", r"/repos/example-org/zoo/tarball/.*") == 1
    fake.assert_no_unknown_routes()


def test_a_file_above_the_contents_api_limit_is_cut_from_the_tarball(
    server: tuple[FakeGitHub, str],
) -> None:
    fake, sha = server
    found = reader(fake, sha).read(["det/configs/det/big.py"], 1 << 20)
    assert found == {"det/configs/det/big.py": b"#" * ((1 << 20) + 1)}


def test_a_tarball_that_fails_leaves_the_files_unread(server: tuple[FakeGitHub, str]) -> None:
    fake, sha = server
    fake.faults.server_error("/repos/example-org/zoo/tarball/*", times=None)
    assert reader(fake, sha, contents_reads=0).read(["det/configs/det/c1.py"], 100) == {}


def test_an_audit_through_github_checks_configs_with_one_archive(
    server: tuple[FakeGitHub, str],
) -> None:
    fake, sha = server
    rows = [make_row(slug=f"c{i}", overrides={"Backbone": f"R-{i}"}) for i in range(30)]
    rows.append(make_row(slug="broken", overrides={"Backbone": "Broken"}))
    readme = task_readme("det", method_section(rows=rows)).encode()
    world = fake.world
    with world.lock:
        head = world.add_commit(REPO, {"det/README.md": readme}, parent=sha, branch="main")
    client = build_client(fake.api_url, fake.token, Pacing(scale=0))
    repo = client.get_repo(REPO)
    config = load_config(f"zoo: {{repository: {REPO}}}")
    data = load_branch(repo, head, config)
    fake.log.clear()
    result = review(data.submission, config, ReviewOptions(audit_all=True, offline=True), None)
    errors = [f for f in result.findings if f.rule == "config"]
    assert len(errors) == 1
    assert "`det/configs/det/broken.py` is not valid Python" in plain(errors[0].message)
    assert fake.log.count("GET", CONTENTS) == 0
    assert fake.log.count("GET", ARCHIVE) == 2  # the redirect and the archive
