"""The commands: each a plain function of parsed options (twine style); cli.py adapts them.

They all go the same way: load the configuration, finish any interrupted write, make
the context, choose steps from the pipeline, then render the plan or execute it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from packaging.version import Version

from release import (
    commits,
    config,
    dependency_pins,
    drift,
    git,
    github_release,
    graph,
    modes,
    package,
    pythons,
    release_pr,
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


def _each(contexts: Sequence[Context], run: Callable[[Context], int]) -> int:
    """Run a command for each package in turn (dependencies first), each under a header
    when there are several; the first failure stops the rest."""
    for context in contexts:
        if len(contexts) > 1:
            print(f"== {context.config.name} ({context.root.name})", flush=True)
        run(context)
    return 0


def _contexts(
    configs: Sequence[config.Config], options: Options, make: Callable[[config.Config], Context]
) -> list[Context]:
    """The contexts of the packages this run acts on, all made before any acts, each told
    the versions of the others (its pins on them follow); a pin that cannot follow stops
    the run here. --resume reports a package whose release finished instead of refusing,
    and with several packages one with nothing to release is left out, said aloud."""
    several = len(configs) > 1
    made = []
    for loaded in configs:
        finished = _finished_release(loaded) if options.resume else ""
        if finished:
            print(f"{loaded.name} {finished} is already released (its journal says it finished)")
            continue
        try:
            made.append(make(loaded))
        except commits.NothingToRelease as nothing:
            if not several:
                raise
            note(f"{loaded.name}: {nothing.message}")
    if several and not made and not options.resume:
        raise commits.NothingToRelease("nothing to release in any of the packages")
    released = {context.config.name: context.version for context in made}
    for context in made:
        dependency_pins.follow(context.config, released, [])
    return [replace(context, released_with=released) for context in made]


def _finished_release(loaded: config.Config) -> str:
    """The version the files say when its release's journal says it finished, else ''."""
    state = loaded.root / STATE_DIR
    if Journal.unfinished(state):
        return ""
    current = str(version_files.current_version(loaded))
    return current if Journal(state, current).finished else ""


def release(options: Options) -> int:
    """The whole release of each package named (or the one here; with `auto` or --resume at
    the top of a repository of several, every one), or the part a mode names; a finished
    one is reported, not redone."""
    every = options.resume or options.tag_merged or options.version.strip().lower() == "auto"
    chosen = package.configs(options.package, every=every)
    make = partial(
        make_context, options=options, new=True, as_is_allowed=True, acting=options.acting
    )
    if options.tag_merged:
        make = partial(_merged_context, options=options)
    contexts = _contexts(chosen, options, make)
    return _each(contexts, partial(_release, options=options))


def _merged_context(loaded: config.Config, options: Options) -> Context:
    """--tag-merged: the version a merged release pull request left in the files, as is."""
    version = str(release_pr.merged_version(loaded))  # NothingToRelease when there is none
    merged = replace(options, version=version)
    return make_context(loaded, merged, new=True, as_is_allowed=True, acting=options.acting)


def _release(context: Context, options: Options) -> int:
    done = modes.already_released(context)
    if done:
        print(f"{context.version} is already released ({done}): nothing to do")
        return 0
    steps = modes.select_mode(pipeline(context.config), context)
    if options.acting and (options.pr or options.tag_merged):
        release_pr.push_auth()  # in CI the checkout keeps no credentials to push with
    finish = not options.local_only
    journal = not options.pr  # a proposal is no release: each run brings it up to date
    return run_steps(context, steps, execute=options.acting, journal=journal, finish=finish)


def bump(options: Options) -> int:
    """Every version file, changelog, lock entry and pin of each package named (or the one
    here); pins on the others named move to their new versions."""
    chosen = [p.config for p in package.select(Path.cwd(), options.package)]
    contexts = _contexts(chosen, options, partial(_bump_context, options=options))
    return _each(contexts, partial(_bump, options=options))


def _bump_context(loaded: config.Config, options: Options) -> Context:
    recovered = version_files.recover(loaded)  # a killed bump finished here counts as done
    if recovered:
        note(recovered)
    acting = not options.dry_run
    return make_context(loaded, options, new=True, acting=acting, recovered=bool(recovered))


def _bump(context: Context, options: Options) -> int:
    steps = graph.select(pipeline(context.config), ["validate-version", "bump"])
    return run_steps(context, steps, execute=not options.dry_run, journal=False)


def notes(options: Options) -> int:
    """The changelog section of one version: the body of its GitHub Release."""
    loaded = package.one(options.package, "notes")
    if not loaded.changelog:
        raise UsageError("no changelog is configured", "set [tool.release] changelog")
    version = make_context(loaded, options).version
    sys.stdout.write(github_release.notes(loaded, str(version)))
    return 0


def parity(options: Options) -> int:
    """Compare the committed workflows with the flags table; --write heals, --explain shows.

    The workflows cover every package of the repository, so any package here will do (at
    the top of a monorepo, the first)."""
    loaded = package.configs((), every=True)[0]
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
    """Every gate for each Python present here, plus parity, in parallel; a summary line.
    At the top of a monorepo, each package's in turn."""
    chosen = package.configs((), every=True)
    failed = [loaded.name for loaded in chosen if _check(loaded, options, len(chosen) > 1)]
    return 1 if failed else 0


def _check(loaded: config.Config, options: Options, header: bool) -> int:
    if header:
        print(f"== {loaded.name} ({loaded.root.name})", flush=True)
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
