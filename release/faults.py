"""Test-only kill points: prove that a release killed anywhere finishes when run again.

With RELEASE_TEST_KILL_AT=<point> the process sends itself SIGKILL when it reaches that
point: no cleanup, no `finally`, exactly what a power cut or `kill -9` does; `<point>#N`
waits for the N-th time (a second package's upload, when several are released). Unset,
a point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "RELEASE_TEST_KILL_AT"

#: Every point, in the order a release reaches them.
POINTS = (
    "after-towncrier",  # towncrier's changelog written with the version files, fragments kept
    "before-commit",  # bump, build and checks done; nothing committed
    "after-commit",  # release commit made, no tag yet
    "after-tag",  # tag made locally, nothing pushed
    "after-branch-push",  # branch on the remote, tag still local
    "after-ci",  # CI waited for (or skipped), nothing uploaded
    "mid-upload",  # the first file (the wheel) is on the index, the others are not
    "after-upload",  # every file on the index, the tag not yet pushed
    "after-tag-push",  # tag on the remote, not yet verified (`before-verify`)
    "mid-github-release",  # a draft GitHub Release with its first asset, not published
    "after-staging-upload",  # on the staging index, not yet verified there
    "after-verify",  # verified, the journal not yet marked finished
)


_reached: dict[str, int] = {}


def point(name: str) -> None:
    """Die here, abruptly, when the test switch names this point (and this time)."""
    assert name in POINTS, name
    wanted, _, times = os.environ.get(ENV, "").partition("#")
    if wanted != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == int(times or 1):
        os.kill(os.getpid(), signal.SIGKILL)
