"""`init` at the top of a monorepo adopts each package (never examples/ or tests/), each
with tags of its own, and the workflows go to the repository's top; a second run changes
nothing, and the drift check of every package passes from the top."""

from __future__ import annotations

import tomllib
from pathlib import Path

from conftest import git, release_cli, tree_state

ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]
"""
MEMBER = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
description = "The {name} package."
requires-python = ">=3.9"

[dependency-groups]
dev = ["pytest"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""


def monorepo(tmp_path: Path) -> Path:
    root = tmp_path / "mono"
    for name, version in (("alpha", "1.0.0"), ("beta", "0.3.0")):
        folder = root / "packages" / name
        (folder / name).mkdir(parents=True)
        (folder / name / "__init__.py").write_text(f'"""{name}."""\n', encoding="utf-8")
        text = MEMBER.format(name=name, version=version)
        (folder / "pyproject.toml").write_text(text, encoding="utf-8")
        (folder / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n", encoding="utf-8")
    for stray in ("examples/demo", "tests/fixtures/shape"):
        (root / stray).mkdir(parents=True)
        text = MEMBER.format(name=stray.rsplit("/", 1)[-1], version="9.9.9")
        (root / stray / "pyproject.toml").write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text(ROOT, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Initial commit")
    return root


def release_table(folder: Path) -> dict[str, object]:
    data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    table: dict[str, object] = data["tool"]["release"]
    return table


def test_init_at_the_top_adopts_each_package_with_its_own_tags(tmp_path: Path) -> None:
    root = monorepo(tmp_path)
    strays = {
        p: (root / p / "pyproject.toml").read_bytes()
        for p in ("examples/demo", "tests/fixtures/shape")
    }

    done = release_cli(root, "init", "--write")
    assert done.returncode == 0, done.stderr
    assert "== packages/alpha\n" in done.stdout
    assert "== packages/beta\n" in done.stdout
    assert release_table(root / "packages/alpha")["tag-format"] == "alpha-v{version}"
    assert release_table(root / "packages/beta")["tag-format"] == "beta-v{version}"
    for path, text in strays.items():
        assert (root / path / "pyproject.toml").read_bytes() == text
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == ROOT
    ci = (root / ".github/workflows/ci.yml").read_text(encoding="utf-8")
    assert "working-directory: packages/alpha" in ci
    assert "working-directory: packages/beta" in ci
    assert not (root / "packages/alpha/.github").exists()

    git(root, "add", "-A")
    git(root, "commit", "-qm", "Adopt release-parity")
    adopted = tree_state(root)
    again = release_cli(root, "init", "--write")
    assert again.returncode == 0, again.stderr
    assert tree_state(root) == adopted
    checked = release_cli(root, "parity")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("parity: ")
