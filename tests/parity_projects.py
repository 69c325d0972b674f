"""Small projects with a flags table, made on disk for the CI-parity tests."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from conftest import release_cli, run, tool

#: How a runner runs a `run:` under `shell: bash` (GitHub's documented template, `-c` for {0}).
GITHUB_BASH = ("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c")
NOXFILE = "from release.adapters.nox_sessions import register\n\nregister()\n"


def make_project(
    root: Path, table: str, files: Mapping[str, str] | None = None, *, write: bool = True
) -> Path:
    """pyproject.toml (a name, a version and `table`), the two-line noxfile, `files`.

    With `write`, the workflows are generated as a user would (`parity --write`).
    """
    root.mkdir(parents=True)
    project = '[project]\nname = "probe-project"\nversion = "0.1.0"\n\n'
    (root / "pyproject.toml").write_text(project + table, encoding="utf-8")
    (root / "noxfile.py").write_text(NOXFILE, encoding="utf-8")
    for relative, text in (files or {}).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    if write:
        written = release_cli(root, "parity", "--write")
        assert written.returncode == 0, written.stderr
    return root


def nox(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`nox ARGS` in the project, as a user types it."""
    return run([tool("nox"), *args], root, **env)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
