"""The changelog as a release promotes it: its section written the way the file writes
releases, or why there would be nothing to write (validate-version stops a run that acts
on that; a dry run warns). towncrier projects go through towncrier.py instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from release import changelog, changelog_gen, files, towncrier_settings
from release.errors import ConfigError, ReleaseError
from release.files import Edit
from release.graph import Context


@dataclass(frozen=True)
class _Promotion:
    """The changelog as the release finds it: its text, that text read (filled from the
    commits with --changelog generate), and the release to write into it."""

    text: str
    current: changelog.Changelog
    release: changelog.Release
    body: str  # the new section's entries, where the file keeps no Unreleased section
    allow_empty: bool

    def problem(self) -> ReleaseError | None:
        return changelog.missing(self.current, self.release, self.allow_empty, self.body)


def _promotion(context: Context) -> _Promotion | None:
    """The changelog to promote; None when the release writes nothing there (no changelog,
    or its section is written already)."""
    config, path = context.config, context.config.changelog
    if not path:
        return None
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
    text = files.read_text(context.root, path)
    tags = changelog.Tags(config.tag_format, config.tag_pre_release)
    current = changelog.read(text, path, tags, config.changelog_style)
    version = str(context.version)
    if _already_written(current, version, context):
        return None
    body = ""
    if context.options.changelog == "generate":  # entries from the commits
        filled, body = changelog_gen.generate(config, current)
        current = changelog.read(filled, path, tags, config.changelog_style)
    release = changelog.Release(version, context.today, tags)
    allow_empty = context.options.allow_empty_changelog
    return _Promotion(text, current, release, body, allow_empty)


def problem(context: Context) -> ReleaseError | None:
    """Why the release would leave the changelog without entries (None when it would not,
    or towncrier keeps it): validate-version stops a run that acts, a dry run warns."""
    if towncrier_settings.settings(context.root, context.config.pyproject) is not None:
        return None
    found = _promotion(context)
    return found.problem() if found else None


def edits(context: Context) -> list[Edit]:
    """The changelog with the release written the way the file writes releases (nothing
    when there is nothing to write: validate-version said so)."""
    found = _promotion(context)
    if found is None or found.problem() is not None:
        return []
    new = changelog.promoted(found.current, found.release, found.allow_empty, found.body)
    return [Edit(context.config.changelog, found.text, new)]


def _already_written(current: changelog.Changelog, version: str, context: Context) -> bool:
    """The release's section is there already and is this release's: an interrupted run
    wrote it (resuming), the project set the version by hand with it (as is), or the
    project keeps no Unreleased section and wrote the release's section on top, ahead of
    the release (starlette's way). Any other section of that version is an error later."""
    section = current.section(version)
    if section is None:
        return False
    ahead = not current.style.keeps_unreleased and current.released[0] is section
    return ahead or context.resuming or context.as_is
