"""release-pr: instead of tagging and pushing, the bump commit goes to the tool's own branch
and the release pull request is opened or updated (release_pr.py, pull_requests.py).

Its plan refuses, before anything runs, a repository that is not on GitHub, a missing
token, and files that already carry an untagged release (a merged pull request: tag it).
"""

from __future__ import annotations

from release import console, release_pr
from release.graph import Action, Context, Kind, Step
from release.proc import Log


def plan(context: Context) -> list[Action]:
    config, version, base = context.config, context.version, context.branch
    release_pr.require_github(config)
    if context.as_is:
        raise release_pr.merged_untagged(version)
    branch = release_pr.branch_name(config, base)
    message = config.commit_message.replace("{version}", str(version))

    def commit(context: Context, log: Log) -> str:
        return release_pr.commit_bump(config, branch, message, log)

    def push(context: Context, log: Log) -> str:
        return release_pr.push(config, base, branch, log)

    def propose(context: Context, log: Log) -> str:
        return release_pr.propose(config, base, branch, version, console.say(log))

    return [
        Action(
            f"commit the bumped files as '{message}' on {branch}; {base} does not move and"
            " the files here are put back",
            commit,
        ),
        Action(f"force-push {branch} (with a lease: the branch is the tool's own)", push),
        Action(
            f"open the pull request {branch} -> {base}, or update the open one: title"
            f" '{message}', the release notes of {version} as its body",
            propose,
        ),
    ]


STEP = Step(
    "release-pr",
    "the bump commit on the tool's own branch, and the release pull request opened or updated",
    plan,
    kind=Kind.REMOTE,
)
