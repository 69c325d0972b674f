"""The shipping commands: publish, verify and retag, each usable on its own."""

from __future__ import annotations

import sys

from release import console, git, github_release, index, modes, package, remote, verification
from release.commands import make_context
from release.config import Config
from release.errors import ReleaseError, UsageError
from release.journal import Journal
from release.options import INDEX_TIMEOUT, RECHECK, Options
from release.proc import Log
from release.state import state_dir
from release.steps import pipeline
from release.steps.publish import upload


def _log(loaded: Config, name: str) -> Log:
    return Log(state_dir(loaded.root) / "logs" / f"{name}.log")


def verify_command(options: Options) -> int:
    """`nox -s verify -- [VERSION] [--index NAME|URL]`: the checks table, from a clean venv."""
    loaded = package.one(options.package, "verify")
    version = make_context(loaded, options).version
    spec = options.index or index.for_version(loaded.publish, version)
    log = _log(loaded, "verify")
    in_progress = Journal.unfinished(state_dir(loaded.root)) == str(version)
    wait = options.wait_seconds(INDEX_TIMEOUT if in_progress else RECHECK)
    try:
        print(
            verification.verify(
                loaded,
                version,
                spec,
                log=log,
                wait=wait,
                report_path=state_dir(loaded.root) / verification.REPORT,
            )
        )
    finally:
        log.close()
    return 0


def github_release_command(options: Options) -> int:
    """`nox -s github-release -- [VERSION]`: what release.yml runs, and a local release."""
    loaded = package.one(options.package, "github-release")
    version = make_context(loaded, options).version
    log = _log(loaded, "github-release")
    try:
        print(github_release.publish(loaded, version, console.say(log)))
    finally:
        log.close()
    return 0


def publish_command(options: Options) -> int:
    """`nox -s publish -- [VERSION] [--index NAME|URL]`: upload dist/ from this machine."""
    loaded = package.one(options.package, "publish")
    version = make_context(loaded, options).version
    spec = options.index or index.for_version(loaded.publish, version)
    log = _log(loaded, "publish")
    try:
        print(upload(loaded, version, spec, log))
    finally:
        log.close()
    return 0


def retag_command(options: Options) -> int:
    """`nox -s retag -- VERSION [--yes]`: delete a bad tag here and on the remote.

    Asks first (a line on stdin: y/yes) unless --yes; the journal forgets the steps from
    the tag on, so the next release run tags the right commit and carries on.
    """
    loaded = package.one(options.package, "retag")
    context = make_context(loaded, options)
    version = context.version
    tag, root = context.tag, context.root
    local = git.tag_commit(root, tag)
    name = remote.name(root, loaded.branch, required=False)
    there = remote.commit(root, name, f"refs/tags/{tag}") if name else ""
    if not local and not there:
        raise UsageError(
            f"there is no tag {tag} here or on {name or 'a remote'}", "nothing to delete"
        )
    places = []
    if local:
        places.append(f"here ({local[:12]})")
    if there:
        places.append(f"on {name} ({there[:12]})")
    question = f"delete tag {tag} {' and '.join(places)}? [y/N] "
    if not options.yes:
        print(question, end="", flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            raise ReleaseError("not confirmed: nothing was deleted", "answer y, or add --yes")
    if there:
        git.git(root, "push", "--quiet", name, "--delete", f"refs/tags/{tag}")
    if local:
        git.git(root, "tag", "--delete", tag)
    journal = Journal(context.state, str(version))
    if journal.started:  # a journal of this version's release (not of another)
        journal.reopen(modes.from_tag(pipeline(loaded)))
    print(
        f"deleted {tag} {' and '.join(places)}; tag the right commit with:"
        f" nox -s release -- {version} --execute"
    )
    return 0
