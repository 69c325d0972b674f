"""A bump killed between two file writes is finished by the next run: never a mixed tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import FIXTURES, release_cli, tree_state

EXPECTED = FIXTURES / "realistic-bumped"
FILES = ["pyproject.toml", "enforcecore/__init__.py", "CITATION.cff",
         "enforcecore/telemetry/instrumentor.py", "CHANGELOG.md"]  # fmt: skip


def is_new(root: Path, relative: str) -> bool:
    return (root / relative).read_bytes() == (EXPECTED / relative).read_bytes()


def test_sigkill_between_writes_then_rerun_completes(project: Path) -> None:
    before = tree_state(project)
    child = subprocess.Popen(
        [sys.executable, "-m", "release", "bump", "1.0.23a1"],
        cwd=project,
        env={**os.environ, "RELEASE_TEST_PAUSE_BETWEEN_WRITES": "60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not is_new(project, FILES[0]) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()

    written = [f for f in FILES if is_new(project, f)]
    assert written == [FILES[0]], "the kill must land between the first and second write"
    assert (project / ".release/bump-journal.json").exists()

    rerun = release_cli(project, "bump", "1.0.23a1")
    assert rerun.returncode == 0, rerun.stderr
    assert "an interrupted bump to 1.0.23a1 was found: 1 of 5 files had been written" in (
        rerun.stderr
    )
    assert all(is_new(project, f) for f in FILES)
    after = tree_state(project)
    assert {k: v for k, v in after.items() if k not in FILES} == {
        k: v for k, v in before.items() if k not in FILES
    }
    assert not list(project.rglob("*.release-tmp"))
    assert not (project / ".release/bump-journal.json").exists()


def test_kill_before_the_commit_point_leaves_the_old_tree(project: Path) -> None:
    """Temporary files without a journal were never committed: the next run drops them."""
    before = tree_state(project)
    (project / "CITATION.cff.release-tmp").write_text("half-written")
    result = release_cli(project, "release", "1.0.23a1")
    assert result.returncode == 0, result.stderr
    assert not (project / "CITATION.cff.release-tmp").exists()
    assert tree_state(project) == before
