"""Internal dependency pins follow a release made together: b's `a>=1.0.0` becomes `a>=1.1.0`.

When packages of one repository are released in one run, a dependant is published
after its dependencies and was tested against their new versions, so its lower bound
on each (`>=`, `~=`, `==`) moves up to the new version. Only the version inside the
requirement string changes: the operator, the spacing, extras, markers, the quotes
and every other byte of pyproject.toml stay. A requirement with no version stays
unpinned, and one whose upper bound would leave out the new version is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release.config import Config
from release.errors import ConfigError
from release.files import Edit, read_text

PYPROJECT = "pyproject.toml"
#: A lower bound inside a requirement: the operator, then the version it names.
LOWER_BOUND = re.compile(
    r"(?<![=!<>~])(?P<operator>>=|~=|==(?!=))\s*(?P<version>[\w.!+-]+)(?![\w.!+*-])"
)


def _raised(operator: str, written: str, new: Version) -> str:
    """The bound's version text for `new`; `~=` keeps its precision (`~=1.0` -> `~=1.1`)."""
    if operator != "~=" or new.pre or new.dev is not None or new.post is not None:
        return str(new)
    precision = max(len(Version(written).release), 2)
    return ".".join(str(part) for part in (*new.release, 0, 0)[:precision])


def requirement(text: str, new: Mapping[str, Version]) -> str:
    """`text` with its lower bounds on a package of `new` moved up to that version."""
    try:
        parsed = Requirement(text)
    except InvalidRequirement:
        return text  # not ours to judge: the build backend names it
    version = new.get(canonicalize_name(parsed.name))
    if version is None:
        return text
    cut = text.find(";")
    spec, marker = (text, "") if cut < 0 else (text[:cut], text[cut:])

    def move(match: re.Match[str]) -> str:
        try:
            bound = Version(match["version"])
        except InvalidVersion:
            return match[0]
        if bound >= version:
            return match[0]
        raised = _raised(match["operator"], match["version"], version)
        return match[0][: match.start("version") - match.start()] + raised

    return LOWER_BOUND.sub(move, spec) + marker


def _require_allowed(config: Config, written: str, moved: str, new: Mapping[str, Version]) -> None:
    """A requirement whose upper bound leaves out the version released with it is refused."""
    parsed = Requirement(moved)
    version = new[canonicalize_name(parsed.name)]
    if not SpecifierSet(str(parsed.specifier)).contains(version, prereleases=True):
        raise ConfigError(
            f"{config.name} requires '{written}', which leaves out {parsed.name} {version},"
            " released with it",
            f"widen it in {config.root / PYPROJECT} by hand, commit, then run again",
        )


def _names_one_of(text: str, new: Mapping[str, Version]) -> bool:
    try:
        return canonicalize_name(Requirement(text).name) in new
    except InvalidRequirement:
        return False


def _requirement_lists(document: Any) -> list[Any]:
    """The arrays of requirements that are published: dependencies and every extra."""
    project = document.get("project", {})
    lists = [project["dependencies"]] if "dependencies" in project else []
    return lists + list(project.get("optional-dependencies", {}).values())


def _rewrite(config: Config, text: str, new: Mapping[str, Version]) -> str:
    """pyproject.toml's text with the pins moved (tomlkit keeps its formatting)."""
    import tomlkit
    import tomlkit.items

    document = tomlkit.parse(text)
    for array in _requirement_lists(document):
        for index, item in enumerate(array):
            moved = requirement(str(item), new)
            if _names_one_of(moved, new):
                _require_allowed(config, str(item), moved, new)
            if moved != str(item):
                literal = isinstance(item, tomlkit.items.String) and item.type.is_literal()
                array[index] = tomlkit.string(moved, literal=literal)
    return tomlkit.dumps(document)


def follow(config: Config, released: Mapping[str, Version], planned: Sequence[Edit]) -> list[Edit]:
    """`planned` with the package's pins on the `released` packages (name -> the version
    this run releases) moved up, on top of any edit already planned for pyproject.toml."""
    new: dict[str, Version] = {canonicalize_name(n): v for n, v in released.items()}
    new.pop(canonicalize_name(config.name), None)
    if not new:
        return list(planned)
    earlier = next((edit for edit in planned if edit.path == PYPROJECT), None)
    original = earlier.old if earlier else read_text(config.root, PYPROJECT)
    moved = _rewrite(config, earlier.new if earlier else original, new)
    if earlier is None:
        return [*planned, Edit(PYPROJECT, original, moved)] if moved != original else [*planned]
    return [Edit(PYPROJECT, original, moved) if e is earlier else e for e in planned]
