"""wait-ci: CI must pass on the exact release commit before its tag may be pushed.

The commit is already on the branch (push); this step polls the CI provider until
every run for that commit on that branch finished, and stops the release, tag
unpushed, when one failed. `--no-wait-ci` skips it, loudly.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from release import faults, git, github
from release.errors import ReleaseError, UsageError
from release.graph import Action, Context, Step
from release.proc import Log
from release.steps import push

POLL_ENV = "RELEASE_CI_POLL_SECONDS"  # the first pause between polls (default 10 s)
DEFAULT_TIMEOUT = 3600.0


def say(log: Log) -> Callable[[str], None]:
    def show(text: str) -> None:
        print(f"  {text}", file=sys.stderr, flush=True)
        log.write(text)

    return show


def warn(text: str, log: Log) -> None:
    """A loud line: something the user asked to skip is being skipped."""
    print(f"WARNING: {text}", file=sys.stderr, flush=True)
    log.write(f"WARNING: {text}")


def seconds(text: object, default: float, flag: str) -> float:
    """A duration option in seconds (default when not given); anything else is bad input."""
    try:
        value = float(str(text)) if text else default
    except ValueError:
        value = -1.0
    if value <= 0:
        raise UsageError(f"{flag} '{text}' is not a number of seconds", f"e.g. {flag} 1800")
    return value


def timeout(context: Context) -> float:
    return seconds(context.option("ci_timeout"), DEFAULT_TIMEOUT, "--ci-timeout")


def client(context: Context, log: Log) -> github.Client:
    """A client for the repository behind the release remote, with this run's deadline."""
    provider = context.config.ci.provider
    if provider != "github":
        raise ReleaseError(
            f"cannot wait for CI provider '{provider}'",
            "only 'github' is supported; use --no-wait-ci",
        )
    name = push.remote(context)
    url = git.git(context.root, "remote", "get-url", name).strip()
    slug = os.environ.get("GITHUB_REPOSITORY") or github.slug_from_url(url)
    if not slug:
        raise ReleaseError(
            f"cannot tell the GitHub repository from remote '{name}' ({url})",
            "set GITHUB_REPOSITORY=owner/name, or use --no-wait-ci",
        )
    deadline = time.monotonic() + timeout(context)
    return github.Client(slug, auth=github.token(), deadline=deadline, say=say(log))


def poll() -> float:
    return float(os.environ.get(POLL_ENV, "10"))


def _wait(context: Context, log: Log) -> str:
    head = git.head(context.root)
    if context.option("no_wait_ci"):
        warn(f"--no-wait-ci: CI is NOT checked on {head[:12]}; the tag goes out anyway", log)
        note = "skipped (--no-wait-ci): CI not checked"
    else:
        note = github.wait_for_runs(client(context, log), head, context.config.branch, poll=poll())
    faults.point("after-ci")
    return note


def plan(context: Context) -> list[Action]:
    timeout(context)  # bad input is refused before anything runs
    if context.option("no_wait_ci"):
        return [Action("SKIPPED by --no-wait-ci: the tag will be pushed without CI passing", _wait)]
    return [
        Action(
            f"wait until CI ({context.config.ci.provider}) passed on the release commit"
            f" on {context.config.branch}",
            _wait,
        )
    ]


STEP = Step(
    "wait-ci",
    "wait until CI has passed on the exact release commit",
    plan,
    requires=("push",),
)
