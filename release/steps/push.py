"""push and push-tag: the release commit to the branch, later the tag, each checked first.

The branch goes first and the tag only after CI passed on that commit (and, with
`where = "local"`, after the upload), so no tag reaches the remote on a broken or
unpublished commit. Before pushing, the remote is asked where it stands: a branch that
moved on the remote stops the release with nothing pushed; a ref already in place is
left alone, so a re-run never pushes twice.
"""

from __future__ import annotations

from release import faults, git, remote
from release.errors import ReleaseError
from release.graph import Action, Context, Kind, Step
from release.proc import Log


def _push_branch(context: Context, log: Log) -> str:
    root, branch, head = context.root, context.branch, git.head(context.root)
    name = remote.name(root, branch)
    there = remote.fetch_branch(root, name, branch, log)
    if there == head:
        return f"{name}/{branch} is already at {head[:12]}"
    if there and not remote.contains(root, there, head):
        raise ReleaseError(
            f"{name}/{branch} moved: it has commits that the release commit {head[:12]}"
            " does not; nothing was pushed",
            f"bring them in (git pull --rebase {name} {branch}), delete the local tag"
            f" (nox -s retag -- {context.version}), then run the release again",
        )
    git.git(root, "push", "--quiet", name, f"{head}:refs/heads/{branch}", log=log)
    faults.point("after-branch-push")
    return f"pushed {head[:12]} to {name}/{branch}"


def _push_tag(context: Context, log: Log) -> str:
    root, tag, branch = context.root, context.tag, context.branch
    name = remote.name(root, branch)
    commit = git.tag_commit(root, tag)
    if not commit:
        raise ReleaseError(f"there is no tag {tag} to push", "run the release without --push-only")
    there = remote.commit(root, name, f"refs/tags/{tag}", log)
    if there == commit:
        return f"{tag} is already on {name}"
    if there:
        raise ReleaseError(
            f"{name} already has a tag {tag}, at {there[:12]}, not at {commit[:12]}",
            f"if the remote tag is wrong: nox -s retag -- {context.version}",
        )
    on_branch = remote.fetch_branch(root, name, branch, log)
    if not on_branch or not remote.contains(root, commit, on_branch):
        raise ReleaseError(
            f"the release commit {commit[:12]} is not on {name}/{branch}; the tag was not pushed",
            "push the branch first: run the same release command again",
        )
    git.git(root, "push", "--quiet", name, f"refs/tags/{tag}", log=log)
    faults.point("after-tag-push")
    return f"pushed {tag} to {name}"


def plan(context: Context) -> list[Action]:
    branch = context.branch
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
    kind=Kind.REMOTE,
)
TAG_STEP = Step(
    "push-tag",
    "push the tag: only once the commit passed CI (and, when local, was uploaded)",
    plan_tag,
    kind=Kind.REMOTE,
)
