"""`python -m release init`: the right version files, no guessing, idempotent, never silent."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import git, make_repo, release_cli, tree_state


def adopt(shape: str, tmp_path: Path) -> Path:
    return make_repo(f"adopt/{shape}", tmp_path / shape)


def proposed_table(root: Path) -> dict[str, Any]:
    data = tomllib.loads((root / "pyproject.toml").read_text())
    table: dict[str, Any] = data["tool"]["release"]
    return table


@pytest.mark.parametrize(
    ("shape", "version_files", "notes"),
    [
        ("static",
         ["pyproject.toml:project.version", "docs/conf.py:release",
          "src/tidyrows/__init__.py:__version__"],
         ["not proposed, a short version (X.Y), not the full one (1): docs/conf.py:version = 0.4",
          "CHANGELOG.md: Keep a Changelog, headings dated with a hyphen"]),
        ("poetry",
         ["pyproject.toml:tool.poetry.version", "poetry_pkg/__init__.py:__version__"],
         ["version 2.3.0 (poetry)",
          "CHANGELOG.md: Keep a Changelog, headings dated with an em dash"]),
        ("scm", [], ["version 1.2.0 (vcs)"]),
    ],
)  # fmt: skip
def test_init_proposes_exactly_the_version_files(
    shape: str, version_files: list[str], notes: list[str], tmp_path: Path
) -> None:
    root = adopt(shape, tmp_path)
    if shape == "scm":
        git(root, "tag", "-a", "v1.2.0", "-m", "1.2.0")
    before = tree_state(root)

    shown = release_cli(root, "init")
    assert shown.returncode == 0, shown.stderr
    for note in notes:
        assert f"note: {note}" in shown.stderr
    assert "+[tool.release]" in shown.stdout
    assert "init: nothing was written" in shown.stdout
    assert tree_state(root) == before

    written = release_cli(root, "init", "--write")
    assert written.returncode == 0, written.stderr
    table = proposed_table(root)
    assert sorted(table.get("version-files", [])) == sorted(version_files)
    assert (root / "noxfile.py").read_text().startswith("# /// script\n")
    assert "from release.adapters.invoke_tasks import namespace" in (root / "tasks.py").read_text()
    assert (root / ".github/workflows/ci.yml").exists()
    assert (root / ".github/workflows/release.yml").exists()

    after = tree_state(root)
    again = release_cli(root, "init", "--write")
    assert again.returncode == 0, again.stderr
    assert "already adopted here: nothing to change" in again.stdout
    assert tree_state(root) == after


def test_init_only_adds_to_pyproject(tmp_path: Path) -> None:
    root = adopt("static", tmp_path)
    original = (root / "pyproject.toml").read_text().splitlines()
    assert release_cli(root, "init", "--write").returncode == 0
    adopted = (root / "pyproject.toml").read_text().splitlines()
    assert [line for line in difflib.ndiff(original, adopted) if line.startswith("- ")] == []
    assert 'exclude = ["/internal"]' in adopted  # the private folder stays out of the sdist


def test_init_proposes_forbidden_private_folders_and_dates(tmp_path: Path) -> None:
    root = adopt("static", tmp_path)
    (root / "CITATION.cff").write_text('cff-version: 1.2.0\nversion: "0.4.1"\ndate-released: x\n')
    assert release_cli(root, "init", "--write").returncode == 0
    table = proposed_table(root)
    assert "internal/**" in table["forbidden"]
    assert table["date-files"] == ["CITATION.cff:date-released"]
    assert "CITATION.cff:version" in table["version-files"]


def test_init_reports_files_that_disagree_instead_of_guessing(tmp_path: Path) -> None:
    root = adopt("static", tmp_path)
    conf = root / "docs/conf.py"
    conf.write_text(conf.read_text().replace('release = "0.4.1"', 'release = "0.3.9"'))
    before = tree_state(root)
    result = release_cli(root, "init", "--write")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "error: 1 copy of the version lags behind 0.4.1 (pyproject.toml:project.version)",
        "hint: `python -m release init --sync` shows the diff, then sets it to 0.4.1 in one"
        " write. Nothing was written",
    ]
    assert "  docs/conf.py  release  0.3.9  0.4.1" in result.stderr.splitlines()
    assert tree_state(root) == before


def test_init_never_overwrites_an_existing_tasks_py(tmp_path: Path) -> None:
    root = adopt("static", tmp_path)
    (root / "tasks.py").write_text("from invoke import task\n\n\n@task\ndef docs(c):\n    pass\n")
    before = tree_state(root)
    result = release_cli(root, "init", "--write")
    assert result.returncode == 1
    assert "error: tasks.py exists and init will not overwrite it" in result.stderr
    assert tree_state(root) == before


def test_init_adds_its_import_to_an_existing_noxfile(tmp_path: Path) -> None:
    root = adopt("static", tmp_path)
    own = 'import nox\n\n\n@nox.session\ndef docs(session):\n    session.run("echo")\n'
    (root / "noxfile.py").write_text(own)
    assert release_cli(root, "init", "--write").returncode == 0
    assert (root / "noxfile.py").read_text() == (
        "import nox\nfrom release.adapters.nox_sessions import register\n"
        + own.removeprefix("import nox\n")
        + "\n\nregister()\n"
    )


def test_init_lists_the_flags_hand_written_workflows_ran(tmp_path: Path) -> None:
    root = adopt("static", tmp_path)
    result = release_cli(root, "init")
    assert result.returncode == 0, result.stderr
    assert ".github/workflows/tests.yml" in result.stderr
    assert "--timeout=60" in result.stderr


def test_init_ignores_the_state_folder_at_the_root(tmp_path: Path) -> None:
    """Build backends read only the root .gitignore: `.release/` must be listed there."""
    root = adopt("static", tmp_path)
    assert release_cli(root, "init", "--write").returncode == 0
    assert (root / ".gitignore").read_text() == ".nox/\ndist/\n__pycache__/\n.release/\n"


def test_init_prunes_private_folders_for_setuptools(tmp_path: Path) -> None:
    root = adopt("scm", tmp_path)
    git(root, "tag", "-a", "v1.2.0", "-m", "1.2.0")
    (root / "scratch").mkdir()
    (root / "scratch/try.py").write_text("print('draft')\n")
    assert release_cli(root, "init", "--write").returncode == 0
    assert (root / "MANIFEST.in").read_text() == "prune scratch\n"
    assert (root / ".gitignore").read_text().endswith(".release/\nbuild/\n*.egg-info/\n")
