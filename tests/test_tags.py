"""Release tags in real git repositories: the spellings init detects (and tag_for writes
back), the nearest release reachable from HEAD, two formats refused, the release branch."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import git, release_cli

from release import config, tags, version_files, workflows
from release import git as gitq
from release.errors import ConfigError
from release.versioning import tag_for, version_from_tag

PYPROJECT = '[project]\nname = "recorder"\nversion = "1.0.0"\n'


def repo(root: Path, branch: str = "main", pyproject: str = PYPROJECT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    git(root, "init", "-q", "-b", branch)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    return root


def commit(root: Path, message: str, *tag_names: str) -> str:
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    for name in tag_names:
        git(root, "tag", name)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize(
    ("names", "package", "expected"),
    [
        (["1.0.0", "1.1.0rc1", "1.1.0"], "recorder", ("{version}", "{label}{number}")),
        (["v0.1.0", "v0.2.0-rc1", "v0.2.0"], "recorder", ("v{version}", "-{label}{number}")),
        (["0.28.1", "1.0.0.beta0"], "recorder", ("{version}", ".{name}{number}")),
        (["0.7.0.b1", "0.7.0"], "recorder", ("{version}", ".{label}{number}")),
        (["v1.0.0-rc.1", "v1.0.0"], "recorder", ("v{version}", "-{name}.{number}")),
        (["v2.0.0-alpha.1", "v2.0.0-beta.2"], "recorder", ("v{version}", "-{name}.{number}")),
        (["v1.0.0rc1", "v1.0.0"], "recorder", ("v{version}", "{label}{number}")),
        (
            ["recorder-v1.0.0", "recorder-v1.1.0a1", "core-v3.0.0"],
            "recorder",
            ("recorder-v{version}", "{label}{number}"),
        ),
        (
            ["Recorder@1.0.0", "core@3.0.0", "core@3.1.0"],
            "recorder",
            ("Recorder@{version}", "{label}{number}"),
        ),
        (
            ["core-v1.0.0", "core-v1.1.0-rc1"],
            "recorder",
            ("recorder-v{version}", "-{label}{number}"),
        ),
        ([], "recorder", ("v{version}", "{label}{number}")),
    ],
)
def test_the_tag_style_is_detected_and_written_back_the_same(
    tmp_path: Path, names: list[str], package: str, expected: tuple[str, str]
) -> None:
    root = repo(tmp_path / "p")
    for name in names:
        git(root, "tag", name)
    tag_format, pre_release = tags.detect_tag_style(root, package)
    assert (tag_format, pre_release) == expected
    own = [name for name in names if version_from_tag(name, tag_format) is not None]
    for name in own:
        version = version_from_tag(name, tag_format)
        assert version is not None
        assert tag_for(version, tag_format, pre_release) == name


@pytest.mark.parametrize(
    ("names", "package", "folder", "expected"),
    [
        # pydantic's shape: the top package tags v2.x, its pydantic-core folder core-v2.x
        (
            ["v2.13.0", "v2.14.0", "core-v2.46.4", "core-v2.48.0"],
            "pydantic_core",
            "pydantic-core",
            "core-v{version}",
        ),
        (["v1.0.0", "v1.1.0"], "tracer", "packages/tracer", "tracer-v{version}"),
        ([], "tracer", "packages/tracer", "tracer-v{version}"),
        (["v1.0.0", "recorder@0.3.0"], "tracer", "packages/tracer", "tracer@{version}"),
    ],
)
def test_a_package_in_a_subfolder_has_tags_of_its_own(
    tmp_path: Path, names: list[str], package: str, folder: str, expected: str
) -> None:
    root = repo(tmp_path / "p")
    for name in names:
        git(root, "tag", name)
    assert tags.detect_tag_style(root, package, folder)[0] == expected


def test_old_stray_tags_in_another_format_do_not_count(tmp_path: Path) -> None:
    root = repo(tmp_path / "p")
    for name in ["9.12.0", "v.5.2.0", *(f"v14.{minor}.0" for minor in range(12))]:
        git(root, "tag", name)
    assert tags.detect_tag_style(root, "rich") == ("v{version}", "{label}{number}")


def test_tags_in_two_formats_are_an_error_naming_both_counts_and_the_key(tmp_path: Path) -> None:
    root = repo(tmp_path / "p")
    for name in ["v1.0.0", "v1.1.0", "v1.2.0", "1.3.0", "1.4.0"]:
        git(root, "tag", name)
    before = git(root, "status", "--porcelain")
    result = release_cli(root, "init")
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "error: the tags are in 2 formats: 3 like v1.2.0 (v{version}), 2 like 1.4.0 ({version})\n"
        'hint: set [tool.release] tag-format = "v{version}" or "{version}": the format new tags'
        " follow\n"
    )
    assert git(root, "status", "--porcelain") == before
    with pytest.raises(ConfigError, match=r"2 formats"):
        tags.detect_tag_style(root, "recorder")


def side_line_history(root: Path) -> None:
    """main: v1.0.0, a side line tagged v2.0.0.beta0 merged back, then v1.1.0 and more."""
    repo(root)
    commit(root, "one", "v1.0.0")
    git(root, "switch", "-q", "-c", "side")
    commit(root, "side work", "v2.0.0.beta0")
    git(root, "switch", "-q", "main")
    commit(root, "main work")
    git(root, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    for number in range(5):
        commit(root, f"after the merge {number}")
    commit(root, "release", "v1.1.0rc2", "v1.1.0")
    commit(root, "docs", "v1.2-docs")  # matches v[0-9]* but is no version
    git(root, "switch", "-q", "-c", "unmerged")
    commit(root, "elsewhere", "v3.0.0")
    git(root, "switch", "-q", "main")


def test_the_last_release_is_the_nearest_tag_not_the_highest(tmp_path: Path) -> None:
    root = tmp_path / "p"
    side_line_history(root)
    last = tags.last_release(root, "v{version}")
    assert last is not None
    assert (last.name, str(last.version)) == ("v1.1.0", "1.1.0")
    assert last.commit == git(root, "rev-parse", "v1.1.0^{commit}").strip()


def test_next_and_the_version_agree_on_the_last_release(tmp_path: Path) -> None:
    root = tmp_path / "p"
    side_line_history(root)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "recorder"\ndynamic = ["version"]\n\n'
        '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n'
        '\n[tool.hatch.version]\nsource = "vcs"\n',
        encoding="utf-8",
    )
    git(root, "commit", "-qam", "feat: vcs version")
    assert str(version_files.current_version(config.load(root))) == "1.1.0"
    result = release_cli(root, "next")
    assert (result.returncode, result.stdout) == (0, "1.2.0\n"), result.stderr


def test_pre_release_tags_in_any_spelling_are_releases(tmp_path: Path) -> None:
    root = repo(tmp_path / "p")
    commit(root, "one", "v0.1.0")
    commit(root, "two", "v0.2.0-rc1")
    last = tags.last_release(root, "v{version}")
    assert last is not None
    assert (last.name, str(last.version)) == ("v0.2.0-rc1", "0.2.0rc1")


def test_no_release_tag_yet(tmp_path: Path) -> None:
    root = repo(tmp_path / "p")
    commit(root, "one", "latest", "vnext")
    assert tags.last_release(root, "v{version}") is None


@pytest.mark.parametrize("branch", ["master", "main", "develop"])
def test_the_release_branch_is_the_one_there_is(tmp_path: Path, branch: str) -> None:
    root = repo(tmp_path / "p", branch)
    assert gitq.default_branch(root) == branch
    assert config.load(root).branch == branch


def test_main_is_preferred_to_master_and_packed_refs_are_read(tmp_path: Path) -> None:
    root = repo(tmp_path / "p", "master")
    git(root, "branch", "main")
    git(root, "switch", "-q", "-c", "topic")
    git(root, "pack-refs", "--all")
    assert not (root / ".git/refs/heads/main").exists()
    assert gitq.default_branch(root) == "main"


def test_the_remote_default_wins_from_a_clone_subfolder_and_worktree(tmp_path: Path) -> None:
    upstream = repo(tmp_path / "upstream", "trunk")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "switch", "-q", "-c", "main")
    (clone / "packages/recorder").mkdir(parents=True)
    assert gitq.default_branch(clone) == "trunk"
    assert gitq.default_branch(clone / "packages/recorder") == "trunk"
    git(clone, "worktree", "add", "-q", str(tmp_path / "tree"), "-b", "topic")
    assert (tmp_path / "tree/.git").is_file()
    assert gitq.default_branch(tmp_path / "tree") == "trunk"


def test_outside_a_repository_the_branch_is_main(tmp_path: Path) -> None:
    assert gitq.default_branch(tmp_path) == "main"


def test_an_explicit_branch_key_wins_and_the_workflow_follows_the_branch(tmp_path: Path) -> None:
    root = repo(tmp_path / "p", "master")
    loaded = config.load(root)
    ci = yaml.safe_load(workflows.ci(loaded, ()))
    assert ci["on"]["push"]["branches"] == ["master"]
    (root / "pyproject.toml").write_text(PYPROJECT + '\n[tool.release]\nbranch = "stable"\n')
    assert config.load(root).branch == "stable"


def test_a_release_tag_is_spelled_as_tag_pre_release_says(tmp_path: Path) -> None:
    pyproject = (
        PYPROJECT.replace("1.0.0", "0.1.0")
        + '\n[tool.release]\ntag-pre-release = "-{label}{number}"\n'
    )
    root = repo(tmp_path / "p", pyproject=pyproject)
    (root / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [Unreleased]\n\n### Added\n- Recording.\n\n"
        "[Unreleased]: https://github.com/o/recorder/compare/v0.1.0...HEAD\n",
        encoding="utf-8",
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "changelog", "--no-verify")
    git(root, "tag", "v0.1.0")
    result = release_cli(root, "bump", "0.2.0rc1")
    assert result.returncode == 0, result.stderr
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.endswith(
        "[Unreleased]: https://github.com/o/recorder/compare/v0.2.0-rc1...HEAD\n"
        "[0.2.0rc1]: https://github.com/o/recorder/compare/v0.1.0...v0.2.0-rc1\n"
    )


@pytest.mark.parametrize(
    "spelling", ["{number}{label}", "rc{number}", "-{label}", "~{name}{number}"]
)
def test_a_spelling_without_label_then_number_is_refused(tmp_path: Path, spelling: str) -> None:
    root = repo(
        tmp_path / "p", pyproject=PYPROJECT + f'\n[tool.release]\ntag-pre-release = "{spelling}"\n'
    )
    result = release_cli(root, "next")
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: {root}/pyproject.toml: [tool.release] tag-pre-release '{spelling}' is not a"
        " spelling\nhint: write {label} (a, b, rc) or {name} (alpha, beta, rc), then {number},"
    )
