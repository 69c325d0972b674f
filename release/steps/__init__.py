"""The release pipeline as data: the order of the steps, one comment per entry.

Each step lives in its own module with one small interface (`graph.Step`); the
graph's edges are the `requires` declared here, so this list is the whole picture.
"""

from __future__ import annotations

from dataclasses import replace

from release.config import Config
from release.graph import Step
from release.steps import bump, preflight, validate


def pipeline(config: Config) -> list[Step]:
    return [
        validate.STEP,  # PEP 440, newer than the current version, version files agree
        preflight.STEP,  # release branch, attached HEAD, clean tree, tag still free
        replace(bump.STEP, requires=(*bump.STEP.requires,)),  # version files + changelog
    ]


def by_name(config: Config) -> dict[str, Step]:
    return {step.name: step for step in pipeline(config)}
