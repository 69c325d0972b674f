"""SIGKILL at every point of a release, then the same command again: it completes, once."""

from __future__ import annotations

import json

import pytest

from e2e.conftest import Sample, git, on_index
from e2e.servers import Server
from release import faults

#: after-staging-upload: see the staging test; after-towncrier: tests/test_towncrier.py;
#: mid-github-release: tests/e2e/test_github_release.py (a release on GitHub)
ELSEWHERE = ("after-staging-upload", "after-towncrier", "mid-github-release")
POINTS = [p for p in faults.POINTS if p not in ELSEWHERE]
#: What the world looks like right after the kill: local tag, remote tag, branch pushed, files.
AT_KILL = {
    "before-commit": (False, False, False, 0),
    "after-commit": (False, False, False, 0),
    "after-tag": (True, False, False, 0),
    "after-branch-push": (True, False, True, 0),
    "after-ci": (True, False, True, 0),
    "mid-upload": (True, False, True, 1),
    "after-upload": (True, False, True, 2),
    "after-tag-push": (True, True, True, 2),
    "after-verify": (True, True, True, 2),
}


def test_every_point_is_covered() -> None:
    assert sorted(AT_KILL) == sorted(POINTS)
    assert len(POINTS) >= 8


@pytest.mark.parametrize("point", POINTS)
def test_killed_release_completes_on_the_next_run(
    sample: Sample, pypiserver: Server, point: str
) -> None:
    start = sample.head()
    killed = sample.release("1.0.23", "--execute", "--no-wait-ci", RELEASE_TEST_KILL_AT=point)
    assert killed.returncode == -9, killed.stderr

    local_tag, remote_tag, pushed, files = AT_KILL[point]
    assert bool(git(sample.root, "tag", "--list", "v1.0.23").strip()) is local_tag
    assert sample.remote_tags() == (["v1.0.23"] if remote_tag else [])
    assert (sample.remote_refs()["refs/heads/main"] != start) is pushed
    uploaded = on_index(pypiserver, sample)
    assert len(uploaded) == files
    if point == "mid-upload":
        assert uploaded[0][0].endswith(".whl")  # the wheel went first, the sdist did not

    again = sample.release("1.0.23", "--execute", "--no-wait-ci")
    assert again.returncode == 0, again.stderr
    refs = sample.remote_refs()
    assert sample.remote_tags() == ["v1.0.23"]
    assert refs["refs/tags/v1.0.23"] == refs["refs/heads/main"] == sample.head()
    assert git(sample.root, "log", "--format=%s", f"{start}..HEAD").splitlines() == [
        "Release 1.0.23"
    ]
    names = [name for name, _ in on_index(pypiserver, sample)]
    assert len(names) == len(set(names)) == 2
    assert dict(on_index(pypiserver, sample)) == sample.dist()
    journal = json.loads((sample.root / ".release" / "journal.json").read_text())
    assert journal["finished"] is True
