"""parity: the committed workflows are what the flags table generates, byte for byte.

Runs in dry runs too (check=True): a drifted workflow must not be released.
"""

from __future__ import annotations

from release import drift
from release.graph import Action, Context, Kind, Step
from release.proc import Log


def _verify(context: Context, log: Log) -> str:
    return drift.verify(context.config)


def plan(context: Context) -> list[Action]:
    return [Action("regenerate the workflows in memory and compare", _verify)]


STEP = Step("parity", "the committed workflows match the flags table", plan, kind=Kind.CHECK)
