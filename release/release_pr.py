"""Release pull requests: the bump commit proposed on a branch of the tool's own, and the
merged proposal tagged.

`release -- auto --pr` runs the same checks and gates as a release, writes the bump, then
commits it on `release-pr/<name>/<line>` (one branch, so one pull request, per package
and release line) without moving the release branch: the commit is made in an index of
its own on top of HEAD and the files here are put back as they were. That branch is the
tool's, so it is force-pushed (with a lease) and the pull request opened or updated.

Merging it is the release: `release -- --tag-merged` tags HEAD when the files say so (a
version newer than the last release that no tag names, which HEAD's first parent does not
carry yet); the commit message is not trusted. Then the rest of the pipeline ships it.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from packaging.version import InvalidVersion, Version

from release import git, github, github_release, proc, pull_requests, remote, tags
from release.commits import NothingToRelease
from release.config import Config
from release.errors import ReleaseError, UsageError
from release.options import CI_TIMEOUT
from release.proc import Log
from release.state import state_dir
from release.version_files import current_version, read_value
from release.versioning import tag_for

PREFIX = "release-pr"
TAG_MERGED = "nox -s release -- --tag-merged --execute"


def branch_name(config: Config, line: str) -> str:
    """`release-pr/<name>/<line>`: one branch, so one pull request, per package and line."""
    name = re.sub(r"[^a-z0-9]+", "-", config.name.lower()).strip("-")
    return f"{PREFIX}/{name}/{line}"


def require_github(config: Config) -> None:
    """A pull request needs a GitHub repository and a token: refused before anything runs."""
    if config.version_source == "vcs":
        raise UsageError(
            f"--pr: {config.name}'s version is its tag (version from vcs): a merge cannot say"
            " which version it releases",
            "release it directly: nox -s release -- auto --execute",
        )
    if not github_release.on_github(config):
        raise UsageError(
            "--pr: the release remote is not on GitHub, so there is no pull request to open",
            "add a GitHub remote (or set GITHUB_REPOSITORY=owner/name), or release without --pr",
        )
    if not github.token():
        raise UsageError(
            "--pr: no GitHub token to open the pull request with (GITHUB_TOKEN is not set)",
            "export GITHUB_TOKEN (or GH_TOKEN): a token that may write contents and pull requests",
        )


def merged_untagged(version: Version) -> UsageError:
    """`--pr` when the files already carry an untagged release: a merged release pull request."""
    return UsageError(
        f"--pr: the files already say {version}, which no tag names: a merged release pull"
        " request, not tagged yet",
        f"tag it and ship it: {TAG_MERGED}",
    )


# --- the commit on the tool's branch -------------------------------------------------------


def _top(root: Path) -> Path:
    return Path(git.git(root, "rev-parse", "--show-toplevel").strip())


def commit_bump(config: Config, branch: str, message: str, log: Log) -> str:
    """Commit the working tree's changes (the bump) on top of HEAD as `branch`, in an index
    of its own; then put the changed files back as HEAD has them (the tree was clean)."""
    root = config.root
    index = {"GIT_INDEX_FILE": str(state_dir(root) / "release-pr.index")}
    proc.run(["git", "read-tree", "HEAD"], cwd=root, env=index, log=log)
    proc.run(["git", "add", "--all", "--", "."], cwd=root, env=index, log=log)
    tree = proc.run(["git", "write-tree"], cwd=root, env=index, log=log).stdout.strip()
    head = git.head(root)
    try:
        made = git.git(root, "commit-tree", tree, "-p", head, "-m", message, log=log).strip()
        git.git(root, "update-ref", f"refs/heads/{branch}", made, log=log)
    finally:
        _put_back(root, head, tree, log)
    return f"committed {made[:12]} on {branch}; {git.branch(root) or 'HEAD'} did not move"


def _put_back(root: Path, head: str, tree: str, log: Log) -> None:
    """The files the bump changed, as HEAD has them; the ones it created, removed."""
    top = _top(root)
    changed = git.git(root, "diff-tree", "-r", "-z", "--name-only", "--no-renames", head, tree)
    paths = [path for path in changed.split("\0") if path]
    if not paths:
        return
    listed = git.git(top, "ls-tree", "-r", "-z", "--name-only", head, "--", *paths)
    kept = [path for path in listed.split("\0") if path]
    if kept:
        git.git(top, "checkout", head, "--", *kept, log=log)
    for path in set(paths) - set(kept):
        (top / path).unlink(missing_ok=True)


def _same_change(root: Path, one: str, other: str) -> bool:
    """The same tree on the same parents (the commit's date aside)."""
    shape = [git.git(root, "show", "-s", "--format=%T %P", sha).strip() for sha in (one, other)]
    return shape[0] == shape[1]


def push(config: Config, base: str, branch: str, log: Log) -> str:
    """Force-push `branch` with a lease (it is the tool's own); left alone when the remote one
    already holds the same change. The release branch on the remote must be HEAD."""
    root, head = config.root, git.head(config.root)
    name = remote.name(root, base)
    there_base = remote.fetch_branch(root, name, base, log)
    if there_base != head:
        raise ReleaseError(
            f"{name}/{base} is at {there_base[:12] or 'nothing'}, not at HEAD {head[:12]}:"
            " the release pull request proposes the release commit only; nothing was pushed",
            f"bring both together (git pull --rebase {name} {base}; git push {name} {base}),"
            " then run again",
        )
    made = git.git(root, "rev-parse", f"refs/heads/{branch}").strip()
    there = remote.fetch_branch(root, name, branch, log)
    if there and _same_change(root, there, made):
        return f"{name}/{branch} already holds this change ({there[:12]})"
    git.git(
        root,
        "push",
        "--quiet",
        f"--force-with-lease=refs/heads/{branch}:{there}",
        name,
        f"{made}:refs/heads/{branch}",
        log=log,
    )
    return f"pushed {made[:12]} to {name}/{branch}"


def git_auth(environ: Mapping[str, str]) -> dict[str, str]:
    """In GitHub Actions, what lets git push over https with the token: configuration
    through the environment (GIT_CONFIG_*), never argv or a file, since the checkout keeps
    no credentials. Nothing elsewhere: a machine's own git credentials stay in charge."""
    token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or ""
    server = urlsplit(environ.get("GITHUB_SERVER_URL", "https://github.com"))
    if not token or environ.get("GITHUB_ACTIONS") != "true" or "GIT_CONFIG_COUNT" in environ:
        return {}
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode("ascii")
    proc.add_secret(basic)
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.https://{server.netloc}/.extraheader",
        "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
    }


def push_auth() -> None:
    """This run's git pushes (the release pull request's branch, a merged one's tag) may
    authenticate with the token in GitHub Actions."""
    os.environ.update(git_auth(os.environ))


def notes_at(config: Config, version: Version, commit: str) -> str:
    """The changelog section of `version` as `commit` has it: the pull request's body."""
    if not config.changelog:
        return ""
    text = git.git(config.root, "show", f"{commit}:./{config.changelog}")
    return github_release.notes(config, str(version), text)


def propose(
    config: Config, base: str, branch: str, version: Version, say: Callable[[str], None]
) -> str:
    """Open the release pull request, or update the one open (title and notes)."""
    client = github.client(config, CI_TIMEOUT, say)
    title = config.commit_message.replace("{version}", str(version))
    body = notes_at(config, version, f"refs/heads/{branch}")
    return pull_requests.propose(client, branch, base, title, body, say)


# --- the merged pull request --------------------------------------------------------------


def _version_at(config: Config, commit: str) -> Version | None:
    """The version the first version file says at `commit` (None where it cannot be read)."""
    spec = config.version_files[0]
    shown = proc.run(["git", "show", f"{commit}:./{spec.path}"], cwd=config.root, check=False)
    try:
        return Version(read_value(shown.stdout, spec)) if shown.ok else None
    except (ReleaseError, InvalidVersion):
        return None


def merged_version(config: Config) -> Version:
    """The version a merged release pull request left in the files, to tag at HEAD.

    From the files, never the commit message: they say a version newer than the last
    release that no tag names, and HEAD brought it (its first parent says another).
    Its tag already at HEAD is a tagging under way (or done): that version again.
    """
    if config.version_source == "vcs":
        raise UsageError(
            f"--tag-merged: {config.name}'s version is its tag (version from vcs)",
            "release it directly: nox -s release -- auto --execute",
        )
    current = current_version(config)
    tag = tag_for(current, config.tag_format, config.tag_pre_release)
    tagged = git.tag_commit(config.root, tag)
    if tagged == git.head(config.root):
        return current  # tagged by an earlier run: what is left of shipping it
    if tagged:
        raise NothingToRelease(f"nothing to tag: the files say {current}, released as {tag}")
    last = tags.last_release(config.root, config.tag_format)
    if last is not None and current <= last.version:
        raise NothingToRelease(f"nothing to tag: the files say {current}, not past {last.name}")
    if _version_at(config, "HEAD^1") == current:
        raise ReleaseError(
            f"{current} is not tagged, but HEAD did not bring it: its parent already says"
            f" {current}, so HEAD holds commits that are not part of that release",
            f"tag the commit that merged the release pull request (git tag -a {tag} COMMIT)"
            " and push the tag, or run this on that commit's push (release-pr.yml does)",
        )
    return current
