"""Mutation test of the drift check: every kind of edit that changes CI is caught.

Each case edits a freshly generated project (the YAML by hand, or the table in a way
that changes CI's shape), then `nox -s parity` must fail with a diff naming the change
and the command that fixes it; after `nox -s parity -- --write` it passes. Edits that
nox reads at run time (a flag, an env var, an install entry) need no regeneration:
`--explain` shows the local session and the CI job both running the new values.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from parity_projects import edit, make_project, nox

LINT = """\
[tool.release.gates.lint]
run = ["ruff check ."]
install = ["ruff"]
python = ["3.11"]
"""
TABLE = (
    """\
[tool.release.ci]
python = ["3.11", "3.12"]

"""
    + LINT
    + """
[tool.release.gates.tests]
run = ["pytest -q"]
install = [".[dev]"]
env = { HYPOTHESIS_MAX_EXAMPLES = "10" }
os = ["ubuntu-latest"]
timeout-minutes = 20
"""
)
DOCS_GATE = '[tool.release.gates.docs]\nrun = ["mkdocs build"]\n'
CI = ".github/workflows/ci.yml"
RELEASE = ".github/workflows/release.yml"
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
Mutation = Callable[[Path], None]


def in_file(relative: str, old: str, new: str) -> Mutation:
    return lambda root: edit(root / relative, old, new)


def delete(relative: str) -> Mutation:
    return lambda root: (root / relative).unlink()


def table(old: str, new: str) -> Mutation:
    return in_file("pyproject.toml", old, new)


def before_ci(tables: str) -> Mutation:
    return table("[tool.release.ci]", f"{tables}\n\n[tool.release.ci]")


def append(relative: str, text: str) -> Mutation:
    def apply(root: Path) -> None:
        (root / relative).write_text((root / relative).read_text() + "\n" + text)

    return apply


EXTRA_STEP = """      - name: also
        run: pytest -x --no-header
  parity:"""
EXTRA_JOB = """\
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy.sh --prod
"""

# (id, the edit, what the error must contain: a line of the diff or a named finding)
MUTATIONS: list[tuple[str, Mutation, list[str]]] = [
    ("yaml-run-line", in_file(CI, 'run: nox -s "lint-$PYTHON"', 'run: ruff check . --exit-zero'),
     ["-        run: ruff check . --exit-zero", '+        run: nox -s "lint-$PYTHON"',
      "job 'lint' runs `ruff check . --exit-zero`, which the table does not produce"]),
    ("yaml-added-step", in_file(CI, "  parity:", EXTRA_STEP),
     ["-        run: pytest -x --no-header",
      "job 'tests' runs `pytest -x --no-header`, which the table does not produce"]),
    ("yaml-added-job", append(CI, EXTRA_JOB),
     ["-  deploy:", "job 'deploy' is not produced by the table (runs: ./deploy.sh --prod)"]),
    ("yaml-pinned-sha", in_file(RELEASE, CHECKOUT, "actions/checkout@" + "0" * 40),
     ["-      - uses: actions/checkout@0000000000000000000000000000000000000000  # v4.2.2",
      f"+      - uses: {CHECKOUT}  # v4.2.2",
      "uses actions/checkout@0000000000000000000000000000000000000000, which the table"]),
    ("yaml-deleted-file", delete(RELEASE),
     [".github/workflows/release.yml is missing", "+++ b/.github/workflows/release.yml",
      "+name: release"]),
    ("table-drop-python", table('python = ["3.11", "3.12"]', 'python = ["3.11"]'),
     ['-        python: ["3.11", "3.12"]', '+        python: ["3.11"]']),
    ("table-change-os", table('os = ["ubuntu-latest"]', 'os = ["macos-latest"]'),
     ["-        os: [ubuntu-latest]", "+        os: [macos-latest]"]),
    ("table-add-gate", append("pyproject.toml", DOCS_GATE),
     ["+  docs:", '+        run: nox -s "docs-$PYTHON"']),
    ("table-rename-gate", table("[tool.release.gates.lint]", "[tool.release.gates.style]"),
     ["-  lint:", "+  style:", '+        run: nox -s "style-$PYTHON"']),
    ("table-remove-gate", table(LINT, ""),
     ["-  lint:", '-        run: nox -s "lint-$PYTHON"']),
    ("table-timeout", table("timeout-minutes = 20", "timeout-minutes = 45"),
     ["-    timeout-minutes: 20", "+    timeout-minutes: 45"]),
    ("table-staging", before_ci('[tool.release.publish]\nstaging = "testpypi"'),
     ["+    needs: [build, verify-testpypi]"]),
    ("table-tag-format", before_ci('[tool.release]\ntag-format = "rel-{version}"'),
     ['-    tags: ["v*"]', '+    tags: ["rel-*"]', "-          TAG_PREFIX: v",
      "+          TAG_PREFIX: rel-"]),
]  # fmt: skip


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("pristine") / "p", TABLE)


def copy_of(pristine: Path, destination: Path) -> Path:
    for path in pristine.rglob("*"):
        if path.is_file() and ".nox" not in path.parts:
            target = destination / path.relative_to(pristine)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    return destination


@pytest.mark.parametrize(
    ("mutate", "named"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS]
)
def test_a_change_to_ci_fails_parity_until_regenerated(
    pristine: Path, tmp_path: Path, mutate: Mutation, named: list[str]
) -> None:
    root = copy_of(pristine, tmp_path / "p")
    assert nox(root, "-s", "parity").returncode == 0
    mutate(root)

    drifted = nox(root, "-s", "parity")
    assert drifted.returncode == 1
    output = drifted.stderr
    assert "error: the workflows do not match the flags table: " in output
    assert "hint: run `nox -s parity -- --write` to regenerate them" in output
    lines = output.splitlines()
    for text in named:  # a diff line exactly; a finding within its line
        assert text in lines if text[0] in "+-" else any(text in line for line in lines), text

    assert nox(root, "-s", "parity", "--", "--write").returncode == 0
    fixed = nox(root, "-s", "parity")
    assert fixed.returncode == 0, fixed.stderr
    assert "match the flags table" in fixed.stdout


def _rows(root: Path) -> dict[str, list[str]]:
    """The explain rows of the `tests` gate: label -> [local, CI] cells (split on 2+ spaces)."""
    out = nox(root, "-s", "parity", "--", "--explain").stdout
    block = out[out.index("gate tests") :].splitlines()[2:8]
    return {line.split()[0]: [c.strip() for c in line[11:].split("   ") if c.strip()]
            for line in block}  # fmt: skip


# (id, the table edit, the explain row it changes, the new value on both sides)
RUNTIME_EDITS = [
    ("pytest-flag", table('run = ["pytest -q"]', 'run = ["pytest -q --maxfail=1"]'),
     "run", "pytest -q --maxfail=1"),
    ("env-var", table('HYPOTHESIS_MAX_EXAMPLES = "10"', 'HYPOTHESIS_MAX_EXAMPLES = "50"'),
     "env", "HYPOTHESIS_MAX_EXAMPLES=50"),
    ("install-entry", table('install = [".[dev]"]', 'install = [".[dev]", "pytest-timeout"]'),
     "install", ".[dev] pytest-timeout"),
]  # fmt: skip


@pytest.mark.parametrize(("mutate", "row", "new"), [m[1:] for m in RUNTIME_EDITS],
                         ids=[m[0] for m in RUNTIME_EDITS])  # fmt: skip
def test_run_time_values_change_both_sides_without_regeneration(
    pristine: Path, tmp_path: Path, mutate: Mutation, row: str, new: str
) -> None:
    root = copy_of(pristine, tmp_path / "p")
    before = _rows(root)
    assert before[row][0] == before[row][1] != new
    workflows = {name: (root / name).read_bytes() for name in (CI, RELEASE)}
    mutate(root)

    passed = nox(root, "-s", "parity")
    assert passed.returncode == 0, passed.stderr  # no regeneration needed
    after = _rows(root)
    assert after[row] == [new, new]  # the local session and the CI job both run it
    assert {k: v for k, v in after.items() if k != row} == {
        k: v for k, v in before.items() if k != row
    }
    assert {name: (root / name).read_bytes() for name in (CI, RELEASE)} == workflows
