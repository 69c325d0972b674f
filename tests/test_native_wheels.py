"""Native wheels: one per platform in release.yml, the host's built and checked here.

The fixture is a real maturin project (cffi bindings, a dependency-free cdylib, so it
builds offline): `build` and `wheelcheck` run it through maturin from PyPI and rustc on
this machine, and `bump` moves Cargo.toml and Cargo.lock with the changelog. The
generated release workflows (maturin, a cibuildwheel-marked C project) pass GitHub's
schema, zizmor (both personas) and actionlint like every other shape.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, git, make_repo, release_cli, run, tool, tree_state
from parity_projects import edit, make_project
from test_workflows import github_api  # noqa: F401 (the loopback GitHub API fixture)

from release import pins, platforms, workflows

REPO = Path(__file__).parent.parent
CARGO = shutil.which("cargo") or "/root/.cargo/bin/cargo"
needs_cargo = pytest.mark.skipif(not Path(CARGO).is_file(), reason="needs cargo and rustc")
MATURIN = """\
[build-system]
requires = ["maturin>=1.5,<2"]
build-backend = "maturin"
"""
C_EXTENSION = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[tool.release.ci]
wheels = ["linux-x86_64", "macos-arm64", "macos-x86_64", "windows-amd64"]
"""


@pytest.fixture(autouse=True)
def _cargo_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """maturin finds cargo on PATH; rustup installs it outside the default one."""
    monkeypatch.setenv("PATH", f"{Path(CARGO).parent}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A maturin project (default platforms) and a C extension marked for cibuildwheel."""
    base = tmp_path_factory.mktemp("native")
    return {
        "maturin": make_project(base / "maturin", MATURIN),
        "cibuildwheel": make_project(base / "cibuildwheel", C_EXTENSION),
        "monorepo": _monorepo(base / "monorepo"),
    }


def _monorepo(root: Path) -> Path:
    """The maturin fixture in packages/native beside a pure package at the top."""
    make_project(root, '[tool.release]\ntag-format = "pure-v{version}"\n', write=False)
    shutil.copytree(FIXTURES / "native", root / "packages/native")
    edit(
        root / "packages/native/pyproject.toml",
        "[tool.release]\n",
        '[tool.release]\ntag-format = "native-v{version}"\n',
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Two packages")
    written = release_cli(root / "packages/native", "parity", "--write")
    assert written.returncode == 0, written.stderr
    return root


def _files(shapes: dict[str, Path]) -> list[str]:
    return [str(root / workflows.RELEASE_FILE) for root in shapes.values()]


def _jobs(root: Path) -> dict[str, Any]:
    jobs: dict[str, Any] = yaml.safe_load((root / workflows.RELEASE_FILE).read_text())["jobs"]
    return jobs


def test_native_workflows_validate_against_githubs_schema(shapes: dict[str, Path]) -> None:
    argv = [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
    result = run([*argv, *_files(shapes)], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing_in_native_workflows(shapes: dict[str, Path], persona: str) -> None:
    argv = [tool("zizmor"), "--offline", "--persona", persona, "--format", "json"]
    result = run([*argv, *_files(shapes)], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_actionlint_finds_nothing_in_native_workflows(shapes: dict[str, Path]) -> None:
    result = run([tool("actionlint"), "-shellcheck=", *_files(shapes)], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_every_action_is_pinned_to_the_tables_sha(shapes: dict[str, Path]) -> None:
    for root in shapes.values():
        text = (root / workflows.RELEASE_FILE).read_text()
        for line in text.splitlines():
            if "uses: " in line:
                action, _, version = line.split("uses: ")[1].partition("  # ")
                name, _, sha = action.partition("@")
                assert (sha, version) == {**pins.PINS, **pins.BUILDERS}[name], line


def test_maturin_builds_the_sdist_once_and_each_wheel_on_its_platform(
    shapes: dict[str, Path],
) -> None:
    jobs = _jobs(shapes["maturin"])
    assert list(jobs)[:5] == ["parity", "sdist", "wheels", "build", "publish-testpypi"]
    assert jobs["sdist"]["needs"] == ["parity"]
    assert jobs["sdist"]["steps"][-1]["with"]["path"] == "dist/*.tar.gz"
    wheels = jobs["wheels"]
    assert wheels["needs"] == ["sdist"]
    assert wheels["runs-on"] == "${{ matrix.runner }}"
    rows = wheels["strategy"]["matrix"]["include"]
    assert [(row["platform"], row["runner"]) for row in rows] == [
        ("linux-x86_64", "ubuntu-latest"),
        ("linux-aarch64", "ubuntu-24.04-arm"),
        ("macos-universal2", "macos-latest"),
        ("windows-amd64", "windows-latest"),
    ]
    assert [row["manylinux"] for row in rows] == ["auto", "auto", "", ""]
    steps = wheels["steps"]
    build = next(s for s in steps if str(s.get("uses", "")).startswith("PyO3/maturin-action@"))
    assert build["with"]["target"] == "${{ matrix.target }}"
    runs = [s["run"] for s in steps if "run" in s][-2:]
    assert runs == ["python -m release.gather wheelhouse/", 'nox -s wheelcheck -- "$VERSION"']
    assert steps[-2]["env"] == {"VERSION": "${{ needs.sdist.outputs.version }}"}
    assert steps[-1]["with"]["name"] == "dist-wheels-${{ matrix.platform }}"
    gathered = jobs["build"]
    assert gathered["needs"] == ["sdist", "wheels"]
    assert gathered["outputs"]["version"] == "${{ needs.sdist.outputs.version }}"
    everything = {"pattern": "dist-*", "path": "dist/", "merge-multiple": True}
    assert gathered["steps"][0]["with"] == everything
    assert gathered["steps"][1]["with"]["name"] == "dist"
    for name in ("publish-testpypi", "publish-pypi"):
        assert jobs[name]["needs"] == ["build"]
        assert jobs[name]["steps"][0]["with"]["name"] == "dist"  # every file, once


def test_a_table_marked_project_gets_cibuildwheel_on_its_platforms(
    shapes: dict[str, Path],
) -> None:
    wheels = _jobs(shapes["cibuildwheel"])["wheels"]
    rows = wheels["strategy"]["matrix"]["include"]
    assert [(row["runner"], row["archs"]) for row in rows] == [
        ("ubuntu-latest", "x86_64"),
        ("macos-latest", "arm64"),
        ("macos-15-intel", "x86_64"),
        ("windows-latest", "AMD64"),
    ]
    build = next(s for s in wheels["steps"] if str(s.get("uses", "")).startswith("pypa/cibuild"))
    assert build["with"] == {"package-dir": ".", "output-dir": "wheelhouse/"}
    assert build["env"] == {"CIBW_ARCHS": "${{ matrix.archs }}"}


def test_a_native_package_in_a_folder_builds_and_checks_there(shapes: dict[str, Path]) -> None:
    jobs = _jobs(shapes["monorepo"])
    wheels = jobs["native-add-wheels"]
    assert wheels["needs"] == ["native-add-sdist"]
    build = next(s for s in wheels["steps"] if str(s.get("uses", "")).startswith("PyO3/"))
    assert build["with"]["working-directory"] == "packages/native"
    folders = [s.get("working-directory") for s in wheels["steps"] if "run" in s][-2:]
    assert folders == ["packages/native", "packages/native"]
    assert wheels["steps"][-1]["with"]["path"] == "packages/native/wheelhouse/"
    assert jobs["native-add-build"]["steps"][0]["with"]["pattern"] == "native-add-dist-*"
    assert jobs["native-add-publish-pypi"]["needs"] == ["native-add-build"]
    assert jobs["probe-project-build"]["name"].endswith("build and check the distributions")
    assert "probe-project-wheels" not in jobs


def test_an_empty_wheels_list_builds_like_pure_python(tmp_path: Path) -> None:
    pure = make_project(tmp_path / "pure", "")
    opted_out = make_project(tmp_path / "out", MATURIN + "\n[tool.release.ci]\nwheels = []\n")
    assert _jobs(opted_out) == _jobs(pure)


def test_an_unknown_platform_is_named_with_the_closest(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p", '[tool.release.ci]\nwheels = ["linux-arm64"]\n', write=False
    )
    result = release_cli(root, "parity", "--write")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"error: {root / 'pyproject.toml'}: [tool.release.ci] wheels: 'linux-arm64' is not a"
        " wheel platform",
        "hint: did you mean 'linux-aarch64'?",
    ]
    assert not (root / ".github").exists()


def test_a_gate_named_like_a_native_job_is_refused(tmp_path: Path) -> None:
    table = MATURIN + '\n[tool.release.gates.wheels]\nrun = ["python -c pass"]\n'
    root = make_project(tmp_path / "p", table, write=False)
    result = release_cli(root, "parity", "--write")
    assert result.returncode == 2, result.stderr
    assert "a gate is named 'wheels', the job that builds native wheels" in result.stderr
    assert not (root / ".github").exists()


def test_every_name_of_the_defaults_is_a_platform() -> None:
    assert set(platforms.DEFAULT_WHEELS) <= set(platforms.PLATFORMS)


# --- the real maturin project ----------------------------------------------------------------


@pytest.fixture
def native(tmp_path: Path) -> Iterator[Path]:
    root = make_repo("native", tmp_path / "native-add")
    yield root
    shutil.rmtree(root / "target", ignore_errors=True)


@needs_cargo
def test_build_and_wheelcheck_the_host_wheel(native: Path) -> None:
    built = release_cli(native, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    manifest = json.loads((native / "dist/manifest.json").read_text())
    names = sorted(entry["filename"] for entry in manifest["files"])
    assert names[1] == "native_add-0.3.0.tar.gz"
    wheel = names[0]
    assert wheel.startswith("native_add-0.3.0-py3-none-")
    assert not wheel.endswith("-any.whl")  # a platform wheel: the cdylib is in it
    with zipfile.ZipFile(native / "dist" / wheel) as archive:
        assert any(n.startswith("native/native/") and "ffi" in n for n in archive.namelist())
    checked = release_cli(native, "wheelcheck")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rows = [line.split()[:3] for line in checked.stdout.splitlines()]
    for check in ("wheel: import", "wheel: __all__", "wheel: smoke", "sdist: smoke"):
        assert [*check.split(), "ok"] in rows, check


@needs_cargo
def test_bump_moves_cargo_toml_cargo_lock_and_the_changelog_only(native: Path) -> None:
    before = tree_state(native)
    result = release_cli(native, "bump", "minor")
    assert result.returncode == 0, result.stdout + result.stderr
    after = tree_state(native)
    changed = sorted(path for path in {*before, *after} if before.get(path) != after.get(path))
    assert changed == ["CHANGELOG.md", "Cargo.lock", "Cargo.toml"]
    assert 'version = "0.4.0"' in (native / "Cargo.toml").read_text()
    lock = (native / "Cargo.lock").read_text()
    assert lock.endswith('name = "native-add"\nversion = "0.4.0"\n')
    assert "## [0.4.0] - " in (native / "CHANGELOG.md").read_text()
    cargo = run([CARGO, "metadata", "--locked", "--offline", "--format-version", "1"], native)
    assert cargo.returncode == 0, cargo.stderr  # cargo reads the lock as up to date


def test_init_proposes_cargo_toml_as_the_version_file(tmp_path: Path) -> None:
    root = make_repo("native", tmp_path / "native-add")
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text[: text.index("[tool.release]")])
    git(root, "commit", "-qam", "Without a table")
    result = release_cli(root, "init")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "note: version file: Cargo.toml:package.version" in result.stderr.splitlines()
    assert '+version-files = ["Cargo.toml:package.version"]' in result.stdout.splitlines()
    assert '+package = "native"' in result.stdout.splitlines()  # maturin's module-name


# --- gather: a platform's wheel beside the sdist ---------------------------------------------


@needs_cargo
def test_gather_puts_the_wheel_this_python_installs_beside_the_sdist(native: Path) -> None:
    assert release_cli(native, "build").returncode == 0
    dist, wheelhouse = native / "dist", native / "wheelhouse"
    wheelhouse.mkdir()
    host = next(dist.glob("*.whl"))
    foreign = host.name.replace(host.name.split("-")[-1], "win_arm64.whl")
    host.rename(wheelhouse / host.name)
    shutil.copy(wheelhouse / host.name, wheelhouse / foreign)
    gather = [sys.executable, "-m", "release.gather", "wheelhouse/"]
    result = run(gather, native)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{host.name}, native_add-0.3.0.tar.gz\n"
    assert sorted(p.name for p in dist.iterdir()) == sorted(
        [host.name, "native_add-0.3.0.tar.gz", "manifest.json"]
    )
    checked = release_cli(native, "wheelcheck")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (wheelhouse / host.name).unlink()
    refused = run(gather, native)
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0] == (
        f"error: none of {foreign} installs on Python {sys.version.split()[0]} here"
    )


def test_pins_refresh_rewrites_the_builders_alone(
    tmp_path: Path,
    github_api: str,  # noqa: F811
) -> None:
    copy = tmp_path / "pins.py"
    original = Path(pins.__file__).read_text()
    copy.write_text(original)
    argv = [sys.executable, "-m", "release.pins", "--only", "builders", "--api", github_api]
    result = run([*argv, "--file", str(copy)], tmp_path, GITHUB_TOKEN="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"PyO3/maturin-action: {pins.BUILDERS['PyO3/maturin-action'][1]} -> v9.9.9"
        f" ({pins.latest('PyO3/maturin-action', github_api)[0][:12]})",
        f"pypa/cibuildwheel: {pins.BUILDERS['pypa/cibuildwheel'][1]} -> v9.9.9"
        f" ({pins.latest('pypa/cibuildwheel', github_api)[0][:12]})",
    ]
    text = copy.read_text()
    assert text.split("# BEGIN BUILDERS")[0] == original.split("# BEGIN BUILDERS")[0]
    assert text.split("# END BUILDERS")[1] == original.split("# END BUILDERS")[1]
    assert text.count('"v9.9.9"') == 2
