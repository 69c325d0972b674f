"""build: real `python -m build` on fixture projects of three backends, real git."""

from __future__ import annotations

import hashlib
import json
import tarfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import git, make_repo, release_cli

from release import config
from release.steps import pipeline

BACKENDS = {"hatchling": "good-hatchling", "setuptools": "good-setuptools", "flit": "good-flit"}


def _build(root: Path) -> dict[str, Any]:
    result = release_cli(root, "build")
    assert result.returncode == 0, result.stderr
    manifest: dict[str, Any] = json.loads((root / "dist" / "manifest.json").read_text())
    return manifest


def test_build_empties_dist_and_records_each_artifact(tmp_path: Path) -> None:
    root = make_repo("wheelcheck/good-flit", tmp_path / "project")
    (root / "dist" / "old").mkdir(parents=True)
    (root / "dist" / "wc_flit-0.9.0.tar.gz").write_text("a stale sdist")
    manifest = _build(root)
    dist = root / "dist"
    names = ["wc_flit-1.0.0-py3-none-any.whl", "wc_flit-1.0.0.tar.gz"]
    assert sorted(p.name for p in dist.iterdir()) == ["manifest.json", *names]
    assert manifest == {
        "name": "wc-flit",
        "version": "1.0.0",
        "files": [
            {
                "filename": name,
                "size": (dist / name).stat().st_size,
                "sha256": hashlib.sha256((dist / name).read_bytes()).hexdigest(),
            }
            for name in names
        ],
    }
    log = (root / ".release" / "logs" / "build.log").read_text()
    assert "-m build --outdir" in log
    assert "--installer uv" in log
    assert "Successfully built wc_flit-1.0.0.tar.gz and wc_flit-1.0.0-py3-none-any.whl" in log


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_a_rebuild_of_the_same_commit_gives_the_same_bytes(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCE_DATE_EPOCH comes from HEAD; setuptools' sdist alone stays unreproducible."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    root = make_repo(f"wheelcheck/{BACKENDS[backend]}", tmp_path / "project")
    first, second = _build(root), _build(root)
    files = zip(first["files"], second["files"], strict=True)
    same = {("wheel" if a["filename"].endswith(".whl") else "sdist"): a == b for a, b in files}
    assert same["wheel"]
    if backend != "setuptools":  # it stamps the build time into the gzip header
        assert all(same.values()), same


def test_build_dates_the_artifacts_at_the_head_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    root = make_repo("wheelcheck/good-hatchling", tmp_path / "project")
    committed = int(git(root, "log", "-1", "--format=%ct"))
    _build(root)
    with tarfile.open(root / "dist" / "wc_hatch-1.0.0.tar.gz") as sdist:
        assert {member.mtime for member in sdist.getmembers()} == {committed}
    with zipfile.ZipFile(root / "dist" / "wc_hatch-1.0.0-py3-none-any.whl") as wheel:
        stamps = {info.date_time for info in wheel.infolist()}
    zip_time = committed - committed % 2  # zip (DOS) times count in steps of two seconds
    expected = datetime.fromtimestamp(zip_time, UTC).timetuple()[:6]
    assert stamps == {expected}


def test_a_failing_build_is_one_error_with_the_log(tmp_path: Path) -> None:
    root = make_repo("wheelcheck/good-flit", tmp_path / "project")
    (root / "wc_flit" / "__init__.py").unlink()  # flit cannot find the module any more
    result = release_cli(root, "build")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "error: python -m build failed (exit 1)" in lines
    assert f"hint: full output in {root / '.release' / 'logs' / 'build.log'}" in lines
    assert not (root / "dist" / "manifest.json").exists()


def test_build_outside_a_git_repository_is_refused(tmp_path: Path) -> None:
    make_repo("wheelcheck/good-flit", tmp_path / "project")
    root = tmp_path / "plain"
    (tmp_path / "project" / ".git").rename(tmp_path / "moved-git")
    (tmp_path / "project").rename(root)
    result = release_cli(root, "build")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {root} is not a git repository",
        "hint: run `git init` and commit first",
    ]
    assert not (root / "dist").exists()


def test_build_and_wheelcheck_follow_bump_in_the_release(tmp_path: Path) -> None:
    root = make_repo("wheelcheck/good-flit", tmp_path / "project")
    steps = {step.name: step for step in pipeline(config.load(root))}
    assert steps["build"].requires == ("bump",)
    assert steps["wheelcheck"].requires == ("build",)
    plan = release_cli(root, "release", "1.0.1")
    assert "build: build the sdist and, from it, the wheel into an emptied dist/  (after bump)" in (
        plan.stdout
    )
    assert "wheelcheck: check the artifacts" in plan.stdout
    assert not (root / "dist").exists()  # a dry run builds nothing
