"""The flags table as a user meets it: gate sessions, `nox -s check`, detection, explain.

Every case runs real nox (uv venvs) in a real project on disk; the CI side is read
from the generated YAML and its `run:` lines are executed with bash, as a runner would.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import pytest
import yaml
from conftest import git, make_repo, release_cli, run, tree_state
from parity_projects import GITHUB_BASH, edit, make_project, nox

from release import config as config_module
from release import workflows
from release.steps import pipeline

PROBE = """\
import json, os, sys
from importlib.metadata import version

keys = ["PROBE_MODE", "HYPOTHESIS_MAX_EXAMPLES"]
with open(os.environ["PROBE_OUT"], "w") as out:
    json.dump({"argv": sys.argv[1:], "env": {k: os.environ.get(k) for k in keys},
               "iniconfig": version("iniconfig"), "in_venv": sys.prefix != sys.base_prefix}, out)
print("probe ran")
"""
PROBE_COMMAND = 'python probe.py --flag "two words" -k "a and not b"'
PROBE_TABLE = f"""\
[tool.release.ci]
python = ["3.11"]

[tool.release.gates.probe]
run = ['{PROBE_COMMAND}']
install = ["iniconfig==2.0.0"]
env = {{ PROBE_MODE = "ci-exact", HYPOTHESIS_MAX_EXAMPLES = "10" }}
"""


def test_each_gate_is_a_nox_session_per_python(tmp_path: Path) -> None:
    table = """\
[tool.release.ci]
python = ["3.11", "3.12"]

[tool.release.gates.lint]
run = ["python -c 'print(1)'"]
python = ["3.11"]

[tool.release.gates.tests]
run = ["python -c 'print(2)'", "python -c 'print(3)'"]
"""
    root = make_project(tmp_path / "p", table)
    listed = nox(root, "-l", "-s", "tests")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "- lint-3.11 -> gate: python -c 'print(1)'" in lines
    gate_doc = "gate: python -c 'print(2)'; python -c 'print(3)'"
    assert f"* tests-3.11 -> {gate_doc}" in lines  # `tests` selects every python
    assert f"* tests-3.12 -> {gate_doc}" in lines


def test_local_session_and_ci_job_run_the_same_command_env_and_install(tmp_path: Path) -> None:
    """The acceptance test for byte-identity: run the session, then run the job's YAML."""
    root = make_project(tmp_path / "p", PROBE_TABLE, {"probe.py": PROBE})
    local = nox(root, "-s", "probe", PROBE_OUT=str(tmp_path / "local.json"))
    assert local.returncode == 0, local.stderr

    workflow = yaml.safe_load((root / ".github/workflows/ci.yml").read_text())
    assert workflow["defaults"] == {"run": {"shell": "bash"}}
    job = workflow["jobs"]["probe"]
    python = job["strategy"]["matrix"]["python"]
    assert python == ["3.11"]
    ran_in_ci = []
    for step in job["steps"]:
        if "uses" in step:
            continue
        if step["name"] == workflows.INSTALL_STEP:  # the pinned tool: tests/test_tool_pins.py
            assert "-r .github/release-parity.txt" in step["run"]
            continue
        env = {k: str(v).replace("${{ matrix.python }}", python[0]) for k, v in step["env"].items()}
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        ci = run([*GITHUB_BASH, step["run"]], root, **env, PATH=path, CI="true",
                 PROBE_OUT=str(tmp_path / "ci.json"))  # fmt: skip
        assert ci.returncode == 0, ci.stderr
        ran_in_ci.append(ci)
    assert len(ran_in_ci) == 1

    seen_locally = json.loads((tmp_path / "local.json").read_text())
    seen_in_ci = json.loads((tmp_path / "ci.json").read_text())
    assert (
        seen_locally
        == seen_in_ci
        == {
            "argv": shlex.split(PROBE_COMMAND)[2:],
            "env": {"PROBE_MODE": "ci-exact", "HYPOTHESIS_MAX_EXAMPLES": "10"},
            "iniconfig": "2.0.0",
            "in_venv": True,
        }
    )
    for output in (local.stderr, ran_in_ci[0].stderr):
        assert "nox > uv pip install iniconfig==2.0.0" in output
        assert "nox > python probe.py --flag 'two words' -k 'a and not b'" in output


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        ("build", "gate 'build' has the name of a command session or generated job"),
        ("parity", "gate 'parity' has the name of a command session or generated job"),
        ("publish-docs", "gate 'publish-docs' has the name of a command session or generated job"),
        ("type--check", "'type--check' cannot name a nox session and a GitHub job"),
    ],
)
def test_a_gate_name_nox_or_github_cannot_take_is_refused(
    tmp_path: Path, gate: str, message: str
) -> None:
    table = f'[tool.release.gates."{gate}"]\nrun = ["python -V"]\n'
    root = make_project(tmp_path / "p", table, write=False)
    before = tree_state(root)
    for result in (nox(root, "-l"), release_cli(root, "parity", "--write")):
        assert result.returncode == 2
        first, hint = result.stderr.splitlines()[:2]
        assert first == f"error: {root / 'pyproject.toml'}: [tool.release.gates.{gate}]: {message}"
        assert hint.startswith("hint: ")
    assert tree_state(root) == before


def test_a_python_that_is_not_a_version_is_refused(tmp_path: Path) -> None:
    table = '[tool.release.gates.tests]\nrun = ["pytest"]\npython = ["3.12", "3.l3"]\n'
    root = make_project(tmp_path / "p", table, write=False)
    result = release_cli(root, "parity")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {root / 'pyproject.toml'}: [tool.release.gates.tests]: python '3.l3' is not a"
        " Python version",
        'hint: write versions as "3.12" (or "pypy3.10", "3.13t")',
    ]


def test_without_a_table_the_gates_come_from_the_project(tmp_path: Path) -> None:
    table = """\
[project.optional-dependencies]
dev = ["pytest>=8", "mypy>=1.13"]

[tool.ruff]
line-length = 100

[tool.mypy]
strict = true
"""
    root = make_project(tmp_path / "p", table, {"probe_project/__init__.py": ""})
    explained = release_cli(root, "parity", "--explain")
    assert explained.returncode == 0, explained.stderr
    out = explained.stdout
    assert out.startswith("no [tool.release.gates] table: gates detected from pyproject.toml\n")
    assert "gate lint  ([tool.ruff] in pyproject.toml)" in out
    assert "gate format  ([tool.ruff] in pyproject.toml)" in out
    assert "gate mypy  ([tool.mypy] in pyproject.toml)" in out
    assert "gate tests  ('pytest>=8' in extra dev)" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "mypy probe_project" in out  # no `files` in [tool.mypy]: the package is named
    assert rows["install"].split() == ["install", ".[dev]", ".[dev]"]  # last gate: tests
    jobs = yaml.safe_load((root / ".github/workflows/ci.yml").read_text())["jobs"]
    assert list(jobs) == ["lint", "format", "mypy", "tests", "parity"]
    listed = nox(root, "-l")
    assert "* tests-3.13 -> gate: pytest -q" in listed.stdout.splitlines()


def test_a_project_with_no_tools_has_no_gates_and_says_so(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", "")
    explained = release_cli(root, "parity", "--explain")
    assert explained.stdout.startswith("no gates: add [tool.release.gates.<name>] tables")
    jobs = yaml.safe_load((root / ".github/workflows/ci.yml").read_text())["jobs"]
    assert list(jobs) == ["parity"]


def test_explain_reads_ci_from_the_committed_yaml_and_python_from_this_machine(
    tmp_path: Path,
) -> None:
    table = """\
[tool.release.gates.tests]
run = ["pytest -q"]
install = [".[dev]"]
env = { HYPOTHESIS_MAX_EXAMPLES = "10" }
python = ["3.11", "3.99"]
os = ["ubuntu-latest", "macos-latest"]
"""
    root = make_project(tmp_path / "p", table)
    lines = release_cli(root, "parity", "--explain").stdout.splitlines()
    rows = {line.split()[0]: line.split(None, 1)[1] for line in lines[2:]}
    assert lines[0] == "gate tests  ([tool.release.gates.tests])"
    assert lines[1].split() == ["local", "CI", "(.github/workflows/ci.yml)"]
    assert rows["session"].split() == ["nox", "-s", "tests", "nox", "-s", "tests-$PYTHON",
                                       "(job", "tests)"]  # fmt: skip
    assert rows["run"].split() == ["pytest", "-q", "pytest", "-q"]
    assert rows["env"].split() == ["HYPOTHESIS_MAX_EXAMPLES=10"] * 2
    assert rows["python"].split() == ["3.11", "(absent", "here,", "CI", "only:", "3.99)",
                                      "3.11", "3.99"]  # fmt: skip
    assert rows["os"].split()[-2:] == ["ubuntu-latest", "macos-latest"]

    # A hand edit of the YAML's matrix shows in the CI column (and parity catches it).
    edit(root / ".github/workflows/ci.yml", 'python: ["3.11", "3.99"]', 'python: ["3.11"]')
    lines = release_cli(root, "parity", "--explain").stdout.splitlines()
    python_row = next(line for line in lines if line.startswith("  python"))
    assert python_row.split()[-2:] == ["3.99)", "3.11"]


STAMP = """\
import pathlib, sys, time
name = sys.argv[1]
stamps = pathlib.Path("stamps")
stamps.mkdir(exist_ok=True)
(stamps / f"{name}.start").write_text(repr(time.time()))
time.sleep(float(sys.argv[2]))
(stamps / f"{name}.end").write_text(repr(time.time()))
print(f"{name}: all good")
if len(sys.argv) > 3:
    print("boom: this gate fails on purpose")
    sys.exit(3)
"""
CHECK_TABLE = """\
[tool.release.ci]
python = ["3.11", "3.99"]

[tool.release.gates.alpha]
run = ["python stamp.py alpha 2"]

[tool.release.gates.beta]
run = ["python stamp.py beta 2"]
python = ["3.11"]

[tool.release.gates.broken]
run = ["python stamp.py broken 2 fail"]
python = ["3.11"]
"""


def test_check_runs_every_local_gate_and_parity_in_parallel(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", CHECK_TABLE, {"stamp.py": STAMP})
    result = nox(root, "-s", "check")
    assert result.returncode == 1, result.stderr
    assert "note: skipped alpha-3.99: no such Python here; they run in CI" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "check: 3 passed, 1 failed"
    summary = {line.split()[0]: line.split() for line in lines[-5:-1]}
    assert set(summary) == {"parity", "gate:alpha-3.11", "gate:beta-3.11", "gate:broken-3.11"}
    assert summary["gate:alpha-3.11"][1] == "ok"
    assert summary["gate:alpha-3.11"][3:] == ["alpha:", "all", "good"]  # its last line
    assert summary["gate:broken-3.11"][1:2] == ["failed"]
    assert summary["gate:broken-3.11"][3:] == ["boom:", "this", "gate", "fails", "on", "purpose"]
    failure = result.stdout.index("--- gate:broken-3.11 failed: gate broken-3.11 failed (exit 1)")
    assert "boom: this gate fails on purpose" in result.stdout[failure:]
    log = root / ".release/logs/gate-broken-3.11.log"
    assert "boom: this gate fails on purpose" in log.read_text()

    stamps = root / "stamps"
    starts = [float((stamps / f"{n}.start").read_text()) for n in ("alpha", "beta", "broken")]
    ends = [float((stamps / f"{n}.end").read_text()) for n in ("alpha", "beta", "broken")]
    assert max(starts) < min(ends)  # all three gates were running at the same moment


def test_check_fails_on_a_drifted_workflow_even_when_every_gate_passes(tmp_path: Path) -> None:
    table = '[tool.release.ci]\npython = ["3.11"]\n\n[tool.release.gates.ok]\nrun = ["python -V"]\n'
    root = make_project(tmp_path / "p", table)
    assert nox(root, "-s", "check").stdout.splitlines()[-1] == "check: 2 passed, 0 failed"
    edit(root / ".github/workflows/ci.yml", "timeout-minutes: 15", "timeout-minutes: 5")
    result = nox(root, "-s", "check")
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "check: 1 passed, 1 failed"
    assert "--- parity failed: the workflows do not match the flags table" in result.stdout


def test_the_release_runs_parity_and_every_gate_before_bump(tmp_path: Path) -> None:
    root = make_repo("realistic", tmp_path / "enforcecore")
    steps = {step.name: step for step in pipeline(config_module.load(root))}
    assert {"parity", "gate:lint-3.11"} <= set(steps["bump"].requires)
    assert steps["parity"].check  # it runs in a dry run too
    assert not steps["gate:lint-3.11"].check

    edit(root / ".github/workflows/ci.yml", "cancel-in-progress: true", "cancel-in-progress: false")
    git(root, "commit", "-qam", "hand edit")
    before = tree_state(root)
    result = release_cli(root, "release", "1.0.23")
    assert result.returncode == 1
    errors = result.stderr[result.stderr.index("error: ") :].splitlines()
    assert errors[:2] == [
        "error: the workflows do not match the flags table: .github/workflows/ci.yml",
        "hint: run `nox -s parity -- --write` to regenerate them, review the diff, and commit"
        " the result",
    ]
    assert "-  cancel-in-progress: false\n+  cancel-in-progress: true" in result.stderr
    assert tree_state(root) == before


def test_the_realistic_fixture_workflows_match_its_table() -> None:
    """Other tests release this fixture: its committed workflows must stay generated."""
    fixture = Path(__file__).parent / "fixtures" / "realistic"
    result = release_cli(fixture, "parity")
    assert result.returncode == 0, f"{result.stderr}\nfix: cd {fixture} && nox -s parity -- --write"
