"""gates: every quality gate, in parallel, through the same nox sessions CI calls.

One step per gate and Python present here (`gate:tests-3.11`); each runs
`python -m nox -s <session> --reuse-venv yes` with its own log under .release/logs/.
"""

from __future__ import annotations

import sys
from functools import partial

from release import proc, pythons
from release.config import Config
from release.errors import ReleaseError
from release.graph import Action, Context, Kind, Step
from release.proc import Log

TAIL = 25


def tail(result: proc.Result) -> str:
    """The gate tool's last lines (nox forwards them on stdout), then nox's own verdict."""
    tool = result.stdout.rstrip().splitlines()[-TAIL:]
    verdict = [line for line in result.stderr.splitlines() if line.strip()][-2:]
    return "\n".join([*tool, *verdict])


def _run(session: str, context: Context, log: Log) -> str:
    argv = [
        sys.executable,
        "-m",
        "nox",
        "-f",
        str(context.root / "noxfile.py"),
        "-s",
        session,
        "--reuse-venv",
        "yes",
    ]
    result = proc.run(argv, cwd=context.root, log=log, check=False)
    if not result.ok:
        raise ReleaseError(
            f"gate {session} failed (exit {result.returncode})",
            f"full output in {log.path}; run it alone: nox -s {session}",
            detail=proc.redact(tail(result)),
        )
    return ""


def _step(session: str) -> Step:
    def plan(context: Context) -> list[Action]:
        return [Action(f"nox -s {session}", partial(_run, session))]

    gate = session.rsplit("-", 1)[0]
    return Step(f"gate:{session}", f"the {gate} gate, exactly as CI runs it", plan, kind=Kind.GATE)


def steps(config: Config) -> list[Step]:
    present, _ = pythons.local_sessions(config)
    return [_step(session) for session in present]
