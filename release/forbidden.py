"""Forbidden paths: .gitignore-style globs that must never ship in an sdist or a wheel.

The built-ins catch what leaks by accident (keys, credentials, state folders); a project
adds its own (`forbidden`), and a `!` pattern exempts a file it ships on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

#: Never shipped by any project, whatever its configuration says.
BUILTIN_FORBIDDEN = (".env", "*.pem", "*.key", ".pypirc", "id_rsa*", ".git/", ".release/")


@cache
def _regex(glob: str) -> re.Pattern[str]:
    """A .gitignore-style glob: without a '/' it matches at any depth, else from the root.

    `**` crosses directories, `*` and `?` do not, a trailing '/' means a directory, and
    a pattern that names a directory covers everything below it.
    """
    directory = glob.endswith("/")
    body = glob.strip("/")
    anchored = "/" in body
    out = ""
    for token in re.findall(r"\*\*/|\*\*|\*|\?|[^*?]+", body):
        out += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
            token, re.escape(token)
        )
    return re.compile(("" if anchored else "(?:.*/)?") + out + ("/.+" if directory else "(?:/.+)?"))


def forbidden_by(path: str, patterns: Sequence[str]) -> str:
    """The first pattern that forbids `path` ('' when none does, or a `!` pattern exempts
    it: a file the project ships on purpose, such as pip's vendored cacert.pem)."""
    if any(_regex(p[1:]).fullmatch(path) for p in patterns if p.startswith("!")):
        return ""
    return next((p for p in patterns if not p.startswith("!") and _regex(p).fullmatch(path)), "")


def exemptions(tracked: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """A `!` pattern for each tracked file a pattern forbids: it is public in the repository
    already, so it ships on purpose (a CA bundle, a test certificate); its path with `**/`
    in front matches it in the sdist and, without `src/`, in the wheel."""
    return [f"!**/{path.removeprefix('src/')}" for path in tracked if forbidden_by(path, patterns)]
