"""Every wait is visible: `verify` of a version the index does not list fails after one
short re-check, with one clear line; `--wait SECONDS` waits, a console line per poll."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

from e2e.conftest import Sample
from e2e.servers import Server


def test_verify_of_a_version_the_index_lacks_fails_fast_and_clearly(
    sample: Sample, pypiserver: Server
) -> None:
    started = time.monotonic()
    result = sample.cli("verify", "9.9.9", "--index", pypiserver.url)
    took = time.monotonic() - started
    assert result.returncode == 1
    assert took < 30
    polls = re.findall(r"not listed yet, \d+ s of 5 s; again in \d+ s", result.stderr)
    assert len(polls) == 1  # the one short re-check, said aloud
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {sample.name} 9.9.9 is not on {pypiserver.url} (waited 5 s)"]
    assert "hint: publish it first (nox -s publish -- 9.9.9)" in result.stderr
    assert "--wait 600" in result.stderr
    assert "Traceback" not in result.stderr


def test_verify_with_wait_says_so_at_every_poll(sample: Sample, pypiserver: Server) -> None:
    result = sample.cli("verify", "9.9.9", "--index", pypiserver.url, "--wait", "9")
    assert result.returncode == 1
    polls = re.findall(r"9\.9\.9 on \S+: not listed yet, (\d+) s of 9 s", result.stderr)
    assert [int(seconds) for seconds in polls] == [0, 2]  # then 4 s more would pass 9 s
    assert f"error: {sample.name} 9.9.9 is not on {pypiserver.url} (waited 9 s)" in result.stderr


def test_a_bad_wait_is_refused_before_anything_runs(sample: Sample, pypiserver: Server) -> None:
    result = sample.cli("verify", "9.9.9", "--index", pypiserver.url, "--wait", "soon")
    assert (result.returncode, result.stderr) == (
        2,
        "error: --wait 'soon' is not a number of seconds\nhint: e.g. --wait 1800\n",
    )


def test_verify_waits_aloud_until_the_version_is_listed(sample: Sample, pypiserver: Server) -> None:
    """`--wait 60`: a line per poll while the index lacks the version; it arrives (copied
    into pypiserver's folder, as an upload finishing elsewhere would), and verify goes on."""
    built = sample.cli("build")
    assert built.returncode == 0, built.stderr
    argv = [sys.executable, "-m", "release", "verify", "--index", pypiserver.url, "--wait", "60"]
    waiting = subprocess.Popen(
        argv,
        cwd=sample.root,
        env={**os.environ, **sample.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4)  # two polls (0 s, 2 s) find nothing
    for file in (sample.root / "dist").glob("*"):
        if file.name.endswith((".whl", ".tar.gz")):
            shutil.copy(file, pypiserver.directory / file.name)
    stdout, stderr = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, stderr
    polls = re.findall(r"not listed yet, (\d+) s of 60 s", stderr)
    assert [int(seconds) for seconds in polls[:2]] == [0, 2]
    assert re.search(r"listed after \d+ s", stderr)
    assert "index lists 1.0.22" in stdout
