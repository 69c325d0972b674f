"""Workflows at the top of a repository that holds several packages.

A hand-written repository with two packages (packages/a tags `a-v{version}`, packages/b
tags `b-v{version}`) gets one ci.yml and one release.yml at its top, whichever package
writes them: each gate job runs in its package's folder when a change touches that
package, each tag releases only its package, the publish environments come from the
tables. They pass GitHub's schema, zizmor (both personas) and actionlint; the drift check
of either package catches a hand edit in the other's part, and `--write` heals it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import git, release_cli, run, tool, tree_state
from parity_projects import GITHUB_BASH, NOXFILE, edit

CI = ".github/workflows/ci.yml"
RELEASE = ".github/workflows/release.yml"
COMMIT = ("-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q")
ALPHA = """\
[project]
name = "alpha"
version = "0.1.0"

[tool.release]
tag-format = "a-v{version}"

[tool.release.publish]
environments = { pypi = "pypi-production" }

[tool.release.gates.tests]
run = ["pytest -q"]
install = ["."]
python = ["3.12"]
"""
BETA = """\
[project]
name = "beta"
version = "0.2.0"
dependencies = ["alpha>=0.1"]

[tool.release]
tag-format = "b-v{version}"
paths = ["../../uv.lock"]

[tool.release.publish]
staging = "testpypi"

[tool.release.gates.tests]
run = ["pytest -q"]
python = ["3.11", "3.12"]

[tool.release.gates.lint]
run = ["ruff check ."]
"""


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, *COMMIT, "-m", message)


def monorepo(root: Path, packages: dict[str, str], *, write: bool = True) -> Path:
    """A git repository with a package in each `packages/<folder>`, the workflows written
    from packages/a as a user would (`parity --write`), all committed."""
    for folder, pyproject in packages.items():
        (root / "packages" / folder).mkdir(parents=True)
        (root / "packages" / folder / "pyproject.toml").write_text(pyproject)
        (root / "packages" / folder / "noxfile.py").write_text(NOXFILE)
    (root / "uv.lock").write_text("version = 1\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "packages")
    if write:
        written = release_cli(root / "packages" / "a", "parity", "--write")
        assert written.returncode == 0, written.stderr
        commit(root, "workflows")
    return root


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return monorepo(tmp_path_factory.mktemp("mono"), {"a": ALPHA, "b": BETA})


@pytest.fixture(scope="module")
def lone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The only package of its repository, in a folder."""
    return monorepo(tmp_path_factory.mktemp("lone"), {"a": ALPHA})


def load(root: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / name).read_text())
    return data


def files(*roots: Path) -> list[str]:
    return [str(root / name) for root in roots for name in (CI, RELEASE)]


def test_the_workflows_are_written_at_the_top_of_the_repository(repository: Path) -> None:
    assert sorted(p.relative_to(repository).as_posix() for p in repository.rglob(".github/*")) == [
        ".github/release-parity.txt",
        ".github/workflows",
    ]
    assert {p.name for p in (repository / ".github/workflows").iterdir()} == {
        "ci.yml",
        "release.yml",
    }
    for package in ("a", "b"):
        result = release_cli(repository / "packages" / package, "parity")
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"parity: {CI} and {RELEASE} match the flags table\n"


def test_the_workflows_validate_against_githubs_schema(repository: Path, lone: Path) -> None:
    argv = [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    result = run([*argv, *files(repository, lone)], repository)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing(repository: Path, lone: Path, persona: str) -> None:
    argv = [tool("zizmor"), "--offline", "--persona", persona, "--format", "json"]
    result = run([*argv, *files(repository, lone)], repository)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_actionlint_finds_nothing(repository: Path, lone: Path) -> None:
    result = run([tool("actionlint"), "-shellcheck=", *files(repository, lone)], repository)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def _runs(job: dict[str, Any]) -> dict[str, str]:
    """Each `run:` step's command -> the folder it runs in ('' at the top)."""
    return {s["run"]: s.get("working-directory", "") for s in job["steps"] if "run" in s}


def test_ci_runs_each_packages_gates_in_its_folder_when_it_changed(repository: Path) -> None:
    jobs = load(repository, CI)["jobs"]
    assert list(jobs) == ["changes", "alpha-tests", "beta-tests", "beta-lint", "parity"]
    assert jobs["changes"]["outputs"] == {
        "alpha": "${{ steps.changed.outputs.alpha }}",
        "beta": "${{ steps.changed.outputs.beta }}",
    }
    for job_id, folder in (("alpha-tests", "a"), ("beta-tests", "b"), ("beta-lint", "b")):
        job, package = jobs[job_id], job_id.split("-")[0]
        assert job["needs"] == ["changes"]
        assert job["if"] == f"needs.changes.outputs.{package} == 'true'"
        assert job["name"].startswith(f"{package}: ")
        gate = job_id.split("-")[1]
        assert _runs(job)[f'nox -s "{gate}-$PYTHON"'] == f"packages/{folder}"
    assert "if" not in jobs["parity"]  # the drift check covers every package, always
    assert _runs(jobs["parity"])["nox -s parity"] == "packages/a"
    assert jobs["beta-tests"]["strategy"]["matrix"]["python"] == ["3.11", "3.12"]


def _touched(repository: Path, tmp_path: Path, change: str, base: str = "") -> str:
    """The changes job's outputs for a push of one commit that touches `change`."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repository), str(clone))
    before = git(clone, "rev-parse", "HEAD").strip()
    (clone / change).parent.mkdir(parents=True, exist_ok=True)
    (clone / change).write_text("changed\n")
    commit(clone, f"touch {change}")
    step = next(s for s in load(repository, CI)["jobs"]["changes"]["steps"] if "run" in s)
    env = {**step["env"], "BASE": base or before, "GITHUB_EVENT_NAME": "push"}
    output = tmp_path / "output"
    output.touch()
    result = run([*GITHUB_BASH, step["run"]], clone, **env, GITHUB_OUTPUT=str(output))
    assert result.returncode == 0, result.stderr
    return output.read_text()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("packages/b/src/beta.py", "alpha=false\nbeta=true\n"),
        ("packages/a/README.md", "alpha=true\nbeta=false\n"),
        ("uv.lock", "alpha=false\nbeta=true\n"),  # beta's `paths`
        ("docs/index.md", "alpha=false\nbeta=false\n"),
        (".github/dependabot.yml", "alpha=true\nbeta=true\n"),
    ],
)
def test_a_change_runs_the_gates_of_the_packages_it_touches(
    repository: Path, tmp_path: Path, change: str, expected: str
) -> None:
    assert _touched(repository, tmp_path, change) == expected


def test_an_unknown_base_runs_every_package(repository: Path, tmp_path: Path) -> None:
    """A new branch's push has no `before` GitHub knows of (forty zeros)."""
    touched = _touched(repository, tmp_path, "packages/b/x.py", base="0" * 40)
    assert touched == "alpha=true\nbeta=true\n"


def test_each_tag_releases_its_own_package(repository: Path) -> None:
    data = load(repository, RELEASE)
    assert data["on"]["push"]["tags"] == ["a-v*", "b-v*"]
    dry_run = data["on"]["workflow_dispatch"]["inputs"]
    assert dry_run["package"]["options"] == ["alpha", "beta"]
    jobs = data["jobs"]
    alpha = "inputs.package == 'alpha' || github.event_name == 'push'"
    alpha += " && startsWith(github.ref_name, 'a-v')"
    assert jobs["alpha-build"]["if"] == alpha
    assert jobs["alpha-build"]["needs"] == ["alpha-tests", "parity"]
    assert jobs["beta-build"]["needs"] == ["beta-tests", "beta-lint", "parity"]
    assert jobs["alpha-publish-pypi"]["if"] == (
        f"({alpha}) && github.event_name == 'push'"
        " && needs.alpha-build.outputs.prerelease == 'false'"
    )
    assert jobs["alpha-github-release"]["if"].endswith(f"&& ({alpha}) }}}}")
    for package, folder in (("alpha", "a"), ("beta", "b")):
        build = jobs[f"{package}-build"]
        assert _runs(build)["nox -s build"] == f"packages/{folder}"
        upload = build["steps"][-1]["with"]
        assert (upload["name"], upload["path"]) == (f"{package}-dist", f"packages/{folder}/dist/")
        gh_release = jobs[f"{package}-github-release"]
        download = next(s for s in gh_release["steps"] if "download-artifact" in s.get("uses", ""))
        assert download["with"] == {"name": f"{package}-dist", "path": f"packages/{folder}/dist/"}
        version_step = next(s for s in build["steps"] if s.get("id") == "version")
        assert version_step["env"]["TAG_PREFIX"] == f"{folder}-v"


def test_the_publish_environments_come_from_the_tables(repository: Path) -> None:
    jobs = load(repository, RELEASE)["jobs"]
    environments = {
        job_id: job["environment"]["name"] for job_id, job in jobs.items() if "environment" in job
    }
    assert environments == {
        "alpha-publish-testpypi": "testpypi",
        "alpha-publish-pypi": "pypi-production",  # [tool.release.publish] environments
        "beta-publish-testpypi": "testpypi",
        "beta-publish-pypi": "pypi",
    }
    assert jobs["beta-publish-pypi"]["needs"] == ["beta-build", "beta-verify-testpypi"]


def test_the_only_package_in_a_folder_keeps_plain_job_ids(lone: Path) -> None:
    ci = load(lone, CI)["jobs"]
    assert list(ci) == ["tests", "parity"]
    assert "if" not in ci["tests"]
    assert _runs(ci["tests"])['nox -s "tests-$PYTHON"'] == "packages/a"
    release = load(lone, RELEASE)
    assert list(release["on"]["workflow_dispatch"]["inputs"]) == ["version"]
    assert release["jobs"]["build"]["steps"][-1]["with"]["path"] == "packages/a/dist/"
    assert not (lone / "packages/a/.github").exists()


@pytest.mark.parametrize(
    ("package", "old", "new", "named"),
    [
        ("b", "timeout-minutes: 15", "timeout-minutes: 99", CI),
        ("a", "working-directory: packages/b", "working-directory: packages/a", CI),
        ("a", "startsWith(github.ref_name, 'b-v')", "startsWith(github.ref_name, 'v')", RELEASE),
        ("b", "name: pypi-production", "name: pypi", RELEASE),
    ],
)
def test_a_hand_edit_in_any_packages_part_is_caught_and_healed(
    tmp_path: Path, package: str, old: str, new: str, named: str
) -> None:
    root = monorepo(tmp_path / "mono", {"a": ALPHA, "b": BETA})
    generated = (root / named).read_text()
    edit(root / named, old, new)
    for checker in ("a", "b"):  # either package's drift check covers both
        result = release_cli(root / "packages" / checker, "parity")
        assert result.returncode == 1
        assert result.stderr.splitlines()[0] == (
            f"error: the workflows do not match the flags table: {named}"
        )
        edited = next(line for line in (root / named).read_text().splitlines() if new in line)
        assert f"\n-{edited}\n" in result.stderr  # the diff: committed -, generated +
    healed = release_cli(root / "packages" / package, "parity", "--write")
    assert healed.returncode == 0, healed.stderr
    assert healed.stdout == f"wrote {named}\n"
    assert (root / named).read_text() == generated


def test_a_table_change_in_one_package_is_drift_for_the_other(tmp_path: Path) -> None:
    root = monorepo(tmp_path / "mono", {"a": ALPHA, "b": BETA})
    edit(root / "packages/b/pyproject.toml", 'python = ["3.11", "3.12"]', 'python = ["3.13"]')
    result = release_cli(root / "packages" / "a", "parity")
    assert result.returncode == 1
    assert '\n-        python: ["3.11", "3.12"]\n+        python: ["3.13"]\n' in result.stderr
    assert result.stderr.splitlines()[1] == (
        "hint: run `nox -s parity -- --write` to regenerate them, review the diff, and commit"
        " the result"
    )


def test_packages_that_disagree_on_a_workflow_path_stop_it(tmp_path: Path) -> None:
    moved = BETA + '\n[tool.release.ci]\nci-file = ".github/workflows/gates.yml"\n'
    root = monorepo(tmp_path / "mono", {"a": ALPHA, "b": moved}, write=False)
    before = tree_state(root)
    result = release_cli(root / "packages" / "a", "parity", "--write")
    assert result.returncode == 2  # a configuration error
    assert result.stderr.splitlines() == [
        f"error: {root}/packages/b/pyproject.toml: [tool.release.ci] ci-file differs from"
        f" {root}/packages/a/pyproject.toml's: the packages of one repository share its"
        " workflows",
        "hint: give every package the same ci-file, or leave it out of each",
    ]
    assert tree_state(root) == before


def test_an_environment_for_an_index_not_published_to_is_refused(tmp_path: Path) -> None:
    wrong = ALPHA.replace("{ pypi = ", "{ pypy = ")
    root = monorepo(tmp_path / "mono", {"a": wrong, "b": BETA}, write=False)
    result = release_cli(root / "packages" / "a", "parity", "--write")
    assert result.returncode == 2  # a configuration error
    assert result.stderr.splitlines() == [
        f"error: {root}/packages/a/pyproject.toml: [tool.release.publish] environments names"
        " 'pypy', which is not an index this project publishes to",
        "hint: name one of 'testpypi', 'pypi', e.g. environments = { pypi = \"pypi-production\" }",
    ]
    assert not (root / ".github").exists()


def test_init_in_a_package_folder_writes_the_workflows_at_the_top(tmp_path: Path) -> None:
    root = monorepo(tmp_path / "mono", {"a": ALPHA, "b": BETA})
    folder = root / "packages" / "c"
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[project]\nname = "gamma"\nversion = "1.0.0"\n')
    commit(root, "gamma")
    result = release_cli(folder, "init", "--write", PATH=os.environ["PATH"])
    assert result.returncode == 0, result.stderr
    written = result.stdout.splitlines()[-1]
    assert written.endswith(f"../../{CI}, ../../{RELEASE}")
    assert not (folder / ".github").exists()
    assert "gamma-build" in load(root, RELEASE)["jobs"]
    changes = next(s for s in load(root, CI)["jobs"]["changes"]["steps"] if "run" in s)
    assert "gamma packages/c\n" in changes["env"]["PACKAGES"]
    for package in ("a", "c"):
        assert release_cli(root / "packages" / package, "parity").returncode == 0
