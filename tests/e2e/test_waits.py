"""Every wait is visible: `verify` of a version the index does not list fails after one
short re-check, with one clear line; `--wait SECONDS` waits, a console line per poll."""

from __future__ import annotations

import re
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
