"""The version, read where the build backend reads it, and the two facts a release compares:
the version in the files (maybe `8.5.0.dev`) and the last release tag.

Every fixture is a small project in the shape real ones have (hatch's version path,
pdm-backend's file, setuptools' attr, flit's module, maturin's Cargo.toml, the VCS
plugins), written here and made a git repository with a `v1.4.2` tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import git, release_cli

from release import commands, config, version_files
from release.errors import UsageError
from release.options import Options
from release.proc import NULL_LOG
from release.steps import validate

MODULE = '"""The package."""\n\n__version__ = "1.4.2"\n'
CHANGELOG = "# Changelog\n\n## [Unreleased]\n\n### Fixed\n- A bug.\n\n## [1.4.2] - 2026-01-01\n"


def backend(name: str, *requires: str) -> str:
    listed = ", ".join(f'"{item}"' for item in (name.split(".", maxsplit=1)[0], *requires))
    return f'[build-system]\nrequires = [{listed}]\nbuild-backend = "{name}"\n\n'


def dynamic(build: str, extra: str = "") -> str:
    return f'{build}[project]\nname = "rec-tools"\ndynamic = ["version"]\n{extra}'


HATCH = backend("hatchling.build")
SETUPTOOLS = backend("setuptools.build_meta")
CARGO = '[package]\nname = "rec"\nversion = "1.4.2"\nedition = "2021"\n'
WORKSPACE = '[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nversion = "1.4.2"\n'
INHERITS = '[package]\nname = "rec"\nversion = { workspace = true }\n'
HATCH_PATTERN = """
[tool.hatch.version]
path = "rec/meta.py"
pattern = 'RELEASE: str = "(?P<version>[^"]+)"'
"""
POETRY_DYNAMIC = """
[tool.poetry]
version = "0.0.0"

[tool.poetry-dynamic-versioning]
enable = true
"""


@dataclass(frozen=True)
class Shape:
    files: dict[str, str]
    source: str
    located: list[str]


CASES = {
    "static": Shape(
        {"pyproject.toml": '[project]\nname = "rec"\nversion = "1.4.2"\n'},
        "static",
        ["pyproject.toml:project.version"],
    ),
    "poetry": Shape(
        {"pyproject.toml": '[tool.poetry]\nname = "rec"\nversion = "1.4.2"\n'},
        "poetry",
        ["pyproject.toml:tool.poetry.version"],
    ),
    "poetry-2": Shape(
        {
            "pyproject.toml": dynamic(
                backend("poetry.core.masonry.api"), '\n[tool.poetry]\nversion = "1.4.2"\n'
            )
        },
        "poetry",
        ["pyproject.toml:tool.poetry.version"],
    ),
    "hatch-path": Shape(
        {
            "pyproject.toml": dynamic(
                HATCH, '\n[tool.hatch.version]\npath = "src/rec/__about__.py"\n'
            ),
            "src/rec/__about__.py": MODULE,
        },
        "file",
        ["src/rec/__about__.py:__version__"],
    ),
    "hatch-VERSION": Shape(
        {
            "pyproject.toml": dynamic(HATCH, '\n[tool.hatch.version]\npath = "rec/version.py"\n'),
            "rec/version.py": 'VERSION = "1.4.2"\n',
        },
        "file",
        ["rec/version.py:VERSION"],
    ),
    "hatch-pattern": Shape(
        {
            "pyproject.toml": dynamic(HATCH, HATCH_PATTERN),
            "rec/meta.py": 'RELEASE: str = "1.4.2"\n',
        },
        "file",
        ['rec/meta.py ~ /RELEASE: str = "(?P<version>[^"]+)"/'],
    ),
    "pdm-file": Shape(
        {
            "pyproject.toml": dynamic(
                backend("pdm.backend"),
                '\n[tool.pdm.version]\nsource = "file"\npath = "rec/__init__.py"\n',
            ),
            "rec/__init__.py": MODULE,
        },
        "file",
        ["rec/__init__.py:__version__"],
    ),
    "setuptools-attr": Shape(
        {
            "pyproject.toml": dynamic(
                SETUPTOOLS,
                '\n[tool.setuptools.package-dir]\n"" = "lib"\n\n'
                '[tool.setuptools.dynamic]\nversion = {attr = "rec.__version__"}\n',
            ),
            "lib/rec/__init__.py": MODULE,
        },
        "file",
        ["lib/rec/__init__.py:__version__"],
    ),
    "setuptools-module": Shape(
        {
            "pyproject.toml": dynamic(
                SETUPTOOLS,
                '\n[tool.setuptools.dynamic]\nversion = {attr = "rec.version.VERSION"}\n',
            ),
            "rec/__init__.py": "",
            "rec/version.py": 'VERSION = "1.4.2"\n',
        },
        "file",
        ["rec/version.py:VERSION"],
    ),
    "setuptools-file": Shape(
        {
            "pyproject.toml": dynamic(
                SETUPTOOLS, '\n[tool.setuptools.dynamic]\nversion = {file = "VERSION"}\n'
            ),
            "VERSION": "1.4.2\n",
        },
        "file",
        [r"VERSION ~ /\A\s*(?P<version>\S+)\s*\Z/"],
    ),
    "flit-package": Shape(
        {
            "pyproject.toml": dynamic(backend("flit_core.buildapi")),
            "src/rec_tools/__init__.py": MODULE,
        },
        "file",
        ["src/rec_tools/__init__.py:__version__"],
    ),
    "flit-module": Shape(
        {
            "pyproject.toml": dynamic(
                backend("flit_core.buildapi"), '\n[tool.flit.module]\nname = "rec"\n'
            ),
            "rec.py": MODULE,
        },
        "file",
        ["rec.py:__version__"],
    ),
    "maturin": Shape(
        {"pyproject.toml": dynamic(backend("maturin")), "Cargo.toml": CARGO},
        "cargo",
        ["Cargo.toml:package.version"],
    ),
    "maturin-workspace": Shape(
        {
            "pyproject.toml": dynamic(
                backend("maturin"), '\n[tool.maturin]\nmanifest-path = "crates/py/Cargo.toml"\n'
            ),
            "Cargo.toml": WORKSPACE,
            "crates/py/Cargo.toml": INHERITS,
        },
        "cargo",
        ["Cargo.toml:workspace.package.version"],
    ),
    "hatch-vcs": Shape(
        {
            "pyproject.toml": dynamic(
                backend("hatchling.build", "hatch-vcs"), '\n[tool.hatch.version]\nsource = "vcs"\n'
            )
        },
        "vcs",
        [],
    ),
    "setuptools-scm-table": Shape(
        {
            "pyproject.toml": dynamic(
                backend("setuptools.build_meta", "setuptools-scm"), "\n[tool.setuptools_scm]\n"
            )
        },
        "vcs",
        [],
    ),
    "setuptools-scm-requires": Shape(
        {"pyproject.toml": dynamic(backend("setuptools.build_meta", "setuptools-scm>=8"))},
        "vcs",
        [],
    ),
    "pdm-scm": Shape(
        {
            "pyproject.toml": dynamic(
                backend("pdm.backend"), '\n[tool.pdm.version]\nsource = "scm"\n'
            )
        },
        "vcs",
        [],
    ),
    "poetry-dynamic-versioning": Shape(
        {
            "pyproject.toml": dynamic(
                backend("poetry.core.masonry.api", "poetry-dynamic-versioning"), POETRY_DYNAMIC
            )
        },
        "vcs",
        [],
    ),
    "unknown-backend": Shape({"pyproject.toml": dynamic(backend("mesonpy"))}, "vcs", []),
}


def project(root: Path, files: dict[str, str], tag: str = "v1.4.2") -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    if tag:
        git(root, "tag", tag)
    return root


@pytest.mark.parametrize("shape", list(CASES))
def test_the_version_is_read_where_the_backend_reads_it(tmp_path: Path, shape: str) -> None:
    case = CASES[shape]
    loaded = config.load(project(tmp_path, case.files))
    assert loaded.version_source == case.source
    assert [str(spec) for spec in loaded.version_files] == case.located
    assert str(version_files.current_version(loaded)) == "1.4.2"


def test_configured_version_files_replace_the_backends_location(tmp_path: Path) -> None:
    files = dict(CASES["hatch-path"].files)
    files["pyproject.toml"] += '\n[tool.release]\nversion-files = ["src/rec/__about__.py:X"]\n'
    loaded = config.load(project(tmp_path, files))
    assert (loaded.version_source, [str(s) for s in loaded.version_files]) == (
        "file",
        ["src/rec/__about__.py:X"],
    )


@pytest.mark.parametrize(
    ("shape", "path"),
    [
        ("hatch-path", "src/rec/__about__.py"),
        ("pdm-file", "rec/__init__.py"),
        ("setuptools-attr", "lib/rec/__init__.py"),
        ("flit-module", "rec.py"),
        ("maturin", "Cargo.toml"),
        ("maturin-workspace", "Cargo.toml"),
    ],
)
def test_a_project_with_only_its_pyproject_gets_a_working_bump(
    tmp_path: Path, shape: str, path: str
) -> None:
    root = project(tmp_path, {**CASES[shape].files, "CHANGELOG.md": CHANGELOG})
    before = (root / path).read_text(encoding="utf-8")
    result = release_cli(root, "bump", "patch")
    assert result.returncode == 0, result.stderr
    assert (root / path).read_text(encoding="utf-8") == before.replace("1.4.2", "1.4.3")
    changed = git(root, "status", "--porcelain").split()
    assert sorted(changed) == sorted(["M", "CHANGELOG.md", "M", path])


def dev_project(tmp_path: Path) -> Path:
    """click's shape: the file says 8.5.0.dev between releases; the last tag is 8.4.2."""
    root = project(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "rec"\nversion = "8.4.2"\n\n'
            '[tool.release]\ntag-format = "{version}"\n',
            "CHANGELOG.md": CHANGELOG,
        },
        tag="8.4.2",
    )
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("8.4.2", "8.5.0.dev"), encoding="utf-8")
    git(root, "commit", "-qam", "start 8.5.0")
    return root


def test_a_development_version_and_the_last_release_are_both_shown(tmp_path: Path) -> None:
    root = dev_project(tmp_path)
    loaded = config.load(root)
    assert str(version_files.current_version(loaded)) == "8.5.0.dev0"
    result = release_cli(root, "bump", "patch", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("note: 'patch' is 8.5.0\n")
    assert (
        "      - check 8.5.0 against 8.5.0.dev0 in the files; the last release is 8.4.2"
        " (tag 8.4.2)\n" in result.stdout
    )
    assert '-version = "8.5.0.dev"\n        +version = "8.5.0"\n' in result.stdout


@pytest.mark.parametrize(("keyword", "version"), [("minor", "8.5.0"), ("major", "9.0.0")])
def test_keywords_move_the_version_in_the_files(tmp_path: Path, keyword: str, version: str) -> None:
    result = release_cli(dev_project(tmp_path), "bump", keyword, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"note: '{keyword}' is {version}\n")
    assert f"8.5.0.dev0 -> {version}\n" in result.stderr


def untagged_project(tmp_path: Path, *tags: str) -> Path:
    """tomlkit's shape: the file was set to 0.15.1 and committed; the last tag is 0.15.0."""
    root = project(
        tmp_path,
        {
            "pyproject.toml": '[tool.poetry]\nname = "rec"\nversion = "0.15.0"\n\n'
            '[tool.release]\ntag-format = "{version}"\nchangelog = ""\n'
        },
        tag="",
    )
    for tag in tags:
        git(root, "tag", tag)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("0.15.0", "0.15.1"), encoding="utf-8")
    git(root, "commit", "-qam", "chore: release 0.15.1")
    return root


def test_an_untagged_version_in_the_files_is_released_as_it_is(tmp_path: Path) -> None:
    root = untagged_project(tmp_path, "0.15.0")
    context = commands.make_context(
        config.load(root), Options(version="0.15.1"), new=True, as_is_allowed=True
    )
    (action,) = validate.plan(context)
    assert action.summary == (
        "check 0.15.1 against 0.15.1 in the files; the last release is 0.15.0 (tag 0.15.0)"
    )
    assert action.apply(context, NULL_LOG) == (
        "0.15.1 is in the files and has no tag yet: released as it is"
    )
    shown = release_cli(root, "release", "0.15.1")  # the dry run; later steps may fail here
    assert "0.15.1 is in the files and has no tag yet: released as it is\n" in shown.stderr


def test_bumping_to_the_version_the_files_already_say_is_refused(tmp_path: Path) -> None:
    result = release_cli(untagged_project(tmp_path, "0.15.0"), "bump", "0.15.1")
    assert (result.returncode, result.stderr) == (
        2,
        "error: 0.15.1 is the current version\nhint: give a version greater than 0.15.1,"
        " e.g. 0.15.2\n",
    )


def test_before_any_release_tag_the_files_version_counts_as_released(tmp_path: Path) -> None:
    loaded = config.load(untagged_project(tmp_path))
    with pytest.raises(UsageError, match=r"^0\.15\.1 is the current version$"):
        commands.make_context(loaded, Options(version="0.15.1"), new=True, as_is_allowed=True)
