"""`.release/`: the tool's own state (journals, logs, reports), ignored by git by itself."""

from __future__ import annotations

from pathlib import Path

STATE_DIR = ".release"


def state_dir(root: Path) -> Path:
    """The state folder, created with a `.gitignore` of `*` so it never dirties the tree."""
    path = root / STATE_DIR
    if not (path / ".gitignore").exists():
        path.mkdir(parents=True, exist_ok=True)
        (path / ".gitignore").write_text("*\n", encoding="utf-8")
    return path
