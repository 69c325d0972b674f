"""The whole-release modes, and whether a release is already done.

A mode is a choice of steps from the one pipeline: --local-only stops after the local
tag, --push-only runs only what happens on the remote and the index, --skip-tests drops
the quality gates (loudly, and the journal records it), --pr proposes the release in a
pull request instead of making it, --tag-merged makes the one a merged pull request
proposed. A release whose effects are all in place is reported as released and left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from release import git, graph, index, remote
from release.errors import ReleaseError, UsageError
from release.graph import Context, Kind, Step
from release.journal import Journal
from release.options import Options

PR_STEP = "release-pr"


def from_tag(steps: Sequence[Step]) -> list[str]:
    """The steps from the tag on: what a deleted tag must redo."""
    return ["tag", *(step.name for step in steps if step.kind is Kind.REMOTE)]


def already_released(context: Context) -> str:
    """Why this version counts as released ('' when it does not).

    Its journal says it finished; or, with no journal of an interrupted run for it,
    every effect is in place: the tag on the remote and the files on the index.
    """
    if context.version != context.current:
        return ""
    journal = Journal(context.state, str(context.version))
    if journal.finished:
        return "its journal in .release/ says it finished"
    if journal.started:
        return ""  # an interrupted run: resume it
    return _effects_in_place(context)


def _effects_in_place(context: Context) -> str:
    config, root, tag = context.config, context.root, context.tag
    commit = git.tag_commit(root, tag)
    name = remote.name(root, context.branch, required=False)
    if not commit or not name:
        return ""
    spec = index.for_version(config.publish, context.version)
    try:
        if remote.commit(root, name, f"refs/tags/{tag}") != commit:
            return ""
        there = [f.filename for f in index.files(index.resolve(spec), config.name, context.version)]
    except ReleaseError:
        return ""
    if not any(n.endswith(".whl") for n in there) or not any(n.endswith(".tar.gz") for n in there):
        return ""
    return f"tag {tag} is on {name} and its files are on {spec}"


def select_mode(steps: Sequence[Step], context: Context) -> list[Step]:
    """The steps of this run's mode (every step when no mode is given)."""
    local_only, push_only = context.options.local_only, context.options.push_only
    if local_only and push_only:
        raise UsageError(
            "--local-only and --push-only exclude each other",
            "--local-only first (tag here), then --push-only (ship it)",
        )
    kept = _pr_or_not(steps, context.options)
    if local_only:
        kept = [step for step in kept if step.kind is not Kind.REMOTE]
    if push_only:
        if not git.tag_commit(context.root, context.tag):
            raise ReleaseError(
                f"--push-only: there is no tag {context.tag} to push",
                f"make it first: nox -s release -- {context.version} --execute --local-only",
            )
        kept = [step for step in kept if step.kind is Kind.REMOTE]
    if context.options.skip_tests:
        _skip_tests_loudly(context, [step.name for step in kept if step.kind is Kind.GATE])
        kept = [step for step in kept if step.kind is not Kind.GATE]
    return graph.select(steps, [step.name for step in kept])


def _pr_or_not(steps: Sequence[Step], options: Options) -> list[Step]:
    """--pr: the checks, gates and bump, then the release-pr step instead of the rest.
    --tag-merged: a merged release pull request's version, from its tag on (no gates, no
    bump: its pull request was checked). Otherwise every step but release-pr."""
    if options.pr and (options.local_only or options.push_only or options.tag_merged):
        raise UsageError(
            "--pr goes alone: it proposes the release instead of making it",
            "nox -s release -- auto --pr --execute; once merged: --tag-merged --execute",
        )
    if options.pr:
        return [
            s for s in steps if s.kind in (Kind.CHECK, Kind.GATE) or s.name in ("bump", PR_STEP)
        ]
    if options.tag_merged:
        return [s for s in steps if s.kind is not Kind.GATE and s.name not in ("bump", PR_STEP)]
    return [step for step in steps if step.name != PR_STEP]


def _skip_tests_loudly(context: Context, gates: list[str]) -> None:
    skipped = ", ".join(gates) or "none configured"
    print(
        f"WARNING: --skip-tests: the quality gates are NOT run for {context.version}"
        f" ({skipped}); this is recorded in .release/journal.json",
        file=sys.stderr,
    )
    if context.acting:
        Journal(context.state, str(context.version)).mark("skipped_tests", gates)
