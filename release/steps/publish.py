"""publish: put dist/ on the index for this kind of version, never twice, never over.

`where = "local"`: upload with twine, one file at a time, the wheel first. Before
uploading, the index is asked what it holds for this version: a file already there with
the same sha256 is skipped, and any file that differs stops the release before anything
is uploaded (an index never takes a file twice, and overwriting would be worse). With
`staging` set, a final release goes to the staging index first, is verified there, and
only then are the same files uploaded to the final index.

`where = "ci"`: pushing the tag is what publishes, so this step waits for the tag's
run of the generated release workflow (verify then waits for the index to show the
files). `where = "external"`: the project's own `workflow` publishes the tag; this step
waits for its run the same way.
"""

from __future__ import annotations

from packaging.version import Version

from release import console, dist, faults, git, github, index, verification
from release.config import Config
from release.errors import ReleaseError
from release.graph import Action, Context, Kind, Step
from release.proc import Log


def staging_for(config: Config, version: Version) -> str:
    """The staging index a final release goes through first ('' for none)."""
    return "" if version.is_prerelease else config.publish.staging


def to_upload(
    files: list[dist.Local], there: list[index.RemoteFile], where: index.Index
) -> list[dist.Local]:
    """The files still missing; stop, naming them, if the index has different ones."""
    remote = {item.filename: item.sha256 for item in there}
    local = {item.path.name: item.sha256 for item in files}
    different = [name for name, sha in local.items() if remote.get(name, sha) != sha]
    foreign = [name for name in remote if name not in local]
    if different or foreign:
        lines = [
            f"  {name}: on the index {remote[name][:16]}…, here {local[name][:16]}…"
            for name in different
        ]
        lines += [f"  {name}: on the index, not in {dist.DIST}/" for name in foreign]
        raise ReleaseError(
            f"{where} already has this version with different files: "
            + ", ".join(different + foreign)
            + "; nothing was uploaded",
            "an index never replaces a file: if dist/ is right, release a new version"
            " (e.g. a .post1); if the index is right, rebuild from the commit it was built from",
            detail="\n".join(lines),
        )
    return [item for item in files if item.path.name not in remote]


def upload(config: Config, version: Version, spec: str, log: Log) -> str:
    """Upload what the index lacks; the whole check happens before the first upload."""
    target = index.resolve(spec)
    files = dist.local_files(config.root, version)
    missing = to_upload(files, index.files(target, config.name, version), target)
    for number, item in enumerate(missing):
        if number:
            faults.point("mid-upload")

        def arrived(item: dist.Local = item) -> bool:
            there = index.files(target, config.name, version)
            return any(f.filename == item.path.name and f.sha256 == item.sha256 for f in there)

        index.upload(target, item.path, log=log, already_there=arrived)
        log.write(f"uploaded {item.path.name} to {target}")
    if not missing:
        return f"already on {target.name}: {len(files)} files, same sha256"
    names = ", ".join(item.path.name for item in missing)
    return f"uploaded {names} to {target.name}"


def _upload_action(spec: str, point: str = "") -> Action:
    def apply(context: Context, log: Log) -> str:
        note = upload(context.config, context.version, spec, log)
        faults.point(point or "after-upload")
        return note

    return Action(
        f"upload dist/ to {spec} (files already there with the same sha256 are"
        " skipped; different files stop the release)",
        apply,
    )


def _verify_staging(spec: str) -> Action:
    def apply(context: Context, log: Log) -> str:
        return "staging: " + verification.verify(
            context.config,
            context.version,
            spec,
            log=log,
            report_path=context.state / "verify-staging.json",
        )

    return Action(f"verify the release on {spec} from a clean venv before promoting it", apply)


def publishing_workflow(config: Config) -> str:
    """The workflow file whose run on the tag publishes it."""
    if config.publish.where == "external":
        return config.publish.workflow
    return config.ci.release_file


def _wait_for_workflow(context: Context, log: Log) -> str:
    if context.options.no_wait_ci:
        console.warn("--no-wait-ci: not waiting for the tag's release workflow", log)
        return "skipped (--no-wait-ci): verify waits for the index"
    commit = git.tag_commit(context.root, context.tag)
    return github.wait_for_runs(
        github.client(context.config, context.options.ci_seconds, console.say(log)),
        commit,
        context.tag,
        poll=github.poll(),
        what="release workflow",
        workflow=publishing_workflow(context.config),
        fix="the tag is on the remote: fix the workflow, re-run it on GitHub, then run the"
        " same release command again",
    )


def plan(context: Context) -> list[Action]:
    config, version = context.config, context.version
    if config.publish.on_tag:
        summary = f"wait for {publishing_workflow(config)} to publish {context.tag}"
        return [Action(summary, _wait_for_workflow)]
    staging = staging_for(config, version)
    final = _upload_action(index.for_version(config.publish, version))
    if not staging:
        return [final]
    return [_upload_action(staging, "after-staging-upload"), _verify_staging(staging), final]


STEP = Step(
    "publish",
    "upload dist/ to the index for this version (or wait for the tag's workflow to)",
    plan,
    kind=Kind.REMOTE,
)
