"""`[tool.release]` -> dataclasses: defaults, validation, the closest valid key."""

from __future__ import annotations

from pathlib import Path

import pytest

from release.config import Gate, VersionFile, load
from release.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_project_with_only_project_gets_defaults(tmp_path: Path) -> None:
    config = load(write(tmp_path, '[project]\nname = "My.Pkg"\nversion = "1.0"\n'))
    assert config.package == "my_pkg"
    assert config.branch == "main"
    assert config.tag_format == "v{version}"
    assert config.changelog == "CHANGELOG.md"
    assert config.version_files == (VersionFile("pyproject.toml", "project.version"),)
    assert config.publish.where == "ci"
    assert (config.publish.pre_release, config.publish.final) == ("testpypi", "pypi")
    assert config.ci.python == ("3.11", "3.12", "3.13")
    assert config.gates is None


def test_poetry_and_dynamic_versions(tmp_path: Path) -> None:
    poetry = load(write(tmp_path, '[tool.poetry]\nname = "p"\nversion = "1.0"\n'))
    assert poetry.version_source == "poetry"
    assert poetry.version_files == (VersionFile("pyproject.toml", "tool.poetry.version"),)
    dynamic = load(write(tmp_path, '[project]\nname = "d"\ndynamic = ["version"]\n'))
    assert dynamic.version_source == "vcs"
    assert dynamic.version_files == ()


def test_the_full_design_table_loads(tmp_path: Path) -> None:
    config = load(
        write(
            tmp_path,
            """[project]
name = "enforcecore"
version = "1.0.22"

[tool.release]
version-files = ["pyproject.toml:project.version",
  { path = "docs/conf.py", pattern = 'release = "(?P<version>[^"]+)"' }]
date-files = ["CITATION.cff:date-released"]
forbidden = ["internal/**"]
smoke = ["python -c 'import enforcecore'"]

[tool.release.publish]
where = "local"
staging = "testpypi"

[tool.release.ci]
os = "ubuntu-latest"

[tool.release.gates.tests]
run = ["pytest --timeout=60 -q"]
install = [".[dev]", "pytest-timeout"]
env = { HYPOTHESIS_MAX_EXAMPLES = "10" }
os = ["macos-latest"]
timeout-minutes = 15
""",
        )
    )
    assert config.version_files[1] == VersionFile(
        "docs/conf.py", pattern='release = "(?P<version>[^"]+)"'
    )
    assert config.publish.staging == "testpypi"
    assert config.ci.os == ("ubuntu-latest",)
    assert config.gates == (
        Gate(
            "tests",
            ("pytest --timeout=60 -q",),
            (".[dev]", "pytest-timeout"),
            {"HYPOTHESIS_MAX_EXAMPLES": "10"},
            (),
            ("macos-latest",),
            15,
        ),
    )


@pytest.mark.parametrize(
    ("table", "message", "hint"),
    [
        ("[tool.release]\nversion_files = []", "unknown key 'version_files' in [tool.release]",
         "did you mean 'version-files'?"),
        ("[tool.release.publish]\nfinal_index = 'x'", "unknown key 'final_index'",
         "did you mean 'final'?"),
        ("[tool.release.gates.t]\nrun = ['x']\ntimeout = 3", "unknown key 'timeout'",
         "did you mean 'timeout-minutes'?"),
        ("[tool.release.gates.t]\ninstall = ['x']", "[tool.release.gates.t] has no 'run'", ""),
        ("[tool.release]\nsmoke = 3", "smoke must be a list of strings, not int", ""),
        ("[tool.release.gates.t]\nrun = ['x']\ntimeout-minutes = 0",
         "timeout-minutes must be a positive integer", ""),
        ("[tool.release]\nversion-files = ['nocolon']", "'nocolon' is not 'path:key'", ""),
        ("[tool.release]\nversion-files = [{ path = 'a.py', pattern = 'x' }]",
         "needs a path and a pattern with a (?P<version>...) group", ""),
    ],
)  # fmt: skip
def test_mistakes_name_the_file_and_key(
    tmp_path: Path, table: str, message: str, hint: str
) -> None:
    write(tmp_path, f'[project]\nname = "p"\nversion = "1"\n{table}\n')
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert caught.value.message.startswith(str(tmp_path / "pyproject.toml"))
    assert message in caught.value.message
    assert hint in caught.value.hint
    assert caught.value.exit_code == 2


def test_no_version_at_all(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no version"):
        load(write(tmp_path, '[project]\nname = "p"\n'))
