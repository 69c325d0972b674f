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
        build.STEP,  # sdist, then the wheel from it, into an emptied dist/ + manifest
        wheelcheck.STEP,  # twine, contents, metadata, forbidden paths, clean installs
        tag.STEP,  # commit "Release {version}" and the annotated tag, locally
        push.STEP,  # the release commit to the branch only; stops if the remote branch moved
        wait_ci.STEP,  # CI passed on that exact commit (--no-wait-ci skips it, loudly)
        *_publish_order(config),  # publish and push-tag, in the order `where` needs
        verify.STEP,  # from the index, in a clean venv: the table of checks
    ]


def _publish_order(config: Config) -> list[Step]:
    """Local: upload, then push the tag, so a failed upload leaves no tag on the remote.

    CI: push the tag (that is what publishes), then wait for the tag's workflow.
    """
    first, second = (publish.STEP, push.TAG_STEP)
    if config.publish.where == "ci":
        first, second = second, first
    return [replace(first, requires=("wait-ci",)), replace(second, requires=(first.name,))]


def by_name(config: Config) -> dict[str, Step]:
    return {step.name: step for step in pipeline(config)}
