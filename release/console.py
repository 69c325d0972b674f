"""Lines for the person at the console: notes, loud warnings, progress of long waits.

Each goes to stderr at once (flushed) and, where a step's log is open, into it too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from release.proc import Log


def note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)


def warn(text: str, log: Log) -> None:
    """A loud line: something the user asked to skip is being skipped."""
    print(f"WARNING: {text}", file=sys.stderr, flush=True)
    log.write(f"WARNING: {text}")


def say(log: Log) -> Callable[[str], None]:
    """Progress of a long wait: on the console and in the step's log."""

    def show(text: str) -> None:
        print(f"  {text}", file=sys.stderr, flush=True)
        log.write(text)

    return show
