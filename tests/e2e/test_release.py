"""Whole releases of a sample project: a real index, a bare git remote, twine, uv."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from e2e.conftest import MakeSample, Sample, git, on_index
from e2e.github_api import ANY, FakeGitHub, completed, waiting
from e2e.servers import Server

VERSION = "1.0.23"


def test_full_release_then_already_released(sample: Sample, pypiserver: Server) -> None:
    first = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert first.returncode == 0, first.stderr
    refs = sample.remote_refs()
    assert refs["refs/tags/v1.0.23"] == refs["refs/heads/main"] == sample.head()
    assert sample.remote_tags() == ["v1.0.23"]
    assert git(sample.root, "log", "-1", "--format=%s").strip() == "Release 1.0.23"
    assert dict(on_index(pypiserver, sample)) == sample.dist()  # byte-identical
    assert "WARNING: --no-wait-ci: CI is NOT checked" in first.stderr
    assert "18 checks passed on " in first.stderr
    table = first.stdout[first.stdout.index("index lists 1.0.23") :].splitlines()[:18]
    assert all("  ok  " in row for row in table), "\n".join(table)

    again = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert again.returncode == 0, again.stderr
    assert again.stdout == (
        "1.0.23 is already released (its journal in .release/ says it finished): nothing to do\n"
    )
    assert sample.remote_refs() == refs
    assert dict(on_index(pypiserver, sample)) == sample.dist()

    (sample.root / ".release" / "journal.json").unlink()  # e.g. a fresh clone: no journal
    fresh = sample.release(VERSION, "--execute")
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.startswith("1.0.23 is already released (tag v1.0.23 is on origin and")
    assert sample.remote_refs() == refs


def test_prerelease_and_final_each_go_to_their_index(
    make_sample: MakeSample, pypiserver: Server, devpi: Server
) -> None:
    sample = make_sample(pre_release=devpi.url)
    done = sample.release("1.0.23a1", "--execute", "--no-wait-ci")
    assert done.returncode == 0, done.stderr
    assert dict(on_index(devpi, sample)) == sample.dist()
    assert sorted(sample.dist()) == [f"{sample.stem}1.0.23a1-py3-none-any.whl",
                                     f"{sample.stem}1.0.23a1.tar.gz"]  # fmt: skip
    assert on_index(pypiserver, sample) == []
    assert "2 files (PEP 691 JSON)" in done.stdout  # devpi answers the JSON simple API
    assert sample.remote_tags() == ["v1.0.23a1"]
    prerelease_files = on_index(devpi, sample)

    final = sample.release("final", "--execute", "--no-wait-ci", "--allow-empty-changelog")
    assert final.returncode == 0, final.stderr
    assert dict(on_index(pypiserver, sample)) == sample.dist()
    assert sorted(sample.dist()) == [f"{sample.stem}1.0.23-py3-none-any.whl",
                                     f"{sample.stem}1.0.23.tar.gz"]  # fmt: skip
    assert on_index(devpi, sample) == prerelease_files  # the final did not go there
    assert sample.remote_tags() == ["v1.0.23", "v1.0.23a1"]


def test_staging_first_then_final_even_when_killed_between(
    make_sample: MakeSample, pypiserver: Server, devpi: Server
) -> None:
    sample = make_sample(staging=devpi.url)
    killed = sample.release(VERSION, "--execute", "--no-wait-ci",
                            RELEASE_TEST_KILL_AT="after-staging-upload")  # fmt: skip
    assert killed.returncode == -9
    assert len(on_index(devpi, sample)) == 2
    assert on_index(pypiserver, sample) == []  # not promoted before it was verified
    assert sample.remote_tags() == []

    done = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert done.returncode == 0, done.stderr
    assert dict(on_index(devpi, sample)) == dict(on_index(pypiserver, sample)) == sample.dist()
    staged = json.loads((sample.root / ".release" / "verify-staging.json").read_text())
    assert len(staged) == 18
    assert all(check["ok"] for check in staged)
    assert sample.remote_tags() == ["v1.0.23"]


def test_where_ci_waits_for_ci_then_for_the_tag_workflow(
    make_sample: MakeSample, pypiserver: Server, github_api: FakeGitHub
) -> None:
    """The tag's workflow (played by a thread here) publishes; the release waits for it."""
    sample = make_sample(where="ci")
    slug = "acme/enforcecore"
    github_api.add_run(slug, ANY, "main", "CI", waiting("queued", tests="queued"),
                       completed("success", tests="success"))  # fmt: skip
    published = threading.Event()
    workflow = github_api.add_run(slug, ANY, "v1.0.23", "Release", waiting("queued"),
                                  completed("success", build="success", publish="success"),
                                  hold=published)  # fmt: skip

    def release_workflow() -> None:
        deadline = time.monotonic() + 120
        while "v1.0.23" not in sample.remote_tags() and time.monotonic() < deadline:
            time.sleep(0.1)
        files = sorted(str(p) for p in (sample.root / "dist").iterdir() if p.suffix != ".json")
        subprocess.run([sys.executable, "-m", "twine", "upload", "--non-interactive",
                        "--repository-url", pypiserver.url, *files], check=True,
                       capture_output=True, env={**sample.env, "PATH": ""})  # fmt: skip
        published.set()

    thread = threading.Thread(target=release_workflow, daemon=True)
    thread.start()
    done = sample.release(VERSION, "--execute", RELEASE_GITHUB_API=github_api.url,
                          GITHUB_REPOSITORY=slug, RELEASE_CI_POLL_SECONDS="0.1")  # fmt: skip
    thread.join(timeout=5)
    assert done.returncode == 0, done.stderr
    assert f"CI passed on {sample.head()[:12]}: CI" in done.stderr
    assert f"release workflow passed on {sample.head()[:12]}: Release" in done.stderr
    assert workflow.polls >= 2
    assert dict(on_index(pypiserver, sample)) == sample.dist()
    assert sample.remote_tags() == ["v1.0.23"]
