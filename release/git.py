"""Git plumbing: the questions the steps ask, each one `git` call through the gateway."""

from __future__ import annotations

from pathlib import Path

from release import proc
from release.errors import ReleaseError
from release.proc import NULL_LOG, Log


def git(root: Path, *args: str, log: Log = NULL_LOG, check: bool = True) -> str:
    return proc.run(["git", *args], cwd=root, log=log, check=check, what=f"git {args[0]}").stdout


def ok(root: Path, *args: str) -> bool:
    return proc.run(["git", *args], cwd=root, check=False).ok


def branch(root: Path) -> str:
    """The current branch name; '' when HEAD is detached."""
    result = proc.run(["git", "symbolic-ref", "--quiet", "--short", "HEAD"], cwd=root, check=False)
    return result.stdout.strip() if result.ok else ""


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def status(root: Path) -> list[str]:
    """`git status --porcelain` lines: changed and untracked, not ignored, files."""
    return [line for line in git(root, "status", "--porcelain").splitlines() if line]


def tag_commit(root: Path, tag: str) -> str:
    """The commit a local tag points at; '' when there is no such tag."""
    result = proc.run(
        ["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"],
        cwd=root,
        check=False,
    )
    return result.stdout.strip() if result.ok else ""


def tags(root: Path) -> list[str]:
    """Local tags, newest first by the tagged commit's date."""
    out = git(root, "tag", "--list", "--sort=-creatordate")
    return [line for line in out.splitlines() if line]


def require_repository(root: Path) -> None:
    if not ok(root, "rev-parse", "--git-dir"):
        raise ReleaseError(f"{root} is not a git repository", "run `git init` and commit first")
