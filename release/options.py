"""The options of one run, typed: what the command line asked for, nothing computed.

One frozen dataclass serves every command (each fills the fields its options name; the
rest keep their defaults), so the command table, the nox sessions, the invoke tasks and
the steps all read the same typed fields. cli.py builds it from the parsed arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from release.errors import UsageError

CI_TIMEOUT = 3600.0  # seconds to wait for CI, and for the tag's release workflow
INDEX_TIMEOUT = 600.0  # seconds a release's verify waits for the index to list the version
RECHECK = 5.0  # seconds `verify` of a version no release here is publishing looks again


@dataclass(frozen=True)
class Options:
    version: str = ""  # a PEP 440 version or a bump keyword
    package: tuple[str, ...] = ()  # the packages named by --package (several: a repeat)
    execute: bool = False  # act (without it: the plan only)
    dry_run: bool = False  # bump: show the diff only
    allow_empty_changelog: bool = False
    pre: str = ""  # with auto: alpha, beta or rc
    changelog: str = ""  # keep or generate
    local_only: bool = False
    push_only: bool = False
    pr: bool = False  # open or update the release pull request instead of pushing
    tag_merged: bool = False  # tag a merged release pull request's commit, then ship it
    skip_tests: bool = False
    resume: bool = False
    no_wait_ci: bool = False
    ci_timeout: str = ""
    index: str = ""
    wait: str = ""  # verify: seconds to wait for the index to list the version
    yes: bool = False
    write: bool = False
    explain: bool = False
    sync: bool = False
    replace_workflows: bool = False
    all: bool = False

    def __post_init__(self) -> None:
        """Bad durations are refused here, before anything runs."""
        seconds(self.ci_timeout, CI_TIMEOUT, "--ci-timeout")
        seconds(self.wait, INDEX_TIMEOUT, "--wait")

    @property
    def acting(self) -> bool:
        """Does this run change anything (a release with --execute, --push-only, --resume)?"""
        return self.execute or self.push_only or self.resume

    @property
    def ci_seconds(self) -> float:
        return seconds(self.ci_timeout, CI_TIMEOUT, "--ci-timeout")

    def wait_seconds(self, default: float) -> float:
        """--wait, else `default`."""
        return seconds(self.wait, default, "--wait")


def seconds(text: str, default: float, flag: str) -> float:
    """A duration option in seconds (default when not given); anything else is bad input."""
    try:
        value = float(text) if text else default
    except ValueError:
        value = -1.0
    if value <= 0:
        raise UsageError(f"{flag} '{text}' is not a number of seconds", f"e.g. {flag} 1800")
    return value
