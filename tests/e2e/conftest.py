"""Fixtures for the end-to-end tests: one pypiserver and one devpi-server per session (per
xdist worker), and per test a sample project with a unique name, pushed to its own bare
remote, released with `python -m release` exactly as a user runs it."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from e2e.github_api import FakeGitHub, serve
from e2e.servers import Server, devpi_server, pypi_server

FIXTURE = Path(__file__).parents[1] / "fixtures" / "realistic"
USER = "tester"
PASSWORD = f"pw-{secrets.token_hex(12)}"
TOKEN = f"pypi-AgEIcHlwaS5vcmc{secrets.token_hex(20)}"  # PYPI_TOKEN, sent as __token__


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is marked e2e (`pytest -m "not e2e"` runs the quick ones only)."""
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def pypiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    users = {USER: PASSWORD, "__token__": TOKEN}
    with pypi_server(tmp_path_factory.mktemp("pypiserver"), users) as server:
        yield server


@pytest.fixture(scope="session")
def devpi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with devpi_server(tmp_path_factory.mktemp("devpi"), USER, PASSWORD) as server:
        yield server


@pytest.fixture
def github_api() -> Iterator[FakeGitHub]:
    yield from serve()


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return result.stdout


@dataclass
class Sample:
    """A project under release: its checkout, its bare remote, its unique distribution name."""

    root: Path
    remote: Path
    name: str
    env: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "release", *args], cwd=self.root, input=stdin,
            capture_output=True, text=True, env={**os.environ, **self.env, **env}, check=False,
        )  # fmt: skip

    def release(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return self.cli("release", *args, **env)

    def remote_refs(self) -> dict[str, str]:
        """ref -> commit on the remote (tags peeled to the commit they point at)."""
        refs: dict[str, str] = {}
        for line in git(self.remote, "show-ref", "--dereference").splitlines():
            sha, ref = line.split(" ", 1)
            refs[ref.removesuffix("^{}")] = sha
        return refs

    def remote_tags(self) -> list[str]:
        return git(self.remote, "tag", "--list").split()

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD").strip()

    def dist(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (self.root / "dist").iterdir()
                if p.name.endswith((".whl", ".tar.gz"))}  # fmt: skip

    @property
    def stem(self) -> str:
        """The file-name prefix of this project's artifacts (normalised name)."""
        return re.sub(r"[-_.]+", "_", self.name).lower() + "-"


def on_index(server: Server, sample: Sample) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every file of the sample on the index, read without our code."""
    if server.kind == "pypiserver":
        return sorted((p.name, p.read_bytes()) for p in server.directory.iterdir()
                      if p.name.startswith(sample.stem))  # fmt: skip
    page = f"{server.url}+simple/{sample.name}/"
    accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
    request = urllib.request.Request(page, headers=accept)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback only
            files = json.loads(answer.read())["files"]
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise
    found = []
    for item in files:
        url = urllib.parse.urljoin(page, item["url"])
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - loopback only
            found.append((item["filename"], answer.read()))
    return sorted(found)


MakeSample = Callable[..., Sample]


@pytest.fixture
def make_sample(tmp_path: Path, pypiserver: Server) -> MakeSample:
    """A sample project releasing to pypiserver unless told otherwise (devpi starts only
    for the tests that ask for it)."""

    def make(*, final: str = "", pre_release: str = "", staging: str = "",
             where: str = "local") -> Sample:  # fmt: skip
        name = f"enforcecore-{secrets.token_hex(4)}"
        root = tmp_path / "project"
        shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".release", ".nox", "dist"))
        pyproject = root / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        text = text.replace('name = "enforcecore"', f'name = "{name}"', 1)
        text = text.replace("\n[tool.release]\n", '\n[tool.hatch.build.targets.wheel]\n'
                            'packages = ["enforcecore"]\n\n[tool.release]\n', 1)  # fmt: skip
        publish = (f'[tool.release.publish]\nwhere = "{where}"\n'
                   f'pre-release = "{pre_release or pypiserver.url}"\n'
                   f'final = "{final or pypiserver.url}"\nstaging = "{staging}"\n')  # fmt: skip
        text = re.sub(r"\[tool\.release\.publish\]\n(?:[^\[\n][^\n]*\n|\n)*", publish + "\n", text)
        pyproject.write_text(text, encoding="utf-8")
        sample = Sample(root, tmp_path / "remote.git", name, {
            "TWINE_USERNAME": USER, "TWINE_PASSWORD": PASSWORD, "RELEASE_RETRY_DELAY": "0.2",
        })  # fmt: skip
        written = sample.cli("parity", "--write")
        assert written.returncode == 0, written.stderr
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "Initial commit")
        git(tmp_path, "init", "-q", "--bare", str(sample.remote))
        git(root, "remote", "add", "origin", str(sample.remote))
        git(root, "push", "-q", "-u", "origin", "main")
        return sample

    return make


@pytest.fixture
def sample(make_sample: MakeSample) -> Sample:
    return make_sample()
