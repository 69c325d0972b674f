"""The commands: each a plain function of parsed options (twine style); cli.py adapts them.

They all go the same way: load the configuration, finish any interrupted write, make
the context, choose steps from the pipeline, then render the plan or execute it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from release import changelog, config, git, graph, modes, version_files, versioning
from release.errors import UsageError
from release.graph import Context, Journal, Plan, Status, Step
from release.state import STATE_DIR
from release.steps import pipeline
from release.version_files import load

Options = Mapping[str, Any]


def note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)


def make_context(
    loaded: config.Config, options: Options, *, as_is_allowed: bool = False
) -> Context:
    """Resolve the version asked for against the current one; say when it is a resume.

    With --resume the version may be left out: it is the interrupted release's. With
    `as_is_allowed` (a release, not a bump) the version the files already say is taken
    when no tag names it yet and it is past the last release.
    """
    state = loaded.root / STATE_DIR
    text = options.get("version") or ""
    pending = Journal.unfinished(state)  # read once: the version of an interrupted release
    if options.get("resume"):
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
    git.require_repository(loaded.root)
    current = version_files.current_version(loaded)
    if text.strip().lower() == "auto" and pending:
        note(f"'auto' continues the interrupted release of {pending}")
        text = pending  # its tag may exist already: the commits would say "nothing to do"
    if text.strip().lower() == "auto":
        from release import commits

        version = commits.next_version(loaded, current, options.get("pre") or "")
    elif options.get("pre"):
        raise UsageError(
            f"--pre goes with 'auto', not with '{text}'",
            f"use 'auto --pre {options['pre']}', or name the version ({options['pre']} keyword"
            " or e.g. 1.0.23rc1)",
        )
    else:
        version = versioning.target(text, current)
        normalised = versioning.normalisation_note(text, version)
        if normalised:
            note(normalised)
    tag = versioning.tag_for(version, loaded.tag_format, loaded.tag_pre_release)
    resuming = version == current and (
        bool(options.get("recovered"))
        or pending == str(version)
        or bool(git.tag_commit(loaded.root, tag))
    )
    as_is = (
        as_is_allowed
        and not resuming
        and version_files.unreleased_in_files(loaded, version, current)
    )
    if not resuming and not as_is:
        versioning.require_newer(version, current)
    return Context(loaded, current, version, {**options, "resuming": resuming, "as_is": as_is})


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
    context = make_context(loaded, options, as_is_allowed=True)
    done = modes.already_released(context)
    if done:
        print(f"{context.version} is already released ({done}): nothing to do")
        return 0
    steps = modes.select_mode(pipeline(loaded), context)
    acting = any(options.get(flag) for flag in ("execute", "push_only", "resume"))
    local_only = bool(options.get("local_only"))
    return run_steps(context, steps, execute=acting, journal=True, finish=not local_only)


def bump(options: Options) -> int:
    loaded = config.load()
    recovered = version_files.recover(loaded)  # a killed bump finished here counts as done
    if recovered:
        note(recovered)
    context = make_context(loaded, {**options, "recovered": bool(recovered)})
    steps = graph.select(pipeline(loaded), ["validate-version", "bump"])
    return run_steps(context, steps, execute=not options.get("dry_run"), journal=False)


def notes(options: Options) -> int:
    """The changelog section of one version: the body of its GitHub Release."""
    loaded = load()
    if not loaded.changelog:
        raise UsageError("no changelog is configured", "set [tool.release] changelog")
    version = options.get("version") or str(version_files.current_version(loaded))
    text = version_files.read_text(loaded.root, loaded.changelog)
    tags = changelog.Tags(loaded.tag_format, loaded.tag_pre_release)
    wanted = str(versioning.parse(version))
    sys.stdout.write(changelog.extract(text, wanted, loaded.changelog, tags))
    return 0
