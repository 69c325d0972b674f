"""`python -m release next` and `auto` on real git repositories.

The level rules, the 0.x rule, pre-release series, "nothing to release", tag-format, and
agreement with the histories made by ../shared/bench/mkrepo.py (whose generator knows the
right bump for each segment) and, where the benchmark installed it, with commitizen.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_repo, release_cli, run, tool, tree_state
from test_commits import commit, init_project

from release import versioning

ROOT = Path(__file__).resolve().parents[1]
MKREPO = ROOT.parent / "shared" / "bench" / "mkrepo.py"
CZ = ROOT / "benchmarks" / ".venvs" / "commitizen" / "bin" / "cz"


def next_version(root: Path, *args: str) -> str:
    result = release_cli(root, "next", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1] if result.stdout else ""


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (["docs: a", "fix: b"], "1.2.4"),
        (["perf(core): faster"], "1.2.4"),
        (["fix: a", "feat(cli): b", "fix: c"], "1.3.0"),
        (["feat: a", "refactor!: b"], "2.0.0"),
        (["feat: a\n\nBREAKING CHANGE: gone"], "2.0.0"),
        (["fix: a", "wip", "Update README.md"], "1.2.4"),  # non-conventional: never fatal
    ],
)
def test_the_level_comes_from_the_commits(
    tmp_path: Path, messages: list[str], expected: str
) -> None:
    root = init_project(tmp_path / "p", "1.2.3", tag="v1.2.3")
    for message in messages:
        commit(root, message)
    result = release_cli(root, "next")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{expected}\n"  # only the version on stdout
    assert f"note: 1.2.3 -> {expected}, " in result.stderr


def test_the_reason_names_the_commit(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", "1.2.3", tag="v1.2.3")
    commit(root, "fix: a")
    sha = commit(root, "feat(api)!: drop the v1 endpoints")
    commit(root, "docs: c")
    result = release_cli(root, "next")
    assert result.stderr == (
        f"note: 1.2.3 -> 2.0.0, major: breaking change in {sha[:7]} (drop the v1 endpoints)\n"
    )


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (["docs: a", "chore: b", "refactor: c", "ci: d", "test: e"], 5),
        (["Update README.md", "wip"], 2),
    ],
)
def test_nothing_to_release_is_a_note_and_exit_0(
    tmp_path: Path, messages: list[str], expected: int
) -> None:
    root = init_project(tmp_path / "p", "1.2.3", tag="v1.2.3")
    for message in messages:
        commit(root, message)
    result = release_cli(root, "next")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == (
        f"note: nothing to release: none of the {expected} commits since v1.2.3 is a feat, fix,"
        " perf or breaking change\n"
    )


def test_nothing_since_the_tag(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", "1.2.3", tag="v1.2.3")
    result = release_cli(root, "next")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "note: nothing to release: no commits since v1.2.3\n"


@pytest.mark.parametrize(
    ("config", "message", "expected"),
    [
        ("", "feat!: breaking in 0.x", "0.4.0"),
        ("", "fix: a\n\nBREAKING CHANGE: b", "0.4.0"),
        ("", "feat: a", "0.4.0"),
        ("", "fix: a", "0.3.2"),
        ("[tool.release]\nmajor-on-zero = true\n", "feat!: breaking", "1.0.0"),
        ("[tool.release]\nmajor-on-zero = true\n", "feat: a", "0.4.0"),
    ],
)
def test_zero_versions(tmp_path: Path, config: str, message: str, expected: str) -> None:
    root = init_project(tmp_path / "p", "0.3.1", config, tag="v0.3.1")
    commit(root, message)
    assert next_version(root) == expected


@pytest.mark.parametrize(
    ("current", "messages", "args", "expected"),
    [
        ("1.0.23a1", ["fix: a", "fix: b"], (), "1.0.23a2"),  # the series continues
        ("1.0.23a1", ["perf: a"], ("--pre", "alpha"), "1.0.23a2"),
        ("1.0.23a1", ["fix: a"], ("--pre", "rc"), "1.0.23rc1"),  # alpha -> rc
        ("1.0.23rc1", ["fix: a"], (), "1.0.23rc2"),
        ("1.0.23a1", ["feat: a"], (), "1.1.0a1"),  # the base no longer covers a feat
        ("1.1.0a1", ["feat: a"], (), "1.1.0a2"),
        ("1.1.0a1", ["fix!: a"], (), "2.0.0a1"),
        ("2.0.0b2", ["feat!: a"], (), "2.0.0b3"),
        ("1.0.22", ["fix: a"], ("--pre", "rc"), "1.0.23rc1"),  # an rc series starts
        ("1.0.22", ["feat: a"], ("--pre", "beta"), "1.1.0b1"),
    ],
)
def test_pre_release_series(
    tmp_path: Path, current: str, messages: list[str], args: tuple[str, ...], expected: str
) -> None:
    root = init_project(tmp_path / "p", current, tag=f"v{current}")
    for message in messages:
        commit(root, message)
    assert next_version(root, *args) == expected


def test_rc_does_not_go_back_to_alpha(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", "1.0.23rc1", tag="v1.0.23rc1")
    commit(root, "fix: a")
    result = release_cli(root, "next", "--pre", "alpha")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: cannot go from 1.0.23rc1 (rc) back to alpha\n"
        "hint: continue with 'rc', or use 'final'\n"
    )


def test_an_unknown_pre_kind_is_refused(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", "1.0.0", tag="v1.0.0")
    result = release_cli(root, "next", "--pre", "gamma")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: python -m release next: argument --pre: invalid choice: 'gamma'"
    )


def test_tags_that_do_not_follow_tag_format_are_ignored(tmp_path: Path) -> None:
    config = '[tool.release]\ntag-format = "widget-{version}"\n'
    root = init_project(tmp_path / "p", "1.0.0", config, tag="widget-1.0.0")
    commit(root, "feat: a")
    for tag in ("v9.9.9", "widget-latest", "widget-"):
        subprocess.run(["git", "tag", tag], cwd=root, check=True)
    commit(root, "fix: after the stray tags")
    assert next_version(root) == "1.1.0"  # counted from widget-1.0.0, the feat included


def test_tags_not_reachable_from_head_are_ignored(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", "1.0.0", tag="v1.0.0")
    subprocess.run(["git", "switch", "-q", "-c", "other"], cwd=root, check=True)
    commit(root, "fix: elsewhere")
    subprocess.run(["git", "tag", "v1.0.1"], cwd=root, check=True)
    subprocess.run(["git", "switch", "-q", "main"], cwd=root, check=True)
    commit(root, "feat: here")
    assert next_version(root) == "1.1.0"


def test_before_the_first_tag_every_commit_counts(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", "0.1.0")
    commit(root, "fix: a")
    assert next_version(root) == "0.1.1"
    commit(root, "feat: b")
    assert next_version(root) == "0.2.0"


def test_outside_a_repository(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "w"\nversion = "1.0.0"\n')
    result = release_cli(tmp_path, "next")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {tmp_path} is not a git repository\n")


def test_a_repository_without_commits(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "w"\nversion = "1.0.0"\n')
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = release_cli(tmp_path, "next")
    assert (result.returncode, result.stderr) == (
        1,
        "error: the repository has no commits yet\nhint: commit first, then run again\n",
    )


# --- `auto` in bump and release: the same code -------------------------------------------


def _tagged_fixture(tmp_path: Path, unreleased: str | None = None) -> Path:
    root = make_repo("realistic", tmp_path / "enforcecore")
    if unreleased is not None:
        text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
        start = text.index("## [Unreleased]\n") + len("## [Unreleased]\n")
        end = text.index("## [1.0.22]")
        (root / "CHANGELOG.md").write_text(text[:start] + unreleased + text[end:])
        subprocess.run(["git", "commit", "-qam", "chore: changelog"], cwd=root, check=True)
    subprocess.run(["git", "tag", "v1.0.22"], cwd=root, check=True)
    return root


def test_bump_auto_writes_the_computed_version(tmp_path: Path) -> None:
    root = _tagged_fixture(tmp_path)
    commit(root, "feat(audit): record decisions")
    result = release_cli(root, "bump", "auto")
    assert result.returncode == 0, result.stderr
    assert 'version = "1.1.0"' in (root / "pyproject.toml").read_text()
    assert "__version__ = '1.1.0'" in (root / "enforcecore/__init__.py").read_text()


def test_bump_auto_run_twice_never_bumps_twice(tmp_path: Path) -> None:
    root = _tagged_fixture(tmp_path)
    commit(root, "feat(audit): record decisions")
    assert release_cli(root, "bump", "auto").returncode == 0
    bumped = tree_state(root)
    assert next_version(root) == "1.1.0"  # from the last release, not from the files
    again = release_cli(root, "bump", "auto")
    assert again.returncode == 2
    assert again.stderr.startswith("error: 1.1.0 is the current version\n")
    assert tree_state(root) == bumped


def test_bump_auto_with_nothing_to_release_changes_nothing(tmp_path: Path) -> None:
    root = _tagged_fixture(tmp_path)
    commit(root, "docs: typo")
    before = tree_state(root)
    result = release_cli(root, "bump", "auto", "--pre", "rc")
    assert result.returncode == 0
    assert "note: nothing to release: none of the 1 commits since v1.0.22" in result.stderr
    assert tree_state(root) == before


def test_nox_release_auto_plans_the_same_version(tmp_path: Path) -> None:
    root = _tagged_fixture(tmp_path)
    commit(root, "fix: a")
    result = run([tool("nox"), "-s", "release", "--", "auto", "--pre", "rc"], root)
    assert result.returncode == 0, result.stderr  # a dry run: the plan, nothing changed
    assert '+version = "1.0.23rc1"' in result.stdout
    assert "dry run: nothing was changed" in result.stdout
    assert next_version(root, "--pre", "rc") == "1.0.23rc1"


def test_changelog_generate_fills_an_empty_unreleased(tmp_path: Path) -> None:
    root = _tagged_fixture(tmp_path, unreleased="\n")
    fix = commit(root, "fix(policy): reject empty rules\n\nCloses #41")
    feat = commit(root, "feat: audit log")
    result = release_cli(root, "bump", "auto", "--changelog", "generate")
    assert result.returncode == 0, result.stderr
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    compare = "https://github.com/enforcecore/enforcecore/compare"
    assert text == (
        "# Changelog\n\n"
        "All notable changes to this project are documented here.\n"
        "The format follows [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n\n"
        "## [Unreleased]\n\n"
        "## [1.1.0] \u2014 2026-11-18\n\n"
        "### Added\n"
        f"- audit log ({feat[:7]})\n\n"
        "### Fixed\n"
        f"- **policy:** reject empty rules ({fix[:7]}, closes #41)\n\n"
        "## [1.0.22] \u2014 2024-05-01\n\n"
        "### Fixed\n"
        "- A crash on empty policies.\n\n"
        f"[Unreleased]: {compare}/v1.1.0...HEAD\n"
        f"[1.1.0]: {compare}/v1.0.22...v1.1.0\n"
        f"[1.0.22]: {compare}/v1.0.21...v1.0.22\n"
    )


def test_changelog_keep_leaves_hand_written_entries(tmp_path: Path) -> None:
    root = _tagged_fixture(tmp_path)
    commit(root, "feat: audit log")
    before = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    result = release_cli(root, "bump", "auto", "--changelog", "generate")
    assert result.returncode == 0, result.stderr
    after = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "audit log" not in after  # Unreleased had entries: nothing generated
    assert after.count("`Enforcer.audit()` records every decision.") == before.count(
        "`Enforcer.audit()` records every decision."
    )


# --- agreement with the benchmark histories and with commitizen ---------------------------

LEVEL_KINDS = {1: "patch", 2: "minor", 3: "major"}


def _mkrepo(n: int, seed: int, destination: Path) -> tuple[str, int]:
    """A mkrepo history; (its last tag's version, the bump level its generator recorded)."""
    out = subprocess.run(
        [sys.executable, str(MKREPO), str(n), str(destination), "--seed", str(seed), "--no-gc"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"since v(\S+), max pending bump level=(\d)", out)
    assert match, out
    return match[1], int(match[2])


@pytest.mark.skipif(not MKREPO.exists(), reason=f"needs {MKREPO}")
def test_agrees_with_the_generated_histories(tmp_path: Path) -> None:
    seen = set()
    for n, seed in [*((10, seed) for seed in range(1, 11)), (1000, 42)]:
        root = tmp_path / f"h{n}-{seed}"
        last, bump = _mkrepo(n, seed, root)
        seen.add(bump)
        result = release_cli(root, "next")
        assert result.returncode == 0, result.stderr
        expected = str(versioning.bump(versioning.parse(last), LEVEL_KINDS[bump])) if bump else ""
        assert result.stdout.strip() == expected, (n, seed, result.stderr)
    assert {0, 1, 2, 3} <= seen  # every case was exercised


@pytest.mark.skipif(
    not (MKREPO.exists() and CZ.exists()),
    reason="commitizen is installed by benchmarks/commits_bench.py into benchmarks/.venvs",
)
def test_agrees_with_commitizen(tmp_path: Path) -> None:
    for n, seed in [(12, 1), (12, 2), (200, 7), (1000, 42)]:
        root = tmp_path / f"h{n}-{seed}"
        _mkrepo(n, seed, root)
        cz = subprocess.run(
            [str(CZ), "bump", "--get-next", "--yes"],
            cwd=root, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert cz.returncode == 0, cz.stdout + cz.stderr
        assert next_version(root) == cz.stdout.strip().splitlines()[-1], (n, seed)
        shutil.rmtree(root)


def test_auto_continues_an_interrupted_release(tmp_path: Path) -> None:
    """Tagged locally, not yet shipped: `auto` names that release, not "nothing to do"."""
    root = _tagged_fixture(tmp_path)
    commit(root, "feat(audit): record decisions")
    local = release_cli(root, "release", "auto", "--execute", "--local-only", "--skip-tests")
    assert local.returncode == 0, local.stderr
    assert run(["git", "tag", "--points-at", "HEAD"], root).stdout.split() == ["v1.1.0"]
    again = release_cli(root, "release", "auto")
    assert again.returncode == 0, again.stderr
    assert "note: 'auto' continues the interrupted release of 1.1.0" in again.stderr
    assert "nothing to release" not in again.stderr


def test_pre_with_a_named_version_is_refused(tmp_path: Path) -> None:
    root = _tagged_fixture(tmp_path)
    before = tree_state(root)
    result = release_cli(root, "release", "1.0.23", "--pre", "rc")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --pre goes with 'auto', not with '1.0.23'\n")
    assert tree_state(root) == before


def test_a_development_version_in_the_files_names_the_next_release(tmp_path: Path) -> None:
    """click's shape: released 8.4.2, the files say 8.5.0.dev0; a fix releases 8.5.0."""
    root = init_project(
        tmp_path / "dev", "8.5.0.dev0", '[tool.release]\ntag-format = "{version}"\n', tag="8.4.2"
    )
    commit(root, "fix: a bug")
    assert next_version(root) == "8.5.0"
