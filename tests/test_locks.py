"""Lock files follow the bump: uv.lock, pdm.lock and a maturin crate's Cargo.lock.

uv.lock is made by the real uv (`uv lock --offline`, no dependencies, so no network)
and checked by it after the bump; Cargo.lock and pdm.lock are written by hand in the
shapes cargo and pdm write, and compared byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, release_cli, run, tree_state
from packaging.version import Version

from release import config, locks
from release.errors import ConfigError

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "1.2.0"
description = "A project whose lock follows the bump."
readme = "README.md"
requires-python = ">=3.11"
license = "MIT"

[tool.hatch.build.targets.wheel]
packages = ["{package}"]

[tool.release]
package = "{package}"
"""
CHANGELOG = """\
# Changelog

## [Unreleased]

### Added
- A lock that follows the bump.

## [1.2.0] - 2026-01-01

### Added
- The project.
"""


def uv(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real uv (a dependency of release-parity), never reaching the network."""
    argv = [sys.executable, "-m", "uv", *args, "--offline", "--no-config", "--python"]
    return run([*argv, sys.executable], cwd)


def write_project(root: Path, name: str) -> None:
    """A hatchling project at 1.2.0 with a changelog, ready to bump."""
    package = name.lower().replace("-", "_").replace(".", "_")
    (root / package).mkdir(parents=True)
    (root / package / "__init__.py").write_text('"""A package."""\n')
    (root / "pyproject.toml").write_text(PYPROJECT.format(name=name, package=package))
    (root / "CHANGELOG.md").write_text(CHANGELOG)
    (root / "README.md").write_text(f"# {name}\n\nA project whose lock follows the bump.\n")


def commit_all(root: Path) -> None:
    (root / ".gitignore").write_text("dist/\n.release/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Initial commit")


@pytest.fixture
def uv_project(tmp_path: Path) -> Path:
    """A project named `Lock.Demo` (uv.lock says `lock-demo`) with a uv.lock uv made."""
    root = tmp_path / "lock-demo"
    write_project(root, "Lock.Demo")
    locked = uv(root, "lock")
    assert locked.returncode == 0, locked.stderr
    commit_all(root)
    return root


def project_entry(version: str, source: str = '{ editable = "." }') -> str:
    return f'name = "lock-demo"\nversion = "{version}"\nsource = {source}\n'


def test_bump_moves_uv_lock_and_uv_lock_check_passes(uv_project: Path) -> None:
    before = (uv_project / "uv.lock").read_text()
    assert before.count(project_entry("1.2.0")) == 1

    result = release_cli(uv_project, "bump", "1.3.0a1")

    assert result.returncode == 0, result.stderr
    after = (uv_project / "uv.lock").read_text()
    assert after == before.replace(project_entry("1.2.0"), project_entry("1.3.0a1"))
    checked = uv(uv_project, "lock", "--check")
    assert checked.returncode == 0, checked.stderr


def test_without_the_lock_edit_uv_lock_check_fails(uv_project: Path) -> None:
    """The control: the bump alone, its lock put back, is what `uv lock --check` refuses."""
    before = (uv_project / "uv.lock").read_bytes()
    assert release_cli(uv_project, "bump", "1.3.0a1").returncode == 0
    (uv_project / "uv.lock").write_bytes(before)

    checked = uv(uv_project, "lock", "--check")

    assert checked.returncode != 0
    assert "needs to be updated" in checked.stderr


def test_dry_run_shows_the_lock_diff_and_writes_nothing(uv_project: Path) -> None:
    before = tree_state(uv_project)

    result = release_cli(uv_project, "bump", "1.3.0", "--dry-run")

    assert result.returncode == 0, result.stderr
    lock_diff = result.stdout[result.stdout.index("--- a/uv.lock\n") :].splitlines()
    assert [line.strip() for line in lock_diff[5:9]] == [
        'name = "lock-demo"',
        '-version = "1.2.0"',
        '+version = "1.3.0"',
        'source = { editable = "." }',
    ]
    assert tree_state(uv_project) == before


def release_locally(root: Path, version: str) -> subprocess.CompletedProcess[str]:
    """The release up to its local tag, with the workflows it wants committed first."""
    assert release_cli(root, "parity", "--write").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Workflows")
    return release_cli(root, "release", version, "--execute", "--local-only", "--skip-tests")


def test_the_release_commit_carries_the_lock(uv_project: Path) -> None:
    result = release_locally(uv_project, "1.3.0")

    assert result.returncode == 0, result.stdout + result.stderr
    assert run(["git", "status", "--porcelain"], uv_project).stdout == ""
    committed = git(uv_project, "show", "--name-only", "--format=", "v1.3.0^{commit}").split()
    assert sorted(committed) == ["CHANGELOG.md", "pyproject.toml", "uv.lock"]
    assert uv(uv_project, "lock", "--check").returncode == 0


def test_an_untracked_lock_is_bumped_but_not_committed(uv_project: Path) -> None:
    git(uv_project, "rm", "-q", "--cached", "uv.lock")
    with (uv_project / ".gitignore").open("a") as ignore:
        ignore.write("uv.lock\n")
    git(uv_project, "commit", "-qam", "Stop tracking uv.lock")

    result = release_locally(uv_project, "1.3.0")

    assert result.returncode == 0, result.stdout + result.stderr
    committed = git(uv_project, "show", "--name-only", "--format=", "v1.3.0^{commit}").split()
    assert sorted(committed) == ["CHANGELOG.md", "pyproject.toml"]
    assert project_entry("1.3.0") in (uv_project / "uv.lock").read_text()


WORKSPACE = """\
[tool.uv.sources]
member-a = { workspace = true }
member-b = { workspace = true }

[tool.uv.workspace]
members = ["packages/*"]
"""
PATH_DEPENDENCIES = """\
[tool.uv.sources]
member-a = { path = "packages/member-a" }
member-b = { path = "packages/member-b" }
"""


def member_entry(version: str, kind: str) -> str:
    source = f'{{ {kind} = "packages/member-a" }}'
    return f'name = "member-a"\nversion = "{version}"\nsource = {source}\n'


@pytest.mark.parametrize(
    ("sources", "kind"), [(WORKSPACE, "editable"), (PATH_DEPENDENCIES, "directory")]
)
def test_a_member_moves_only_its_own_entry_in_the_lock_above(
    tmp_path: Path, sources: str, kind: str
) -> None:
    """A uv workspace member (or a path dependency) is recorded in the root's uv.lock."""
    root = tmp_path / "workspace"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "lock-demo"\nversion = "1.2.0"\nrequires-python = ">=3.11"\n'
        f'dependencies = ["member-a", "member-b"]\n\n{sources}'
    )
    for member in ("member-a", "member-b"):
        write_project(root / "packages" / member, member)  # all three at 1.2.0
        with (root / "packages" / member / "pyproject.toml").open("a") as pyproject:
            pyproject.write(f'tag-format = "{member}-v{{version}}"\n')  # one prefix each
    assert uv(root, "lock").returncode == 0
    commit_all(root)
    before = (root / "uv.lock").read_text()
    assert before.count(member_entry("1.2.0", kind)) == 1
    assert project_entry("1.2.0", '{ virtual = "." }') in before

    result = release_cli(root / "packages" / "member-a", "bump", "1.2.1")

    assert result.returncode == 0, result.stderr
    after = (root / "uv.lock").read_text()
    assert after == before.replace(member_entry("1.2.0", kind), member_entry("1.2.1", kind))
    assert uv(root, "lock", "--check").returncode == 0


DYNAMIC_LOCK = """\
version = 1
revision = 3
requires-python = ">=3.11"

[[package]]
name = "anyio"
version = "4.9.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/packages/anyio-4.9.0.tar.gz", hash = "sha256:00" }

[[package]]
name = "lock-demo"
source = { editable = "." }
dependencies = [
    { name = "anyio" },
]

[package.metadata]
requires-dist = [{ name = "anyio" }]
"""


def dynamic_project(root: Path, lock: str) -> config.Config:
    """A hatch-vcs project: uv leaves its version out of uv.lock (older uv wrote one)."""
    write_project(root, "Lock.Demo")
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().replace('version = "1.2.0"\n', 'dynamic = ["version"]\n')
    pyproject.write_text(text.replace('"hatchling"', '"hatchling", "hatch-vcs"'))
    (root / "uv.lock").write_text(lock)
    return config.load(root)


def test_a_dynamic_version_left_out_of_uv_lock_stays_out(tmp_path: Path) -> None:
    loaded = dynamic_project(tmp_path, DYNAMIC_LOCK)
    assert locks.paths(loaded) == ["uv.lock"]
    assert locks.edits(loaded, Version("1.3.0")) == []


def test_a_dynamic_version_recorded_in_uv_lock_follows(tmp_path: Path) -> None:
    recorded = DYNAMIC_LOCK.replace('"lock-demo"\n', '"lock-demo"\nversion = "1.2.0"\n')
    loaded = dynamic_project(tmp_path, recorded)

    (edit,) = locks.edits(loaded, Version("1.3.0"))

    assert (edit.path, edit.old) == ("uv.lock", recorded)
    assert edit.new == DYNAMIC_LOCK.replace('"lock-demo"\n', '"lock-demo"\nversion = "1.3.0"\n')


def test_a_lock_that_is_not_toml_is_named(tmp_path: Path) -> None:
    loaded = dynamic_project(tmp_path, DYNAMIC_LOCK.replace("[[package]]", "[[package]", 1))
    with pytest.raises(ConfigError) as raised:
        locks.edits(loaded, Version("1.3.0"))
    assert raised.value.message.startswith(f"{tmp_path / 'uv.lock'}: not valid TOML: ")
    assert raised.value.hint == "fix it, or regenerate it with `uv lock`"


MATURIN = """\
[build-system]
requires = ["maturin>=1,<2"]
build-backend = "maturin"

[project]
name = "rusty-watch"
dynamic = ["version"]
description = "A maturin project."
requires-python = ">=3.11"

[tool.maturin]
manifest-path = "crates/rusty/Cargo.toml"
module-name = "rusty_watch._rust"

[tool.release]
package = "rusty_watch"
version-files = ["crates/rusty/Cargo.toml:package.version"]
"""
CARGO_TOML = """\
[package]
name = "rusty_watch_rust"
version = "{version}"
edition = "2021"

[dependencies]
cfg-if = "1.0"
"""
CARGO_LOCK = """\
# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "cfg-if"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "baf1de4339761588bc0f8f8a6f6d4ac8b9bd1e17f4d1e1a4a5ac36f5d6f8a2c1"

[[package]]
name = "rusty_watch_rust"
version = "{version}"
dependencies = [
 "cfg-if",
]
"""


def maturin_project(root: Path) -> Path:
    """A maturin project whose crate sits in crates/rusty, a member of the Cargo workspace
    at the root, where Cargo.lock is."""
    (root / "crates" / "rusty").mkdir(parents=True)
    (root / "pyproject.toml").write_text(MATURIN)
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/rusty"]\nresolver = "2"\n')
    (root / "crates" / "rusty" / "Cargo.toml").write_text(CARGO_TOML.format(version="1.2.0"))
    (root / "Cargo.lock").write_text(CARGO_LOCK.format(version="1.2.0"))
    (root / "CHANGELOG.md").write_text(CHANGELOG)
    commit_all(root)
    git(root, "tag", "-a", "v1.2.0", "-m", "1.2.0")
    return root


def test_cargo_lock_and_toml_take_the_crate_spelling(tmp_path: Path) -> None:
    root = maturin_project(tmp_path / "rusty")

    result = release_cli(root, "bump", "1.3.0a1")

    assert result.returncode == 0, result.stderr
    assert (root / "Cargo.lock").read_bytes() == CARGO_LOCK.format(version="1.3.0-alpha.1").encode()
    manifest = (root / "crates" / "rusty" / "Cargo.toml").read_bytes()
    assert manifest == CARGO_TOML.format(version="1.3.0-alpha.1").encode()


@pytest.mark.skipif(shutil.which("cargo") is None, reason="needs cargo")
def test_cargo_accepts_the_bumped_lock_as_locked(tmp_path: Path) -> None:
    """cargo itself: `--locked` passes after the bump and fails on the lock left behind."""
    root = maturin_project(tmp_path / "rusty")
    crate = root / "crates" / "rusty"
    (crate / "Cargo.toml").write_text(CARGO_TOML.format(version="1.2.0").split("\n[dep")[0])
    (crate / "src").mkdir()
    (crate / "src" / "lib.rs").write_text("")
    (root / "Cargo.lock").unlink()
    cargo = ["cargo", "metadata", "--offline", "--format-version", "1", "--manifest-path"]
    assert run([*cargo, str(crate / "Cargo.toml")], root).returncode == 0  # writes the lock
    git(root, "add", "-A")
    git(root, "commit", "-qm", "The workspace's lock, as cargo writes it")

    result = release_cli(root, "bump", "1.3.0a1")

    assert result.returncode == 0, result.stderr
    assert 'version = "1.3.0-alpha.1"' in (root / "Cargo.lock").read_text()
    assert run([*cargo, str(crate / "Cargo.toml"), "--locked"], root).returncode == 0
    git(root, "checkout", "-q", "--", "Cargo.lock")
    assert run([*cargo, str(crate / "Cargo.toml"), "--locked"], root).returncode != 0


@pytest.mark.parametrize(
    ("pep440", "cargo"),
    [
        ("1.2.0", "1.2.0"),
        ("1.2", "1.2.0"),
        ("1.2.0a1", "1.2.0-alpha.1"),
        ("1.2.0b2", "1.2.0-beta.2"),
        ("1.2.0rc3", "1.2.0-rc.3"),
        ("1.2.0.dev4", "1.2.0-dev.4"),
        ("1.2.0a1.dev2", "1.2.0-alpha.1.dev.2"),
        ("1.2.0.post1", "1.2.0-post.1"),
        ("1.2.0rc1+abc.7", "1.2.0-rc.1+abc.7"),
    ],
)
def test_cargo_spelling_reads_back_as_the_same_pep440_version(pep440: str, cargo: str) -> None:
    """maturin reads the crate version as PEP 440: the spelling must come back unchanged."""
    assert locks.cargo_version(Version(pep440)) == cargo
    assert Version(cargo) == Version(pep440)


@pytest.mark.parametrize("version", ["1!1.2.0", "1.2.0.4"])
def test_a_version_cargo_cannot_spell_is_refused(version: str) -> None:
    with pytest.raises(ConfigError, match="has no Cargo spelling"):
        locks.cargo_version(Version(version))


PDM_LOCK = """\
# This file is @generated by PDM.
# It is not intended for manual editing.

[metadata]
groups = ["default", "dev"]
strategy = ["inherit_metadata"]
lock_version = "4.5.1"
content_hash = "sha256:9ed7548f0e250337c509b28ff42633a7ec40bb579bdc3077f3f1dfb2aed7438b"

[[metadata.targets]]
requires_python = ">=3.11"

[[package]]
name = "lock-demo"
version = "{demo}"
requires_python = ">=3.11"
editable = true
path = "./packages/lock-demo"
summary = ""
groups = ["dev"]

[[package]]
name = "lock-demo"
version = "0.9.0"
requires_python = ">=3.11"
summary = "The released one, from the index"
groups = ["default"]
files = [
    {{file = "lock_demo-0.9.0-py3-none-any.whl", hash = "sha256:00"}},
]
"""


def test_pdm_lock_moves_the_entry_that_is_the_project(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository's top: the lock above the project is in it
    (tmp_path / "pdm.lock").write_text(PDM_LOCK.format(demo="1.2.0"))
    write_project(tmp_path / "packages" / "lock-demo", "lock-demo")
    loaded = config.load(tmp_path / "packages" / "lock-demo")

    (edit,) = locks.edits(loaded, Version("1.3.0"))

    assert edit.path == "../../pdm.lock"
    assert edit.new == PDM_LOCK.format(demo="1.3.0")


def test_no_lock_above_the_repository_is_touched(tmp_path: Path) -> None:
    (tmp_path / "pdm.lock").write_text(PDM_LOCK.format(demo="1.2.0"))
    (tmp_path / "packages" / "lock-demo" / ".git").mkdir(parents=True)
    write_project(tmp_path / "packages" / "lock-demo", "lock-demo")
    assert locks.paths(config.load(tmp_path / "packages" / "lock-demo")) == []
