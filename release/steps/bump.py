"""bump: every version file, every date file, the changelog and the locks, in one atomic write."""

from __future__ import annotations

import difflib

from release import changelog, locks, version_files
from release.errors import ConfigError
from release.graph import Action, Context, Step
from release.proc import Log
from release.version_files import Edit


def _changelog_edit(context: Context) -> list[Edit]:
    path = context.config.changelog
    if not path:
        return []
    if not (context.root / path).exists():
        raise ConfigError(
            f"{path}: no changelog here",
            f"create {path} with a '## [Unreleased]' section, or set changelog = \"\""
            " in [tool.release]",
        )
    text = version_files.read_text(context.root, path)
    if any(section.name == str(context.version) for section in changelog.sections(text)):
        return []  # already promoted by an earlier run
    filled = text
    if context.option("changelog") == "generate":  # an empty Unreleased: from the commits
        from release import changelog_gen

        filled = changelog_gen.fill_unreleased(context.config, text)
    new = changelog.promote(
        filled,
        str(context.version),
        context.today,
        context.tag,
        path,
        allow_empty=bool(context.option("allow_empty_changelog")),
    )
    return [Edit(path, text, new)]


def diff(edit: Edit) -> str:
    return "".join(
        difflib.unified_diff(
            edit.old.splitlines(keepends=True),
            edit.new.splitlines(keepends=True),
            f"a/{edit.path}",
            f"b/{edit.path}",
        )
    )


def edits(context: Context) -> list[Edit]:
    """The version and date files, the changelog, and the lock files' entries for the project."""
    extra = [*_changelog_edit(context), *locks.edits(context.config, context.version)]
    return version_files.plan_edits(context.config, str(context.version), context.today, extra)


def plan(context: Context) -> list[Action]:
    planned = edits(context)
    if not planned:
        return [Action(f"every file already says {context.version}", lambda c, log: "no change")]

    def write(context: Context, log: Log) -> str:
        version_files.write_atomically(context.root, planned, f"bump to {context.version}")
        log.write("wrote " + ", ".join(edit.path for edit in planned))
        return f"{len(planned)} files"

    names = ", ".join(edit.path for edit in planned)
    return [Action(f"write {names}", write, detail="".join(map(diff, planned)).rstrip("\n"))]


STEP = Step(
    "bump",
    "write the new version into every version file and lock entry, and promote the changelog",
    plan,
    requires=("validate-version", "preflight"),
    mutates=True,
)
