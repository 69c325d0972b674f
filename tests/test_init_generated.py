"""What `init --write` generates passes the project's own linters, and keeps the files a
project ships on purpose (pip's vendored cacert.pem) exempted in `forbidden`."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import git, make_repo, release_cli, run, tool, tree_state

from release.forbidden import BUILTIN_FORBIDDEN, forbidden_by

#: attrs' isort settings (lines-after-imports = 2) and pluggy's (single lines, sorted
#: within sections), under every ruff rule that has no project-specific premise.
STRICT = ["--select", "ALL", "--ignore", "CPY,D203,D213,INP"]
ISORT_SETTINGS = [
    ["--config", "lint.isort.lines-after-imports = 2"],
    [
        "--config",
        "lint.isort.force-single-line = true",
        "--config",
        "lint.isort.force-sort-within-sections = true",
        "--config",
        "lint.isort.lines-after-imports = 2",
    ],
    [],
]


def adopted(tmp_path: Path) -> Path:
    root = make_repo("adopt/static", tmp_path / "static")
    result = release_cli(root, "init", "--write")
    assert result.returncode == 0, result.stderr
    return root


def ruff(root: Path, *args: str) -> str:
    """`ruff check` on the tool's files, as the project would run it; its report."""
    result = run([tool("ruff"), "check", "--isolated", *args, "noxfile.py", "tasks.py"], root)
    return result.stdout + result.stderr if result.returncode else ""


@pytest.mark.parametrize("settings", ISORT_SETTINGS)
def test_new_noxfile_and_tasks_pass_any_isort_setting(tmp_path: Path, settings: list[str]) -> None:
    root = adopted(tmp_path)
    assert ruff(root, *STRICT, *settings) == ""
    formatted = run([tool("ruff"), "format", "--check", "--isolated", "."], root)
    assert "noxfile.py" not in formatted.stdout
    assert "tasks.py" not in formatted.stdout


def test_the_generated_files_register_the_sessions_and_tasks(tmp_path: Path) -> None:
    root = adopted(tmp_path)
    sessions = run([tool("nox"), "--list"], root, NOX_SCRIPT_MODE="none")
    assert sessions.returncode == 0, sessions.stderr
    assert "* bump -> " in sessions.stdout
    tasks = run([tool("invoke"), "--list"], root)
    assert tasks.returncode == 0, tasks.stderr
    assert "  bump " in tasks.stdout


USER_NOXFILE = '''\
"""The project's own sessions."""

from __future__ import annotations

import os

import nox
from nox import Session


@nox.session
def docs(session: Session) -> None:
    """Build the docs."""
    session.run("sphinx-build", "docs", "build", env={"X": os.environ["X"]})
'''


def test_an_existing_noxfile_gets_the_import_in_its_import_block(tmp_path: Path) -> None:
    root = make_repo("adopt/static", tmp_path / "static")
    (root / "noxfile.py").write_text(USER_NOXFILE)
    git(root, "add", "noxfile.py")
    git(root, "commit", "-qm", "noxfile")
    assert release_cli(root, "init", "--write").returncode == 0
    new = (root / "noxfile.py").read_text()
    assert (
        new
        == USER_NOXFILE.replace(
            "from nox import Session\n",
            "from nox import Session\nfrom release.adapters.nox_sessions import register\n",
        )
        + "\n\nregister()\n"
    )
    for settings in ISORT_SETTINGS:
        assert ruff(root, "--select", "E,F,I,W", *settings) == ""
    after = tree_state(root)
    assert "nothing to change" in release_cli(root, "init", "--write").stdout
    assert tree_state(root) == after


def test_a_tracked_pem_ships_on_purpose_and_is_exempted_by_name(tmp_path: Path) -> None:
    root = make_repo("adopt/static", tmp_path / "static")
    vendored = root / "src/tidyrows/_vendor/certifi/cacert.pem"
    vendored.parent.mkdir(parents=True)
    vendored.write_text("-----BEGIN CERTIFICATE-----\n")
    (root / ".env").write_text("SECRET=1\n")  # untracked: it must never ship
    git(root, "add", "src/tidyrows/_vendor")
    git(root, "commit", "-qm", "vendor certifi")
    result = release_cli(root, "init", "--write")
    assert result.returncode == 0, result.stderr
    table = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["release"]
    exempt = "!**/tidyrows/_vendor/certifi/cacert.pem"
    assert table["forbidden"] == ["internal/**", "**/.env", "**/*.pem", exempt]
    assert (
        "note: forbidden: the tracked src/tidyrows/_vendor/certifi/cacert.pem is exempted"
        " (a `!` pattern): it ships on purpose; remove that line if it must not\n" in result.stderr
    )
    patterns = [*table["forbidden"], *BUILTIN_FORBIDDEN]
    assert forbidden_by("tidyrows/_vendor/certifi/cacert.pem", patterns) == ""  # the wheel
    assert forbidden_by("src/tidyrows/_vendor/certifi/cacert.pem", patterns) == ""  # the sdist
    assert forbidden_by("tidyrows/server.pem", patterns) == "**/*.pem"
    assert forbidden_by(".env", patterns) == "**/.env"


def test_without_tracked_matches_both_defaults_are_proposed(tmp_path: Path) -> None:
    root = adopted(tmp_path)
    table = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["release"]
    assert table["forbidden"] == ["internal/**", "**/.env", "**/*.pem"]
