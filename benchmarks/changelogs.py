"""Real changelogs at real release commits, and the changelog step on a 10,000-line file.

Cases: for each release commit below (other projects than tests/'s shared cases), the
changelog is read from the project's git mirror at the commit's parent and at the commit
(never copied here). The changelog step runs on the parent's file with the release's
version, date and tag format; its headings and link definitions must equal the
maintainer's (prose the maintainer edited aside; where the project keeps no Unreleased
section, the new heading line and its position). Where the project keeps an Unreleased
section, the fresh heading is compared with the one the maintainers put back next. Notes:
the version's section extracted from the commit's file must be the section as written
(Markdown), or carry every entry and heading of it with no reStructuredText left
(reStructuredText). towncrier projects build their section with towncrier: notes only.
One line per case: ok or FAIL, the case, and what differs.

Performance: `python -m release bump --dry-run`, `bump` and `notes` on a project whose
changelog has 10,000 lines, whole process, median of N runs, against 0.3 s.

Usage: python benchmarks/changelogs.py [cases|performance] [runs]
Mirrors: /work/.mirror/OWNER+NAME/repo, or the folder in $RELEASE_MIRRORS.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from release import changelog
from release.errors import ReleaseError

MIRRORS = Path(os.environ.get("RELEASE_MIRRORS", "/work/.mirror"))
FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "realistic"
TARGET = 0.3


@dataclass(frozen=True)
class Case:
    mirror: str  # OWNER+NAME under MIRRORS
    path: str
    commit: str  # the release commit
    version: str
    date: str
    tag_format: str
    towncrier: bool = False  # towncrier wrote the section: notes only


CASES = (
    Case(
        "Kludex+uvicorn", "docs/release-notes.md", "e4d0b05e", "0.51.0", "2026-07-08", "{version}"
    ),
    Case("Kludex+uvicorn", "CHANGELOG.md", "a5005130", "0.33.0", "2024-12-14", "{version}"),
    Case("PyPSA+PyPSA", "docs/release-notes.md", "0209b0ed", "1.3.0", "2026-08-19", "v{version}"),
    Case("frostming+marko", "CHANGELOG.md", "57e042b", "2.2.3", "2026-05-28", "v{version}"),
    Case("pallets+click", "CHANGES.rst", "41f410fb", "8.4.0", "2026-05-17", "{version}"),
    Case("pallets+click", "CHANGES.rst", "6eeb50e9", "8.4.1", "2026-05-21", "{version}"),
    Case("pydantic+pydantic", "HISTORY.md", "5922459fc", "2.14.0b1", "2026-08-06", "v{version}"),
    Case("python-poetry+tomlkit", "CHANGELOG.md", "d8ed1e3", "0.15.1", "2026-07-17", "{version}"),
    Case("shapely+shapely", "CHANGES.txt", "4940c640", "2.1.0", "2025-04-03", "{version}"),
    Case(
        "encode+django-rest-framework",
        "docs/community/release-notes.md",
        "094bb6de5",
        "3.17.2",
        "2026-08-05",
        "{version}",
    ),
    Case(
        "pytest-dev+pluggy",
        "CHANGELOG.rst",
        "fd08ab5",
        "1.6.0",
        "2025-05-15",
        "{version}",
        towncrier=True,
    ),
    Case("pypa+pip", "NEWS.rst", "634a6ec1a", "26.2.1", "2026-08-04", "{version}", towncrier=True),
    Case(
        "python-attrs+attrs",
        "CHANGELOG.md",
        "7bfc49e9",
        "26.1.0",
        "2026-03-19",
        "{version}",
        towncrier=True,
    ),
)

_ATX = re.compile(r"#{1,6}[ \t]")
_RULE = re.compile(r"([=\-~^\"'`#*+_:.])\1{2,}[ \t]*")
_DEFINITION = re.compile(r"\[[^\]]+\]:[ \t]*\S+.*")
_RST_LEFT = re.compile(r"``|:[a-z]+:`|`__?(?!\w)|^\s*\.\. ", re.MULTILINE)
_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d+\.|#\.)[ \t]+(?P<text>\S.*)")


def git_show(case: Case, commit: str) -> str:
    repo = MIRRORS / case.mirror / "repo"
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{case.path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def later_commits(case: Case) -> list[str]:
    """The commits after the release that touched the file, oldest first."""
    repo = MIRRORS / case.mirror / "repo"
    result = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "log",
            "--reverse",
            "--format=%H",
            f"{case.commit}..HEAD",
            "--",
            case.path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def outline(text: str) -> list[tuple[int, str]]:
    """(line, text) of every heading (ATX, or a title over a rule) and link definition,
    outside HTML comments and fenced code: read here without the tool's own parser."""
    lines = text.splitlines()
    found = []
    hidden = False
    for index, line in enumerate(lines):
        opening = line.lstrip().startswith(("```", "~~~"))
        if hidden or opening or line.lstrip().startswith("<!--"):
            closes = "-->" in line or (hidden and opening)
            hidden = (hidden or not closes) and not (hidden and closes)
            continue
        below = lines[index + 1] if index + 1 < len(lines) else ""
        underlined = line.strip() and not line[0].isspace() and _RULE.fullmatch(below)
        if _ATX.match(line) or _DEFINITION.fullmatch(line) or underlined:
            found.append((index, line))
    return found


def _new_heading(case: Case, before: str, after: str) -> tuple[int, str] | None:
    """The heading line the maintainer added for the release (its line and text)."""
    old = {text for _, text in outline(before)}
    added = [(i, t) for i, t in outline(after) if t not in old and case.version in t]
    return added[0] if added else None


def _inside_new_section(after: str, start: int) -> set[int]:
    """Lines of the maintainer's new section below its heading (its sub-headings)."""
    found = outline(after)
    level = next(len(t) - len(t.lstrip("#")) for i, t in found if i == start)
    following = [i for i, t in found if i > start and 0 < len(t) - len(t.lstrip("#")) <= level]
    end = following[0] if following else len(after.splitlines())
    return set(range(start + 1, end))


def _line_under(text: str, heading: str) -> str:
    """The first non-blank line under `heading` (click's `Released 2026-05-21`)."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    if start < len(lines) and _RULE.fullmatch(lines[start]):
        start += 1
    return next((line for line in lines[start:] if line.strip()), "")


def check_release(case: Case, before: str, after: str) -> list[str]:
    """What differs between the step's output and the maintainer's, in headings and links
    (in order; lines numbers aside, since maintainers edit prose in the same commit), and
    the line under the release heading where the project writes one (its date)."""
    tags = changelog.Tags(case.tag_format)
    read = changelog.read(before, case.path, tags)
    release = changelog.Release(case.version, case.date, tags)
    text = changelog.release_text(read, release, allow_empty=True)
    ours = [line for _, line in outline(text)]
    theirs = outline(after)
    added = _new_heading(case, before, after)
    if not read.style.keeps_unreleased:
        if added is None:
            return ["the maintainer's new heading is not found"]
        inside = _inside_new_section(after, added[0])
        theirs = [(i, t) for i, t in theirs if i not in inside]
    expected = [line for _, line in theirs]
    if ours != expected:
        wrong = [f"ours {t!r}" for t in ours if t not in expected][:2]
        missed = [f"theirs {t!r}" for t in expected if t not in ours][:2]
        return wrong + missed or ["the headings are in another order"]
    heading = next((line for line in ours if case.version in line), "")
    if read.style.preamble and heading:
        mine, maintainers = _line_under(text, heading), _line_under(after, heading)
        if mine != maintainers:
            return [f"under the heading: ours {mine!r}, theirs {maintainers!r}"]
    return []


def next_cycle(case: Case, before: str) -> tuple[str, list[str]]:
    """(a note, problems): the fresh Unreleased heading against the first one the
    maintainers wrote after the release, when their history has one."""
    tags = changelog.Tags(case.tag_format)
    read = changelog.read(before, case.path, tags)
    if not read.style.unreleased:
        return "", []
    release = changelog.Release(case.version, case.date, tags)
    released = outline(changelog.release_text(read, release, allow_empty=True))
    opened = outline(changelog.promoted(read, release, allow_empty=True))
    fresh = next(line for (_, line), (_, old) in zip(opened, released, strict=False) if line != old)
    for commit in later_commits(case)[:50]:
        text = git_show(case, commit)
        found = changelog.read(text, case.path, tags).unreleased()
        if found is not None:
            theirs = text.splitlines()[found.heading.title_line]
            if theirs.strip() != fresh.strip():
                return "", [f"next cycle: ours {fresh!r}, theirs {theirs!r} ({commit[:8]})"]
            return f"next cycle {fresh!r} as in {commit[:8]}", []
    return f"next cycle {fresh!r} (the history after it opens none to compare)", []


def _section_lines(case: Case, after: str) -> list[str]:
    """The version's section in the maintainer's file, by the outline read here."""
    lines = after.splitlines()
    found = outline(after)
    start = next(
        i
        for i, t in found
        if changelog.document.version_in(t)
        and changelog.document.same_version(changelog.document.version_in(t), case.version)
        and not _DEFINITION.fullmatch(t)
    )
    title = lines[start]
    underlined = start + 1 < len(lines) and _RULE.fullmatch(lines[start + 1])
    rank = (len(title) - len(title.lstrip("#"))) if not underlined else lines[start + 1][0]
    ends = []
    for i, t in found:
        if i <= start or _DEFINITION.fullmatch(t):
            continue
        same = (i + 1 < len(lines) and lines[i + 1][:1] == rank) or (
            isinstance(rank, int) and 0 < len(t) - len(t.lstrip("#")) <= rank
        )
        if same:
            ends.append(i)
    end = ends[0] if ends else len(lines)
    body = lines[start + (2 if underlined else 1) : end]
    while body and (not body[-1].strip() or _DEFINITION.fullmatch(body[-1])):
        body.pop()
    return body


def check_notes(case: Case, after: str) -> list[str]:
    """Markdown: the section as written (less a leading date line); reStructuredText: every
    entry and sub-heading there, and no reStructuredText markup left."""
    notes = changelog.extract(after, case.version, case.path, changelog.Tags(case.tag_format))
    section = _section_lines(case, after)
    if changelog.parse(after, case.path).markup == "markdown":
        lines = [line for line in section if line.strip()]
        repeats = lines and (case.version in lines[0] or case.date[:4] in lines[0])
        if repeats and len(lines[0]) < 100:  # the release link, the date: not notes
            section = section[section.index(lines[0]) + 1 :]
        expected = "\n".join(section).strip() + "\n"
        return [] if notes == expected else ["notes: not the section as written"]
    problems = []
    left = _RST_LEFT.findall(notes)
    if left:
        problems.append(f"notes: reStructuredText left ({', '.join(sorted(set(left)))})")
    items = [m["text"] for line in section if (m := _ITEM.fullmatch(line))]
    prose = [re.sub(r":[\w:]+:`[^`]*`|`[^`]*<[^>]*>`_+", " ", item) for item in items]
    words = [re.findall(r"[A-Za-z]{3,}", text)[-3:] for text in prose]
    missing = [w for w in words if w and not all(word in notes for word in w)]
    listed = sum(bool(_ITEM.fullmatch(line)) for line in notes.splitlines())
    if missing or listed != len(items):
        problems.append(f"notes: {listed} entries of {len(items)}, {len(missing)} missing")
    return problems


def run_case(case: Case) -> str:
    name = f"{case.mirror.split('+')[1]} {case.version} ({case.path})"
    try:
        parent = subprocess.run(
            ["git", "-C", str(MIRRORS / case.mirror / "repo"), "rev-parse", f"{case.commit}^"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        before, after = git_show(case, parent), git_show(case, case.commit)
    except (subprocess.CalledProcessError, FileNotFoundError):
        return f"skip  {name}: no mirror of {case.mirror} at {MIRRORS}"
    try:
        note, problems = ("", []) if case.towncrier else next_cycle(case, before)
        problems += [] if case.towncrier else check_release(case, before, after)
        problems += check_notes(case, after)
    except ReleaseError as error:
        note, problems = "", [f"{error.message} ({error.hint})"]
    kind = "notes only (towncrier builds it)" if case.towncrier else "release + notes"
    if problems:
        return f"FAIL  {name}: " + "; ".join(problems)
    return f"ok    {name}: {kind}" + (f"; {note}" if note else "")


def big_changelog(lines: int) -> str:
    """A Keep a Changelog file of about `lines` lines, em-dash dated, links at the bottom."""
    head = ["# Changelog", "", "## [Unreleased]", "", "### Added", "- `Enforcer.audit()`.", ""]
    body: list[str] = []
    links = ["[Unreleased]: https://github.com/enforcecore/enforcecore/compare/v1.0.22...HEAD"]
    patch = 22
    minor = 0
    while len(head) + len(body) + len(links) < lines:
        version = f"1.{minor}.{patch}"
        body += [
            f"## [{version}] \u2014 2024-05-01",
            "",
            "### Fixed",
            f"- A crash on empty policies ([#{patch}](https://github.com/o/p/pull/{patch})).",
            "- `Policy.load()` reads YAML anchors, and reports the line of a bad key",
            "  with the file's name.",
            "",
        ]
        previous = f"1.{minor}.{patch - 1}" if patch else f"1.{minor - 1}.30"
        links.append(
            f"[{version}]: https://github.com/enforcecore/enforcecore/compare/"
            f"v{previous}...v{version}"
        )
        patch, minor = (patch - 1, minor) if patch else (30, minor - 1)
    return "\n".join(head + body[: lines - len(head) - len(links)] + links) + "\n"


def timed(argv: list[str], cwd: Path, runs: int, reset: bool, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs + 1):  # the first run warms the bytecode cache: not counted
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - started)
        if reset:
            subprocess.run(["git", "checkout", "-q", "--", "."], cwd=cwd, check=True)
    return times[1:]


def performance(runs: int) -> bool:
    """The commands as an installed tool runs them: bytecode cached (in a temporary
    PYTHONPYCACHEPREFIX, so nothing is written beside the sources)."""
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "enforcecore"
        shutil.copytree(FIXTURE, root)
        text = big_changelog(10_000)
        (root / "CHANGELOG.md").write_text(text, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(temp) / "pycache")
        for role in ("AUTHOR", "COMMITTER"):
            env.update({f"GIT_{role}_NAME": "bench", f"GIT_{role}_EMAIL": "b@example.org"})
        for argv in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
            subprocess.run(["git", *argv], cwd=root, check=True, env=env)
        lines = len(text.splitlines())
        print(
            f"\n| whole process, CHANGELOG.md of {lines} lines ({runs} runs) | median s | max s |"
        )
        print("|---|---|---|")
        python = sys.executable
        passed = True
        for label, argv, reset in (
            (
                "bump 1.0.23 --dry-run",
                [python, "-m", "release", "bump", "1.0.23", "--dry-run"],
                False,
            ),
            ("bump 1.0.23 (writes)", [python, "-m", "release", "bump", "1.0.23"], True),
            ("notes 1.0.22", [python, "-m", "release", "notes", "1.0.22"], False),
            (
                "python -c 'import release.modes' (the tool's floor)",
                [python, "-c", "import release.modes"],
                False,
            ),
        ):
            times = timed(argv, root, runs, reset, env)
            median = statistics.median(times)
            passed = passed and (median < TARGET or "floor" in label)
            print(f"| `{label}` | {median:.3f} | {max(times):.3f} |")
        started = time.perf_counter()
        read = changelog.read(text, "CHANGELOG.md", changelog.Tags())
        changelog.promoted(read, changelog.Release("1.0.23", "2026-11-18", changelog.Tags()))
        print(f"\nin process: read and promote {time.perf_counter() - started:.3f} s")
        print(f"target: under {TARGET} s whole process: {'met' if passed else 'NOT met'}")
        return passed


def main() -> int:
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    ok = True
    if what in ("all", "cases"):
        lines = [run_case(case) for case in CASES]
        print("\n".join(lines))
        failed = sum(line.startswith("FAIL") for line in lines)
        print(f"{len(lines) - failed} of {len(lines)} cases ok")
        ok = not failed
    if what in ("all", "performance"):
        ok = performance(runs) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
