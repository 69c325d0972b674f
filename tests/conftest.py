"""Shared test helpers: real git repositories made from fixtures, the CLI as a user runs it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
#: 2026-11-18 (UTC): the release date the expected files carry.
RELEASE_EPOCH = "1795000000"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Release Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.invalid",
    "GIT_COMMITTER_NAME": "Release Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets a fixed git identity, a fixed release date and no CI markers."""
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", RELEASE_EPOCH)
    monkeypatch.delenv("NOX_SCRIPT_MODE", raising=False)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def make_repo(fixture: str, destination: Path) -> Path:
    """Copy a fixture project into `destination` and make it a git repository with one commit."""
    shutil.copytree(FIXTURES / fixture, destination)
    git(destination, "init", "-q", "-b", "main")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "Initial commit")
    return destination


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The realistic fixture: four version files, a date file and a Keep a Changelog file."""
    return make_repo("realistic", tmp_path / "enforcecore")


def run(argv: Sequence[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), cwd=cwd, capture_output=True, text=True, env={**os.environ, **env}, check=False
    )


def release_cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m release ARGS` in `cwd`, as a user would run it."""
    return run([sys.executable, "-m", "release", *args], cwd, **env)


def tool(name: str) -> str:
    """A console script installed beside this interpreter (nox, invoke, ...)."""
    return str(Path(sys.executable).parent / name)


def tree_state(root: Path) -> dict[str, str]:
    """sha256 of every project file: any change to the tree shows up here.

    Left out: git's own folder and the tool state folders (.release/ logs, .nox/ venvs).
    """
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not {".git", ".release", ".nox"} & set(path.relative_to(root).parts)
    }
