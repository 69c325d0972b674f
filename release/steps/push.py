"""push and push-tag: the release commit to the branch, later the tag, each checked first.

The branch goes first and the tag only after CI passed on that commit (and, with
`where = "local"`, after the upload), so no tag reaches the remote on a broken or
unpublished commit. Before pushing, the remote is asked where it stands: a branch that
moved on the remote stops the release with nothing pushed; a ref already in place is
left alone, so a re-run never pushes twice.
"""

from __future__ import annotations

from pathlib import Path

from release import faults, git
from release.errors import ReleaseError
from release.graph import Action, Context, Step
from release.proc import NULL_LOG, Log


def remote(context: Context, *, required: bool = True) -> str:
    """The release branch's remote (its upstream's, else `origin`); '' if none and not required."""
    root, branch = context.root, context.config.branch
    configured = git.git(root, "config", "--get", f"branch.{branch}.remote", check=False)
    name = configured.strip() or "origin"
    if not git.ok(root, "remote", "get-url", name):
        if not required:
            return ""
        raise ReleaseError(
            f"there is no git remote '{name}' to release to",
            f"add it (git remote add {name} URL), or release with --local-only",
        )
    return name


def remote_commit(root: Path, name: str, ref: str, log: Log = NULL_LOG) -> str:
    """The commit `ref` names on the remote (a tag peeled to its commit); '' if absent."""
    found: dict[str, str] = {}
    for line in git.git(root, "ls-remote", name, ref, f"{ref}^{{}}", log=log).splitlines():
        sha, _, refname = line.partition("\t")
        found[refname] = sha
    return found.get(f"{ref}^{{}}") or found.get(ref, "")


def fetch_branch(context: Context, name: str, log: Log) -> str:
    """Fetch the remote branch and return its commit ('' when the remote has no such branch)."""
    branch = context.config.branch
    ref = f"refs/heads/{branch}"
    if not remote_commit(context.root, name, ref, log):
        return ""
    git.git(
        context.root,
        "fetch",
        "--quiet",
        "--no-tags",
        name,
        f"+{ref}:refs/remotes/{name}/{branch}",
        log=log,
    )
    return git.git(context.root, "rev-parse", f"refs/remotes/{name}/{branch}").strip()


def contains(root: Path, ancestor: str, descendant: str) -> bool:
    return git.ok(root, "merge-base", "--is-ancestor", ancestor, descendant)


def _push_branch(context: Context, log: Log) -> str:
    name, branch, head = remote(context), context.config.branch, git.head(context.root)
    there = fetch_branch(context, name, log)
    if there == head:
        return f"{name}/{branch} is already at {head[:12]}"
    if there and not contains(context.root, there, head):
        raise ReleaseError(
            f"{name}/{branch} moved: it has commits that the release commit {head[:12]}"
            " does not; nothing was pushed",
            f"bring them in (git pull --rebase {name} {branch}), delete the local tag"
            f" (nox -s retag -- {context.version}), then run the release again",
        )
    git.git(context.root, "push", "--quiet", name, f"{head}:refs/heads/{branch}", log=log)
    faults.point("after-branch-push")
    return f"pushed {head[:12]} to {name}/{branch}"


def _push_tag(context: Context, log: Log) -> str:
    root, tag, branch = context.root, context.tag, context.config.branch
    name = remote(context)
    commit = git.tag_commit(root, tag)
    if not commit:
        raise ReleaseError(f"there is no tag {tag} to push", "run the release without --push-only")
    there = remote_commit(root, name, f"refs/tags/{tag}", log)
    if there == commit:
        return f"{tag} is already on {name}"
    if there:
        raise ReleaseError(
            f"{name} already has a tag {tag}, at {there[:12]}, not at {commit[:12]}",
            f"if the remote tag is wrong: nox -s retag -- {context.version}",
        )
    on_branch = fetch_branch(context, name, log)
    if not on_branch or not contains(root, commit, on_branch):
        raise ReleaseError(
            f"the release commit {commit[:12]} is not on {name}/{branch}; the tag was not pushed",
            "push the branch first: run the same release command again",
        )
    git.git(root, "push", "--quiet", name, f"refs/tags/{tag}", log=log)
    faults.point("after-tag-push")
    return f"pushed {tag} to {name}"


def plan(context: Context) -> list[Action]:
    branch = context.config.branch
    return [
        Action(
            f"push the release commit to {branch} (stop if the remote {branch} moved)", _push_branch
        )
    ]


def plan_tag(context: Context) -> list[Action]:
    return [Action(f"push tag {context.tag} (skip if the remote has it at this commit)", _push_tag)]


STEP = Step(
    "push",
    "push the release commit to the release branch (not the tag yet)",
    plan,
    requires=("tag",),
    mutates=True,
)
TAG_STEP = Step(
    "push-tag",
    "push the tag: only once the commit passed CI (and, when local, was uploaded)",
    plan_tag,
    mutates=True,
)
