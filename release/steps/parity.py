"""parity: the committed workflows are what the flags table generates, byte for byte.

Runs in dry runs too (check=True): a drifted workflow must not be released.
"""

from __future__ import annotations

from release import ci_parity
from release.graph import Action, Context, Step
from release.proc import Log


def _verify(context: Context, log: Log) -> str:
    return ci_parity.verify(context.config)


def plan(context: Context) -> list[Action]:
    return [Action("regenerate the workflows in memory and compare", _verify)]


STEP = Step("parity", "the committed workflows match the flags table", plan, check=True)
