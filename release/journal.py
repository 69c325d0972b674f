"""`.release/journal.json`: which steps of which release finished, for --resume.

One release at a time: a journal of another version is replaced by a fresh one. Each
save is a whole-file replace, so a kill leaves the old record or the new, never half.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FILE = "journal.json"


class Journal:
    def __init__(self, state: Path, version: str) -> None:
        self.path = state / FILE
        self.version = version
        self._lock = threading.Lock()
        data = _read(self.path)
        fresh: dict[str, Any] = {"version": version, "steps": {}}
        self.data: dict[str, Any] = data if data.get("version") == version else fresh

    @staticmethod
    def unfinished(state: Path) -> str:
        """The version of a release that started and did not finish ('' if none)."""
        data = _read(state / FILE)
        return "" if not data or data.get("finished") else str(data.get("version", ""))

    @property
    def finished(self) -> bool:
        return bool(self.data.get("finished"))

    @property
    def started(self) -> bool:
        """Some step of this version's release finished (an interrupted run, or a whole one)."""
        return bool(self.data["steps"])

    def done(self, name: str) -> bool:
        return bool(self.data["steps"].get(name, {}).get("status") == "ok")

    def record(self, name: str, status: str, seconds: float) -> None:
        with self._lock:
            self.data["steps"][name] = {"status": status, "seconds": seconds}
            self._save()

    def mark(self, key: str, value: Any) -> None:
        with self._lock:
            self.data[key] = value
            self._save()

    def reopen(self, steps: Iterable[str]) -> None:
        """Forget `steps` and the finish: they run again (after a tag was deleted)."""
        with self._lock:
            for name in steps:
                self.data["steps"].pop(name, None)
            self.data["finished"] = False
            self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_suffix(".tmp")
        temp.write_text(json.dumps(self.data, indent=2), encoding="utf-8")
        os.replace(temp, self.path)


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}
