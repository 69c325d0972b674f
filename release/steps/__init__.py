"""The release pipeline as data: the order of the steps, one comment per entry.

Each step lives in its own module with one small interface (`graph.Step`); the
graph's edges are the `requires` declared here, so this list is the whole picture.
"""

from __future__ import annotations

from dataclasses import replace

from release.config import Config
from release.graph import Step
from release.steps import (
    build,
    bump,
    gates,
    parity,
    preflight,
    publish,
    push,
    tag,
    validate,
    verify,
    wait_ci,
    wheelcheck,
)


def pipeline(config: Config) -> list[Step]:
    gate_steps = gates.steps(config)
    checks = (parity.STEP.name, *(step.name for step in gate_steps))
    return [
        validate.STEP,  # PEP 440, newer than the current version, version files agree
        preflight.STEP,  # release branch, attached HEAD, clean tree, tag still free
        parity.STEP,  # the committed workflows are what the flags table generates
        *gate_steps,  # every gate x local Python, in parallel, through CI's nox sessions
        replace(bump.STEP, requires=(*bump.STEP.requires, *checks)),  # version files + changelog
        *_artifacts_and_tag(config),  # build, wheelcheck and the local tag: see below
        replace(push.STEP, requires=("tag", "wheelcheck")),  # the branch only; stops if moved
        wait_ci.STEP,  # CI passed on that exact commit (--no-wait-ci skips it, loudly)
        *_publish_order(config),  # publish and push-tag, in the order `where` needs
        verify.STEP,  # from the index, in a clean venv: the table of checks
    ]


def _artifacts_and_tag(config: Config) -> list[Step]:
    """build (sdist, wheel from it, manifest), wheelcheck, and tag (commit + annotated tag).

    A version kept in files is bumped there: build and check first, tag only what passed.
    A vcs version is the tag itself, so the local tag comes first and the artifacts
    are built from it; either way the tag reaches the remote only after every check.
    """
    if config.version_source != "vcs":
        return [build.STEP, wheelcheck.STEP, tag.STEP]
    return [
        replace(tag.STEP, requires=("bump",)),
        replace(build.STEP, requires=("tag",)),
        wheelcheck.STEP,
    ]


def _publish_order(config: Config) -> list[Step]:
    """Local: upload, then push the tag, so a failed upload leaves no tag on the remote.

    CI (ours or the project's own workflow): push the tag (that is what publishes), then
    wait for the tag's workflow.
    """
    first, second = (publish.STEP, push.TAG_STEP)
    if config.publish.on_tag:
        first, second = second, first
    return [replace(first, requires=("wait-ci",)), replace(second, requires=(first.name,))]
