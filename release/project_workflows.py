"""The workflow files already in a project, as adoption and parity must treat them.

A file is release-parity's only when it starts with the generator's header
(`workflows.MARKER`): only such a file is ever overwritten or deleted. Every other file
is the user's. Two facts about the user's files matter here: which ones publish a tag
(a release workflow of ours would publish it a second time), and which paths and names
they hold (a generated file never takes either).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from release import package, workflows
from release.config import Config
from release.files import Edit

#: Actions that upload to a package index whatever their inputs.
PUBLISH_ACTIONS = ("pypa/gh-action-pypi-publish", "casperdcl/deploy-pypi")
#: maturin's action uploads only with one of these commands.
MATURIN_ACTION = "PyO3/maturin-action"
MATURIN_UPLOADS = ("upload", "publish")
_PUBLISH_COMMAND = re.compile(
    r"\b(twine\s+upload|(?:uv|poetry|flit|pdm|hatch|maturin)\s+publish|maturin\s+upload)\b"
)
#: The release event's activity types that fire when a GitHub Release goes out.
RELEASE_TYPES = ("published", "released", "created")
#: What a hand-written file at a generated path is told (parity's drift check, its --write, init).
REPLACE = "python -m release init --replace-workflows"


@dataclass(frozen=True)
class Workflow:
    """One file in .github/workflows/, as adoption sees it."""

    path: str  # relative to the project root
    generated: bool  # starts with release-parity's header
    name: str = ""  # its `name:` ('' when it has none: GitHub shows the path)
    triggers: tuple[str, ...] = ()  # what starts it on a release: "push: tags", "release: ..."
    publishers: tuple[str, ...] = ()  # what in it uploads to an index (an action, a command)

    @property
    def publishes_tags(self) -> bool:
        return not self.generated and bool(self.triggers and self.publishers)

    def publishing(self) -> str:
        """'publishes on push: tags (pypa/gh-action-pypi-publish)'."""
        return f"publishes on {' and '.join(self.triggers)} ({', '.join(self.publishers)})"


def paths(root: Path) -> list[Path]:
    folder = root / workflows.DIRECTORY
    return sorted(p for p in folder.glob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def _text(file: Path) -> str:
    return file.read_text(encoding="utf-8", errors="replace")


def hand_written(root: Path, path: str) -> bool:
    """Is there a file at `path` that release-parity did not write?"""
    file = root / path
    return file.is_file() and not workflows.generated(_text(file))


def read(root: Path) -> list[Workflow]:
    """Every workflow file of the project. One whose YAML cannot be read is still the user's
    (its path and stem are taken); gate detection names it."""
    return [_workflow(root, file) for file in paths(root)]


def _workflow(root: Path, file: Path) -> Workflow:
    path = file.relative_to(root).as_posix()
    text = _text(file)
    if workflows.generated(text):
        return Workflow(path, generated=True)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        return Workflow(path, generated=False)
    name = data.get("name")
    jobs = data.get("jobs")
    return Workflow(
        path,
        generated=False,
        name=name if isinstance(name, str) else "",
        triggers=_release_triggers(data.get("on", data.get(True))),  # YAML 1.1: `on` is True
        publishers=_publishers(root, jobs if isinstance(jobs, dict) else {}),
    )


def _events(on: Any) -> Mapping[str, Any]:
    """`on:` as a mapping, whichever of its three spellings the file uses."""
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(event): None for event in on}
    return on if isinstance(on, dict) else {}


def _release_triggers(on: Any) -> tuple[str, ...]:
    """The triggers that start this workflow when a release goes out.

    GitHub runs a push workflow for tags unless its only ref filters are branch
    filters (path filters are not applied to tags).
    """
    events, found = _events(on), []
    if "push" in events:
        push = events["push"] if isinstance(events["push"], dict) else {}
        refs = {key for key in push if key.startswith(("branches", "tags"))}
        if not refs or any(key.startswith("tags") for key in refs):
            found.append("push: tags")
    if "release" in events:
        release = events["release"] if isinstance(events["release"], dict) else {}
        types = release.get("types") or list(RELEASE_TYPES)
        types = [types] if isinstance(types, str) else types
        fired = [kind for kind in RELEASE_TYPES if kind in types]
        if fired:
            found.append(f"release: {fired[0]}")
    return tuple(found)


def _steps(jobs: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for job in jobs.values():
        steps = job.get("steps") if isinstance(job, dict) else None
        yield from (step for step in steps or () if isinstance(step, dict))


def _publishers(root: Path, jobs: Mapping[str, Any]) -> tuple[str, ...]:
    """What uploads to an index: a publishing action, or a command in a `run:` or in a
    script of the repository that a `run:` calls (`run: scripts/publish`)."""
    found: list[str] = []
    for step in _steps(jobs):
        action = str(step.get("uses", "")).partition("@")[0]
        options = step.get("with")
        uploads = isinstance(options, dict) and options.get("command") in MATURIN_UPLOADS
        if action in PUBLISH_ACTIONS or (action == MATURIN_ACTION and uploads):
            found.append(action)
        run = step.get("run")
        if isinstance(run, str):
            found += _commands(run)
            found += [
                f"{command} in {script}"
                for script in _scripts(root, run)
                for command in _commands(_text(root / script))
            ]
    return tuple(dict.fromkeys(found))


def _commands(script: str) -> list[str]:
    return [" ".join(match.group(1).split()) for match in _PUBLISH_COMMAND.finditer(script)]


def _scripts(root: Path, run: str) -> list[str]:
    """Files of the repository a `run:` executes (`scripts/publish`, `bash ./release.sh`)."""
    found, top = [], root.resolve()
    for line in run.splitlines():
        for word in (word.strip("\"'") for word in line.split()[:2]):
            if "/" not in word or "$" in word:
                continue
            file = (top / word).resolve()
            if file.is_file() and file.is_relative_to(top):
                found.append(file.relative_to(top).as_posix())
    return found


def free_path(path: str, found: Sequence[Workflow]) -> str:
    """`path`, unless a hand-written workflow holds its stem (ci.yml, ci.yaml) or its
    name: then `release-parity-<stem>.yml`, then `-2`, `-3` ..."""
    theirs = [workflow for workflow in found if not workflow.generated]
    taken = {PurePosixPath(w.path).stem.lower() for w in theirs}
    taken |= {w.name.lower() for w in theirs if w.name}
    stem = PurePosixPath(path).stem
    base = stem.removeprefix("release-parity-")
    numbered = (f"release-parity-{base}-{number}" for number in itertools.count(2))
    candidates = itertools.chain([stem, f"release-parity-{base}"], numbered)
    chosen = next(candidate for candidate in candidates if candidate.lower() not in taken)
    return path if chosen == stem else f"{workflows.DIRECTORY}/{chosen}.yml"


def key(config: Config, path: str) -> str:
    """The [tool.release.ci] key that sets this generated path."""
    return "ci-file" if path == config.ci.ci_file else "release-file"


def occupied(config: Config, path: str) -> str:
    """What to do when a generated path holds a hand-written file."""
    free = free_path(path, read(package.workflow_root(config.root)))
    return (
        f'set [tool.release.ci] {key(config, path)} = "{free}" to generate beside it,'
        f" or replace it on purpose: {REPLACE}"
    )


def stale(root: Path, expected: Sequence[str]) -> list[str]:
    """Files release-parity generated that the table no longer produces (a renamed
    `ci-file`, a release workflow after `where = "external"`): they would still run."""
    found = []
    for file in paths(root):
        path = file.relative_to(root).as_posix()
        if path not in expected and workflows.generated(_text(file)):
            found.append(path)
    return found


# --- adoption ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where adoption puts the generated workflows, and which workflow of the project's
    own keeps publishing the tag (None: release-parity's release workflow publishes)."""

    ci_file: str
    release_file: str
    publisher: Workflow | None

    def table(self) -> dict[str, dict[str, str]]:
        """The [tool.release] keys this placement needs (none when the defaults fit)."""
        keys: dict[str, dict[str, str]] = {}
        if self.ci_file != workflows.CI_FILE:
            keys["ci"] = {"ci-file": self.ci_file}
        if self.publisher is not None:
            # such a workflow uploads every tag to PyPI: verify looks there for an rc too
            keys["publish"] = {
                "where": "external",
                "workflow": self.publisher.path,
                "pre-release": "pypi",
            }
        elif self.release_file != workflows.RELEASE_FILE:
            keys.setdefault("ci", {})["release-file"] = self.release_file
        return keys


def _replaced(found: Sequence[Workflow], targets: Sequence[str], replace: bool) -> list[str]:
    """The hand-written files `--replace-workflows` replaces: those at the generated paths."""
    return [w.path for w in found if replace and not w.generated and w.path in targets]


def place(found: Sequence[Workflow], replace: bool) -> Placement:
    """Free paths and names for the generated files, beside every hand-written workflow
    (over those at the default paths only with `replace`)."""
    gone = _replaced(found, (workflows.CI_FILE, workflows.RELEASE_FILE), replace)
    kept = [workflow for workflow in found if workflow.path not in gone]
    return Placement(
        free_path(workflows.CI_FILE, kept),
        free_path(workflows.RELEASE_FILE, kept),
        next((workflow for workflow in kept if workflow.publishes_tags), None),
    )


def adopt(
    config: Config, found: Sequence[Workflow], generated: Mapping[str, str], replace: bool
) -> tuple[list[Edit], list[str]]:
    """init's edits for the generated workflows, and its notes on the project's own.

    `generated` and `found` are at the top of the repository (GitHub runs nothing else);
    the edits' paths are relative to the package's folder, where init writes. A
    hand-written file is never an edit, unless `replace` and it sits at a generated path.
    """
    gone = _replaced(found, list(generated), replace)
    edits, notes = [], []
    top = package.workflow_root(config.root)
    for path, text in generated.items():
        file = top / path
        old = _text(file) if file.is_file() else ""
        if old and not workflows.generated(old) and path not in gone:
            notes.append(f"{path} is hand-written: left as it is; {occupied(config, path)}")
            continue
        edits.append(Edit(Path(os.path.relpath(file, config.root.resolve())).as_posix(), old, text))
    for workflow in found:
        if workflow.path in gone:
            notes.append(_replacing(config, workflow))
        elif workflow.publishes_tags:
            notes.append(_publisher_note(config, workflow))
    for path in generated:
        holders = _holders(config, path, found)
        if holders:
            notes.append(
                f"{', '.join(holders)}: hand-written, kept as it is; the generated"
                f" workflow is {path} ([tool.release.ci] {key(config, path)})"
            )
    return edits, notes


def _who_publishes(config: Config) -> str:
    publish = config.publish
    return {
        "ci": f"release-parity's {config.ci.release_file} publishes",
        "local": "release-parity uploads from this machine",
        "external": f"{publish.workflow} publishes",
    }[publish.where]


def _replacing(config: Config, workflow: Workflow) -> str:
    note = f"replacing hand-written {workflow.path} (--replace-workflows): its whole diff follows"
    if workflow.publishes_tags:
        note += f"; it {workflow.publishing()}: from now on {_who_publishes(config)} the tag"
    return note


def _holders(config: Config, path: str, found: Sequence[Workflow]) -> list[str]:
    """The hand-written workflows that hold the default path or name of this generated file."""
    default = workflows.CI_FILE if key(config, path) == "ci-file" else workflows.RELEASE_FILE
    stem = PurePosixPath(default).stem
    if path == default or path not in (config.ci.ci_file, config.ci.release_file):
        return []  # the default path, or not a workflow (.github/release-parity.txt)
    return [
        w.path
        for w in found
        if not w.generated and stem in (PurePosixPath(w.path).stem.lower(), w.name.lower())
    ]


def _publisher_note(config: Config, workflow: Workflow) -> str:
    """A tag published twice is the worst outcome of adoption: say so, and what to do."""
    name = PurePosixPath(workflow.path).name
    head = f"{workflow.path} {workflow.publishing()}"
    publish = config.publish
    if publish.where == "external" and publish.workflow == workflow.path:
        note = (
            f'{head}: it keeps publishing. [tool.release.publish] where = "external": no'
            " release workflow is generated (it would publish the same tag a second time);"
            f" a release pushes the tag, waits for {name}'s run and verifies the index. To"
            f' let release-parity publish instead: delete {name} and set where = "ci"'
        )
    else:
        note = (
            f"{head}: {_who_publishes(config)} the same tag a second time: delete {name}, or set"
            f' [tool.release.publish] where = "external" and workflow = "{workflow.path}"'
        )
    if any(trigger.startswith("release") for trigger in workflow.triggers):
        note += (
            "; if it uploads only for a published GitHub Release, publish one for each tag as"
            " today (verify waits for the index)"
        )
    return note
