"""Locators read and replace exactly the version, keeping every other byte."""

from __future__ import annotations

import pytest

from release.config import VersionFile
from release.errors import ConfigError
from release.version_files import read_value, replace_value

CASES = [
    (VersionFile("pyproject.toml", "project.version"),
     '[project]\nversion = "1.0"   # pinned\n', '[project]\nversion = "2.0"   # pinned\n'),
    (VersionFile("pyproject.toml", "tool.poetry.version"),
     "[tool.poetry]\nversion = '1.0'\n", "[tool.poetry]\nversion = '2.0'\n"),
    (VersionFile("pkg/__init__.py", "__version__"),
     '"""Doc."""\n__version__ = "1.0"\n', '"""Doc."""\n__version__ = "2.0"\n'),
    (VersionFile("pkg/__init__.py", "__version__"),
     "__version__: str = '1.0'\n", "__version__: str = '2.0'\n"),
    (VersionFile("pkg/const.py", "_SCOPE_VERSION"),
     'X = "1.0"\n_SCOPE_VERSION = "1.0"\n', 'X = "1.0"\n_SCOPE_VERSION = "2.0"\n'),
    (VersionFile("CITATION.cff", "version"),
     'cff-version: 1.2.0\nversion: "1.0"\n', 'cff-version: 1.2.0\nversion: "2.0"\n'),
    (VersionFile("CITATION.cff", "version"),
     "version: 1.0  # keep\nauthors: []\n", "version: 2.0  # keep\nauthors: []\n"),
    (VersionFile("docs/conf.py", pattern=r'release = "(?P<version>[^"]+)"'),
     'release = "1.0"\nversion = "1"\n', 'release = "2.0"\nversion = "1"\n'),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "before", "after"), CASES, ids=[str(c[0]) for c in CASES])
def test_locators_read_and_replace(spec: VersionFile, before: str, after: str) -> None:
    assert read_value(before, spec) == "1.0"
    assert replace_value(before, spec, "2.0") == after


def test_an_indented_assignment_is_not_the_module_constant() -> None:
    text = "class A:\n    __version__ = '0.1'\n"
    with pytest.raises(ConfigError, match="matches nothing"):
        read_value(text, VersionFile("m.py", "__version__"))


def test_nested_yaml_keys_are_refused_with_the_way_out() -> None:
    with pytest.raises(ConfigError, match="only top-level YAML keys") as caught:
        read_value("a:\n  b: 1\n", VersionFile("x.yml", "a.b"))
    assert "pattern" in caught.value.hint


def test_unknown_file_kind_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"cannot tell how to read a '\.txt' file"):
        read_value("1.0", VersionFile("VERSION.txt", "version"))


def test_a_toml_value_that_is_not_a_string() -> None:
    with pytest.raises(ConfigError, match="value is not a string"):
        read_value("[project]\nversion = 1\n", VersionFile("pyproject.toml", "project.version"))
