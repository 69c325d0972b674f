"""github-release: the tag's GitHub Release from this machine (where = "local"): a draft,
the dist files and SHA256SUMS, then published (github_release.py). With where = "ci" the
release workflow makes it, the same way."""

from __future__ import annotations

from release import console, github_release
from release.graph import Action, Context, Kind, Step
from release.proc import Log


def _publish(context: Context, log: Log) -> str:
    return github_release.publish(context.config, context.version, console.say(log))


def plan(context: Context) -> list[Action]:
    if not github_release.on_github(context.config):
        return [Action("no GitHub Release: the release remote is not on GitHub", _not_github)]
    return [
        Action(
            f"GitHub Release {context.tag}: a draft, dist/ and SHA256SUMS uploaded, then"
            " published (kept as it is when it already holds the same files)",
            _publish,
        )
    ]


def _not_github(context: Context, log: Log) -> str:
    return "skipped: the release remote is not on GitHub"


STEP = Step(
    "github-release",
    "the tag's GitHub Release: a draft, its assets, then published",
    plan,
    kind=Kind.REMOTE,
)
