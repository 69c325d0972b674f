"""validate-version: the version is PEP 440, moves forward, and the version files agree."""

from __future__ import annotations

from release import branches, promotion, version_files
from release.errors import ReleaseError
from release.graph import Action, Context, Kind, Step
from release.proc import Log
from release.versioning import require_newer


def _validate(context: Context, log: Log) -> str:
    if context.config.version_source != "vcs":
        version_files.current_value(context.config)
    if context.resuming:
        return f"{context.version} is the current version: continuing its release"
    if context.as_is:
        return f"{context.version} is in the files and has no tag yet: released as it is"
    require_newer(context.version, context.current)
    return f"{context.current} -> {context.version}"


def _changelog_warning(problem: ReleaseError) -> Action:
    """A dry run goes on past a changelog with nothing for the release, and says so."""
    warning = f"WARNING: {problem.message} (a run that acts stops here)"
    return Action(f"{warning}: {problem.hint}", lambda context, log: warning)


def plan(context: Context) -> list[Action]:
    """The version in the files and the last release are both named when they differ. A
    changelog with nothing for the release stops a run that acts here, before any step
    runs (the gates start alongside this one), and is a warning in a dry run. On a
    maintenance branch, a version off its line is refused here, before anything runs."""
    branches.require_on_line(context.config, context.branch, context.version, context.current)
    against = f"check {context.version} against {context.current}"
    last = version_files.versions_note(context.config, context.current)
    check = Action(f"{against} in the files; {last}" if last else against, _validate)
    problem = promotion.problem(context)
    if problem is None:
        return [check]
    if context.acting:
        raise problem
    return [check, _changelog_warning(problem)]


STEP = Step(
    "validate-version",
    "the version is PEP 440, newer than the current one, and every version file agrees",
    plan,
    kind=Kind.CHECK,
)
