"""preflight: the repository is in a state to release from; every problem reported at once."""

from __future__ import annotations

import posixpath

from release import branches, git, locks, towncrier
from release.errors import ReleaseError
from release.graph import Action, Context, Kind, Step
from release.proc import Log


def problems(context: Context) -> list[str]:
    """Every reason not to release now (cargo-release style: all of them, not the first)."""
    root, config = context.root, context.config
    found = []
    branch = git.branch(root)
    if not branch:
        found.append(f"HEAD is detached: check out the release branch (git switch {config.branch})")
    elif not branches.is_release_branch(config, branch):
        found.append(
            f"on branch '{branch}', releases are made from {branches.described(config)}"
            f" (git switch {config.branch})"
        )
    bumped = {s.path for s in (*config.version_files, *config.date_files)} | {config.changelog}
    bumped.update(locks.paths(config))
    bumped.update(towncrier.recorded_fragments(root, str(context.version)))  # removed by bump
    prefix = git.git(root, "rev-parse", "--show-prefix").strip()  # status names from the top
    bumped = {posixpath.normpath(prefix + path) for path in bumped if path}
    dirty = [line for line in git.status(root) if not _is_own(line, bumped, context)]
    if dirty:
        shown = ", ".join(line[3:] for line in dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        found.append(f"the working tree has uncommitted changes: {shown} (commit or stash them)")
    tagged = git.tag_commit(root, context.tag)
    if tagged and not context.resuming:
        found.append(
            f"tag {context.tag} already exists (at {tagged[:12]}); to redo it:"
            f" nox -s retag -- {context.version}"
        )
    return found


def _is_own(line: str, bumped: set[str], context: Context) -> bool:
    """A file this release already bumped, when resuming it, is not a stranger's change."""
    return context.resuming and line[3:] in bumped


def _preflight(context: Context, log: Log) -> str:
    found = problems(context)
    if found:
        raise ReleaseError(
            f"not ready to release: {len(found)} problem{'s' if len(found) > 1 else ''}",
            "fix each one below, then run again",
            detail="\n".join(f"  - {problem}" for problem in found),
        )
    return ""


def plan(context: Context) -> list[Action]:
    return [
        Action(
            f"on {context.branch}, HEAD attached, tree clean, no tag {context.tag} yet",
            _preflight,
        )
    ]


STEP = Step(
    "preflight",
    "the release branch is checked out, the tree is clean and the tag is free",
    plan,
    kind=Kind.CHECK,
)
