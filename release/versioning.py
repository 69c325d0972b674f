"""PEP 440 versions (via packaging): parse, next(kind), tag <-> version."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from release.errors import UsageError

KINDS = ("major", "minor", "patch", "alpha", "beta", "rc", "post", "dev", "final")
_PRE_ORDER = {"a": 0, "b": 1, "rc": 2}
_KIND_TO_PRE = {"alpha": "a", "beta": "b", "rc": "rc"}
_PRE_NAME = {"a": "alpha", "b": "beta", "rc": "rc"}


def parse(text: str) -> Version:
    """A PEP 440 version; `v1.0.23a1` is accepted as `1.0.23a1`."""
    try:
        return Version(text.strip())
    except InvalidVersion:
        raise UsageError(
            f"'{text}' is not a PEP 440 version",
            "use e.g. 1.0.23, 1.0.23a1, 1.0.23rc1, or one of: " + ", ".join((*KINDS, "auto")),
        ) from None


def normalisation_note(text: str, version: Version) -> str:
    """Say aloud which version a keyword names, or the normal form of the one given."""
    if text.strip() == str(version):
        return ""
    if re.fullmatch(r"[a-z]+", text.strip().lower()):
        return f"'{text}' is {version}"
    return f"using {version} (normalised from '{text}')"


def _release(parts: tuple[int, int, int], width: int, suffix: str = "") -> Version:
    """`parts` written with `width` numbers, and more where a later one is not zero."""
    shown = max([width, *(place + 1 for place, part in enumerate(parts) if part)])
    return Version(".".join(map(str, parts[:shown])) + suffix)


def bump(current: Version, kind: str) -> Version:
    """The next version after `current` for a bump keyword.

    A result keeps the project's number of release parts (up to three), so calendar-style
    two-part versions stay two-part: 26.2 -> minor -> 26.3, major -> 27.0, while a bump
    that needs a third part adds it (26.2 -> patch -> 26.2.1). The final of an unreleased
    version (patch or final of 26.3.dev0, 1.0.23rc1) is that version without its suffix.
    """
    major, minor, micro = (*current.release, 0, 0)[:3]
    width = min(len(current.release), 3)
    pre = current.pre
    unreleased = current.is_prerelease  # a/b/rc/dev of a release not yet out
    if kind == "major":
        first = major if unreleased and minor == micro == 0 else major + 1
        return _release((first, 0, 0), width)
    if kind == "minor":
        return _release((major, minor if unreleased and micro == 0 else minor + 1, 0), width)
    if kind == "patch":
        if unreleased:
            return Version(current.base_version)
        return _release((major, minor, micro + 1), width)
    if kind in _KIND_TO_PRE:
        wanted = _KIND_TO_PRE[kind]
        if pre is None:
            base = (major, minor, micro) if current.is_devrelease else (major, minor, micro + 1)
            return _release(base, width, f"{wanted}1")
        label, number = pre
        if _PRE_ORDER[wanted] < _PRE_ORDER[label]:
            raise UsageError(
                f"cannot go from {current} ({_PRE_NAME[label]}) back to {kind}",
                f"continue with '{_PRE_NAME[label]}', or use 'final'",
            )
        suffix = f"{wanted}{number + 1 if wanted == label else 1}"
        return _release((major, minor, micro), width, suffix)
    if kind == "post":
        return Version(f"{current.base_version}.post{(current.post or 0) + 1}")
    if kind == "dev":
        if current.is_devrelease:
            return Version(f"{str(current).rsplit('.dev', 1)[0]}.dev{(current.dev or 0) + 1}")
        return _release((major, minor, micro + 1), width, ".dev1")
    if kind == "final":
        if not current.is_prerelease:
            raise UsageError(f"{current} is already a final release", "use patch, minor or major")
        return Version(current.base_version)
    raise UsageError(
        f"unknown bump keyword '{kind}'",
        "give a PEP 440 version or one of: " + ", ".join((*KINDS, "auto")),
    )


def target(text: str, current: Version) -> Version:
    """A version or a bump keyword -> the version it names."""
    word = text.strip().lower()
    return bump(current, word) if re.fullmatch(r"[a-z]+", word) else parse(text)


def require_newer(new: Version, current: Version) -> None:
    """Refuse a downgrade or a repeat: a release only moves forward."""
    if new <= current:
        same = "the current version" if new == current else f"older than the current {current}"
        raise UsageError(
            f"{new} is {same}",
            f"give a version greater than {current}, e.g. {bump(current, 'patch')}",
        )


#: How a pre-release is spelled inside a tag (`tag-pre-release`): an optional separator,
#: `{label}` (a, b, rc) or `{name}` (alpha, beta, rc), an optional separator, `{number}`.
PRE_RELEASE_SPELLING = re.compile(r"[-._]?\{(?:label|name)\}[-._]?\{number\}")
DEFAULT_PRE_RELEASE = "{label}{number}"


def _spell(version: Version, pre_release: str) -> str:
    """`version` with its pre-release part written as `pre_release` says (1.0.0-rc.1)."""
    if version.pre is None:
        return str(version)
    label, number = version.pre
    pre = (
        pre_release.replace("{label}", label)
        .replace("{name}", _PRE_NAME[label])
        .replace("{number}", str(number))
    )
    epoch = f"{version.epoch}!" if version.epoch else ""
    post = f".post{version.post}" if version.post is not None else ""
    dev = f".dev{version.dev}" if version.dev is not None else ""
    local = f"+{version.local}" if version.local else ""
    return f"{epoch}{'.'.join(map(str, version.release))}{pre}{post}{dev}{local}"


def tag_for(version: Version | str, tag_format: str, pre_release: str) -> str:
    """The tag that names `version`, in the project's spelling (`tag-format`, `tag-pre-release`)."""
    return tag_format.replace("{version}", _spell(Version(str(version)), pre_release))


def version_from_tag(tag: str, tag_format: str) -> Version | None:
    """The version a tag names, or None for tags that do not follow `tag_format`.

    Lenient about the pre-release spelling (packaging reads 1.0.0rc1, 1.0.0-rc1, 1.0.0-rc.1
    and 1.0.0.beta0 alike), strict about the rest: the version must start with a digit,
    so `v1.0.0` does not count as a `{version}` tag.
    """
    prefix, _, suffix = tag_format.partition("{version}")
    if len(tag) <= len(prefix + suffix) or not tag.startswith(prefix) or not tag.endswith(suffix):
        return None
    text = tag[len(prefix) : len(tag) - len(suffix)]
    if not text[0].isdigit():
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None
