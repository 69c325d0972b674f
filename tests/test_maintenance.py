"""Maintenance lines: main at 2.0.0, `release/1.x` at 1.4.2. On the maintenance branch
`patch` is 1.4.3 (its tag, its changelog entry on that branch), `minor` is refused with one
line; a branch no pattern names is no release branch."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import git, release_cli, tree_state

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "linekeeper"
version = "{version}"
description = "Keeps lines."
readme = "README.md"
license = "MIT"
requires-python = ">=3.9"

[tool.release]
branch = ["main", "release/*"]
tag-format = "v{{version}}"

[tool.release.gates]

[tool.release.publish]
where = "local"
"""
CHANGELOG = """\
# Changelog

## [Unreleased]
{entries}
## [1.4.2] - 2026-10-01

### Fixed
- A crash on empty input.
"""


def write(root: Path, version: str, entries: str = "") -> None:
    (root / "pyproject.toml").write_text(PYPROJECT.format(version=version), encoding="utf-8")
    (root / "CHANGELOG.md").write_text(CHANGELOG.format(entries=entries), encoding="utf-8")


@pytest.fixture
def lines(tmp_path: Path) -> Path:
    """main at 2.0.0 (tagged), release/1.x at 1.4.2 (tagged) with one fix written down."""
    root = tmp_path / "linekeeper"
    (root / "linekeeper").mkdir(parents=True)
    (root / "linekeeper" / "__init__.py").write_text('"""Keeps lines."""\n', encoding="utf-8")
    write(root, "1.4.2")
    (root / ".gitignore").write_text(".release/\ndist/\n", encoding="utf-8")
    (root / "README.md").write_text("# linekeeper\n\nKeeps lines.\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    assert release_cli(root, "parity", "--write").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Release 1.4.2")
    git(root, "tag", "-a", "v1.4.2", "-m", "1.4.2")
    git(root, "branch", "release/1.x")
    write(root, "2.0.0")
    git(root, "commit", "-qam", "Release 2.0.0")
    git(root, "tag", "-a", "v2.0.0", "-m", "2.0.0")
    git(root, "switch", "-q", "release/1.x")
    write(root, "1.4.2", "\n### Fixed\n- A leak when the input ends early.\n")
    git(root, "commit", "-qam", "fix: a leak when the input ends early")
    return root


def test_patch_on_the_maintenance_branch_releases_that_line(lines: Path) -> None:
    done = release_cli(lines, "release", "patch", "--execute", "--local-only")
    assert done.returncode == 0, done.stderr
    assert git(lines, "describe", "--tags", "--exact-match").strip() == "v1.4.3"
    assert git(lines, "branch", "--show-current").strip() == "release/1.x"
    text = (lines / "CHANGELOG.md").read_text(encoding="utf-8")
    released = "\n## [1.4.3] - 2026-11-18\n\n### Fixed\n- A leak when the input ends early.\n"
    assert text == CHANGELOG.format(entries=released)
    assert 'version = "1.4.3"' in (lines / "pyproject.toml").read_text(encoding="utf-8")
    main = git(lines, "show", "main:pyproject.toml")
    assert 'version = "2.0.0"' in main  # the main line is untouched


def test_minor_on_the_maintenance_branch_is_refused_in_one_line(lines: Path) -> None:
    before = tree_state(lines)
    refused = release_cli(lines, "release", "minor")
    assert (refused.returncode, refused.stderr) == (
        2,
        "note: 'minor' is 1.5.0\n"
        "error: release/1.x is the maintenance line of 1.4: it makes 1.4.x releases only,"
        " not 1.5.0\nhint: release a patch here (nox -s release -- patch), or 1.5.0 from main\n",
    )
    assert tree_state(lines) == before


def test_main_still_releases_its_own_line(lines: Path) -> None:
    git(lines, "switch", "-q", "main")
    planned = release_cli(lines, "release", "patch")
    assert planned.returncode == 0, planned.stderr
    assert "check 2.0.1 against 2.0.0" in planned.stdout


def test_a_branch_no_pattern_names_is_refused(lines: Path) -> None:
    git(lines, "switch", "-q", "-c", "feature/speed")
    planned = release_cli(lines, "release", "patch")
    assert planned.returncode == 1
    assert (
        "  - on branch 'feature/speed', releases are made from 'main' (or release/*)"
        " (git switch main)\n" in planned.stderr
    )


def test_the_generated_ci_runs_on_every_release_branch(lines: Path) -> None:
    ci = yaml.safe_load((lines / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    assert ci["on"]["push"]["branches"] == ["main", "release/*"]
