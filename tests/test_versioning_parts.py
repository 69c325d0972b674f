"""Bump keywords keep the project's number of release parts (pip's 26.2, 26.3.dev0)."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.versioning import bump


@pytest.mark.parametrize(
    ("current", "kind", "expected"),
    [
        ("26.3.dev0", "patch", "26.3"),
        ("26.3.dev0", "final", "26.3"),
        ("26.3.dev0", "minor", "26.3"),
        ("26.3.dev0", "major", "27.0"),
        ("26.3.dev0", "rc", "26.3rc1"),
        ("26.3rc1", "final", "26.3"),
        ("26.2", "minor", "26.3"),
        ("26.2", "major", "27.0"),
        ("26.2", "patch", "26.2.1"),
        ("26.2", "rc", "26.2.1rc1"),
        ("26.2.1", "minor", "26.3.0"),
        ("1!26.3.dev0", "final", "1!26.3"),
        ("2024.1.15.1rc1", "final", "2024.1.15.1"),
    ],
)
def test_bump_keeps_the_number_of_release_parts(current: str, kind: str, expected: str) -> None:
    assert str(bump(Version(current), kind)) == expected
