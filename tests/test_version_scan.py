"""`init` proposes only the places that carry this package's version; drift is synced.

A project shaped like the ones that broke init: policy YAMLs with `version: "1.0"` under
examples/ and tests/fixtures/, a subpackage with its own `__version__`, vendored code,
schema and bound constants, dependency pins, a lock file, CITATION.cff, a Sphinx
conf.py, a .zenodo.json.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from conftest import git, release_cli, tree_state

from release import config
from release.adoption.version_scan import not_ours, scan

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "policyguard"
version = "{version}"
requires-python = ">=3.11"
dependencies = ["pyyaml>=6.0.1", "attrs==1.0.20"]
"""
POLICY = 'version: "1.0"\nrules:\n  - match: "**"\n    action: allow\n'
PROJECT = {
    "pyproject.toml": PYPROJECT.format(version="1.0.23"),
    "src/policyguard/__init__.py": (
        '"""Policy guard."""\n\n__version__ = "1.0.23"\nPOLICYGUARD_VERSION = "1.0.23"\n'
    ),
    "src/policyguard/telemetry/__init__.py": "",
    "src/policyguard/telemetry/instrumentor.py": (
        '_SCOPE_VERSION: str = "1.0.23"\n_EXPORTER_VERSION = "1.0.19"\n'
        'OTEL_SCHEMA_VERSION = "1.21.0"\n'
    ),
    "src/policyguard/plugins/__init__.py": '__version__ = "1.2.0"\n',
    "src/policyguard/_vendor/tinyyaml/__init__.py": '__version__ = "0.9.1"\n',
    "src/policyguard/compat.py": (
        'MIN_PYTHON_VERSION = "3.11.0"\nREMOVED_IN_VERSION = "2.0.0"\n'
        'USER_AGENT = "policyguard/1.0.23"\n'
    ),
    "CITATION.cff": (
        'cff-version: 1.2.0\ntitle: policyguard\nversion: "1.0.23"\ndate-released: "2026-01-12"\n'
    ),
    "docs/conf.py": 'project = "policyguard"\nrelease = "1.0.23"\nversion = "1.0"\n',
    "docs/data/policy.yaml": POLICY,
    **{f"examples/policy_{index:02d}.yml": POLICY for index in range(12)},
    "tests/fixtures/policies/strict.yaml": POLICY,
    "tests/test_guard.py": '__version__ = "0.0.1"\n\n\ndef test_guard() -> None:\n    pass\n',
    "requirements-dev.txt": "policyguard==1.0.22\npytest>=8.0\n",
    "uv.lock": 'version = 1\n\n[[package]]\nname = "policyguard"\nversion = "1.0.22"\n',
    "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n## [1.0.23] - 2026-01-12\n",
    ".zenodo.json": '{\n  "title": "policyguard",\n  "version": "1.0.23"\n}\n',
    "codemeta.json": '{\n  "name": "policyguard-schema",\n  "version": "0.9"\n}\n',
    "schema.json": '{"$schema": "https://json-schema.org/draft/2020-12", "version": "1.0"}\n',
}
RELEASES = ("1.0.20", "1.0.21", "1.0.22", "1.0.23")
PROPOSED = [
    "pyproject.toml:project.version",
    {"path": ".zenodo.json", "pattern": '"version"\\s*:\\s*"(?P<version>[^"]*)"'},
    "CITATION.cff:version",
    "docs/conf.py:release",
    "src/policyguard/__init__.py:__version__",
    "src/policyguard/__init__.py:POLICYGUARD_VERSION",
    "src/policyguard/telemetry/instrumentor.py:_SCOPE_VERSION",
]
ZENODO = '.zenodo.json ~ /"version"\\s*:\\s*"(?P<version>[^"]*)"/'
NOT_PROPOSED = [
    "not proposed, proposed only when it repeats the version (1): codemeta.json:version = 0.9",
    "not proposed, a short version (X.Y), not the full one (1): docs/conf.py:version = 1.0",
    "not proposed, another thing's version (schema, format, protocol, bounds) (3):"
    " src/policyguard/compat.py:MIN_PYTHON_VERSION = 3.11.0,"
    " src/policyguard/compat.py:REMOVED_IN_VERSION = 2.0.0,"
    " src/policyguard/telemetry/instrumentor.py:OTEL_SCHEMA_VERSION = 1.21.0",
    "not proposed, a subpackage's or module's own version (1):"
    " src/policyguard/plugins/__init__.py:__version__ = 1.2.0",
    "not proposed, not a release of this package (1):"
    " src/policyguard/telemetry/instrumentor.py:_EXPORTER_VERSION = 1.0.19",
    "not read: 15 files in examples/ (12), tests/ (2), src/policyguard/_vendor/ (1): tests,"
    " examples, fixtures and vendored code carry other versions",
]
SYNC_HINT = "`python -m release init --sync`"


def make_project(root: Path, files: dict[str, str], releases: tuple[str, ...] = RELEASES) -> Path:
    """A git repository with one commit per release, tagged `v<version>`, then `files`."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for release in releases:
        git(root, "commit", "-q", "--allow-empty", "-m", f"Release {release}")
        git(root, "tag", "-a", f"v{release}", "-m", release)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The project as it is")
    return root


def edited(changes: dict[str, tuple[str, str]]) -> dict[str, str]:
    """PROJECT with `old` replaced by `new` in each named file."""
    files = dict(PROJECT)
    for path, (old, new) in changes.items():
        assert old in files[path]
        files[path] = files[path].replace(old, new)
    return files


def notes(stderr: str) -> list[str]:
    return [line.removeprefix("note: ") for line in stderr.splitlines() if line.startswith("note")]


def release_table(root: Path) -> dict[str, object]:
    table: dict[str, object] = tomllib.loads((root / "pyproject.toml").read_text())["tool"][
        "release"
    ]
    return table


def test_init_proposes_only_the_places_that_carry_the_version(tmp_path: Path) -> None:
    root = make_project(tmp_path / "policyguard", PROJECT)
    shown = release_cli(root, "init")
    assert shown.returncode == 0, shown.stderr
    said = notes(shown.stderr)
    for line in NOT_PROPOSED:
        assert line in said
    assert [line for line in said if line.startswith("version file: ")] == [
        f"version file: {entry}" if isinstance(entry, str) else f"version file: {ZENODO}"
        for entry in PROPOSED
    ]

    written = release_cli(root, "init", "--write")
    assert written.returncode == 0, written.stderr
    table = release_table(root)
    assert table["version-files"] == PROPOSED
    assert table["date-files"] == ["CITATION.cff:date-released"]
    bump = release_cli(root, "bump", "1.0.24", "--dry-run", "--allow-empty-changelog")
    assert bump.returncode == 0, bump.stderr  # the engine reads and rewrites each of them
    for path in {str(entry).split(":")[0] for entry in PROPOSED[2:]} | {".zenodo.json"}:
        assert f"+++ b/{path}" in bump.stdout


LAGGING = {
    "CITATION.cff": ('version: "1.0.23"', 'version: "1.0.22"'),
    "src/policyguard/__init__.py": ('__version__ = "1.0.23"', '__version__ = "1.0.21"'),
    "src/policyguard/telemetry/instrumentor.py": (
        '_SCOPE_VERSION: str = "1.0.23"',
        '_SCOPE_VERSION: str = "1.0.20"',
    ),
}
LAGGING_REPORT = [
    "error: 3 copies of the version lag behind 1.0.23 (pyproject.toml:project.version)",
    f"hint: {SYNC_HINT} shows the diff, then sets them to 1.0.23 in one write. Nothing was written",
    "  file                                       locator         found   current",
    "  CITATION.cff                               version         1.0.22  1.0.23",
    "  src/policyguard/__init__.py                __version__     1.0.21  1.0.23",
    "  src/policyguard/telemetry/instrumentor.py  _SCOPE_VERSION  1.0.20  1.0.23",
]


@pytest.mark.parametrize("options", [(), ("--write",)])
def test_lagging_copies_stop_init_with_the_sync_command(
    options: tuple[str, ...], tmp_path: Path
) -> None:
    root = make_project(tmp_path / "policyguard", edited(LAGGING))
    before = tree_state(root)
    result = release_cli(root, "init", *options)
    assert result.returncode == 1
    assert result.stderr.splitlines() == LAGGING_REPORT
    assert result.stdout == ""
    assert tree_state(root) == before
    assert git(root, "status", "--porcelain") == ""


def test_sync_sets_the_lagging_copies_byte_for_byte(tmp_path: Path) -> None:
    root = make_project(tmp_path / "policyguard", edited(LAGGING))
    before = tree_state(root)
    synced = release_cli(root, "init", "--sync")
    assert synced.returncode == 0, synced.stderr
    assert '-version: "1.0.22"\n+version: "1.0.23"\n' in synced.stdout
    assert '-_SCOPE_VERSION: str = "1.0.20"\n+_SCOPE_VERSION: str = "1.0.23"\n' in synced.stdout
    assert synced.stdout.splitlines()[-2:] == [
        "init --sync: set CITATION.cff:version, src/policyguard/__init__.py:__version__,"
        " src/policyguard/telemetry/instrumentor.py:_SCOPE_VERSION to 1.0.23",
        "init: next, `python -m release init` shows the adoption",
    ]
    assert notes(synced.stderr) == [
        "CITATION.cff:date-released is left as it is: the next release sets it"
    ]
    for path, text in PROJECT.items():
        assert (root / path).read_text() == text, path
    after = tree_state(root)
    assert sorted(k for k in after if after[k] != before[k]) == sorted(LAGGING)
    assert not list(root.rglob("*.release-tmp"))

    again = release_cli(root, "init", "--sync")
    assert again.returncode == 0, again.stderr
    assert "init --sync: every copy of the version already says 1.0.23" in again.stdout
    assert tree_state(root) == after
    assert release_cli(root, "init").returncode == 0


def test_sync_with_write_adopts_in_the_same_run(tmp_path: Path) -> None:
    root = make_project(tmp_path / "policyguard", edited(LAGGING))
    result = release_cli(root, "init", "--sync", "--write")
    assert result.returncode == 0, result.stderr
    assert "init: wrote pyproject.toml" in result.stdout
    assert release_table(root)["version-files"] == PROPOSED


def test_a_killed_sync_is_finished_by_the_next_init(tmp_path: Path) -> None:
    root = make_project(tmp_path / "policyguard", edited(LAGGING))
    child = subprocess.Popen(
        [sys.executable, "-m", "release", "init", "--sync"],
        cwd=root,
        env={**os.environ, "RELEASE_TEST_PAUSE_BETWEEN_WRITES": "60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first = "CITATION.cff"
    deadline = time.monotonic() + 30
    while (root / first).read_text() != PROJECT[first] and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert [path for path in LAGGING if (root / path).read_text() == PROJECT[path]] == [first]

    rerun = release_cli(root, "init")
    assert rerun.returncode == 0, rerun.stderr
    assert (
        "note: an interrupted init --sync was found: 1 of 3 files had been written; the other 2"
        " were written now, so all are new"
    ) in rerun.stderr
    for path in LAGGING:
        assert (root / path).read_text() == PROJECT[path]


DISAGREE = {
    "pyproject.toml": ('version = "1.0.23"', 'version = "1.4.0"'),
    "src/policyguard/__init__.py": ('__version__ = "1.0.23"', '__version__ = "2.0.0"'),
    "CITATION.cff": ('version: "1.0.23"', 'version: "1.0.22"'),
    "docs/conf.py": ('release = "1.0.23"', 'release = "1.4.0"'),
}


@pytest.mark.parametrize("options", [(), ("--write",)])
def test_true_disagreement_stops_init_with_nothing_written(
    options: tuple[str, ...], tmp_path: Path
) -> None:
    root = make_project(tmp_path / "policyguard", edited(DISAGREE))
    before = tree_state(root)
    result = release_cli(root, "init", *options)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: the files that carry the version disagree with 1.4.0"
        " (pyproject.toml:project.version)",
        f"hint: if 1.4.0 is right, {SYNC_HINT} shows the diff and sets each to it; if not, set"
        " pyproject.toml:project.version first. Nothing was written",
        "  file                                       locator              found   current",
        "  src/policyguard/__init__.py                __version__          2.0.0   1.4.0",
        "  CITATION.cff                               version              1.0.22  1.4.0",
        "  src/policyguard/__init__.py                POLICYGUARD_VERSION  1.0.23  1.4.0",
        "  src/policyguard/telemetry/instrumentor.py  _SCOPE_VERSION       1.0.23  1.4.0",
    ]
    assert tree_state(root) == before
    assert git(root, "status", "--porcelain") == ""


def test_a_development_version_keeps_the_citation_of_the_last_release(tmp_path: Path) -> None:
    """pyproject says 1.0.24.dev0 between releases: CITATION.cff rightly cites 1.0.23."""
    files = edited(
        {
            "pyproject.toml": ('version = "1.0.23"', 'version = "1.0.24.dev0"'),
            "src/policyguard/__init__.py": ("1.0.23", "1.0.24.dev0"),
            "docs/conf.py": ('release = "1.0.23"', 'release = "1.0.24.dev0"'),
            "src/policyguard/telemetry/instrumentor.py": ("1.0.23", "1.0.24.dev0"),
            ".zenodo.json": ("1.0.23", "1.0.24.dev0"),
        }
    )
    root = make_project(tmp_path / "policyguard", files)
    result = release_cli(root, "init")
    assert result.returncode == 0, result.stderr
    assert (
        "not proposed, the last release, beside a development version (1):"
        " CITATION.cff:version = 1.0.23"
    ) in notes(result.stderr)

    forgotten = root / "src/policyguard/__init__.py"  # code that still says 1.0.23 lags
    forgotten.write_text(forgotten.read_text().replace("1.0.24.dev0", "1.0.23", 1))
    result = release_cli(root, "init")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-2:] == [
        "  file                         locator      found   current",
        "  src/policyguard/__init__.py  __version__  1.0.23  1.0.24.dev0",
    ]


@pytest.mark.parametrize(
    ("path", "text", "proposed", "lagging", "reason"),
    [
        ("src/policyguard/version.py", 'VERSION = "1.0.23"\n', True, False, ""),
        ("src/policyguard/__about__.py", '__version__ = "1.0.22"\n', False, True, ""),
        ("src/policyguard/sub/__init__.py", '__version__ = "1.0.23"\n', True, False, ""),
        (
            "src/policyguard/v1/version.py",
            'VERSION = "1.0.22"\n',
            False,
            False,
            "a subpackage's or module's own version",
        ),
        (
            "src/policyguard/six.py",
            '__version__ = "1.16.0"\n',
            False,
            False,
            "a subpackage's or module's own version",
        ),
        ("src/policyguard/client.py", 'CLIENT_VERSION = "1.0.21"\n', False, True, ""),
        (
            "src/policyguard/client.py",
            'CLIENT_VERSION = "9.0.0"\n',
            False,
            False,
            "not a release of this package",
        ),
        (
            "src/policyguard/client.py",
            'API_VERSION = "1.0.22"\n',
            False,
            False,
            "another thing's version (schema, format, protocol, bounds)",
        ),
        (
            "src/policyguard/client.py",
            'version = "1.0.22"\n',
            False,
            False,
            "a subpackage's or module's own version",
        ),
        (
            "src/policyguard/version.py",
            'VERSION = "1.0.23"\nVERSION = "1.0.23"\n',
            False,
            False,
            "assigned more than once (name it with a pattern in version-files)",
        ),
        (
            "policyguard_cli/__init__.py",
            '__version__ = "1.0.22"\n',
            False,
            False,
            "another top-level package's own version",
        ),
        ("vendor/policyguard/__init__.py", '__version__ = "1.0.22"\n', False, False, ""),
        ("src/policyguard/third_party/x.py", 'X_VERSION = "1.0.22"\n', False, False, ""),
        ("examples/app/__init__.py", '__version__ = "1.0.22"\n', False, False, ""),
        ("docs/source/conf.py", 'release = "1.0.22"\n', False, True, ""),
        (
            "doc/conf.py",
            'version = "1.0"\n',
            False,
            False,
            "a short version (X.Y), not the full one",
        ),
        ("setup.cfg", "[metadata]\nversion = 1.0.22\n", False, False, ""),
        ("package.json", '{"version": "1.0.22"}\n', False, False, ""),
        ("policy.yaml", 'version: "1.0.22"\n', False, False, ""),
    ],
)
def test_each_kind_of_place(
    path: str, text: str, proposed: bool, lagging: bool, reason: str, tmp_path: Path
) -> None:
    files = {
        "pyproject.toml": PYPROJECT.format(version="1.0.23"),
        "src/policyguard/__init__.py": "",
        path: text,
    }
    root = make_project(tmp_path / "policyguard", files)
    found = scan(config.load(root), "1.0.23")
    located = {str(spec).split(":")[0] for spec in found.proposed}
    assert (path in located) is proposed
    assert (path in {place.spec.path for place in found.lagging}) is lagging
    reasons = [item.reason.value for item in found.skipped]
    assert reasons == ([reason] if reason else [])
    assert found.conflicting == ()


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        ("examples/policy.yml", "examples/"),
        ("tests/fixtures/a.json", "tests/"),
        ("pkg/tests/test_x.py", "pkg/tests/"),
        ("src/pkg/_vendor/six.py", "src/pkg/_vendor/"),
        ("data/golden_fixtures/v.yaml", "data/golden_fixtures/"),
        ("third_party/lib/__init__.py", "third_party/"),
        ("src/pkg/testing.py", ""),
        ("src/pkg/contest/__init__.py", ""),
        ("CITATION.cff", ""),
    ],
)
def test_which_folders_are_never_read(path: str, folder: str) -> None:
    assert not_ours(path) == folder


@pytest.mark.parametrize(
    "path",
    [
        "policyguard/__init__.py",
        "src/policyguard/__init__.py",
        "lib/policyguard/_version.py",
        "policyguard.py",
        "src/policyguard.py",
        "guard/__version__.py",  # the only package, whatever its name
    ],
)
def test_the_package_is_found_in_each_layout(path: str, tmp_path: Path) -> None:
    package = path.rsplit("/", 1)[0] + "/__init__.py" if "/" in path else path
    files = {
        "pyproject.toml": PYPROJECT.format(version="1.0.23"),
        package: "",
        path: '__version__ = "1.0.22"\n',
        "tests/__init__.py": "",
    }
    root = make_project(tmp_path / "policyguard", files)
    found = scan(config.load(root), "1.0.23")
    assert [str(place) for place in found.lagging] == [f"{path}:__version__ = 1.0.22"]


def test_sync_after_a_disagreement_sets_every_copy_to_the_declared_version(
    tmp_path: Path,
) -> None:
    """The hint's promise: --sync takes the version the build backend reads (1.4.0)."""
    root = make_project(tmp_path / "policyguard", edited(DISAGREE))
    synced = release_cli(root, "init", "--sync")
    assert synced.returncode == 0, synced.stderr
    assert '-__version__ = "2.0.0"\n' in synced.stdout
    assert '+__version__ = "1.4.0"\n' in synced.stdout
    init = (root / "src/policyguard/__init__.py").read_text()
    assert init == PROJECT["src/policyguard/__init__.py"].replace("1.0.23", "1.4.0")
    assert 'version: "1.4.0"' in (root / "CITATION.cff").read_text()
    assert release_cli(root, "init").returncode == 0
