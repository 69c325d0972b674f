"""The release remote: which one, where its refs stand, whether one commit contains another.

Every step that touches the remote asks it first, so a re-run never pushes twice.
"""

from __future__ import annotations

from pathlib import Path

from release import git
from release.errors import ReleaseError
from release.proc import NULL_LOG, Log


def name(root: Path, branch: str, *, required: bool = True) -> str:
    """The release branch's remote (its upstream's, else `origin`); '' if none and not required."""
    configured = git.git(root, "config", "--get", f"branch.{branch}.remote", check=False)
    remote = configured.strip() or "origin"
    if not git.ok(root, "remote", "get-url", remote):
        if not required:
            return ""
        raise ReleaseError(
            f"there is no git remote '{remote}' to release to",
            f"add it (git remote add {remote} URL), or release with --local-only",
        )
    return remote


def commit(root: Path, remote: str, ref: str, log: Log = NULL_LOG) -> str:
    """The commit `ref` names on the remote (a tag peeled to its commit); '' if absent."""
    found: dict[str, str] = {}
    for line in git.git(root, "ls-remote", remote, ref, f"{ref}^{{}}", log=log).splitlines():
        sha, _, refname = line.partition("\t")
        found[refname] = sha
    return found.get(f"{ref}^{{}}") or found.get(ref, "")


def fetch_branch(root: Path, remote: str, branch: str, log: Log) -> str:
    """Fetch the remote branch and return its commit ('' when the remote has no such branch)."""
    ref = f"refs/heads/{branch}"
    if not commit(root, remote, ref, log):
        return ""
    git.git(
        root,
        "fetch",
        "--quiet",
        "--no-tags",
        remote,
        f"+{ref}:refs/remotes/{remote}/{branch}",
        log=log,
    )
    return git.git(root, "rev-parse", f"refs/remotes/{remote}/{branch}").strip()


def contains(root: Path, ancestor: str, descendant: str) -> bool:
    return git.ok(root, "merge-base", "--is-ancestor", ancestor, descendant)
