"""Tables of independent checks (wheelcheck, verify): every check runs, all are shown."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from release.errors import ReleaseError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    warning: bool = False  # shown, but does not fail the step


def run_checks(checks: Sequence[tuple[str, Callable[[], Check | list[Check]]]]) -> list[Check]:
    """Run every check even when one fails; an exception becomes that check's failure."""
    results: list[Check] = []
    for name, check in checks:
        try:
            outcome = check()
        except ReleaseError as error:
            outcome = Check(name, False, error.message)
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results


def table(results: Sequence[Check]) -> str:
    width = max((len(r.name) for r in results), default=5)
    lines = [f"{'check':<{width}}  result  detail"]
    for r in results:
        result = "ok" if r.ok else ("warn" if r.warning else "FAILED")
        lines.append(f"{r.name:<{width}}  {result:<6}  {r.detail}".rstrip())
    return "\n".join(lines)


def conclude(results: Sequence[Check], what: str, json_path: Path | None = None) -> str:
    """Write the JSON report, raise with the table when any check failed, else a summary."""
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    failed = [r for r in results if not r.ok and not r.warning]
    if failed:
        raise ReleaseError(
            f"{what}: {len(failed)} of {len(results)} checks failed: "
            + ", ".join(r.name for r in failed),
            "see the table below; fix each failure and run again",
            detail=table(results),
        )
    return f"{len(results)} checks passed"
