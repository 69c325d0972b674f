"""PEP 440 versions: parsing, bump keywords, ordering and tags."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.errors import UsageError
from release.versioning import bump, parse, require_newer, tag_for, target, version_from_tag


@pytest.mark.parametrize(
    ("current", "kind", "expected"),
    [
        ("1.0.22", "major", "2.0.0"),
        ("1.0.22", "minor", "1.1.0"),
        ("1.0.22", "patch", "1.0.23"),
        ("1.0.22", "alpha", "1.0.23a1"),
        ("1.0.22", "beta", "1.0.23b1"),
        ("1.0.22", "rc", "1.0.23rc1"),
        ("1.0.23rc1", "rc", "1.0.23rc2"),
        ("1.0.23rc2", "final", "1.0.23"),
        ("1.0.23a1", "alpha", "1.0.23a2"),
        ("1.0.23a2", "beta", "1.0.23b1"),
        ("1.0.23a2", "rc", "1.0.23rc1"),
        ("1.0.23rc1", "patch", "1.0.23"),
        ("1.1.0rc1", "minor", "1.1.0"),
        ("2.0.0b1", "major", "2.0.0"),
        ("1.0.22", "post", "1.0.22.post1"),
        ("1.0.22.post1", "post", "1.0.22.post2"),
        ("1.0.22", "dev", "1.0.23.dev1"),
        ("1.0.23.dev1", "dev", "1.0.23.dev2"),
        ("1.0.23.dev2", "alpha", "1.0.23a1"),
        ("0.9", "patch", "0.9.1"),
    ],
)
def test_bump_keywords(current: str, kind: str, expected: str) -> None:
    assert str(bump(Version(current), kind)) == expected


def test_parse_normalises_a_leading_v_and_spelling() -> None:
    assert str(parse("v1.0.23a1")) == "1.0.23a1"
    assert str(parse("1.0.23-alpha.1")) == "1.0.23a1"


@pytest.mark.parametrize("text", ["1.0.x", "", "one", "1..2"])
def test_parse_refuses_what_is_not_pep440(text: str) -> None:
    with pytest.raises(UsageError, match="is not a PEP 440 version"):
        parse(text)


def test_going_back_from_rc_to_alpha_is_refused() -> None:
    with pytest.raises(UsageError, match=r"cannot go from 1\.0\.23rc1 \(rc\) back to alpha"):
        bump(Version("1.0.23rc1"), "alpha")


def test_target_takes_a_keyword_or_a_version() -> None:
    assert target("minor", Version("1.2.3")) == Version("1.3.0")
    assert target("2.0.0", Version("1.2.3")) == Version("2.0.0")


@pytest.mark.parametrize(("new", "message"), [("1.0.22", "is the current"), ("1.0.3", "older")])
def test_a_release_only_moves_forward(new: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        require_newer(Version(new), Version("1.0.22"))
    require_newer(Version("1.0.23a1"), Version("1.0.22"))


@pytest.mark.parametrize("tag_format", ["v{version}", "{version}", "release-{version}-py"])
def test_tags_round_trip(tag_format: str) -> None:
    tag = tag_for(Version("1.0.23a1"), tag_format, "{label}{number}")
    assert version_from_tag(tag, tag_format) == Version("1.0.23a1")


def test_tags_that_do_not_follow_the_format_are_ignored() -> None:
    assert version_from_tag("latest", "v{version}") is None
    assert version_from_tag("vnext", "v{version}") is None
    assert version_from_tag("v", "v{version}") is None
