"""Keep a Changelog: promote, keep the file's own style, update links, extract."""

from __future__ import annotations

import pytest

from release.changelog import extract, promote
from release.errors import ReleaseError

PLAIN = """# Changelog

## [Unreleased]
### Added
- A thing.

## [0.1.0] - 2024-01-01
- First.
"""


def test_promote_keeps_a_hyphen_file_hyphenated_and_adds_no_links() -> None:
    assert promote(PLAIN, "0.2.0", "2026-11-18", "v0.2.0", "CHANGELOG.md", False) == (
        "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-11-18\n### Added\n- A thing.\n\n"
        "## [0.1.0] - 2024-01-01\n- First.\n"
    )


def test_a_file_with_no_release_yet_gets_the_default_separator() -> None:
    text = "# Changelog\n\n## [Unreleased]\n- Start.\n"
    assert promote(text, "0.1.0", "2026-11-18", "v0.1.0", "C.md", False) == (
        "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-11-18\n- Start.\n"
    )


def test_compare_links_follow_the_tag_format() -> None:
    text = "## [Unreleased]\n- x\n\n[Unreleased]: https://gitlab.com/a/b/-/compare/r1.0...main\n"
    assert promote(text, "1.1", "2026-11-18", "r1.1", "C.md", False).endswith(
        "[Unreleased]: https://gitlab.com/a/b/-/compare/r1.1...main\n"
        "[1.1]: https://gitlab.com/a/b/-/compare/r1.0...r1.1\n"
    )


def test_empty_unreleased_is_allowed_only_when_asked() -> None:
    text = "## [Unreleased]\n\n### Added\n\n## [0.1.0] - 2024-01-01\n- First.\n"
    with pytest.raises(ReleaseError, match="the Unreleased section is empty"):
        promote(text, "0.2.0", "2026-11-18", "v0.2.0", "C.md", False)
    assert "## [0.2.0] - 2026-11-18" in promote(text, "0.2.0", "2026-11-18", "v", "C.md", True)


def test_extract_returns_one_release_section() -> None:
    assert extract(PLAIN, "0.1.0", "C.md") == "- First.\n"
    with pytest.raises(ReleaseError, match=r"no section for 9\.9"):
        extract(PLAIN, "9.9", "C.md")
