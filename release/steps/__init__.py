"""The release pipeline as data: the order of the steps, one comment per entry.

Each step lives in its own module with one small interface (`graph.Step`) and uses
only plain modules, never another step. Every edge of the graph (`requires`) is
declared here and nowhere else, so this list is the whole picture.
"""

from __future__ import annotations

from dataclasses import replace

from release.config import Config
from release.graph import Step
from release.steps import (
    build,
    bump,
    gates,
    github_release,
    parity,
    preflight,
    publish,
    push,
    release_pr,
    tag,
    validate,
    verify,
    wait_ci,
    wheelcheck,
)


def _after(step: Step, *requires: str) -> Step:
    return replace(step, requires=requires)


def pipeline(config: Config) -> list[Step]:
    gate_steps = gates.steps(config)
    checks = (validate.STEP.name, preflight.STEP.name, parity.STEP.name)
    return [
        validate.STEP,  # PEP 440, newer than the current version, version files agree
        preflight.STEP,  # release branch, attached HEAD, clean tree, tag still free
        parity.STEP,  # the committed workflows are what the flags table generates
        *gate_steps,  # every gate x local Python, in parallel, through CI's nox sessions
        _after(bump.STEP, *checks, *(s.name for s in gate_steps)),  # version files + changelog
        *_artifacts_and_tag(config),  # build, wheelcheck and the local tag: see below
        _after(push.STEP, "tag", "wheelcheck"),  # the branch only; stops if it moved
        _after(wait_ci.STEP, "push"),  # CI passed on that exact commit (--no-wait-ci: loudly)
        *_publish_order(config),  # publish and push-tag, in the order `where` needs
        *_github_release(config),  # from here when local: a draft, its assets, published
        _after(verify.STEP, "publish", "push-tag"),  # from the index, in a clean venv
        _after(release_pr.STEP, "bump"),  # --pr only, instead of tag and all after: see modes
    ]


def checks(config: Config) -> list[Step]:
    """What `check` runs: parity and every gate, each on the Pythons present here."""
    return [parity.STEP, *gates.steps(config)]


def _artifacts_and_tag(config: Config) -> list[Step]:
    """build (sdist, wheel from it, manifest), wheelcheck, and tag (commit + annotated tag).

    A version kept in files is bumped there: build and check first, tag only what passed.
    A vcs version is the tag itself, so the local tag comes first and the artifacts
    are built from it; either way the tag reaches the remote only after every check.
    """
    if config.version_source != "vcs":
        return [
            _after(build.STEP, "bump"),
            _after(wheelcheck.STEP, "build"),
            _after(tag.STEP, "wheelcheck"),
        ]
    return [
        _after(tag.STEP, "bump"),
        _after(build.STEP, "tag"),
        _after(wheelcheck.STEP, "build"),
    ]


def _github_release(config: Config) -> list[Step]:
    """With where = "local" the GitHub Release is made from here, once the tag is pushed;
    otherwise the release workflow makes it (or the project's own, or none is wanted)."""
    if config.publish.on_tag or not config.publish.github_release:
        return []
    return [_after(github_release.STEP, "push-tag")]


def _publish_order(config: Config) -> list[Step]:
    """Local: upload, then push the tag, so a failed upload leaves no tag on the remote.

    CI (ours or the project's own workflow): push the tag (that is what publishes), then
    wait for the tag's workflow.
    """
    first, second = (publish.STEP, push.TAG_STEP)
    if config.publish.on_tag:
        first, second = second, first
    return [_after(first, "wait-ci"), _after(second, first.name)]
