"""wait-ci: CI must pass on the exact release commit before its tag may be pushed.

The commit is already on the branch (push); this step polls the CI provider until
every run for that commit on that branch finished, and stops the release, tag
unpushed, when one failed. `--no-wait-ci` skips it, loudly.
"""

from __future__ import annotations

from release import console, faults, git, github
from release.graph import Action, Context, Kind, Step
from release.proc import Log


def _wait(context: Context, log: Log) -> str:
    head = git.head(context.root)
    if context.options.no_wait_ci:
        console.warn(
            f"--no-wait-ci: CI is NOT checked on {head[:12]}; the tag goes out anyway", log
        )
        note = "skipped (--no-wait-ci): CI not checked"
    else:
        client = github.client(context.config, context.options.ci_seconds, console.say(log))
        note = github.wait_for_runs(client, head, context.branch, poll=github.poll())
    faults.point("after-ci")
    return note


def plan(context: Context) -> list[Action]:
    if context.options.no_wait_ci:
        return [Action("SKIPPED by --no-wait-ci: the tag will be pushed without CI passing", _wait)]
    return [
        Action(
            f"wait until CI ({context.config.ci.provider}) passed on the release commit"
            f" on {context.branch}",
            _wait,
        )
    ]


STEP = Step(
    "wait-ci",
    "wait until CI has passed on the exact release commit",
    plan,
    kind=Kind.REMOTE,
)
