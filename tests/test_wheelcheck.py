"""wheelcheck on real fixture projects: built by real backends, installed by real uv.

A good project per backend passes every check; each broken project fails exactly the
check it should, and the message names the culprit. Each project is built and checked
once per session (`checked`), then the tests read what the user saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from conftest import GIT_IDENTITY, git, make_repo, release_cli

from release import config as release_config
from release.forbidden import forbidden_by
from release.proc import NULL_LOG
from release.steps.wheelcheck import check_complete, check_contents, check_metadata

GOOD = ["good-hatchling", "good-setuptools", "good-flit"]
EVERY_CHECK = [
    "twine check", "wheel contents", "metadata", "forbidden paths", "sdist completeness",
    *(f"{kind}: {check}" for kind in ("wheel", "sdist")
      for check in ("install", "import", "__version__", "__all__", "console scripts", "smoke")),
]  # fmt: skip


@dataclass(frozen=True)
class Broken:
    failed: set[str]  # exactly these checks fail
    culprit: str  # named in the failing check's detail
    version: str = ""  # the version asked for ('' = the project's)


BROKEN = {
    "leak-internal": Broken({"forbidden paths"}, "internal/notes.md (internal/**) in the sdist"),
    "dotenv-sdist": Broken({"forbidden paths"}, ".env (.env) in the sdist"),
    "bad-all": Broken({"wheel: __all__", "sdist: __all__"}, "missing from wc_badall: farewell"),
    "version-mismatch": Broken({"metadata"}, "Version is 1.0.0, expected 1.0.1", "1.0.1"),
    "raising-script": Broken(
        {"wheel: console scripts", "sdist: console scripts"},
        "wc-raising --help exited 1: RuntimeError: configuration file missing",
    ),
    "bad-readme": Broken(
        {"twine check"}, "`long_description` has syntax errors in markup and would not be rendered"
    ),
    "missing-subpackage": Broken(
        {"wheel: import", "sdist: import"},
        "import wc_subpkg: ModuleNotFoundError: No module named 'wc_subpkg.engine'",
    ),
}


@dataclass(frozen=True)
class Checked:
    root: Path
    result: subprocess.CompletedProcess[str]
    report: list[dict[str, Any]]

    def named(self, name: str) -> dict[str, Any]:
        return next(row for row in self.report if row["name"] == name)


Wheelchecked = Callable[[str], Checked]


@pytest.fixture(scope="session")
def wheelchecked(tmp_path_factory: pytest.TempPathFactory) -> Wheelchecked:
    """`python -m release wheelcheck` once per fixture project, on a fresh git copy."""
    done: dict[str, Checked] = {}

    def run(name: str) -> Checked:
        if name not in done:
            done[name] = _wheelcheck(name, tmp_path_factory.mktemp("wheelcheck") / name)
        return done[name]

    return run


def _wheelcheck(name: str, destination: Path) -> Checked:
    with pytest.MonkeyPatch.context() as patch:  # session scope: the autouse env is not set
        for key, value in GIT_IDENTITY.items():
            patch.setenv(key, value)
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        root = make_repo(f"wheelcheck/{name}", destination)
        if name == "dotenv-sdist":  # untracked and not ignored: hatchling ships it
            (root / ".env").write_text("API_TOKEN=not-a-real-token\n")
        version = BROKEN[name].version if name in BROKEN else ""
        result = release_cli(root, "wheelcheck", *([version] if version else []))
    report_path = root / ".release" / "wheelcheck.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else []
    return Checked(root, result, report)


@pytest.mark.parametrize("name", GOOD)
def test_a_good_project_passes_every_check(name: str, wheelchecked: Wheelchecked) -> None:
    checked = wheelchecked(name)
    assert checked.result.returncode == 0, checked.result.stderr
    assert [row["name"] for row in checked.report] == EVERY_CHECK
    assert [row["name"] for row in checked.report if not row["ok"]] == []
    lines = checked.result.stdout.splitlines()
    assert lines[0].split() == ["check", "result", "detail"]
    assert [line.split("  ")[0].strip() for line in lines[1:]] == EVERY_CHECK
    assert "note: dist/manifest.json not found: building first" in checked.result.stderr
    manifest = json.loads((checked.root / "dist" / "manifest.json").read_text())
    assert checked.named("metadata")["detail"] == (
        f"{manifest['name']} 1.0.0, Requires-Python >=3.9, licence MIT"
    )
    assert checked.named("wheel: console scripts")["detail"] == f"{manifest['name']} --help"
    assert checked.named("sdist: __all__")["detail"] == "1 name resolved"


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_project_fails_exactly_its_check(name: str, wheelchecked: Wheelchecked) -> None:
    checked = wheelchecked(name)
    broken = BROKEN[name]
    assert checked.result.returncode == 1, checked.result.stderr
    failed = {row["name"] for row in checked.report if not row["ok"] and not row["warning"]}
    assert failed == broken.failed
    for check in broken.failed:
        assert broken.culprit in checked.named(check)["detail"]
    stderr = checked.result.stderr
    total = len(checked.report)
    assert f"error: wheelcheck: {len(failed)} of {total} checks failed: " in stderr
    assert "hint: see the table below; fix each failure and run again" in stderr
    assert broken.culprit in stderr
    assert "Traceback" not in stderr


def test_a_package_left_out_imports_in_the_tree_but_not_in_the_clean_venv(
    wheelchecked: Wheelchecked,
) -> None:
    """The premise of the missing-subpackage fixture: only a clean install shows it."""
    checked = wheelchecked("missing-subpackage")
    in_tree = subprocess.run(
        [sys.executable, "-c", "import wc_subpkg; print(wc_subpkg.ENGINE)"],
        cwd=checked.root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert in_tree.stdout == "v8\n"
    assert checked.named("wheel: __all__") == {
        "name": "wheel: __all__", "ok": False, "warning": True,
        "detail": "not run: the import of wc_subpkg failed",
    }  # fmt: skip
    completeness = checked.named("sdist completeness")
    assert completeness["warning"]
    assert completeness["detail"].startswith(
        "1 tracked files not in the sdist: wc_subpkg/engine/__init__.py"
    )


def test_sdist_complete_makes_a_missing_file_an_error(wheelchecked: Wheelchecked) -> None:
    checked = wheelchecked("missing-subpackage")
    sdist = next((checked.root / "dist").glob("*.tar.gz"))
    strict = check_complete(checked.root, sdist, (), strict=True, log=NULL_LOG)
    assert (strict.ok, strict.warning) == (False, False)
    assert strict.detail == "1 tracked files not in the sdist: wc_subpkg/engine/__init__.py"


def test_a_fresh_dist_is_checked_without_building_again(wheelchecked: Wheelchecked) -> None:
    checked = wheelchecked("good-flit")
    manifest = (checked.root / "dist" / "manifest.json").read_bytes()
    again = release_cli(checked.root, "wheelcheck")
    assert again.returncode == 0, again.stderr
    assert "building first" not in again.stderr
    steps = [line.split()[1] for line in again.stderr.splitlines() if line.startswith("  ")]
    assert steps == ["wheelcheck", "wheelcheck"]  # started, finished: no build
    assert (checked.root / "dist" / "manifest.json").read_bytes() == manifest


def test_a_stale_dist_is_built_again_first(tmp_path: Path) -> None:
    root = make_repo("wheelcheck/good-hatchling", tmp_path / "project")
    assert release_cli(root, "build").returncode == 0
    later = time.time() + 60  # the next commit is younger than dist/
    (root / "README.md").write_text("# wc-hatch\n\nChanged after the build.\n")
    git(root, "commit", "-qam", "docs")
    subprocess.run(
        ["git", "commit", "-q", "--amend", "--no-edit"], cwd=root, check=True,
        env={**os.environ, "GIT_COMMITTER_DATE": f"{int(later)} +0000"},
    )  # fmt: skip
    result = release_cli(root, "wheelcheck")
    assert result.returncode == 0, result.stderr
    assert "note: dist/ is older than the last commit: building first" in result.stderr
    asked = release_cli(root, "wheelcheck", "1.0.1")
    assert "note: dist/ holds 1.0.0, not 1.0.1: building first" in asked.stderr
    assert asked.returncode == 1
    assert "Version is 1.0.0, expected 1.0.1" in asked.stderr


def test_a_dynamic_version_is_checked_as_built_or_as_asked(tmp_path: Path) -> None:
    """hatch-vcs: by default the version the build produced; a release's version on demand."""
    root = make_repo("wheelcheck/dynamic-hatch-vcs", tmp_path / "project")
    git(root, "tag", "v1.0.0")
    (root / "README.md").write_text("# wc-dynamic\n\nOne commit after 1.0.0.\n")
    git(root, "commit", "-qam", "docs")
    built = release_cli(root, "wheelcheck")
    assert built.returncode == 0, built.stderr
    development = json.loads((root / "dist" / "manifest.json").read_text())["version"]
    assert development.startswith("1.0.1.dev1+g")
    assert f"wheel: __version__      ok      {development}" in built.stdout
    asked = release_cli(root, "wheelcheck", "1.1.0")
    assert asked.returncode == 0, asked.stderr
    assert f"note: dist/ holds {development}, not 1.1.0: building first" in asked.stderr
    assert json.loads((root / "dist" / "manifest.json").read_text())["version"] == "1.1.0"
    assert "metadata                ok      wc-dynamic 1.1.0," in asked.stdout


def test_a_bad_version_is_one_error_line(tmp_path: Path) -> None:
    root = make_repo("wheelcheck/good-hatchling", tmp_path / "project")
    result = release_cli(root, "wheelcheck", "not.a.version")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "hint: " in result.stderr
    assert not (root / "dist").exists()


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("internal/notes.md", "internal/**"),
        ("pkg/internal/notes.md", ""),  # anchored: only the top-level internal/
        (".env", ".env"),
        ("conf/.env", ".env"),
        ("conf/.envrc", ""),
        ("keys/server.pem", "*.pem"),
        ("pkg/data.key", "*.key"),
        ("home/.ssh/id_rsa.pub", "id_rsa*"),
        (".git/config", ".git/"),
        (".gitignore", ""),
        ("vendor/lib/.git/HEAD", ".git/"),
        (".pypirc", ".pypirc"),
        ("pkg/__init__.py", ""),
    ],
)
def test_forbidden_globs_match_like_gitignore(path: str, rule: str) -> None:
    patterns = ("internal/**", ".env", "*.pem", "*.key", ".pypirc", "id_rsa*", ".git/")
    assert forbidden_by(path, patterns) == rule


def _wheel(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_wheel_contents_names_each_problem(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/__pycache__/__init__.cpython-311.pyc": "",
        "setup.py": "",
        "tests/__init__.py": "",
        "notes/todo.md": "",
        "other/__init__.py": "",  # another real package: allowed
        "pkg-1.0.dist-info/METADATA": "",
    }
    wheel = _wheel(tmp_path / "pkg-1.0-py3-none-any.whl", files)
    with zipfile.ZipFile(wheel, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("pkg/__init__.py", "")
    found = check_contents(wheel, "pkg")
    assert not found.ok
    assert found.detail == (
        "duplicate entries: pkg/__init__.py; compiled bytecode: "
        "pkg/__pycache__/__init__.cpython-311.pyc; stray at the top level: notes, setup.py, tests"
    )
    only_metadata = _wheel(tmp_path / "b-1.0-py3-none-any.whl", {"b-1.0.dist-info/METADATA": ""})
    assert check_contents(only_metadata, "b").detail == "the wheel holds nothing but its metadata"
    data_only = _wheel(tmp_path / "c-1.0-py3-none-any.whl", {"c/data.json": "{}"})
    assert check_contents(data_only, "c").detail == "package 'c' is missing or has no modules"


def test_metadata_lists_every_missing_field(tmp_path: Path) -> None:
    metadata = "Metadata-Version: 2.4\nName: pkg\nVersion: 1.0.0\n"
    wheel = _wheel(tmp_path / "pkg-1.0.0-py3-none-any.whl",
                   {"pkg/__init__.py": "", "pkg-1.0.0.dist-info/METADATA": metadata})  # fmt: skip
    sdist = tmp_path / "pkg-1.0.0.tar.gz"
    info = tmp_path / "PKG-INFO"
    info.write_text(metadata.replace("1.0.0", "0.9"))
    with tarfile.open(sdist, "w:gz") as archive:
        archive.add(info, "pkg-1.0.0/PKG-INFO")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "1.0.0"\n')
    loaded = replace(release_config.load(tmp_path), name="pkg")
    found = check_metadata(wheel, sdist, loaded, "1.0.0")
    assert found.detail == (
        "no Requires-Python (set project.requires-python); no Summary (set project.description);"
        " no licence (set project.license); the sdist's PKG-INFO says pkg 0.9"
    )
