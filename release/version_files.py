"""Every place that carries the version: read them all, agree, plan their new contents.

Locators by file kind: a TOML key path (tomlkit, so the file's formatting is kept),
a Python assignment, a YAML/CFF top-level key, or a regex with a `version` group that
must match exactly once. The planned edits are written as one transaction (files.py).
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from release import files, git, locks, tags
from release.config import Config, VersionFile
from release.errors import ConfigError, ReleaseError
from release.files import Edit, read_text
from release.versioning import parse, tag_for


def _one_match(text: str, regex: re.Pattern[str], spec: VersionFile, what: str) -> re.Match[str]:
    matches = list(regex.finditer(text))
    if len(matches) != 1:
        found = "nothing" if not matches else f"{len(matches)} places (lines "
        if matches:
            found += ", ".join(str(text.count("\n", 0, m.start()) + 1) for m in matches) + ")"
        raise ConfigError(
            f"{spec}: {what} matches {found}; it must match exactly once",
            "fix the locator in [tool.release] version-files so it names one place",
        )
    return matches[0]


def _toml_locate(text: str, spec: VersionFile, *, edit: bool) -> tuple[Any, list[str]]:
    """tomlkit when the file will be rewritten (it keeps the formatting); the stdlib's
    tomllib to only read, which keeps tomlkit out of `python -m release next`'s start-up."""
    document: Any
    try:
        if edit:
            import tomlkit

            document = tomlkit.parse(text)
        else:
            document = tomllib.loads(text)
    except ValueError as exc:  # tomllib's TOMLDecodeError and tomlkit's ParseError
        raise ConfigError(f"{spec.path}: not valid TOML: {exc}", "fix the syntax") from None
    keys = spec.key.split(".")
    node: object = document
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            raise ConfigError(f"{spec}: key not found in {spec.path}", "fix the key path")
        node = node[key]
    if not isinstance(node, str):
        raise ConfigError(f"{spec}: value is not a string", "point at the version string")
    return document, keys


def _regex_for(spec: VersionFile) -> tuple[re.Pattern[str], str]:
    """The regex whose `version` group holds the value, and how to describe it."""
    if spec.pattern:
        try:
            return re.compile(spec.pattern, re.MULTILINE), f"pattern /{spec.pattern}/"
        except re.error as exc:
            raise ConfigError(f"{spec}: bad regex: {exc}", "fix the pattern") from None
    name = re.escape(spec.key)
    suffix = Path(spec.path).suffix
    if suffix == ".py":
        return (
            re.compile(
                rf"^{name}\s*(?::[^=\n]+)?=\s*(?P<q>['\"])(?P<version>[^'\"\n]*)(?P=q)",
                re.MULTILINE,
            ),
            f"assignment to {spec.key}",
        )
    if suffix in (".cff", ".yml", ".yaml"):
        if "." in spec.key:
            raise ConfigError(
                f"{spec}: only top-level YAML keys are supported",
                "use { path = ..., pattern = ... } for a nested key",
            )
        return (
            re.compile(
                rf"^{name}:[ \t]*(?P<q>['\"]?)(?P<version>[^'\"\s#]+)(?P=q)[ \t]*(?:#.*)?$",
                re.MULTILINE,
            ),
            f"key {spec.key}",
        )
    raise ConfigError(
        f"{spec}: cannot tell how to read a '{suffix or spec.path}' file",
        "use .toml, .py, .cff/.yml/.yaml with path:key, or { path = ..., pattern = ... }",
    )


def read_value(text: str, spec: VersionFile) -> str:
    if spec.key and Path(spec.path).suffix == ".toml":
        document, keys = _toml_locate(text, spec, edit=False)
        node: object = document
        for key in keys:
            node = node[key]  # type: ignore[index]
        return str(node)
    regex, what = _regex_for(spec)
    return _one_match(text, regex, spec, what).group("version")


def replace_value(text: str, spec: VersionFile, value: str) -> str:
    """`text` with the located value replaced; every other byte is kept."""
    if spec.key and Path(spec.path).suffix == ".toml":
        import tomlkit
        import tomlkit.items

        document, keys = _toml_locate(text, spec, edit=True)
        parent = document
        for key in keys[:-1]:
            parent = parent[key]
        old = parent[keys[-1]]
        literal = isinstance(old, tomlkit.items.String) and old.type.is_literal()
        parent[keys[-1]] = tomlkit.string(value, literal=literal)
        return tomlkit.dumps(document)
    regex, what = _regex_for(spec)
    match = _one_match(text, regex, spec, what)
    return text[: match.start("version")] + value + text[match.end("version") :]


@dataclass(frozen=True)
class Found:
    spec: VersionFile
    value: str


def read_all(config: Config) -> list[Found]:
    return [
        Found(spec, read_value(read_text(config.root, spec.path), spec))
        for spec in config.version_files
    ]


def current_value(config: Config) -> str:
    """The one version all version files agree on; a disagreement is shown as a table."""
    found = read_all(config)
    if not found:
        raise ConfigError("no version files are configured", "set [tool.release] version-files")
    values = {item.value for item in found}
    if len({_normal(value) for value in values}) > 1:
        width = max(len(str(item.spec)) for item in found)
        table = "\n".join(f"  {item.spec!s:<{width}}  {item.value}" for item in found)
        raise ReleaseError(
            f"the version files disagree ({', '.join(sorted(values))})",
            "set them all to the released version by hand, commit, then run again",
            detail=f"  {'file:locator':<{width}}  value found\n{table}",
        )
    return found[0].value


def _normal(value: str) -> str:
    """One spelling per version: Cargo's `1.0.0-rc.1` and Python's `1.0.0rc1` agree."""
    try:
        return str(Version(value))
    except InvalidVersion:
        return value


def _spelled(spec: VersionFile, version: str) -> str:
    """The version as the file must spell it: a crate's Cargo.toml takes Cargo's semver."""
    if Path(spec.path).name != "Cargo.toml":
        return version
    return locks.cargo_version(Version(version))


def plan_edits(config: Config, version: str, date: str, extra: Sequence[Edit] = ()) -> list[Edit]:
    """The edits for the version files, the date files and any extra edits (the changelog)."""
    contents: dict[str, str] = {}
    originals: dict[str, str] = {}
    for spec, value in [(s, _spelled(s, version)) for s in config.version_files] + [
        (s, date) for s in config.date_files
    ]:
        if spec.path not in contents:
            originals[spec.path] = contents[spec.path] = read_text(config.root, spec.path)
        contents[spec.path] = replace_value(contents[spec.path], spec, value)
    edits = [Edit(path, originals[path], contents[path]) for path in contents]
    edits.extend(extra)
    return [edit for edit in edits if edit.old != edit.new]


def recover(config: Config) -> str:
    """Finish a version-file write a killed run left behind ('' if there was none)."""
    paths = {s.path for s in (*config.version_files, *config.date_files)}
    return files.recover(config.root, [*paths, config.changelog, *locks.paths(config)])


def current_version(config: Config) -> Version:
    """The version the files say (`8.5.0.dev0` between releases); for vcs, the last release.

    Keywords (`patch`, `minor`) move this version; the last release is another fact
    (`release.tags.last_release`), shown beside it by `versions_note`.
    """
    if config.version_source == "vcs":
        last = tags.last_release(config.root, config.tag_format)
        return last.version if last else Version("0.0.0")
    return parse(current_value(config))


def versions_note(config: Config, current: Version) -> str:
    """'the last release is 8.4.2 (tag 8.4.2)' when the files say something else; else ''."""
    last = tags.last_release(config.root, config.tag_format)
    if last is None or last.version == current:
        return ""
    return f"the last release is {last.version} (tag {last.name})"


def unreleased_in_files(config: Config, version: Version, current: Version) -> bool:
    """The files already carry `version`, no tag names it, and it is past the last release:
    set by hand and committed (tomlkit's 0.15.1 after 0.15.0), it is released as it is.

    Before any release tag the files' version counts as released, as it always did.
    """
    if config.version_source == "vcs" or version != current:
        return False
    tag = tag_for(version, config.tag_format, config.tag_pre_release)
    if git.tag_commit(config.root, tag):
        return False
    last = tags.last_release(config.root, config.tag_format)
    return last is not None and version > last.version


def load(root: Path | str = ".") -> Config:
    """The configuration, after finishing any bump a killed run left half-written."""
    from release import config

    return ready(config.load(root))


def ready(loaded: Config) -> Config:
    """`loaded`, after finishing any bump a killed run left half-written in its folder."""
    recovered = recover(loaded)
    if recovered:
        print(f"note: {recovered}", file=sys.stderr, flush=True)
    return loaded
