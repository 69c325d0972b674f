"""Git plumbing: the questions the steps ask, each one `git` call through the gateway."""

from __future__ import annotations

from pathlib import Path

from release import proc
from release.errors import ReleaseError
from release.proc import NULL_LOG, Log

ORIGIN_PREFIX = "refs/remotes/origin/"
ORIGIN_HEAD = ORIGIN_PREFIX + "HEAD"


def git(root: Path, *args: str, log: Log = NULL_LOG, check: bool = True) -> str:
    return proc.run(["git", *args], cwd=root, log=log, check=check, what=f"git {args[0]}").stdout


def ok(root: Path, *args: str) -> bool:
    return proc.run(["git", *args], cwd=root, check=False).ok


def branch(root: Path) -> str:
    """The current branch name; '' when HEAD is detached."""
    result = proc.run(["git", "symbolic-ref", "--quiet", "--short", "HEAD"], cwd=root, check=False)
    return result.stdout.strip() if result.ok else ""


def default_branch(root: Path) -> str:
    """The branch releases come from: the remote's default (origin/HEAD), else `main` or
    `master` (whichever exists here), else the current branch; `main` outside git.

    Read from git's own files, not by running git: loading the configuration asks this,
    and `python -m release next` must start fast. A reftable repository asks git.
    """
    git_dir = _git_dir(root)
    if git_dir is None:
        return "main"
    common = _common_dir(git_dir)
    if (common / "reftable").is_dir():
        return _default_branch_from_git(root)
    remote = _symref(common / ORIGIN_HEAD)
    if remote.startswith(ORIGIN_PREFIX):
        return remote.removeprefix(ORIGIN_PREFIX)
    packed = _read(common / "packed-refs").split()
    for name in ("main", "master"):
        if (common / "refs" / "heads" / name).is_file() or f"refs/heads/{name}" in packed:
            return name
    return _symref(git_dir / "HEAD").removeprefix("refs/heads/") or "main"


def _git_dir(root: Path) -> Path | None:
    """The repository's git directory: `.git` here or above, or where a `.git` file points."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            pointer = _read(dot_git).removeprefix("gitdir:").strip()
            return folder / pointer if pointer else None
    return None


def _common_dir(git_dir: Path) -> Path:
    """A worktree keeps HEAD in its own git dir and the refs in the main one."""
    pointer = _read(git_dir / "commondir").strip()
    return git_dir / pointer if pointer else git_dir


def _symref(path: Path) -> str:
    """`ref: refs/heads/main` -> `refs/heads/main`; '' when not a symbolic ref."""
    text = _read(path).strip()
    return text.removeprefix("ref: ") if text.startswith("ref: ") else ""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _default_branch_from_git(root: Path) -> str:
    """default_branch's answer in one git call (refs not stored as files)."""
    listed = proc.run(
        [
            "git",
            "for-each-ref",
            "--format=%(refname) %(symref)",
            ORIGIN_HEAD,
            "refs/heads/main",
            "refs/heads/master",
        ],
        cwd=root,
        check=False,
    ).stdout.split()
    targets = [ref for ref in listed if ref.startswith(ORIGIN_PREFIX) and ref != ORIGIN_HEAD]
    if targets:
        return targets[0].removeprefix(ORIGIN_PREFIX)
    found = [name for name in ("main", "master") if f"refs/heads/{name}" in listed]
    return found[0] if found else branch(root) or "main"


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
