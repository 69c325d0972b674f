"""verify: the release as a user meets it, from the index, in a clean venv (verification.py)."""

from __future__ import annotations

from release import faults, index, verification
from release.graph import Action, Context, Kind, Step
from release.proc import Log


def _verify(context: Context, log: Log) -> str:
    spec = index.for_version(context.config.publish, context.version)
    note = verification.verify(
        context.config,
        context.version,
        spec,
        log=log,
        report_path=context.state / verification.REPORT,
    )
    faults.point("after-verify")
    return note


def plan(context: Context) -> list[Action]:
    spec = index.for_version(context.config.publish, context.version)
    return [
        Action(
            f"verify {context.version} on {spec} from a clean venv: listing, hashes,"
            " metadata, install, import, __all__, scripts, smoke",
            _verify,
        )
    ]


STEP = Step(
    "verify",
    "check the release on the index from a clean venv",
    plan,
    kind=Kind.REMOTE,
)
