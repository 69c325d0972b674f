"""bump: every version file, every date file, the changelog and the locks, in one atomic write."""

from __future__ import annotations

from release import dependency_pins, files, locks, promotion, towncrier, version_files
from release.files import Edit
from release.graph import Action, Context, Step
from release.proc import Log


def edits(context: Context, news: towncrier.News | None = None) -> list[Edit]:
    """The version and date files, the changelog (towncrier's build when towncrier keeps it),
    the lock files' entries for the project, and its pins on packages released with it."""
    changelog_edits = list(news.edits) if news else promotion.edits(context)
    extra = [*changelog_edits, *locks.edits(context.config, context.version)]
    planned = version_files.plan_edits(context.config, str(context.version), context.today, extra)
    return dependency_pins.follow(context.config, context.released_with, planned)


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
        files.write_atomically(context.root, planned, f"bump to {context.version}")
        log.write("wrote " + ", ".join(edit.path for edit in planned))
        return f"{len(planned)} files"

    names = ", ".join(edit.path for edit in planned)
    detail = "".join(edit.diff for edit in planned).rstrip("\n")
    return [Action(f"write {names}", write, detail=detail), *([removal] if removal else [])]


STEP = Step(
    "bump",
    "write the new version into every version file and lock entry, and promote the changelog",
    plan,
)
