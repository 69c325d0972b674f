"""Installs CI makes in several steps carry over whole: `uv sync --all-extras
--no-install-project` then the project (PyPSA's shape), and a `name @ url` requirement
(pydantic's shape) stays one pip argument."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from release import config, gate_table
from release.adoption import ci_sources
from release.config import Gate

PYPROJECT = """\
[project]
name = "grids"
version = "1.0.0"
requires-python = ">=3.12"
dependencies = ["numpy"]

[project.optional-dependencies]
hdf5 = ["tables"]
dev = ["pytest"]

[dependency-groups]
lint = ["ruff"]
docs = ["sphinx"]
"""

WORKFLOW = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-python@v6
        with:
          python-version: "3.12"
      - run: |
          python -m pip install uv
          uv sync {sync} --no-install-project
          uv pip install -e .
      - run: uv run pytest
"""


def gates(root: Path, workflow: str) -> dict[str, Gate]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    path = root / ".github/workflows/tests.yml"
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(workflow), encoding="utf-8")
    return {found.gate.name: found.gate for found in ci_sources.read(config.load(root)).gates}


@pytest.mark.parametrize(
    ("sync", "install"),
    [
        ("--all-extras", ("-e .[hdf5,dev]",)),
        ("--extra hdf5", ("-e .[hdf5]",)),
        ("--extra=dev --group docs", ("-e .[dev]", "--group docs")),
        ("--all-groups", ("-e .", "--group lint", "--group docs")),
    ],
)
def test_uv_sync_options_reach_the_project_installed_later(
    tmp_path: Path, sync: str, install: tuple[str, ...]
) -> None:
    assert gates(tmp_path, WORKFLOW.format(sync=sync))["tests"].install == install


def test_a_requirement_with_a_url_is_one_install_argument(tmp_path: Path) -> None:
    workflow = WORKFLOW.format(sync="").replace(
        "uv pip install -e .",
        "uv pip install 'typing-extensions @ git+https://github.com/python/typing_extensions.git'",
    )
    gate = gates(tmp_path, workflow)["tests"]
    url = "typing-extensions @ git+https://github.com/python/typing_extensions.git"
    assert gate.install == ("-e .", url)
    arguments = gate_table.install_args(config.load(tmp_path), gate)
    assert arguments == ["-e", ".", url]


VARIANTS = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.12", "3.13", "3.14"]
    steps:
      - uses: actions/setup-python@v6
        with:
          python-version: ${{ matrix.python-version }}
      - run: uv run pytest --cov=grids
  test-new-api:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.12", "3.13", "3.14"]
    steps:
      - uses: actions/setup-python@v6
        with:
          python-version: ${{ matrix.python-version }}
      - run: uv run pytest --new-api --cov=grids
  test-plots:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v6
        with:
          python-version: "3.13"
      - run: uv run pytest --run-plot-tests
  docs:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v6
        with:
          python-version: "3.13"
      - run: uv run pytest test/test_docs.py --cov=grids
"""


def test_variant_gates_are_named_for_what_differs(tmp_path: Path) -> None:
    first = gates(tmp_path / "a", VARIANTS)
    assert {name: gate.python for name, gate in first.items()} == {
        "tests": ("3.12", "3.13", "3.14"),
        "tests-new-api": ("3.12", "3.13", "3.14"),
        "tests-run-plot-tests": ("3.13",),
        "tests-test-docs": ("3.13",),
    }
    assert list(gates(tmp_path / "b", VARIANTS)) == list(first)  # the same on a re-read
