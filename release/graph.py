"""The step graph: steps declared once, a plan made from them, a scheduler that runs it.

A step is a name, a one-line description, its kind (what it touches), the steps it
`requires`, and a `plan` function that returns its actions. The dry run
renders the plan; `--execute` runs the very same plan object, so they cannot
disagree. Dry-run handling lives here once (as in invoke's runner): steps never test
for it. Every action checks before it acts, and the journal under `.release/`
lets a re-run skip what an interrupted run already finished.
"""

from __future__ import annotations

import enum
import functools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from release import branches
from release.errors import ReleaseError, UsageError
from release.journal import Journal
from release.options import Options
from release.ordering import topological
from release.proc import Log
from release.state import state_dir

if TYPE_CHECKING:
    from packaging.version import Version

    from release.config import Config


def release_date() -> str:
    """Today, or the day of SOURCE_DATE_EPOCH when set (reproducible builds, tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return time.strftime("%Y-%m-%d", time.gmtime(int(epoch)) if epoch else time.localtime())


class Status(enum.Enum):
    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"
    ABORTED = "aborted"  # a prerequisite failed


@dataclass(frozen=True)
class Context:
    """What every step may read: the configuration, the versions, the options of this run.

    `resuming`: this version's release is under way (its files or tag are in place), so the
    steps check what is done instead of refusing the version. `as_is`: the files already
    carry a new version set by hand, released as it is. `acting`: this run changes things
    (a release with --execute, --resume or --push-only; a bump without --dry-run).
    """

    config: Config
    current: Version
    version: Version
    options: Options = field(default_factory=Options)
    resuming: bool = False
    as_is: bool = False
    acting: bool = False
    today: str = field(default_factory=release_date)
    #: The other packages this run releases, by name, at their new versions: the pins on
    #: them in this package's pyproject.toml follow (dependency_pins.py).
    released_with: Mapping[str, Version] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def state(self) -> Path:
        return state_dir(self.config.root)

    @functools.cached_property
    def branch(self) -> str:
        """The release branch of this run: a maintenance branch checked out, else the main."""
        return branches.release_branch(self.config)

    @property
    def tag(self) -> str:
        from release.versioning import tag_for

        return tag_for(self.version, self.config.tag_format, self.config.tag_pre_release)


@dataclass(frozen=True)
class Action:
    """One thing a step does. `apply` checks before acting and returns a note ('' if none)."""

    summary: str
    apply: Callable[[Context, Log], str]
    detail: str = ""  # shown in the dry run, e.g. the unified diff of a file edit


class Kind(enum.Enum):
    """What a step touches: what a dry run runs, what a mode keeps or drops."""

    CHECK = "check"  # read-only and quick: runs in a dry run too, to report problems early
    GATE = "gate"  # a quality gate, as CI runs it (--skip-tests drops these)
    LOCAL = "local"  # this machine only: files, dist/, the local tag
    REMOTE = "remote"  # beyond it: the remote, CI, the index (--local-only drops these)


@dataclass(frozen=True)
class Step:
    """A step: its edges (`requires`) are given in one place, the pipeline (steps/)."""

    name: str
    description: str
    plan: Callable[[Context], list[Action]]
    requires: tuple[str, ...] = ()
    kind: Kind = Kind.LOCAL

    @property
    def check(self) -> bool:
        return self.kind is Kind.CHECK


@dataclass
class Outcome:
    status: Status
    seconds: float = 0.0
    note: str = ""
    error: ReleaseError | None = None
    log: Path | None = None


def order(steps: Sequence[Step]) -> list[Step]:
    """Topological order (stable: the declared order breaks ties); a cycle is named."""
    by_name = {step.name: step for step in steps}
    for step in steps:
        for need in step.requires:
            if need not in by_name:
                raise UsageError(f"step '{step.name}' requires unknown step '{need}'")
    return topological(steps, lambda step: step.name, lambda step: step.requires, _cycle)


def _cycle(path: list[str]) -> UsageError:
    return UsageError(
        "the steps form a cycle: " + " -> ".join(path),
        "remove one of these 'requires' so the graph has a start",
    )


def select(steps: Sequence[Step], names: Iterable[str]) -> list[Step]:
    """The named steps only; `requires` outside the selection are dropped."""
    by_name = {step.name: step for step in steps}
    wanted = list(names)
    for name in wanted:
        if name not in by_name:
            raise UsageError(f"unknown step '{name}'", "known steps: " + ", ".join(by_name))
    chosen = set(wanted)
    return order(
        [
            replace(s, requires=tuple(r for r in s.requires if r in chosen))
            for s in steps
            if s.name in chosen
        ]
    )


@dataclass
class Plan:
    """The steps in order with their actions: rendered by a dry run, run by --execute."""

    context: Context
    steps: list[tuple[Step, list[Action]]]

    @classmethod
    def make(cls, context: Context, steps: Sequence[Step]) -> Plan:
        return cls(context, [(step, step.plan(context)) for step in order(steps)])

    def render(self) -> str:
        lines = []
        for number, (step, actions) in enumerate(self.steps, 1):
            needs = f"  (after {', '.join(step.requires)})" if step.requires else ""
            lines.append(f"{number:>2}. {step.name}: {step.description}{needs}")
            for action in actions:
                lines.append(f"      - {action.summary}")
                if action.detail:
                    lines.extend("        " + line for line in action.detail.splitlines())
        return "\n".join(lines)


class Reporter(Protocol):
    def started(self, step: Step) -> None: ...
    def finished(self, step: Step, outcome: Outcome) -> None: ...
    def close(self) -> None: ...


class PlainReporter:
    """One line per finished step: for CI logs and pipes."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr

    def started(self, step: Step) -> None:
        print(f"  ...      {step.name}", file=self.stream, flush=True)

    def finished(self, step: Step, outcome: Outcome) -> None:
        note = f"  {outcome.note}" if outcome.note else ""
        line = f"  {outcome.status.value:<8} {step.name}  {outcome.seconds:.1f}s{note}"
        print(line, file=self.stream, flush=True)

    def close(self) -> None:
        pass


class LiveReporter:
    """A live table on a terminal: one line per step, running ones with elapsed time."""

    ICONS: Mapping[str, str] = {
        "ok": "[green]ok[/]",
        "skipped": "[yellow]skipped[/]",
        "failed": "[red]failed[/]",
        "aborted": "[red]aborted[/]",
    }

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live

        self._running: dict[str, float] = {}
        self._done: list[tuple[str, Outcome]] = []
        self._lock = threading.Lock()
        self._live = Live(
            get_renderable=self._render, console=Console(stderr=True), refresh_per_second=8
        )
        self._live.start()

    def _render(self) -> Any:
        from rich.table import Table

        table = Table.grid(padding=(0, 2))
        with self._lock:
            for name, outcome in self._done:
                note = outcome.note or (str(outcome.log) if outcome.error and outcome.log else "")
                icon = self.ICONS[outcome.status.value]
                table.add_row(icon, name, f"{outcome.seconds:.1f}s", note)
            now = time.monotonic()
            for name, started in self._running.items():
                table.add_row("[cyan]running[/]", name, f"{now - started:.1f}s", "")
        return table

    def started(self, step: Step) -> None:
        with self._lock:
            self._running[step.name] = time.monotonic()

    def finished(self, step: Step, outcome: Outcome) -> None:
        with self._lock:
            self._running.pop(step.name, None)
            self._done.append((step.name, outcome))

    def close(self) -> None:
        self._live.stop()


def reporter() -> Reporter:
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    return LiveReporter() if interactive else PlainReporter()


def execute(
    plan: Plan,
    journal: Journal | None = None,
    report: Reporter | None = None,
    *,
    only_checks: bool = False,
    workers: int = 8,
) -> dict[str, Outcome]:
    """Run the plan, independent steps at the same time; a failure aborts its dependents."""
    context = plan.context
    logs = context.state / "logs"
    report = report or PlainReporter()
    outcomes: dict[str, Outcome] = {}
    pending = [(s, a) for s, a in plan.steps if s.check or not only_checks]
    running: dict[Future[Outcome], Step] = {}
    planned = {step.name for step, _ in plan.steps}
    broken = (Status.FAILED, Status.ABORTED)

    def run_step(step: Step, actions: list[Action]) -> Outcome:
        log = Log(logs / f"{step.name.replace(':', '-')}.log")
        started = time.monotonic()
        notes = []
        try:
            for action in actions:
                log.write(f"# {action.summary}")
                note = action.apply(context, log)
                if note:
                    notes.append(note)
        except ReleaseError as error:
            log.write(error.render())
            return Outcome(Status.FAILED, time.monotonic() - started, error=error, log=log.path)
        finally:
            log.close()
        return Outcome(Status.OK, time.monotonic() - started, "; ".join(notes), log=log.path)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        while pending or running:
            for step, actions in list(pending):
                states = [outcomes.get(need) for need in step.requires if need in planned]
                if any(s is not None and s.status in broken for s in states):
                    outcomes[step.name] = Outcome(Status.ABORTED, note="a prerequisite failed")
                elif journal is not None and journal.done(step.name):
                    outcomes[step.name] = Outcome(Status.SKIPPED, note="done in an earlier run")
                elif all(s is not None for s in states) or only_checks:
                    report.started(step)
                    running[pool.submit(run_step, step, actions)] = step
                else:
                    continue
                pending.remove((step, actions))
                if step.name in outcomes:
                    report.finished(step, outcomes[step.name])
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                step = running.pop(future)
                outcomes[step.name] = future.result()
                if journal is not None and outcomes[step.name].status is Status.OK:
                    journal.record(step.name, Status.OK.value, outcomes[step.name].seconds)
                report.finished(step, outcomes[step.name])
    report.close()
    return outcomes


def failure(outcomes: Mapping[str, Outcome]) -> ReleaseError | None:
    """One error for every failed step, each with its message and log tail."""
    failed = [(n, o) for n, o in outcomes.items() if o.status is Status.FAILED and o.error]
    if not failed:
        return None
    if len(failed) == 1:
        return failed[0][1].error
    parts = []
    for name, outcome in failed:
        assert outcome.error is not None
        parts.append(f"[{name}] {outcome.error.render()}")
    return ReleaseError(
        f"{len(failed)} steps failed: {', '.join(n for n, _ in failed)}",
        "fix them, then run the same command again: finished steps are not repeated",
        detail="\n".join(parts),
    )
