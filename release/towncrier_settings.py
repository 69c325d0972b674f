"""towncrier's configuration, read as towncrier reads it: where the news file and the
fragments are, which types there are, what a build reads. Lean on purpose: loading the
release configuration asks it for the changelog's default (the news file)."""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release.errors import ConfigError

CONFIG_FILE = "towncrier.toml"
#: Names towncrier never reads as fragments (its own list), lower case.
NOT_FRAGMENTS = (".gitignore", ".gitkeep", ".keep", "readme", "readme.md", "readme.rst")
DEFAULT_TYPES = ("feature", "bugfix", "doc", "removal", "misc")
_RESOURCE = re.compile(r"[-\w.]+:[-\w.]+$")  # a `package:resource` template, as towncrier tells


@dataclass(frozen=True)
class Settings:
    """What the release needs of towncrier's configuration, read as towncrier reads it."""

    config_file: str
    name: str  # the project's name in titles, passed to towncrier so it never imports it
    news_file: str
    single_file: bool
    fragment_dirs: tuple[str, ...]
    types: tuple[str, ...]
    ignored: tuple[str, ...]  # lower-case name patterns towncrier skips in a fragment directory
    inputs: tuple[str, ...]  # every path `towncrier build` reads: what the copy holds


def _table(root: Path, pyproject: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """towncrier's table and the file it is in: towncrier.toml first, as towncrier looks."""
    if (root / CONFIG_FILE).is_file():
        try:
            data = tomllib.loads((root / CONFIG_FILE).read_bytes().decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{CONFIG_FILE}: not valid TOML: {exc}", "fix the syntax") from None
        return CONFIG_FILE, data.get("tool", {}).get("towncrier", {})
    table = pyproject.get("tool", {}).get("towncrier")
    return ("pyproject.toml", table) if isinstance(table, Mapping) else None


def news_file(root: Path, pyproject: Mapping[str, Any]) -> str:
    """The file towncrier writes ('' when the project does not use towncrier)."""
    found = _table(root, pyproject)
    return str(found[1].get("filename", "NEWS.rst")) if found else ""


def _types(table: Mapping[str, Any]) -> tuple[str, ...]:
    """The fragment types: `[tool.towncrier.fragment.X]`, else `[[tool.towncrier.type]]`."""
    if table.get("fragment"):
        return tuple(sorted(table["fragment"]))
    if table.get("type"):
        return tuple(
            str(kind.get("directory") or str(kind.get("name", "")).lower())
            for kind in table["type"]
        )
    return DEFAULT_TYPES


def _name(table: Mapping[str, Any]) -> str:
    """The name towncrier gives the project: its `name`, else its package title-cased (what
    towncrier's import of the package says, Incremental's packages aside), else ''."""
    return str(table.get("name") or str(table.get("package", "")).title())


def settings(root: Path, pyproject: Mapping[str, Any]) -> Settings | None:
    """towncrier's configuration of this project; None when it has none."""
    found = _table(root, pyproject)
    if found is None:
        return None
    config_file, table = found
    project_name = str(pyproject.get("project", {}).get("name", ""))
    package = str(table.get("package", "")) or project_name
    package_dir = str(table.get("package_dir", "."))
    sections = [str(section.get("path", "")) for section in table.get("section", [])] or [""]
    directory = table.get("directory")
    if directory is not None:
        dirs = [posixpath.join(str(directory), section) for section in sections]
    else:
        dirs = [posixpath.join(package_dir, package, s, "newsfragments") for s in sections]
    template = str(table.get("template", "towncrier:default"))
    ignored = [*NOT_FRAGMENTS, *(str(name).lower() for name in table.get("ignore") or ())]
    inputs = [config_file, "pyproject.toml", str(table.get("filename", "NEWS.rst")), *dirs]
    if not _RESOURCE.match(template):
        ignored.append(posixpath.basename(template).lower())
        inputs.append(template)
    return Settings(
        config_file=config_file,
        name=_name(table),
        news_file=str(table.get("filename", "NEWS.rst")),
        single_file=bool(table.get("single_file", True)),
        fragment_dirs=tuple(posixpath.normpath(d) for d in dirs),
        types=_types(table),
        ignored=tuple(ignored),
        inputs=tuple(dict.fromkeys(posixpath.normpath(path) for path in inputs)),
    )
