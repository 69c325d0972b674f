"""validate-version: the version is PEP 440, moves forward, and the version files agree."""

from __future__ import annotations

from release import version_files
from release.graph import Action, Context, Step
from release.proc import Log
from release.versioning import require_newer


def _validate(context: Context, log: Log) -> str:
    if context.config.version_source != "vcs":
        version_files.current_value(context.config)
    if context.option("resuming"):
        return f"{context.version} is the current version: continuing its release"
    if context.option("as_is"):
        return f"{context.version} is in the files and has no tag yet: released as it is"
    require_newer(context.version, context.current)
    return f"{context.current} -> {context.version}"


def plan(context: Context) -> list[Action]:
    """The version in the files and the last release are both named when they differ."""
    against = f"check {context.version} against {context.current}"
    last = version_files.versions_note(context.config, context.current)
    return [Action(f"{against} in the files; {last}" if last else against, _validate)]


STEP = Step(
    "validate-version",
    "the version is PEP 440, newer than the current one, and every version file agrees",
    plan,
    check=True,
)
