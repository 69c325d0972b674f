"""The index token and the GitHub token never show: not in output, logs, or any argv."""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path

from e2e.conftest import TOKEN, Sample, on_index
from e2e.github_api import ANY, FakeGitHub, completed, waiting
from e2e.servers import Server


def watch_command_lines(stop: threading.Event, seen: set[str]) -> None:
    """Every process's argv, sampled from /proc until `stop` (children live ~0.3 s at least)."""
    while not stop.is_set():
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    argv = Path(entry.path, "cmdline").read_bytes()
                except OSError:
                    continue  # it ended meanwhile
                seen.add(argv.replace(b"\0", b" ").decode(errors="replace"))
        time.sleep(0.002)


def test_tokens_stay_out_of_output_logs_and_argv(
    sample: Sample, pypiserver: Server, github_api: FakeGitHub
) -> None:
    github_token = f"ghp_{secrets.token_hex(18)}"
    running = waiting("in_progress", tests="in_progress")
    github_api.add_run("acme/enforcecore", ANY, "main", "CI", running, completed("success"))
    seen: set[str] = set()
    stop = threading.Event()
    watcher = threading.Thread(target=watch_command_lines, args=(stop, seen), daemon=True)
    watcher.start()
    try:
        done = sample.release(
            "1.0.23", "--execute", TWINE_USERNAME="", TWINE_PASSWORD="", PYPI_TOKEN=TOKEN,
            GITHUB_TOKEN=github_token, RELEASE_GITHUB_API=github_api.url,
            GITHUB_REPOSITORY="acme/enforcecore", RELEASE_CI_POLL_SECONDS="0.05",
        )  # fmt: skip
    finally:
        stop.set()
        watcher.join()
    assert done.returncode == 0, done.stderr
    assert dict(on_index(pypiserver, sample)) == sample.dist()  # the token did its job

    uploads = [argv for argv in seen if "twine" in argv and " upload " in argv]
    assert len(uploads) >= 2  # the watcher saw both upload children (wheel, sdist)
    for token in (TOKEN, github_token):
        assert not [argv for argv in seen if token in argv]
        assert token not in done.stdout
        assert token not in done.stderr
        for path in (sample.root / ".release").rglob("*"):
            if path.is_file():
                assert token.encode() not in path.read_bytes(), path
    assert {h["authorization"] for _, h in github_api.requests} == {f"Bearer {github_token}"}
