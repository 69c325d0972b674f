"""`nox -s demo` from a fresh copy of this repository runs to a passing verify table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]


def test_demo_from_a_fresh_clone(tmp_path: Path) -> None:
    """The files a clone would have (tracked, or new and not ignored), nothing else."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    clone = tmp_path / "clone"
    for relative in filter(None, listed):
        source = REPO / relative
        if source.is_file():
            (clone / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / relative)
    env = {**os.environ, "PYTHONPATH": str(clone)}  # the clone's code, not this checkout's
    result = subprocess.run([sys.executable, "-m", "nox", "-s", "demo"], cwd=clone,
                            capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CI wait is OFF (--no-wait-ci)" in result.stdout
    table = result.stdout[result.stdout.index("check                       result") :]
    rows = table.splitlines()[1:19]
    assert len(rows) == 18
    assert all("  ok  " in row for row in rows), table
    assert "18 checks passed on http://127.0.0.1:" in result.stdout
    assert "Session demo was successful" in result.stderr
    removed = result.stdout.split("==> stopping the index and removing ")[1].split()[0]
    assert not Path(removed).exists()  # cleaned up
