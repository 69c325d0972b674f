"""Several packages in one repository: selection, scoping, pins, the shared uv.lock.

The fixture is a uv workspace written by hand: packages/a and packages/b (b requires
a>=1.0.0), a virtual root whose pyproject.toml only names the members, a uv.lock that
the real uv makes offline, and the tags a-v1.0.0 and b-v0.1.0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, release_cli, run, tree_state

ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]
"""
MEMBER = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
description = "Package {name} of the monorepo."
readme = "README.md"
requires-python = ">=3.11"
license = "MIT"
dependencies = [{dependencies}]
{sources}
[tool.release]
tag-format = "{name}-v{{version}}"

[tool.release.publish]
where = "local"
"""
B_SOURCES = """
[tool.uv.sources]
a = { workspace = true }
"""
CHANGELOG = """\
# Changelog

## [Unreleased]

## [{version}] - 2026-01-01

### Added
- The first release.
"""


def uv(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real uv, never reaching the network."""
    argv = [sys.executable, "-m", "uv", *args, "--offline", "--no-config", "--python"]
    return run([*argv, sys.executable], cwd)


def write_member(root: Path, name: str, version: str, dependencies: str = "") -> None:
    folder = root / "packages" / name
    (folder / "src" / name).mkdir(parents=True)
    (folder / "src" / name / "__init__.py").write_text(f'"""Package {name}."""\n')
    sources = B_SOURCES if dependencies else ""
    text = MEMBER.format(name=name, version=version, dependencies=dependencies, sources=sources)
    (folder / "pyproject.toml").write_text(text)
    (folder / "CHANGELOG.md").write_text(CHANGELOG.format(version=version))
    (folder / "README.md").write_text(f"# {name}\n\nPackage {name} of the monorepo.\n")


def commit(root: Path, message: str, *paths: str) -> None:
    git(root, "add", "-A", "--", *(paths or ["."]))
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """packages/a at 1.0.0 and packages/b at 0.1.0 (b requires a>=1.0.0), tagged, then one
    fix in each package after its tag, and a docs commit at the root."""
    root = tmp_path / "mono"
    root.mkdir()
    (root / "pyproject.toml").write_text(ROOT)
    (root / ".gitignore").write_text("dist/\n.release/\n.venv/\n")
    write_member(root, "a", "1.0.0")
    write_member(root, "b", "0.1.0", '"a>=1.0.0"')
    locked = uv(root, "lock")
    assert locked.returncode == 0, locked.stderr
    git(root, "init", "-q", "-b", "main")
    commit(root, "Initial commit")
    git(root, "tag", "-a", "a-v1.0.0", "-m", "a 1.0.0")
    git(root, "tag", "-a", "b-v0.1.0", "-m", "b 0.1.0")
    for name in ("a", "b"):
        (root / "packages" / name / "src" / name / "extra.py").write_text("VALUE = 1\n")
        commit(root, f"fix({name}): a fix in {name}", f"packages/{name}")
    (root / "README.md").write_text("# The monorepo\n")
    commit(root, "feat: a root README, no package's", "README.md")
    return root


def pyproject(root: Path, name: str) -> str:
    return (root / "packages" / name / "pyproject.toml").read_text()


def lock_entry(name: str, version: str) -> str:
    return f'name = "{name}"\nversion = "{version}"\nsource = {{ editable = "packages/{name}" }}\n'


# --- selection and scoping -------------------------------------------------------------


def test_next_reads_only_the_commits_of_each_package(monorepo: Path) -> None:
    """Each package's fix counts for it alone; the root `feat:` counts for neither."""
    a = release_cli(monorepo, "next", "--package", "a")
    b = release_cli(monorepo / "packages" / "b", "next")  # implied by the folder

    assert (a.returncode, a.stdout, b.returncode, b.stdout) == (0, "1.0.1\n", 0, "0.1.1\n")
    assert a.stderr == "note: 1.0.0 -> 1.0.1, patch: fix in {} (a fix in a)\n".format(
        git(monorepo, "rev-parse", "--short", "HEAD~2").strip()
    )


def test_the_changelog_of_a_package_lists_its_own_commits(monorepo: Path) -> None:
    result = release_cli(monorepo / "packages" / "a", "changelog")

    assert result.returncode == 0, result.stderr
    assert "a fix in a" in result.stdout
    assert "a fix in b" not in result.stdout
    assert "root README" not in result.stdout


def test_tags_of_other_packages_are_not_this_ones_releases(monorepo: Path) -> None:
    """b's last release is b-v0.1.0, not a-v1.0.0 (which would read as version 1.0.0)."""
    from release import config, tags

    last = tags.last_release(
        monorepo / "packages" / "b", config.load(monorepo / "packages" / "b").tag_format
    )

    assert last is not None
    assert (last.name, str(last.version)) == ("b-v0.1.0", "0.1.0")


def test_at_the_root_a_command_asks_which_package(monorepo: Path) -> None:
    before = tree_state(monorepo)

    result = release_cli(monorepo, "bump", "patch")

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: this repository holds 2 packages: say which",
        "hint: add --package NAME (a, b), run from its folder, or release every package with"
        " changes: nox -s release -- auto",
    ]
    assert tree_state(monorepo) == before


# --- several packages together ---------------------------------------------------------


def test_bumping_two_together_moves_the_pin_and_the_shared_lock(monorepo: Path) -> None:
    before = (monorepo / "uv.lock").read_text()

    result = release_cli(
        monorepo, "bump", "--package", "b", "--package", "a", "minor", "--allow-empty-changelog"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "== a (a)\n== b (b)\n"  # dependencies first, whatever the order
    assert 'version = "1.1.0"' in pyproject(monorepo, "a")
    b = pyproject(monorepo, "b")
    assert 'version = "0.2.0"' in b
    assert 'dependencies = ["a>=1.1.0"]' in b
    assert (monorepo / "uv.lock").read_text() == before.replace(
        lock_entry("a", "1.0.0"), lock_entry("a", "1.1.0")
    ).replace(lock_entry("b", "0.1.0"), lock_entry("b", "0.2.0"))
    checked = uv(monorepo, "lock", "--check")
    assert checked.returncode == 0, checked.stderr


def test_one_package_alone_leaves_the_others_pins_and_entries(monorepo: Path) -> None:
    before = (monorepo / "uv.lock").read_text()
    b_before = pyproject(monorepo, "b")

    result = release_cli(monorepo / "packages" / "a", "bump", "patch", "--allow-empty-changelog")

    assert result.returncode == 0, result.stderr
    assert pyproject(monorepo, "b") == b_before
    after = (monorepo / "uv.lock").read_text()
    assert after == before.replace(lock_entry("a", "1.0.0"), lock_entry("a", "1.0.1"))
    assert uv(monorepo, "lock", "--check").returncode == 0


def test_without_the_entry_edit_uv_lock_check_fails(monorepo: Path) -> None:
    """The control: the same bump with the root lock put back is what uv refuses."""
    before = (monorepo / "uv.lock").read_bytes()
    bumped = release_cli(monorepo / "packages" / "a", "bump", "patch", "--allow-empty-changelog")
    assert bumped.returncode == 0, bumped.stderr
    (monorepo / "uv.lock").write_bytes(before)

    assert uv(monorepo, "lock", "--check").returncode != 0


def test_the_dry_run_shows_each_package_with_its_pin_and_writes_nothing(monorepo: Path) -> None:
    before = tree_state(monorepo)

    result = release_cli(monorepo, "bump", "--package", "a", "--package", "b", "patch", "--dry-run")

    assert result.returncode == 0, result.stderr
    a_part, b_part = result.stdout.split("== b (b)\n")
    assert a_part.startswith("== a (a)\n")
    assert '-dependencies = ["a>=1.0.0"]\n' in b_part
    assert '+dependencies = ["a>=1.0.1"]\n' in b_part
    assert "--- a/../../uv.lock" in a_part
    assert tree_state(monorepo) == before


def test_invoke_takes_the_packages_comma_separated(monorepo: Path) -> None:
    tasks = '__all__ = ["namespace"]\n\nfrom release.adapters.invoke_tasks import namespace\n'
    (monorepo / "tasks.py").write_text(tasks, encoding="utf-8")
    before = tree_state(monorepo)
    invoke = str(Path(sys.executable).parent / "invoke")
    result = run([invoke, "bump", "--package", "b,a", "--version", "patch", "--dry-run"], monorepo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("== a (a)\n") < result.stdout.index("== b (b)\n")  # a first
    assert tree_state(monorepo) == before


# --- bad input: one line and a hint, nothing changed -----------------------------------


def refused(root: Path, *args: str) -> list[str]:
    """The error and hint lines of a command that must change nothing."""
    before = tree_state(root)
    result = release_cli(root, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert tree_state(root) == before
    assert result.stdout == ""
    return result.stderr.splitlines()


def test_an_unknown_package_is_named(monorepo: Path) -> None:
    assert refused(monorepo, "release", "--package", "c", "patch") == [
        "error: --package c: no such package",
        "hint: packages here: a, b",
    ]


def test_a_folder_without_a_release_table_is_named(monorepo: Path) -> None:
    write_member(monorepo, "c", "1.0.0")
    text = pyproject(monorepo, "c")
    (monorepo / "packages" / "c" / "pyproject.toml").write_text(
        text[: text.index("[tool.release]")]
    )
    commit(monorepo, "c, not adopted")

    assert refused(monorepo, "release", "--package", "packages/c", "patch") == [
        "error: packages/c/pyproject.toml has no [tool.release] table",
        "hint: adopt it first: cd packages/c && python -m release init",
    ]


def test_two_packages_with_one_tag_prefix_are_refused(monorepo: Path) -> None:
    path = monorepo / "packages" / "b" / "pyproject.toml"
    path.write_text(path.read_text().replace('"b-v{version}"', '"a-v{version}"'))
    commit(monorepo, "b tags like a")

    assert refused(monorepo, "release", "--package", "a", "patch") == [
        "error: packages a (packages/a) and b (packages/b) both tag 'a-v{version}'",
        'hint: give each its own tag-format in [tool.release], e.g. tag-format = "b-v{version}"',
    ]


def test_a_dependency_cycle_is_refused(monorepo: Path) -> None:
    path = monorepo / "packages" / "a" / "pyproject.toml"
    path.write_text(path.read_text().replace("dependencies = []", 'dependencies = ["b"]'))
    commit(monorepo, "a needs b")

    assert refused(monorepo, "release", "--package", "a", "--package", "b", "patch") == [
        "error: the packages depend on each other in a cycle: a -> b -> a",
        "hint: a package cannot be released before itself: remove one of these dependencies",
    ]


def test_package_in_a_repository_of_one_package_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "single"
    root.mkdir()
    (root / ".gitignore").write_text(".release/\n")
    write_member(root, "a", "1.0.0")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Initial commit")

    assert refused(root, "release", "--package", "a", "patch") == [
        "error: --package a: this repository holds one package",
        "hint: leave --package out",
    ]


def test_a_pin_the_new_version_would_break_is_refused_before_anything(monorepo: Path) -> None:
    path = monorepo / "packages" / "b" / "pyproject.toml"
    path.write_text(path.read_text().replace('"a>=1.0.0"', '"a>=1.0.0,<2"'))
    commit(monorepo, "b: a below 2")

    assert refused(monorepo, "bump", "--package", "a", "--package", "b", "major")[-2:] == [
        "error: b requires 'a>=1.0.0,<2', which leaves out a 2.0.0, released with it",
        f"hint: widen it in {path} by hand, commit, then run again",
    ]
