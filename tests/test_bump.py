"""`bump` writes exactly the version strings, the date and the changelog headings.

The expected files in tests/fixtures/realistic-bumped are compared whole, byte for
byte; every other file of the project must be untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, make_repo, release_cli, run, tool, tree_state

EXPECTED = FIXTURES / "realistic-bumped"
BUMPED = sorted(str(p.relative_to(EXPECTED)) for p in EXPECTED.rglob("*") if p.is_file())


def assert_bumped_exactly(root: Path, before: dict[str, str]) -> None:
    after = tree_state(root)
    for relative in BUMPED:
        assert (root / relative).read_bytes() == (EXPECTED / relative).read_bytes(), relative
    unchanged = {k: v for k, v in before.items() if k not in BUMPED}
    assert {k: v for k, v in after.items() if k not in BUMPED} == unchanged


def test_expected_files_cover_the_five_bumped_files() -> None:
    assert BUMPED == [
        "CHANGELOG.md",
        "CITATION.cff",
        "enforcecore/__init__.py",
        "enforcecore/telemetry/instrumentor.py",
        "pyproject.toml",
    ]


def test_nox_and_invoke_bump_write_the_same_bytes(tmp_path: Path) -> None:
    via_nox = make_repo("realistic", tmp_path / "nox")
    via_invoke = make_repo("realistic", tmp_path / "invoke")
    before = tree_state(via_nox)

    nox = run([tool("nox"), "-s", "bump", "--", "1.0.23a1"], via_nox)
    invoke = run([tool("invoke"), "bump", "--version", "1.0.23a1"], via_invoke)

    assert nox.returncode == 0, nox.stderr
    assert invoke.returncode == 0, invoke.stderr
    assert_bumped_exactly(via_nox, before)
    assert_bumped_exactly(via_invoke, before)
    assert tree_state(via_nox) == tree_state(via_invoke)


def test_python_m_release_bump_matches_too(project: Path) -> None:
    before = tree_state(project)
    result = release_cli(project, "bump", "v1.0.23a1")
    assert result.returncode == 0, result.stderr
    assert "using 1.0.23a1 (normalised from 'v1.0.23a1')" in result.stderr
    assert_bumped_exactly(project, before)


def test_dry_run_shows_every_diff_and_changes_nothing(project: Path) -> None:
    before = tree_state(project)
    result = run([tool("nox"), "-s", "release", "--", "1.0.23a1"], project)
    assert result.returncode == 0, result.stderr
    for relative in BUMPED:
        assert f"--- a/{relative}\n" in result.stdout
        assert f"+++ b/{relative}\n" in result.stdout
    assert '-version = "1.0.22"  # keep in sync' in result.stdout
    assert "+## [1.0.23a1] — 2026-11-18" in result.stdout
    assert "+date-released: 2026-11-18" in result.stdout
    assert "dry run: nothing was changed" in result.stdout
    assert tree_state(project) == before
    assert run(["git", "status", "--porcelain"], project).stdout == ""


def test_bump_dry_run_option_writes_nothing(project: Path) -> None:
    before = tree_state(project)
    result = release_cli(project, "bump", "1.0.23a1", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "+__version__ = '1.0.23a1'" in result.stdout
    assert tree_state(project) == before


def test_a_second_bump_after_a_release_commit_moves_on(project: Path) -> None:
    assert release_cli(project, "bump", "1.0.23a1").returncode == 0
    run(["git", "commit", "-qam", "Release 1.0.23a1"], project)
    result = release_cli(project, "bump", "rc", "--allow-empty-changelog")
    assert result.returncode == 0, result.stderr
    assert "note: 'rc' is 1.0.23rc1" in result.stderr
    assert "__version__ = '1.0.23rc1'" in (project / "enforcecore/__init__.py").read_text()
    changelog = (project / "CHANGELOG.md").read_text()
    assert "## [1.0.23rc1] — 2026-11-18\n\n## [1.0.23a1] — 2026-11-18" in changelog


def test_dynamic_version_project_has_no_file_to_edit(tmp_path: Path) -> None:
    root = make_repo("realistic", tmp_path / "dyn")
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().replace('version = "1.0.22"  # keep in sync: see [tool.release]\n',
                                         'dynamic = ["version"]\n')  # fmt: skip
    text = text.replace('  "pyproject.toml:project.version",\n', "")
    pyproject.write_text(text)
    (root / "CITATION.cff").unlink()
    text = text.replace('date-files = ["CITATION.cff:date-released"]\n', "")
    text = text.replace('  "CITATION.cff:version",\n', "")
    text = text.replace('  "enforcecore/__init__.py:__version__",\n', "")
    text = text.replace('  "enforcecore/telemetry/instrumentor.py:_SCOPE_VERSION",\n', "")
    pyproject.write_text(text)
    run(["git", "commit", "-qam", "dynamic"], root)
    run(["git", "tag", "-a", "v1.0.22", "-m", "1.0.22"], root)
    result = release_cli(root, "release", "patch")
    assert result.returncode == 0, result.stderr
    assert "check 1.0.23 against 1.0.22" in result.stdout
    assert "write CHANGELOG.md" in result.stdout
    shutil.rmtree(root)
