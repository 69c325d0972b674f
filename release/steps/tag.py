"""tag: commit the bump as `Release {version}` and make the annotated tag, both locally.

Nothing leaves the machine here (push does that), so a broken commit can still be fixed.
Each half checks first: an already-committed bump is not committed again, and a tag
that already points at the release commit is kept. A tag pointing elsewhere stops the
release with the command that fixes it. The tag is signed when git is set to sign.
"""

from __future__ import annotations

from release import dependency_pins, faults, git, locks, remote
from release.errors import ReleaseError
from release.graph import Action, Context, Step
from release.proc import Log


def message(context: Context) -> str:
    return context.config.commit_message.replace("{version}", str(context.version))


def _bumped_files(context: Context) -> list[str]:
    config = context.config
    paths = {spec.path for spec in (*config.version_files, *config.date_files)}
    paths.update((config.changelog, dependency_pins.PYPROJECT))  # pins released-with move
    return sorted(path for path in paths if path and (context.root / path).exists())


def _commit(context: Context, log: Log) -> str:
    root = context.root
    faults.point("before-commit")
    files = _bumped_files(context)
    if files:
        git.git(root, "add", "--", *files, log=log)
    tracked_locks = locks.paths(context.config)
    if tracked_locks:  # --update: a lock file git does not track stays out of the commit
        git.git(root, "add", "--update", "--", *tracked_locks, log=log)
    if git.ok(root, "diff", "--cached", "--quiet"):
        return "nothing to commit: the release commit is already made"
    git.git(root, "commit", "--quiet", "-m", message(context), log=log)
    faults.point("after-commit")
    return f"committed {git.head(root)[:12]}"


def signing(context: Context) -> bool:
    """Sign the tag when git is configured to sign tags (or commits)."""
    for key in ("tag.gpgSign", "commit.gpgSign"):
        value = git.git(context.root, "config", "--bool", "--get", key, check=False).strip()
        if value == "true":
            return True
    return False


def _tag(context: Context, log: Log) -> str:
    root, tag = context.root, context.tag
    head = git.head(root)
    tagged = git.tag_commit(root, tag)
    if tagged == head:
        return f"{tag} already points at {head[:12]}"
    fix = f"if {tag} is wrong, delete it (nox -s retag -- {context.version}) and run again"
    if tagged:
        raise ReleaseError(
            f"tag {tag} already exists at {tagged[:12]}, not at the release commit {head[:12]}",
            fix,
        )
    name = remote.name(root, context.branch, required=False)
    try:
        there = remote.commit(root, name, f"refs/tags/{tag}", log) if name else ""
    except ReleaseError:  # offline: push-tag asks again before anything leaves
        there = ""
    if there and there != head:
        raise ReleaseError(f"{name} already has a tag {tag}, at {there[:12]}", fix)
    git.git(
        root, "tag", "-s" if signing(context) else "-a", tag, "-m", message(context), head, log=log
    )
    faults.point("after-tag")
    return f"tagged {head[:12]} as {tag}"


def plan(context: Context) -> list[Action]:
    signed = "signed" if signing(context) else "annotated"
    return [
        Action(f"commit the bumped files as '{message(context)}'", _commit),
        Action(f"create the {signed} tag {context.tag} on that commit (locally)", _tag),
    ]


STEP = Step(
    "tag",
    "commit the release and make its tag, locally",
    plan,
)
