"""bump: every version file, every date file, the changelog and the locks, in one atomic write."""

from __future__ import annotations

import difflib

from release import changelog, locks, towncrier, version_files
from release.errors import ConfigError
from release.graph import Action, Context, Step
from release.proc import Log
from release.version_files import Edit


def _changelog_edit(context: Context) -> list[Edit]:
    """The changelog with the release written the way the file writes releases."""
    config, path = context.config, context.config.changelog
    if not path:
        return []
    file = context.root / path
    if not file.exists():
        raise ConfigError(
            f"{path}: no changelog here",
            f'create {path} with an Unreleased section, or set changelog = "" in [tool.release]',
        )
    if file.is_symlink():
        target = file.resolve().relative_to(context.root.resolve()).as_posix()
        raise ConfigError(
            f"{path}: a link to {target}",
            f'set changelog = "{target}" in [tool.release]: the release edits the file itself',
        )
    text = version_files.read_text(context.root, path)
    tags = changelog.Tags(config.tag_format, config.tag_pre_release)
    current = changelog.read(text, path, tags, config.changelog_style)
    version = str(context.version)
    if _already_written(current, version, context):
        return []
    body = ""  # the new section's entries, where the file keeps no Unreleased section
    if context.option("changelog") == "generate":  # entries from the commits
        from release import changelog_gen

        filled, body = changelog_gen.generate(config, current)
        current = changelog.read(filled, path, tags, config.changelog_style)
    new = changelog.promoted(
        current,
        changelog.Release(version, context.today, tags),
        allow_empty=bool(context.option("allow_empty_changelog")),
        body=body,
    )
    return [Edit(path, text, new)]


def _already_written(current: changelog.Changelog, version: str, context: Context) -> bool:
    """The release's section is there already and is this release's: an interrupted run
    wrote it (resuming), the project set the version by hand with it (as is), or the
    project keeps no Unreleased section and wrote the release's section on top, ahead of
    the release (starlette's way). Any other section of that version is an error later."""
    section = current.section(version)
    if section is None:
        return False
    ahead = not current.style.keeps_unreleased and current.released[0] is section
    return ahead or bool(context.option("resuming") or context.option("as_is"))


def diff(edit: Edit) -> str:
    return "".join(
        difflib.unified_diff(
            edit.old.splitlines(keepends=True),
            edit.new.splitlines(keepends=True),
            f"a/{edit.path}",
            f"b/{edit.path}",
        )
    )


def edits(context: Context, news: towncrier.News | None = None) -> list[Edit]:
    """The version and date files, the changelog (towncrier's build when towncrier keeps it),
    and the lock files' entries for the project."""
    changelog_edits = list(news.edits) if news else _changelog_edit(context)
    extra = [*changelog_edits, *locks.edits(context.config, context.version)]
    return version_files.plan_edits(context.config, str(context.version), context.today, extra)


def plan(context: Context) -> list[Action]:
    news = towncrier.prepare(context)  # its news file joins the write; its fragments go after
    planned = edits(context, news)
    removal = news.removal() if news else None
    if not planned:
        unchanged = Action(f"every file already says {context.version}", lambda c, log: "no change")
        return [removal or unchanged]

    def write(context: Context, log: Log) -> str:
        if news:
            news.remember(context.root)
        version_files.write_atomically(context.root, planned, f"bump to {context.version}")
        log.write("wrote " + ", ".join(edit.path for edit in planned))
        return f"{len(planned)} files"

    names = ", ".join(edit.path for edit in planned)
    detail = "".join(map(diff, planned)).rstrip("\n")
    return [Action(f"write {names}", write, detail=detail), *([removal] if removal else [])]


STEP = Step(
    "bump",
    "write the new version into every version file and lock entry, and promote the changelog",
    plan,
    requires=("validate-version", "preflight"),
    mutates=True,
)
