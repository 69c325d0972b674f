"""Gates read from a project's own CI: workflows, scripts, Makefile, tox, nox, pre-commit.

Each case writes a small project in the shape real projects have (a uv project whose CI
calls scripts/, a poetry project whose CI calls make, tox with factors and dependency
groups, a noxfile, pre-commit.ci) and checks the gates exactly: command and flags, env,
install, Pythons, OSes, and where each came from.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import git, release_cli
from parity_projects import nox

from release import config, gate_table
from release.adoption import ci_installs, ci_sources
from release.config import Gate
from release.errors import ConfigError

PROJECT = """\
[project]
name = "shapes"
version = "1.0.0"
requires-python = ">=3.10"
classifiers = [
    "Programming Language :: Python :: 3.10",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
]
"""


def project(root: Path, files: Mapping[str, str], extra: str = "") -> config.Config:
    """A project with `files` (dedented) and pyproject.toml = PROJECT + `extra`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PROJECT + textwrap.dedent(extra), encoding="utf-8")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        if relative.startswith("scripts/"):
            path.chmod(0o755)
    return config.load(root)


def committed(root: Path) -> Path:
    """The project as a git repository with one commit (init reads the version from git)."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Initial commit")
    return root


def gates(loaded: config.Config) -> dict[str, Gate]:
    return {found.gate.name: found.gate for found in ci_sources.read(loaded).gates}


UV_WORKFLOW = """\
name: tests
on:
  push:
    branches: [main]
  pull_request:
env:
  FORCE_COLOR: "1"
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        python-version: ["3.10", "3.12"]
        os: [ubuntu-latest, windows-latest]
        exclude:
          - {os: windows-latest, python-version: "3.10"}
    env:
      TOKEN: ${{ secrets.TOKEN }}
    steps:
      - uses: actions/checkout@v4
      - uses: astral-sh/setup-uv@v6
        with:
          python-version: ${{ matrix.python-version }}
      - run: uv sync --frozen
      - name: Run tests
        run: uv run --group test pytest tests/ -v -m "not slow"
        env:
          HYPOTHESIS_PROFILE: ci
"""


def test_a_uv_job_becomes_a_gate_with_its_flags_env_groups_pythons_and_oses(
    tmp_path: Path,
) -> None:
    groups = '[dependency-groups]\ndev = ["pytest>=8"]\ntest = ["hypothesis"]\n'
    loaded = project(tmp_path / "p", {".github/workflows/tests.yml": UV_WORKFLOW}, groups)
    reading = ci_sources.read(loaded)
    assert [found.gate for found in reading.gates] == [
        Gate(
            "tests",
            ("pytest tests/ -v -m 'not slow'",),
            ("-e .", "--group dev", "--group test"),
            {"FORCE_COLOR": "1", "HYPOTHESIS_PROFILE": "ci"},  # the secret is not carried
            ("3.10", "3.12"),
            ("ubuntu-latest", "windows-latest"),
        )
    ]
    assert reading.gates[0].origin == "`.github/workflows/tests.yml` job `test` step `Run tests`"
    assert reading.python == ("3.10", "3.12")


SCRIPTS_WORKFLOW = """\
on: [push, pull_request]
jobs:
  tests:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.11", "3.12"]
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: "${{ matrix.python-version }}"
      - name: Install dependencies
        run: scripts/install
      - name: Run linting checks
        run: scripts/check
        if: ${{ matrix.python-version != '3.12' }}
      - name: Build
        run: scripts/build
      - name: Run tests
        run: scripts/test
      - name: Enforce coverage
        run: scripts/coverage
"""
SCRIPTS = {
    "scripts/install": """\
        #!/bin/sh -e
        if [ -z "$GITHUB_ACTIONS" ]; then
            python -m venv venv
            PIP="venv/bin/pip"
        else
            PIP="pip"
        fi
        "$PIP" install -U pip
        "$PIP" install -r requirements.txt
        """,
    "scripts/check": """\
        #!/bin/sh -e
        export PREFIX=""
        if [ -d 'venv' ] ; then
            export PREFIX="venv/bin/"
        fi
        export SOURCE_FILES="shapes tests"
        set -x
        ./scripts/sync-version
        ${PREFIX}ruff format $SOURCE_FILES --diff
        ${PREFIX}mypy $SOURCE_FILES
        ${PREFIX}ruff check $SOURCE_FILES
        """,
    "scripts/sync-version": """\
        #!/bin/sh -e
        VERSION=$(grep -o -E '[0-9.]+' shapes/__init__.py | head -1)
        test "$VERSION" = "1.0.0"
        """,
    "scripts/build": "#!/bin/sh -e\npython -m build\ntwine check dist/*\n",
    "scripts/test": """\
        #!/bin/sh
        set -ex
        if [ -z $GITHUB_ACTIONS ]; then
            scripts/check
        fi
        export COVERAGE_PROCESS_START=$(pwd)/pyproject.toml
        ${PREFIX}coverage run -m pytest "$@"
        """,
    "scripts/coverage": "#!/bin/sh -e\ncoverage report --show-missing --fail-under=100\n",
    "requirements.txt": "-e .\npytest==8.3.0\ncoverage==7.6.0\n",
}


def test_scripts_ci_calls_are_followed_to_each_check(tmp_path: Path) -> None:
    files = {".github/workflows/test-suite.yml": SCRIPTS_WORKFLOW, **SCRIPTS}
    found = ci_sources.read(project(tmp_path / "p", files)).gates
    rows = [(f.gate.name, f.gate.run, f.gate.install, f.gate.python) for f in found]
    install = ("-r requirements.txt",)
    assert rows == [
        # a script that computes with $(...) is run as the script itself: exactly what CI runs
        ("sync-version", ("./scripts/sync-version",), install, ("3.11",)),
        ("format", ("ruff format shapes tests --diff",), install, ("3.11",)),
        ("mypy", ("mypy shapes tests",), install, ("3.11",)),
        ("lint", ("ruff check shapes tests",), install, ("3.11",)),
        # the coverage report reads the test run's data: it runs in the same gate, after it
        (
            "tests",
            ("coverage run -m pytest", "coverage report --show-missing --fail-under=100"),
            install,
            ("3.11", "3.12"),
        ),
    ]
    assert found[-1].gate.env == {"COVERAGE_PROCESS_START": "./pyproject.toml"}
    assert found[1].origin == (
        "`.github/workflows/test-suite.yml` job `tests` step `Run linting checks` via scripts/check"
    )


POETRY = """\
[tool.poetry.dependencies]
python = ">=3.10"

[tool.poetry.group.dev.dependencies]
pytest = "^7.2.0"
black = "~22.6"
attrs = { version = "^0.21", extras = ["tests"], python = ">=3.11" }

[tool.poetry.group.docs]
optional = true

[tool.poetry.group.docs.dependencies]
sphinx = "*"
"""
MAKE_WORKFLOW = """\
on: [pull_request]
jobs:
  build:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
        python-version: ["3.8", "3.11"]
    defaults:
      run:
        shell: bash
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - uses: snok/install-poetry@v1
      - name: Install dependencies
        run: poetry install
        if: steps.cache.outputs.cache-hit != 'true'
      - name: Typecheck
        run: |
          source $VENV
          make typecheck
      - name: Test with pytest
        run: |
          source $VENV
          pytest tests -v --cov=./shapes --cov-report=xml:./coverage.xml
"""
MAKEFILE = """\
PACKAGE = shapes
.PHONY: typecheck
typecheck: format-check
\tmypy -p $(PACKAGE) --no-incremental
format-check:
\t@black --check .
"""


def test_a_make_target_and_poetry_groups_carry_over(tmp_path: Path) -> None:
    files = {".github/workflows/pythonpackage.yml": MAKE_WORKFLOW, "Makefile": MAKEFILE}
    reading = ci_sources.read(project(tmp_path / "p", files, POETRY))
    found = {f.gate.name: f for f in reading.gates}
    assert list(found) == ["format", "mypy", "tests"]
    assert found["mypy"].gate.run == ("mypy -p shapes --no-incremental",)
    assert found["mypy"].origin.endswith("step `Typecheck` via Makefile target `typecheck`")
    assert found["tests"].gate.run == (
        "pytest tests -v --cov=./shapes --cov-report=xml:./coverage.xml",
    )
    for gate in (f.gate for f in reading.gates):
        assert gate.install == ("-e .", "--group dev")  # poetry install: non-optional groups
        assert gate.python == ("3.11",)  # GitHub no longer offers 3.8, requires-python >=3.10
        assert gate.os == ("ubuntu-latest", "macos-latest")
    assert "gate `tests`: CI's 3.8 left out" in "\n".join(reading.notes)
    args = gate_table.install_args(config.load(tmp_path / "p"), found["tests"].gate)
    assert args == [
        "-e",
        ".",
        "pytest>=7.2.0,<8.0.0",
        "black>=22.6,<22.7.0",
        'attrs[tests]>=0.21,<0.22.0; python_version >= "3.11"',
    ]


TOX_INI = """\
[tox]
env_list =
    lint,
    py3{10,11,12}-tests
    py312-tests-slow

[testenv]
package = wheel
dependency_groups =
    tests: test
deps =
    coverage
    slow: pytest-timeout
set_env =
    PYTHONWARNINGS = d
    slow: SLOW = 1
commands =
    tests: coverage run -m pytest {posargs:-n auto} --basetemp={envtmpdir}
    slow: pytest -m slow

[testenv:lint]
skip_install = true
deps = ruff
commands = ruff check --exit-non-zero-on-fix {toxinidir}/src
"""
TOX_WORKFLOW = """\
on: [push]
jobs:
  tests:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.10", "3.11", "3.12"]
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: python -m pip install tox
      - run: tox run -f tests
        env:
          TOX_SKIP_MISSING_INTERPRETERS: "false"
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: pipx run tox -e lint
"""


def test_tox_envs_are_read_with_factors_groups_deps_and_set_env(tmp_path: Path) -> None:
    groups = '[dependency-groups]\ntest = ["pytest", "pytest-xdist"]\n'
    files = {".github/workflows/ci.yml": TOX_WORKFLOW, "tox.ini": TOX_INI}
    found = gates(project(tmp_path / "p", files, groups))
    assert found == {
        "tests": Gate(
            "tests",
            ("coverage run -m pytest -n auto --basetemp=.nox/tests-tmp",),
            (".", "--group test", "coverage"),
            {"PYTHONWARNINGS": "d"},
            ("3.10", "3.11", "3.12"),
            ("ubuntu-latest",),
        ),
        "tests-slow": Gate(
            "tests-slow",
            ("coverage run -m pytest -n auto --basetemp=.nox/tests-slow-tmp", "pytest -m slow"),
            (".", "--group test", "coverage", "pytest-timeout"),
            {"PYTHONWARNINGS": "d", "SLOW": "1"},
            ("3.12",),
            ("ubuntu-latest",),
        ),
        # no Python in the job: the newest the project declares; [testenv]'s set_env applies
        "lint": Gate(
            "lint",
            ("ruff check --exit-non-zero-on-fix ./src",),
            ("ruff",),
            {"PYTHONWARNINGS": "d"},
            ("3.12",),
            ("ubuntu-latest",),
        ),
    }


TOX_TOML = """\
[tool.tox]
env_list = ["py3.12", "py3.11", "typing"]

[tool.tox.env_run_base]
dependency_groups = ["tests"]
commands = [["pytest", "-v", {replace = "posargs", default = ["tests"], extend = true}]]

[tool.tox.env.typing]
dependency_groups = ["typing"]
skip_install = true
commands = [["mypy"], ["pyright", "--verifytypes", "shapes"]]

[dependency-groups]
tests = ["pytest"]
typing = ["mypy", "pyright"]
"""
TOX_ENV_WORKFLOW = """\
on: {pull_request: {}}
jobs:
  tests:
    runs-on: ${{ matrix.os || 'ubuntu-latest' }}
    strategy:
      matrix:
        include:
          - {python: '3.12'}
          - {python: '3.11'}
          - {name: Mac, python: '3.12', os: macos-latest}
          - {name: Typing, python: '3.12', tox: typing}
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - run: uv run --locked --no-default-groups --group dev tox run
        env:
          TOX_ENV: ${{ matrix.tox || format('py{0}', matrix.python) }}
"""


def test_tox_toml_env_chosen_by_a_matrix_expression(tmp_path: Path) -> None:
    files = {".github/workflows/tests.yaml": TOX_ENV_WORKFLOW}
    found = gates(project(tmp_path / "p", files, TOX_TOML))
    assert found["tests"] == Gate(
        "tests",
        ("pytest -v tests",),
        (".", "--group tests"),
        {},
        ("3.11", "3.12"),
        ("ubuntu-latest", "macos-latest"),
    )
    assert found["typing"].run == ("mypy", "pyright --verifytypes shapes")
    assert found["typing"].install == ("--group typing",)
    assert found["typing"].python == ("3.12",)


NOXFILE = """\
import nox

LOCATIONS = ["src", "tests"]
nox.options.sessions = ["tests", "lint"]


@nox.session(python=["3.11", "3.12"])
def tests(session):
    session.install("-e", ".[test]")
    session.run("pytest", "-q", *LOCATIONS, *session.posargs, env={"MODE": "ci"})


@nox.session
def lint(session):
    session.install("ruff")
    session.run("ruff", "check", *LOCATIONS)


@nox.session(python="3.12", default=False)
def docs(session):
    session.run("sphinx-build", "docs", session.create_tmp())
"""
NOX_WORKFLOW = """\
on: [pull_request]
jobs:
  nox:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        session: [tests-3.12, lint]
    steps:
      - run: pip install nox
      - run: nox -s ${{ matrix.session }}
"""


def test_nox_sessions_are_read_from_the_syntax_tree(tmp_path: Path) -> None:
    files = {".github/workflows/nox.yml": NOX_WORKFLOW, "noxfile.py": NOXFILE}
    found = gates(project(tmp_path / "p", files))
    assert found == {
        "tests": Gate(
            "tests",
            ("pytest -q src tests",),
            ("-e .[test]",),
            {"MODE": "ci"},
            ("3.12",),
            ("ubuntu-latest",),
        ),
        "lint": Gate(
            "lint", ("ruff check src tests",), ("ruff",), {}, ("3.12",), ("ubuntu-latest",)
        ),
    }
    # Without a workflow, nox's default sessions are what CI runs, on their own Pythons.
    (tmp_path / "p/.github/workflows/nox.yml").unlink()
    alone = gates(config.load(tmp_path / "p"))
    assert alone["tests"].python == ("3.11", "3.12")
    assert set(alone) == {"tests", "lint"}


PRE_COMMIT = """\
ci:
  autoupdate_schedule: monthly
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.8.0
    hooks:
      - id: ruff
      - id: ruff-format
"""


def test_pre_commit_ci_becomes_a_lint_gate(tmp_path: Path) -> None:
    reading = ci_sources.read(project(tmp_path / "p", {".pre-commit-config.yaml": PRE_COMMIT}))
    assert [(f.gate.name, f.gate.run, f.gate.install) for f in reading.gates] == [
        ("lint", ("pre-commit run --all-files",), ("pre-commit",))
    ]
    assert reading.gates[0].origin == "`.pre-commit-config.yaml` (2 hooks: ruff, ruff-format)"


def test_what_only_the_runner_knows_is_reported_not_guessed(tmp_path: Path) -> None:
    workflow = """\
        on: [push]
        jobs:
          check:
            runs-on: ubuntu-latest
            steps:
              - run: pytest --token ${{ secrets.TOKEN }}
              - run: pytest -k "$(cat selection.txt)"
              - run: ruff check .
        """
    broken = "on: [push]\njobs:\n  x: [unclosed\n"
    files = {".github/workflows/check.yml": workflow, ".github/workflows/broken.yml": broken}
    reading = ci_sources.read(project(tmp_path / "p", files))
    assert [f.gate.run for f in reading.gates] == [("ruff check .",)]
    notes = "\n".join(reading.notes)
    assert notes.startswith(".github/workflows/broken.yml is not readable YAML (")
    assert "): skipped" in notes
    assert (
        "`.github/workflows/check.yml` job `check` step `pytest --token ${{ secrets.TOKEN }}`:"
        " `${{ secrets.TOKEN }}` is known only to the runner: not carried over"
    ) in notes
    assert "a command substitution: known only when it runs; not carried over" in notes


def test_a_requires_python_that_excludes_every_ci_python_is_a_clear_error(
    tmp_path: Path,
) -> None:
    root = tmp_path / "p"
    project(root, {".github/workflows/tests.yml": UV_WORKFLOW})
    (root / "pyproject.toml").write_text(
        PROJECT.replace(">=3.10", ">=3.13"), encoding="utf-8"
    )  # CI tests 3.10 and 3.12
    with pytest.raises(ConfigError) as raised:
        ci_sources.read(config.load(root))
    assert raised.value.message == (
        "pyproject.toml: requires-python excludes every Python CI runs `tests` on (3.10, 3.12;"
        " `.github/workflows/tests.yml` job `test` step `Run tests`)"
    )
    result = release_cli(committed(root), "init")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-2:] == [
        f"error: {raised.value.message}",
        "hint: make requires-python admit the Pythons your CI tests, or fix the CI matrix",
    ]


# --- installs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "specifier"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0", ">=0,<1.0.0"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1", ">=1,<2.0.0"),
        ("1.4", "==1.4"),
        (">=2.1, <3", ">=2.1,<3"),
        ("*", ""),
    ],
)
def test_poetry_constraints_become_pep_508(constraint: str, specifier: str) -> None:
    assert ci_installs.poetry_specifier(constraint) == specifier


def test_groups_expand_with_include_group_and_the_project_s_own_extras() -> None:
    data = {
        "project": {"name": "Shapes"},
        "dependency-groups": {
            "test": ["pytest", {"include-group": "typing"}, "shapes[fast]"],
            "typing": ["mypy"],
        },
    }
    assert ci_installs.expand(["-e .", "--group test"], data, "here") == [
        "-e",
        ".[fast]",
        "pytest",
        "mypy",
    ]
    with pytest.raises(ConfigError) as raised:
        ci_installs.expand(["--group docs"], data, "pyproject.toml: [tool.release.gates.x]")
    assert raised.value.message == (
        "pyproject.toml: [tool.release.gates.x]: install names the group 'docs', which"
        " pyproject.toml does not declare"
    )
    assert raised.value.hint.endswith("declared: test, typing")


def test_uv_sync_installs_the_project_and_its_default_groups() -> None:
    data = {
        "dependency-groups": {"dev": ["pytest"], "docs": ["sphinx"], "lint": ["ruff"]},
        "tool": {"uv": {"default-groups": ["dev", "docs"]}},
    }
    assert ci_installs.uv_needs(data, []).entries() == ("-e .", "--group dev", "--group docs")
    assert ci_installs.uv_needs(data, ["--no-default-groups", "--group", "lint"]).entries() == (
        "-e .",
        "--group lint",
    )
    assert ci_installs.uv_needs(data, ["--only-group", "lint"]).entries() == ("--group lint",)


def test_a_lock_file_pins_what_the_gate_installs(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text(
        textwrap.dedent("""\
        version = 1
        [[package]]
        name = "shapes"
        version = "1.0.0"
        source = { editable = "." }
        [[package]]
        name = "iniconfig"
        version = "2.0.0"
        source = { registry = "https://pypi.org/simple" }
        [[package]]
        name = "Docutils"
        version = "0.21"
        source = { registry = "https://pypi.org/simple" }
        resolution-markers = ["python_full_version < '3.11'"]
        [[package]]
        name = "docutils"
        version = "0.22"
        source = { registry = "https://pypi.org/simple" }
        resolution-markers = ["python_full_version >= '3.11'"]
        """),
        encoding="utf-8",
    )
    assert ci_installs.lock_constraints(tmp_path, "shapes") == (
        "uv.lock",
        (
            "docutils==0.21 ; (python_full_version < '3.11')",
            "docutils==0.22 ; (python_full_version >= '3.11')",
            "iniconfig==2.0.0",
        ),
    )


PROBE = """\
import importlib.metadata, pathlib
pathlib.Path("seen.txt").write_text(importlib.metadata.version("iniconfig"))
"""


@pytest.mark.parametrize("backend", ["uv", "virtualenv"])
def test_a_gate_session_installs_a_dependency_group_with_uv_and_with_pip(
    tmp_path: Path, backend: str
) -> None:
    """`--group` is expanded by release-parity: any uv and any pip install it."""
    table = """\
        [dependency-groups]
        probe = ["iniconfig==2.0.0"]

        [tool.release.ci]
        python = ["3.11"]

        [tool.release.gates.probe]
        run = ["python probe.py"]
        install = ["--group probe"]
        """
    root = tmp_path / "p"
    project(
        root,
        {
            "probe.py": PROBE,
            "noxfile.py": "from release.adapters.nox_sessions import register\n\nregister()\n",
        },
        table,
    )
    result = nox(root, "-s", "probe", "--force-venv-backend", backend)
    assert result.returncode == 0, result.stderr
    installer = "uv pip install" if backend == "uv" else "python -m pip install"
    assert f"nox > {installer} iniconfig==2.0.0" in result.stderr
    assert (root / "seen.txt").read_text() == "2.0.0"


# --- init and explain ----------------------------------------------------------------------


def test_init_proposes_the_ci_gates_and_compares_each_job(tmp_path: Path) -> None:
    groups = '[dependency-groups]\ndev = ["pytest>=8"]\ntest = ["hypothesis"]\n'
    root = tmp_path / "p"
    project(root, {".github/workflows/tests.yml": UV_WORKFLOW}, groups)
    result = release_cli(committed(root), "init")
    assert result.returncode == 0, result.stderr
    assert (
        "note: your job `test` (.github/workflows/tests.yml) runs `uv run --group test pytest"
        " tests/ -v -m 'not slow'`; gate `tests` runs the same"
    ) in result.stderr.splitlines()
    proposed = result.stdout
    assert '+[tool.release.ci]\n+python = [\n+    "3.10",\n+    "3.12",\n+]' in proposed
    assert "+[tool.release.gates.tests]\n+run = [\"pytest tests/ -v -m 'not slow'\"]" in proposed


def test_a_job_that_differs_from_the_table_is_named_with_the_difference(tmp_path: Path) -> None:
    table = """\
        [dependency-groups]
        test = ["pytest"]

        [tool.release.gates.tests]
        run = ["pytest tests -q"]
        install = ["-e .", "--group test"]
        """
    workflow = """\
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - run: uv run python -m pytest ./tests/ -v
              - run: ruff check .
        """
    root = tmp_path / "p"
    project(root, {".github/workflows/main.yml": workflow}, table)
    result = release_cli(committed(root), "init")
    notes = [line for line in result.stderr.splitlines() if "your job" in line]
    assert notes == [
        "note: your job `test` (.github/workflows/main.yml) runs `uv run python -m pytest"
        " ./tests/ -v`; gate `tests` runs `pytest tests -q`: differs: only in your job: -v;"
        " only in the gate: -q",
        "note: your job `test` (.github/workflows/main.yml) runs `ruff check .`; no gate runs"
        " `ruff check`",
    ]


def test_explain_shows_each_gate_beside_the_ci_step_it_came_from(tmp_path: Path) -> None:
    files = {".github/workflows/test-suite.yml": SCRIPTS_WORKFLOW, **SCRIPTS}
    root = tmp_path / "p"
    project(root, files)
    lines = release_cli(root, "parity", "--explain").stdout.splitlines()
    assert lines[0] == "no [tool.release.gates] table: gates detected from the project's CI"
    assert (
        "gate mypy  (`.github/workflows/test-suite.yml` job `tests` step `Run linting checks`"
        " via scripts/check)"
    ) in lines
    # With a table, the origin is read again from the hand-written workflow.
    (root / "pyproject.toml").write_text(
        PROJECT + '\n[tool.release.gates.mypy]\nrun = ["mypy shapes"]\n', encoding="utf-8"
    )
    lines = release_cli(root, "parity", "--explain").stdout.splitlines()
    assert lines[0] == (
        "gate mypy  ([tool.release.gates.mypy], from `.github/workflows/test-suite.yml` job"
        " `tests` step `Run linting checks` via scripts/check)"
    )


HATCH = """\
[tool.hatch.envs.default]
dependencies = ["pytest"]

[tool.hatch.envs.default.scripts]
test = "pytest {args:tests}"
cov = ["test --cov=shapes", "coverage report"]

[tool.hatch.envs.types]
template = "types"
dependencies = ["mypy"]
features = ["typing"]

[tool.hatch.envs.types.scripts]
check = "mypy --strict {args}"
"""
JUSTFILE = """\
src := "shapes"

lint:
    ruff check {{src}}

types: lint
    hatch run types:check {{src}}
"""
HATCH_WORKFLOW = """\
on: [push]
jobs:
  checks:
    runs-on: ubuntu-latest
    steps:
      - run: pipx install hatch
      - run: hatch run cov
      - run: just types
"""


def test_hatch_scripts_and_just_recipes_are_followed(tmp_path: Path) -> None:
    files = {".github/workflows/ci.yml": HATCH_WORKFLOW, "justfile": JUSTFILE}
    reading = ci_sources.read(project(tmp_path / "p", files, HATCH))
    found = {f.gate.name: (f.gate.run, f.gate.install) for f in reading.gates}
    assert found == {
        # `{args:tests}`: the arguments given replace the default
        "tests": (("pytest --cov=shapes", "coverage report"), ("-e .", "pytest")),
        "lint": (("ruff check shapes",), ("ruff",)),
        "mypy": (("mypy --strict shapes",), ("-e .[typing]", "mypy")),
    }
    origins = {f.gate.name: f.origin for f in reading.gates}
    assert origins["mypy"] == (
        "`.github/workflows/ci.yml` job `checks` step `just types` via justfile target `types`"
        " via hatch env `types:check`"
    )


def test_init_names_an_unreadable_workflow_and_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "p"
    files = {
        ".github/workflows/broken.yml": "on: [push]\njobs:\n  x: [unclosed\n",
        ".github/workflows/line.yml": "just a line\n",
        ".github/workflows/odd.yml": "on: push\njobs:\n  t:\n    steps: run pytest\n",
        ".github/workflows/tests.yml": UV_WORKFLOW,
    }
    project(root, files, '[dependency-groups]\ndev = ["pytest"]\ntest = ["hypothesis"]\n')
    result = release_cli(committed(root), "init")
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "broken.yml" in line]
    assert len(notes) == 1
    assert notes[0].startswith("note: .github/workflows/broken.yml is not readable YAML (")
    assert "note: .github/workflows/line.yml has no jobs: skipped" in result.stderr
    assert "internal error" not in result.stderr
    assert "+[tool.release.gates.tests]" in result.stdout


@pytest.mark.parametrize(
    ("argv", "command", "requirements"),
    [
        (["uvx", "nox", "-s", "pylint"], ["nox", "-s", "pylint"], ()),  # cibuildwheel's lint
        (["uvx", "--with", "rich", "nox"], ["nox"], ("rich",)),
        (
            ["uv", "run", "--no-sync", "-m", "test.projects", "x"],
            ["python", "-m", "test.projects", "x"],
            (),
        ),
    ],
)
def test_uvx_and_uv_run_give_the_command_they_run(
    argv: list[str], command: list[str], requirements: tuple[str, ...]
) -> None:
    unwrapped, needs = ci_sources.unwrap(argv, {})
    assert unwrapped == command
    assert (needs.requirements if needs else ()) == requirements


def test_a_here_document_is_data_not_commands(tmp_path: Path) -> None:
    """cibuildwheel's shape: a step writes a file with `cat <<EOF`, then runs the tests."""
    workflow = """\
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: |
                  cat > sample/cibw.toml <<EOF
                  [tool.cibuildwheel]
                  build = "cp313-*"
                  EOF
                  pytest -q tests
        """
    found = gates(project(tmp_path / "p", {".github/workflows/ci.yml": workflow}))
    assert [gate.run for gate in found.values()] == [("pytest -q tests",)]
