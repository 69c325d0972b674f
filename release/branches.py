"""Release branches: the main one, and maintenance lines (`branch = ["main", "release/*"]`).

On a maintenance branch the last release is the nearest tag reachable from it (as on any
branch), only that line's patch releases (and their pre-releases) are made, and its
changelog entry lands on that branch.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from packaging.version import Version

from release import git
from release.config import Config
from release.errors import UsageError


def is_release_branch(config: Config, name: str) -> bool:
    return name == config.branch or any(fnmatchcase(name, p) for p in config.maintenance)


def release_branch(config: Config) -> str:
    """The branch this release is made from: the maintenance branch checked out, if one is;
    else the main release branch."""
    current = git.branch(config.root)
    return current if current and is_release_branch(config, current) else config.branch


def described(config: Config) -> str:
    """The release branches, for a message: `main` or `main (or release/*)`."""
    others = " or ".join(config.maintenance)
    return f"'{config.branch}'" + (f" (or {others})" if others else "")


def require_on_line(config: Config, branch: str, version: Version, current: Version) -> None:
    """On a maintenance branch only the line's own patch releases: 1.4.3 after 1.4.2."""
    if branch == config.branch or version.release[:2] == current.release[:2]:
        return
    line = ".".join(str(part) for part in current.release[:2])
    raise UsageError(
        f"{branch} is the maintenance line of {line}: it makes {line}.x releases only,"
        f" not {version}",
        f"release a patch here (nox -s release -- patch), or {version} from {config.branch}",
    )
