"""Releases in a repository of several packages: one alone, several together in dependency
order, a native wheel, a re-run, a SIGKILL between two packages' uploads.

Each test has its own pypiserver holding cffi (what the native package needs at run time),
so which file arrived when is read straight from the index's folder.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import release_cli, run, tool
from packaging.tags import sys_tags
from packaging.utils import parse_wheel_filename

from e2e.conftest import PASSWORD, USER, git
from e2e.monorepo import SRC_LIB, Member, Monorepo, monorepo, wheelhouse, workspace
from e2e.servers import Server, pypi_server

RELEASED = "2026-11-18"  # SOURCE_DATE_EPOCH's day (tests/conftest.py)


@pytest.fixture(scope="session")
def houses(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture
def index(tmp_path: Path, houses: Path) -> Iterator[Server]:
    """A pypiserver of this test's own, already holding cffi and pycparser."""
    packages = tmp_path / "index" / "packages"
    packages.mkdir(parents=True)
    for wheel in houses.iterdir():
        shutil.copy(wheel, packages)
    with pypi_server(tmp_path / "index", {USER: PASSWORD}) as server:
        yield server


@pytest.fixture
def mono(tmp_path: Path, index: Server, houses: Path) -> Monorepo:
    return monorepo(tmp_path / "mono", index.url, houses)


@pytest.fixture
def chain(tmp_path: Path, index: Server, houses: Path) -> Monorepo:
    """The workspace, with a's last release on the index: installs look there first, as they
    would look on PyPI for a real one."""
    repo = workspace(tmp_path / "chain", index.url, houses)
    build = [sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(index.directory)]
    built = subprocess.run(build, cwd=repo.folder("a"), capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    repo.env["UV_EXTRA_INDEX_URL"] = f"{index.url}simple/"
    return repo


def uploaded(server: Server, member: Member) -> dict[str, bytes]:
    """The member's files on the index, read from the server's folder."""
    return {
        p.name: p.read_bytes() for p in server.directory.iterdir() if p.name.startswith(member.stem)
    }


def arrival(server: Server, member: Member) -> list[int]:
    """When each of the member's files was written on the index (ns), in order."""
    files = server.directory.iterdir()
    return sorted(p.stat().st_mtime_ns for p in files if p.name.startswith(member.stem))


def changed_by(repo: Monorepo, commit: str) -> list[str]:
    return git(repo.root, "show", "--format=", "--name-only", commit).split()


def lock_entries(text: str) -> dict[str, dict[str, object]]:
    return {entry["name"]: entry for entry in tomllib.loads(text)["package"]}


def section(changelog: str, version: str) -> str:
    """One release's section of a Keep a Changelog file, its heading included."""
    start = changelog.index(f"## [{version}]")
    end = changelog.find("\n## [", start + 1)
    return changelog[start : end if end >= 0 else None]


def test_one_package_releases_alone(mono: Monorepo, index: Server) -> None:
    """Only its tag, its files, its changelog, its lock entry; only its commits count."""
    tracer, recorder = mono["tracer"], mono["recorder"]
    recorder_changelog = mono.read(f"{recorder.folder}/CHANGELOG.md")
    lock_before = mono.read("uv.lock")
    fix = mono.commit(
        "fix(tracer): spans close on error",
        {f"{tracer.folder}/src/tracer/spans.py": '"""Spans."""\n\nCLOSE_ON_ERROR = True\n'},
    )
    mono.commit(
        "feat!: the recorder counts in 64 bits",
        {f"{recorder.folder}/src/lib.rs": SRC_LIB.replace("i32", "i64")},
    )
    mono.commit("docs: say what the repository holds", {"README.md": "# Two packages\n"})

    told = mono.cli("next", "--package", recorder.name)
    assert told.returncode == 0, told.stderr
    assert told.stdout.splitlines()[-1] == "0.4.0"  # its breaking change, 0.x: minor

    released = ("--package", tracer.name, "auto", "--execute", "--no-wait-ci", "--changelog")
    done = run([tool("nox"), "-s", "release", "--", *released, "generate"], mono.root, **mono.env)
    assert done.returncode == 0, done.stdout + done.stderr

    refs = mono.remote_refs()
    assert mono.remote_tags() == ["recorder-v0.3.0", "tracer-v0.1.0", "tracer-v0.1.1"]
    assert refs["refs/tags/tracer-v0.1.1"] == refs["refs/heads/main"] == mono.head()
    assert changed_by(mono, "HEAD") == [
        f"{tracer.folder}/CHANGELOG.md",
        f"{tracer.folder}/pyproject.toml",
        f"{tracer.folder}/src/tracer/__init__.py",
        "uv.lock",
    ]
    assert mono.read(f"{recorder.folder}/CHANGELOG.md") == recorder_changelog
    assert section(mono.read(f"{tracer.folder}/CHANGELOG.md"), "0.1.1") == (
        f"## [0.1.1] - {RELEASED}\n\n### Fixed\n\n- **tracer:** spans close on error ({fix[:7]})\n"
    )
    before, after = lock_entries(lock_before), lock_entries(mono.read("uv.lock"))
    assert after[tracer.name]["version"] == "0.1.1"
    assert {**after, tracer.name: before[tracer.name]} == before  # no other entry moved
    locked = mono.lock("--locked")
    assert locked.returncode == 0, locked.stderr

    assert uploaded(index, tracer) == mono.built("tracer")
    assert sorted(uploaded(index, tracer)) == [
        f"{tracer.stem}0.1.1-py3-none-any.whl",
        f"{tracer.stem}0.1.1.tar.gz",
    ]
    assert uploaded(index, recorder) == {}


def test_native_package_ships_its_host_wheel(mono: Monorepo, index: Server) -> None:
    """Released from its own folder (the package implied): Cargo.toml and Cargo.lock bumped,
    the host platform's wheel built by maturin, checked in a clean venv, uploaded."""
    recorder, tracer = mono["recorder"], mono["tracer"]
    mono.commit(
        "fix(recorder): add() wraps instead of panicking",
        {
            f"{recorder.folder}/src/lib.rs": SRC_LIB.replace(
                "left + right", "left.wrapping_add(right)"
            ),
            **mono.changelog_entry("recorder", "Fixed", "`add()` wraps instead of panicking."),
        },
    )
    folder = mono.folder("recorder")
    done = release_cli(folder, "release", "patch", "--execute", "--no-wait-ci", **mono.env)
    assert done.returncode == 0, done.stdout + done.stderr

    assert mono.remote_tags() == ["recorder-v0.3.0", "recorder-v0.3.1", "tracer-v0.1.0"]
    cargo = tomllib.loads((folder / "Cargo.toml").read_text(encoding="utf-8"))
    assert cargo["package"]["version"] == "0.3.1"
    cargo_lock = tomllib.loads((folder / "Cargo.lock").read_text(encoding="utf-8"))
    assert [p["version"] for p in cargo_lock["package"] if p["name"] == "recorder"] == ["0.3.1"]
    metadata = subprocess.run(
        [
            shutil.which("cargo") or "cargo",
            "metadata",
            "--locked",
            "--offline",
            "--format-version",
            "1",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert metadata.returncode == 0, metadata.stderr  # Cargo.lock agrees with Cargo.toml
    assert sorted(changed_by(mono, "HEAD")) == [
        f"{recorder.folder}/CHANGELOG.md",
        f"{recorder.folder}/Cargo.lock",
        f"{recorder.folder}/Cargo.toml",
    ]

    built = mono.built("recorder")
    wheels = [name for name in built if name.endswith(".whl")]
    assert sorted(built) == sorted([*wheels, f"{recorder.stem}0.3.1.tar.gz"])
    assert len(wheels) == 1
    _, version, _, tags = parse_wheel_filename(wheels[0])
    assert str(version) == "0.3.1"
    assert all(tag.platform != "any" for tag in tags)  # a platform wheel, for this host
    assert set(tags) & set(sys_tags())
    with zipfile.ZipFile(folder / "dist" / wheels[0]) as wheel:
        native = [
            n for n in wheel.namelist() if re.fullmatch(r"recorder/[^/]+\.(so|dylib|dll|pyd)", n)
        ]
    assert native, "no shared library in the wheel"

    smoke = re.findall(r"^(wheel: smoke|sdist: smoke|smoke)\s+(\S+)\s+(.*)$", done.stdout, re.M)
    assert smoke == [
        ("wheel: smoke", "ok", "1 passed"),
        ("sdist: smoke", "ok", "1 passed"),
        ("smoke", "ok", "1 passed"),
    ], done.stdout
    assert uploaded(index, recorder) == built
    assert uploaded(index, tracer) == {}


def test_packages_together_in_dependency_order_then_nothing_more(
    chain: Monorepo, index: Server
) -> None:
    """c requires b requires a: b and c released together (asked in the other order), b's
    files reach the index before c's, c's pin on b moves, a re-run adds nothing."""
    a, b, c = chain["a"], chain["b"], chain["c"]
    a_files = uploaded(index, a)
    assert len(a_files) == 2  # its last release
    for member in (b, c):
        chain.commit(
            f"fix({member.key}): handle an empty input",
            {
                f"{member.folder}/src/{member.key}/empty.py": "EMPTY = ()\n",
                **chain.changelog_entry(member.key, "Fixed", "An empty input is handled."),
            },
        )
    start = chain.head()
    command = ("--package", c.name, "--package", b.name, "auto", "--execute", "--no-wait-ci")
    done = chain.release(*command)
    assert done.returncode == 0, done.stdout + done.stderr

    tags = ["a-v0.1.0", "b-v0.2.0", "b-v0.2.1", "c-v0.3.0", "c-v0.3.1"]
    assert chain.remote_tags() == tags
    b_project = tomllib.loads(chain.read(f"{b.folder}/pyproject.toml"))["project"]
    c_project = tomllib.loads(chain.read(f"{c.folder}/pyproject.toml"))["project"]
    assert (b_project["version"], b_project["dependencies"]) == ("0.2.1", [f"{a.name}>=0.1.0"])
    assert (c_project["version"], c_project["dependencies"]) == ("0.3.1", [f"{b.name}>=0.2.1"])
    locked = chain.lock("--locked")
    assert locked.returncode == 0, locked.stderr  # the root uv.lock follows both
    assert all(
        f"{a.folder}/" not in path for path in git(chain.root, "diff", "--name-only", start).split()
    )

    assert uploaded(index, b) == chain.built("b")
    assert uploaded(index, c) == chain.built("c")
    assert uploaded(index, a) == a_files
    assert max(arrival(index, b)) < min(arrival(index, c))  # the dependency first
    c_wheel = next(name for name in uploaded(index, c) if name.endswith(".whl"))
    with zipfile.ZipFile(index.directory / c_wheel) as wheel:
        metadata = wheel.read(f"{c.stem}0.3.1.dist-info/METADATA").decode()
    assert f"Requires-Dist: {b.name}>=0.2.1" in metadata.splitlines()

    refs = chain.remote_refs()
    on_index = {p.name: p.stat().st_mtime_ns for p in index.directory.iterdir()}
    again = chain.release(*command)
    assert again.returncode == 0, again.stdout + again.stderr
    assert chain.remote_refs() == refs
    assert chain.head() == refs["refs/heads/main"]
    assert {p.name: p.stat().st_mtime_ns for p in index.directory.iterdir()} == on_index


def test_killed_during_the_second_upload_then_resumed(
    mono: Monorepo, index: Server, tmp_path: Path
) -> None:
    """SIGKILL between the second package's two uploads (`mid-upload#2`); then --resume:
    one copy of every file, one tag per package."""
    recorder, tracer = mono["recorder"], mono["tracer"]
    fixes = {
        "recorder": {f"{recorder.folder}/src/lib.rs": SRC_LIB.replace("i32", "u32")},
        "tracer": {f"{tracer.folder}/src/tracer/ids.py": "FIRST_ID = 1\n"},
    }
    for key, change in fixes.items():
        entry = mono.changelog_entry(key, "Fixed", "Identifiers are unsigned.")
        mono.commit(f"fix({key}): unsigned identifiers", {**change, **entry})
    start = mono.head()
    packages = ("--package", recorder.name, "--package", tracer.name)
    killed = mono.release(
        *packages, "auto", "--execute", "--no-wait-ci", RELEASE_TEST_KILL_AT="mid-upload#2"
    )
    output = killed.stdout + killed.stderr
    assert killed.returncode == -9, output
    first, second = recorder, tracer  # neither needs the other: the order they are named in
    assert len(uploaded(index, first)) == 2, output
    assert len(uploaded(index, second)) == 1, output  # killed between its two files

    done = mono.release(*packages, "--resume", "--execute", "--no-wait-ci")
    assert done.returncode == 0, done.stdout + done.stderr

    refs = mono.remote_refs()
    assert mono.remote_tags() == [
        "recorder-v0.3.0",
        "recorder-v0.3.1",
        "tracer-v0.1.0",
        "tracer-v0.1.1",
    ]
    assert git(mono.root, "tag", "--list").split() == mono.remote_tags()
    assert refs["refs/heads/main"] == mono.head()
    history = git(mono.root, "rev-list", f"{start}..HEAD").split()
    assert refs["refs/tags/recorder-v0.3.1"] in history
    assert refs["refs/tags/tracer-v0.1.1"] in history
    subjects = git(mono.root, "log", "--format=%s", f"{start}..HEAD").splitlines()
    assert len(subjects) == len(set(subjects)), subjects  # no release commit twice
    for member, version in ((recorder, "0.3.1"), (tracer, "0.1.1")):
        files = uploaded(index, member)
        assert files == mono.built(member.key)
        assert [name.removeprefix(member.stem)[: len(version)] for name in files] == [version] * 2
        journal = json.loads((mono.folder(member.key) / ".release" / "journal.json").read_text())
        assert journal["finished"] is True
