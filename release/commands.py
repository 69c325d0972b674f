"""The commands: each a plain function of parsed options (twine style); cli.py adapts them.

They all go the same way: load the configuration, finish any interrupted write, make
the context, choose steps from the pipeline, then render the plan or execute it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from packaging.version import Version

from release import (
    changelog,
    commits,
    config,
    drift,
    files,
    git,
    graph,
    modes,
    pythons,
    version_files,
    versioning,
)
from release.console import note
from release.errors import UsageError
from release.graph import Context, Plan, Status, Step
from release.journal import Journal
from release.options import Options
from release.state import STATE_DIR
from release.steps import checks, pipeline
from release.version_files import load


def make_context(
    loaded: config.Config,
    options: Options,
    *,
    new: bool = False,
    as_is_allowed: bool = False,
    acting: bool = False,
    recovered: bool = False,
) -> Context:
    """The one way a command gets its context, and the one way a version is resolved.

    Without `new` the version is the one named (a version or keyword), else the current
    one. With `new` (a release or a bump) it must move forward, or be this version's
    release under way: with --resume the version may be left out (it is the interrupted
    release's); `recovered` says a killed bump was just finished. With `as_is_allowed` (a
    release) the version the files already say is taken when no tag names it yet and it
    is past the last release.
    """
    pending = Journal.unfinished(loaded.root / STATE_DIR)  # the interrupted release, if any
    text = _asked(options, pending) if new else options.version
    git.require_repository(loaded.root)
    current = version_files.current_version(loaded)
    if text.strip().lower() == "auto" and pending:
        note(f"'auto' continues the interrupted release of {pending}")
        text = pending  # its tag may exist already: the commits would say "nothing to do"
    version = _resolve(loaded, text, current, options.pre) if text else current
    if not new:
        return Context(loaded, current, version, options, acting=acting)
    tag = versioning.tag_for(version, loaded.tag_format, loaded.tag_pre_release)
    resuming = version == current and (
        recovered or pending == str(version) or bool(git.tag_commit(loaded.root, tag))
    )
    as_is = (
        as_is_allowed
        and not resuming
        and version_files.unreleased_in_files(loaded, version, current)
    )
    if not resuming and not as_is:
        versioning.require_newer(version, current)
    return Context(loaded, current, version, options, resuming=resuming, as_is=as_is, acting=acting)


def _asked(options: Options, pending: str) -> str:
    """The version a release or bump names: --resume's is the interrupted release's."""
    text = options.version
    if options.resume:
        if not pending:
            raise UsageError(
                "there is no interrupted release to resume",
                "start one: nox -s release -- VERSION --execute",
            )
        if text and versioning.parse(text) != versioning.parse(pending):
            raise UsageError(
                f"the interrupted release is {pending}, not {text}",
                "resume it: nox -s release -- --resume",
            )
        text = pending
    if not text:
        raise UsageError("no version given", "give a version such as 1.0.23 or a bump keyword")
    return text


def _resolve(loaded: config.Config, text: str, current: Version, pre: str) -> Version:
    """A version, a bump keyword, or 'auto' (from the Conventional Commits)."""
    if text.strip().lower() == "auto":
        return commits.next_version(loaded, current, pre)
    if pre:
        raise UsageError(
            f"--pre goes with 'auto', not with '{text}'",
            f"use 'auto --pre {pre}', or name the version ({pre} keyword or e.g. 1.0.23rc1)",
        )
    version = versioning.target(text, current)
    normalised = versioning.normalisation_note(text, version)
    if normalised:
        note(normalised)
    return version


def run_steps(
    context: Context, steps: Sequence[Step], *, execute: bool, journal: bool, finish: bool = True
) -> int:
    """Render the plan (dry run: check steps still run, to report problems now) or run it.

    `finish=False` (a partial run such as --local-only) leaves the journal open.
    """
    plan = Plan.make(context, steps)
    if not execute:
        print(plan.render())
        outcomes = graph.execute(plan, only_checks=True, report=graph.PlainReporter())
        error = graph.failure(outcomes)
        if error:
            raise error
        print("\ndry run: nothing was changed. Add --execute to act.")
        return 0
    run_journal = Journal(context.state, str(context.version)) if journal else None
    outcomes = graph.execute(plan, run_journal, graph.reporter())
    error = graph.failure(outcomes)
    if error:
        raise error
    if run_journal is not None and finish:
        run_journal.mark("finished", True)
    skipped = [n for n, o in outcomes.items() if o.status is Status.SKIPPED]
    if skipped:
        note("skipped, already done: " + ", ".join(skipped))
    return 0


def release(options: Options) -> int:
    """The whole release, or the part a mode names; a finished one is reported, not redone."""
    loaded = load()
    context = make_context(loaded, options, new=True, as_is_allowed=True, acting=options.acting)
    done = modes.already_released(context)
    if done:
        print(f"{context.version} is already released ({done}): nothing to do")
        return 0
    steps = modes.select_mode(pipeline(loaded), context)
    finish = not options.local_only
    return run_steps(context, steps, execute=options.acting, journal=True, finish=finish)


def bump(options: Options) -> int:
    loaded = config.load()
    recovered = version_files.recover(loaded)  # a killed bump finished here counts as done
    if recovered:
        note(recovered)
    acting = not options.dry_run
    context = make_context(loaded, options, new=True, acting=acting, recovered=bool(recovered))
    steps = graph.select(pipeline(loaded), ["validate-version", "bump"])
    return run_steps(context, steps, execute=acting, journal=False)


def notes(options: Options) -> int:
    """The changelog section of one version: the body of its GitHub Release."""
    loaded = load()
    if not loaded.changelog:
        raise UsageError("no changelog is configured", "set [tool.release] changelog")
    version = make_context(loaded, options).version
    text = files.read_text(loaded.root, loaded.changelog)
    tags = changelog.Tags(loaded.tag_format, loaded.tag_pre_release)
    sys.stdout.write(changelog.extract(text, str(version), loaded.changelog, tags))
    return 0


def parity(options: Options) -> int:
    """Compare the committed workflows with the flags table; --write heals, --explain shows."""
    loaded = version_files.load()
    if options.write:
        print("\n".join(drift.write(loaded)) or "the workflows already match")
    if options.explain:
        print(drift.explain(loaded))
    if not options.write and not options.explain:
        print(f"parity: {drift.verify(loaded)}")
    return 0


def _last_line(log: Path | None) -> str:
    """The gate tool's own last words (nox's `nox >` lines are chatter)."""
    if log is None or not log.exists():
        return ""
    lines = [line.strip() for line in log.read_text(encoding="utf-8").splitlines()]
    own = [line for line in lines if line and not line.startswith(("nox >", "$ ", "# "))]
    return own[-1] if own else next((line for line in reversed(lines) if line), "")


def check(options: Options) -> int:
    """Every gate for each Python present here, plus parity, in parallel; a summary line."""
    loaded = version_files.load()
    _, absent = pythons.local_sessions(loaded)
    if absent:
        note(f"skipped {', '.join(absent)}: no such Python here; they run in CI")
        # Gates and parity never read the version: check works on any tree, even mid-release.
    context = Context(loaded, Version("0"), Version("0"), options)
    outcomes = graph.execute(graph.Plan.make(context, checks(loaded)), report=graph.reporter())
    failed = [name for name, outcome in outcomes.items() if outcome.status is not graph.Status.OK]
    width = max(len(name) for name in outcomes)
    for name, outcome in outcomes.items():
        if outcome.error is not None:
            print(f"\n--- {name} failed: {outcome.error.message}")
            print(outcome.error.detail or outcome.error.hint)
    print()
    for name, outcome in outcomes.items():
        status, seconds = outcome.status.value, f"{outcome.seconds:.1f}s"
        print(f"{name:<{width}}  {status:<7} {seconds:>7}  {_last_line(outcome.log)}".rstrip())
    print(f"check: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
