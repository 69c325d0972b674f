"""The scheduler: parallel independent steps, aborted dependents, the journal, the plan."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from packaging.version import Version

from release.config import load
from release.errors import ReleaseError
from release.graph import Action, Context, Kind, Plan, Status, Step, execute, failure
from release.journal import Journal
from release.proc import Log


def context(tmp_path: Path) -> Context:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1.0"\n')
    return Context(load(tmp_path), Version("1.0"), Version("1.1"))


def step(name: str, requires: tuple[str, ...] = (), body: object = None) -> Step:
    def apply(context: Context, log: Log) -> str:
        if callable(body):
            body()
        log.write(f"{name} ran")
        return ""

    return Step(name, f"the {name} step", lambda c: [Action(f"do {name}", apply)], requires)


def test_independent_steps_run_at_the_same_time(tmp_path: Path) -> None:
    barrier = threading.Barrier(3, timeout=5)  # deadlocks unless all three run together
    steps = [step(n, body=barrier.wait) for n in ("lint", "format", "tests")]
    steps.append(step("bump", ("lint", "format", "tests")))
    outcomes = execute(Plan.make(context(tmp_path), steps))
    assert {n: o.status for n, o in outcomes.items()} == dict.fromkeys(
        ["lint", "format", "tests", "bump"], Status.OK
    )
    assert (tmp_path / ".release/logs/bump.log").read_text() == "# do bump\nbump ran\n"


def test_a_failure_aborts_its_dependents_only(tmp_path: Path) -> None:
    def boom() -> None:
        raise ReleaseError("tests failed")

    steps = [step("tests", body=boom), step("docs"), step("bump", ("tests",)),
             step("build", ("bump",))]  # fmt: skip
    outcomes = execute(Plan.make(context(tmp_path), steps))
    statuses = {name: outcome.status for name, outcome in outcomes.items()}
    assert statuses == {"tests": Status.FAILED, "docs": Status.OK, "bump": Status.ABORTED,
                        "build": Status.ABORTED}  # fmt: skip
    error = failure(outcomes)
    assert error is not None
    assert error.message == "tests failed"


def test_the_journal_skips_what_an_earlier_run_finished(tmp_path: Path) -> None:
    ran: list[str] = []
    ctx = context(tmp_path)
    steps = [step("bump", body=lambda: ran.append("bump")),
             step("build", ("bump",), body=lambda: ran.append("build"))]  # fmt: skip
    journal = Journal(ctx.state, "1.1")
    execute(Plan.make(ctx, steps[:1]), journal)
    assert ran == ["bump"]
    outcomes = execute(Plan.make(ctx, steps), Journal(ctx.state, "1.1"))
    assert ran == ["bump", "build"]
    assert outcomes["bump"].status is Status.SKIPPED
    assert Journal.unfinished(ctx.state) == "1.1"
    assert Journal(ctx.state, "1.2").done("bump") is False


def nothing(context: Context, log: Log) -> str:
    return ""


def test_the_plan_renders_steps_actions_and_details(tmp_path: Path) -> None:
    with_detail = Step("b", "the b step", lambda c: [Action("x", nothing, "diff")], ("a",))
    steps = [step("a"), with_detail]
    assert Plan.make(context(tmp_path), steps).render() == (
        " 1. a: the a step\n      - do a\n 2. b: the b step  (after a)\n      - x\n        diff"
    )


def test_a_dry_run_runs_only_check_steps(tmp_path: Path) -> None:
    ran: list[str] = []

    def recorder(name: str) -> Action:
        def apply(context: Context, log: Log) -> str:
            ran.append(name)
            return ""

        return Action(name, apply)

    checked = Step("preflight", "p", lambda c: [recorder("p")], kind=Kind.CHECK)
    acting = Step("tag", "t", lambda c: [recorder("t")], ("preflight",))
    started = time.monotonic()
    outcomes = execute(Plan.make(context(tmp_path), [checked, acting]), only_checks=True)
    assert ran == ["p"]
    assert set(outcomes) == {"preflight"}
    assert time.monotonic() - started < 5
