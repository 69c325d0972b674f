"""Where the tool keeps things: `.release/` in the project (journals, logs, reports, ignored
by git by itself) and the user's cache (tool venvs shared between projects)."""

from __future__ import annotations

import os
from pathlib import Path

STATE_DIR = ".release"


def state_dir(root: Path) -> Path:
    """The state folder, created with a `.gitignore` of `*` so it never dirties the tree."""
    path = root / STATE_DIR
    if not (path / ".gitignore").exists():
        path.mkdir(parents=True, exist_ok=True)
        (path / ".gitignore").write_text("*\n", encoding="utf-8")
    return path


def cache_home() -> Path:
    """The user's cache for release-parity ($XDG_CACHE_HOME, else ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "release-parity"
