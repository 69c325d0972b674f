"""One atomic write: whole new file contents, computed up front, all written or none.

New contents go to temporary files first; a journal under `.release/` marks the commit
point; then each file is renamed into place. A run killed mid-way is rolled forward by
the next run (`recover`).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from release.errors import ConfigError, ReleaseError
from release.state import STATE_DIR, state_dir

JOURNAL = "bump-journal.json"
TEMP_SUFFIX = ".release-tmp"


def read_text(root: Path, relative: str) -> str:
    path = root / relative
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{relative}: version file not found",
            "fix the path in [tool.release] version-files, or create the file",
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{relative}: not UTF-8 text (byte {exc.start})", "save the file as UTF-8"
        ) from None


@dataclass(frozen=True)
class Edit:
    """One file's whole new content, computed up front so a dry run shows it exactly."""

    path: str
    old: str
    new: str

    @property
    def diff(self) -> str:
        """The unified diff a dry run shows."""
        return "".join(
            difflib.unified_diff(
                self.old.splitlines(keepends=True),
                self.new.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
            )
        )


def _sha(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _fsync_write(path: Path, data: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def replace_file(path: Path, data: str) -> None:
    """One file replaced whole or not at all: a temporary beside it, on disk, then renamed."""
    temp = path.with_name(path.name + TEMP_SUFFIX)
    _fsync_write(temp, data)
    os.replace(temp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_writable(root: Path, edits: Sequence[Edit]) -> None:
    for edit in edits:
        path = root / edit.path
        if not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222:  # even for root
            raise ReleaseError(
                f"{edit.path}: not writable", "fix its permissions (chmod u+w), then re-run"
            )
        if path.read_bytes().decode("utf-8") != edit.old:
            raise ReleaseError(
                f"{edit.path}: changed since the plan was made", "re-run to plan again"
            )


def write_atomically(root: Path, edits: Sequence[Edit], label: str) -> None:
    """All files change or none does, even across a kill (see `recover`)."""
    _check_writable(root, edits)
    state = state_dir(root)
    for edit in edits:
        target = root / edit.path
        temp = target.with_name(target.name + TEMP_SUFFIX)
        _fsync_write(temp, edit.new)
        os.chmod(temp, target.stat().st_mode & 0o7777)
    journal = {
        "label": label,
        "files": [{"path": e.path, "old": _sha(e.old), "new": _sha(e.new)} for e in edits],
    }
    _fsync_write(state / JOURNAL, json.dumps(journal, indent=2))  # the commit point
    _fsync_dir(state)
    pause = os.environ.get("RELEASE_TEST_PAUSE_BETWEEN_WRITES")  # test-only: kill window
    for index, edit in enumerate(edits):
        if pause and index == 1:
            time.sleep(float(pause))
        target = root / edit.path
        os.replace(target.with_name(target.name + TEMP_SUFFIX), target)
        _fsync_dir(target.parent)
    (state / JOURNAL).unlink()


def recover(root: Path, paths: Sequence[str]) -> str:
    """Finish a transaction a killed run left behind; return what was done ('' if nothing)."""
    journal_path = root / STATE_DIR / JOURNAL
    if not journal_path.exists():
        for relative in paths:
            temp = root / (relative + TEMP_SUFFIX)
            if relative and temp.exists():
                temp.unlink()  # written before the commit point: the old state stands
        return ""
    journal = json.loads(journal_path.read_text(encoding="utf-8"))
    finished = 0
    for entry in journal["files"]:
        target = root / entry["path"]
        temp = target.with_name(target.name + TEMP_SUFFIX)
        if temp.exists():
            os.replace(temp, target)
            finished += 1
    journal_path.unlink()
    total = len(journal["files"])
    return (
        f"an interrupted {journal['label']} was found: {total - finished} of {total} files had"
        f" been written; the other {finished} were written now, so all are new"
    )
