"""Adoption trials: three differently shaped projects, `init --write`, then the gates, then
a full local release, with no hand edits in between (issue: adopt it in any project)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from e2e.conftest import git

FIXTURES = Path(__file__).parents[1] / "fixtures" / "adopt"
NOX = str(Path(sys.executable).parent / "nox")


def run(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=root, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    ("shape", "tag", "next_version", "version_file"),
    [
        ("static", "", "0.4.2", "src/tidyrows/__init__.py"),
        ("poetry", "", "2.3.1", "poetry_pkg/__init__.py"),
        ("scm", "v1.2.0", "1.2.1", ""),
    ],
)
def test_init_then_check_then_local_release(
    shape: str, tag: str, next_version: str, version_file: str, tmp_path: Path
) -> None:
    root = tmp_path / shape
    import shutil

    shutil.copytree(FIXTURES / shape, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Initial commit")
    if tag:
        git(root, "tag", "-a", tag, "-m", tag)

    adopted = run(root, sys.executable, "-m", "release", "init", "--write")
    assert adopted.returncode == 0, adopted.stderr
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Adopt release-parity")

    check = run(root, NOX, "-s", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "check: " in check.stdout + check.stderr
    assert " 0 failed" in check.stdout + check.stderr

    released = run(root, NOX, "-s", "release", "--", next_version, "--execute", "--local-only")
    assert released.returncode == 0, released.stdout + released.stderr
    assert git(root, "tag", "--points-at", "HEAD").split() == [f"v{next_version}"]
    assert git(root, "log", "-1", "--format=%s").strip() == f"Release {next_version}"
    assert git(root, "status", "--porcelain") == ""
    built = sorted(p.name for p in (root / "dist").iterdir() if p.suffix != ".json")
    assert len(built) == 2
    assert all(next_version in name for name in built)
    if version_file:
        assert f'"{next_version}"' in (root / version_file).read_text()
    assert f"## [{next_version}]" in (root / "CHANGELOG.md").read_text()
