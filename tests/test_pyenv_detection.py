"""Which Pythons are here: a pyenv shim is judged by pyenv's own selection, not by running it."""

from __future__ import annotations

from pathlib import Path

import pytest

from release.pythons import _pyenv_selects


def pyenv_root(tmp_path: Path, installed: list[str], global_version: str) -> Path:
    root = tmp_path / "pyenv"
    (root / "shims").mkdir(parents=True)
    (root / "shims" / "python3.12").write_text('#!/usr/bin/env bash\nexec pyenv exec "$@"\n')
    for version in installed:
        binary = root / "versions" / version / "bin" / f"python{version.rsplit('.', 1)[0]}"
        binary.parent.mkdir(parents=True)
        binary.write_text("")
    (root / "version").write_text(f"{global_version}\n")
    return root


def test_the_global_version_decides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    monkeypatch.chdir(tmp_path)
    only_311 = pyenv_root(tmp_path / "a", ["3.11.7", "3.12.1"], "3.11.7")
    assert _pyenv_selects(only_311 / "shims" / "python3.12", "python3.12") is False
    both = pyenv_root(tmp_path / "b", ["3.11.7", "3.12.1"], "3.11.7\n3.12")  # prefix: 3.12.*
    assert _pyenv_selects(both / "shims" / "python3.12", "python3.12") is True


def test_env_then_local_file_come_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = pyenv_root(tmp_path, ["3.11.7", "3.12.1"], "3.11.7")
    shim = root / "shims" / "python3.12"
    project = tmp_path / "project" / "src"
    project.mkdir(parents=True)
    (tmp_path / "project" / ".python-version").write_text("3.12.1  # this project\n")
    monkeypatch.chdir(project)
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    assert _pyenv_selects(shim, "python3.12") is True
    monkeypatch.setenv("PYENV_VERSION", "3.11.7")
    assert _pyenv_selects(shim, "python3.12") is False


def test_system_and_non_shims_are_left_to_a_real_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYENV_VERSION", "system")
    root = pyenv_root(tmp_path, [], "system")
    assert _pyenv_selects(root / "shims" / "python3.12", "python3.12") is None
    assert _pyenv_selects(tmp_path / "bin" / "python3.12", "python3.12") is None
