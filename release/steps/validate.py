"""validate-version: the version is PEP 440, moves forward, and the version files agree."""

from __future__ import annotations

from release import version_files
from release.graph import Action, Context, Step
from release.proc import Log
from release.versioning import require_newer


def _validate(context: Context, log: Log) -> str:
    if context.config.version_source != "dynamic":
        version_files.current_value(context.config)
    if context.option("resuming"):
        return f"{context.version} is the current version: continuing its release"
    require_newer(context.version, context.current)
    return f"{context.current} -> {context.version}"


def plan(context: Context) -> list[Action]:
    return [Action(f"check {context.version} against {context.current}", _validate)]


STEP = Step(
    "validate-version",
    "the version is PEP 440, newer than the current one, and every version file agrees",
    plan,
    check=True,
)
