"""The README's step commands through nox and invoke, on a real index: `invoke release
--execute`, then `nox -s publish`, `nox -s verify` and `nox -s notes` on their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from e2e.conftest import Sample, git, on_index
from e2e.servers import Server

BIN = Path(sys.executable).parent


def front_end(sample: Sample, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]], cwd=sample.root, capture_output=True, text=True,
        env={**os.environ, **sample.env}, check=False,
    )  # fmt: skip


def test_invoke_release_then_nox_publish_verify_and_notes(
    sample: Sample, pypiserver: Server
) -> None:
    released = front_end(
        sample, "invoke", "release", "--version", "1.0.23", "--execute", "--local-only"
    )
    assert released.returncode == 0, released.stderr
    assert git(sample.root, "tag", "--points-at", "HEAD").split() == ["v1.0.23"]
    assert on_index(pypiserver, sample) == []

    published = front_end(sample, "nox", "-s", "publish", "--", "1.0.23", "--index",
                          pypiserver.url)  # fmt: skip
    assert published.returncode == 0, published.stderr
    assert dict(on_index(pypiserver, sample)) == sample.dist()
    again = front_end(sample, "nox", "-s", "publish", "--", "1.0.23", "--index", pypiserver.url)
    assert again.returncode == 0, again.stderr
    assert dict(on_index(pypiserver, sample)) == sample.dist()  # skipped, not duplicated

    verified = front_end(sample, "nox", "-s", "verify", "--", "1.0.23", "--index",
                         pypiserver.url)  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert "FAILED" not in verified.stdout + verified.stderr

    notes = front_end(sample, "nox", "-s", "notes", "--", "1.0.23")
    assert notes.returncode == 0, notes.stderr
    assert notes.stdout.startswith("### Added\n- `Enforcer.audit()` records every decision.\n")
