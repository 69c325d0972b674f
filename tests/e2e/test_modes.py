"""The whole-release modes: --local-only, --push-only, --skip-tests, --resume; and retag."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from e2e.conftest import Sample, git, on_index
from e2e.servers import Server

VERSION = "1.0.23"


def journal(sample: Sample) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((sample.root / ".release" / "journal.json").read_text())
    return data


def test_local_only_with_skip_tests_then_push_only(sample: Sample, pypiserver: Server) -> None:
    start = sample.head()
    local = sample.release(VERSION, "--execute", "--local-only", "--skip-tests")
    assert local.returncode == 0, local.stderr
    assert (
        "WARNING: --skip-tests: the quality gates are NOT run for 1.0.23 (gate:lint-3.11);"
        " this is recorded in .release/journal.json"
    ) in local.stderr
    assert not (sample.root / ".release" / "logs" / "gate-lint-3.11.log").exists()
    assert git(sample.root, "tag", "--list").split() == ["v1.0.23"]
    assert sample.remote_refs() == {"refs/heads/main": start}  # nothing left the machine
    assert on_index(pypiserver, sample) == []
    recorded = journal(sample)
    assert recorded["skipped_tests"] == ["gate:lint-3.11"]
    assert not recorded.get("finished")
    assert set(recorded["steps"]) == {
        "validate-version", "preflight", "parity", "bump", "build", "wheelcheck", "tag"
    }  # fmt: skip

    shipped = sample.release(VERSION, "--push-only", "--no-wait-ci")
    assert shipped.returncode == 0, shipped.stderr
    assert "ok       verify" in shipped.stderr
    assert "bump" not in shipped.stderr  # only the remote half ran
    refs = sample.remote_refs()
    assert refs["refs/tags/v1.0.23"] == refs["refs/heads/main"] == sample.head()
    assert dict(on_index(pypiserver, sample)) == sample.dist()
    assert journal(sample)["finished"] is True
    assert journal(sample)["skipped_tests"] == ["gate:lint-3.11"]  # still on the record


def test_resume_takes_the_version_from_the_interrupted_release(
    sample: Sample, pypiserver: Server
) -> None:
    nothing = sample.release("--resume")
    assert nothing.returncode == 2
    assert nothing.stderr.splitlines()[:2] == [
        "error: there is no interrupted release to resume",
        "hint: start one: nox -s release -- VERSION --execute",
    ]
    killed = sample.release(VERSION, "--execute", RELEASE_TEST_KILL_AT="after-tag")
    assert killed.returncode == -9
    resumed = sample.release("--resume", "--no-wait-ci")
    assert resumed.returncode == 0, resumed.stderr
    assert (
        "note: skipped, already done: validate-version, preflight, parity, gate:lint-3.11,"
        " bump, build, wheelcheck\n" in resumed.stderr
    )
    assert "ok       tag  " in resumed.stderr  # re-run: it found the tag already at HEAD
    assert sample.remote_tags() == ["v1.0.23"]
    assert dict(on_index(pypiserver, sample)) == sample.dist()


def test_a_wrong_tag_on_the_remote_stops_and_retag_clears_it(
    sample: Sample, pypiserver: Server
) -> None:
    start = sample.head()
    git(sample.root, "tag", "-a", "v1.0.23", "-m", "too early", start)
    git(sample.root, "push", "-q", "origin", "refs/tags/v1.0.23")
    git(sample.root, "tag", "--delete", "v1.0.23")  # e.g. tagged from another clone

    stopped = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert stopped.returncode == 1
    error = stopped.stderr[stopped.stderr.index("error: ") :].splitlines()[:2]
    assert error == [
        f"error: origin already has a tag v1.0.23, at {start[:12]}",
        "hint: if v1.0.23 is wrong, delete it (nox -s retag -- 1.0.23) and run again",
    ]
    assert on_index(pypiserver, sample) == []

    refused = sample.cli("retag", VERSION, stdin="n\n")
    assert refused.returncode == 1
    assert refused.stdout == f"delete tag v1.0.23 on origin ({start[:12]})? [y/N] "
    assert refused.stderr.splitlines()[0] == "error: not confirmed: nothing was deleted"
    assert sample.remote_tags() == ["v1.0.23"]

    deleted = sample.cli("retag", VERSION, stdin="y\n")
    assert deleted.returncode == 0, deleted.stderr
    assert sample.remote_tags() == []

    done = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert done.returncode == 0, done.stderr
    refs = sample.remote_refs()
    assert refs["refs/tags/v1.0.23"] == refs["refs/heads/main"] == sample.head() != start
    assert dict(on_index(pypiserver, sample)) == sample.dist()


def test_bad_mode_input_is_refused_before_anything_changes(sample: Sample) -> None:
    before = (sample.head(), sample.remote_refs(), (sample.root / "pyproject.toml").read_bytes())
    for args, error in [
        (("--local-only", "--push-only"), "error: --local-only and --push-only exclude each other"),
        (("--ci-timeout", "soon"), "error: --ci-timeout 'soon' is not a number of seconds"),
        (("--push-only",), "error: --push-only: there is no tag v1.0.23 to push"),
    ]:
        refused = sample.release(VERSION, "--execute", *args)
        assert refused.returncode == (1 if args == ("--push-only",) else 2), refused.stderr
        assert refused.stderr.splitlines()[0] == error
        assert refused.stderr.splitlines()[1].startswith("hint: ")
        assert "Traceback" not in refused.stderr
    after = (sample.head(), sample.remote_refs(), (sample.root / "pyproject.toml").read_bytes())
    assert after == before
    assert not (sample.root / ".release" / "journal.json").exists()


def test_retag_yes_deletes_the_tag_here_and_on_the_remote(sample: Sample) -> None:
    start = sample.head()
    git(sample.root, "tag", "-a", "v1.0.22", "-m", "Release 1.0.22", start)
    git(sample.root, "push", "-q", "origin", "refs/tags/v1.0.22")
    deleted = sample.cli("retag", "--yes")  # the version: the current one, 1.0.22
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout == (
        f"deleted v1.0.22 here ({start[:12]}) and on origin ({start[:12]}); tag the right"
        " commit with: nox -s release -- 1.0.22 --execute\n"
    )
    assert git(sample.root, "tag", "--list").split() == []
    assert sample.remote_tags() == []
    again = sample.cli("retag", "1.0.22", "--yes")
    assert again.returncode == 2
    assert again.stderr.splitlines()[0] == "error: there is no tag v1.0.22 here or on origin"


def test_tag_is_signed_when_git_is_set_to_sign(sample: Sample) -> None:
    key = sample.root.parent / "signing-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tester", "-f", str(key)],
                   check=True, capture_output=True)  # fmt: skip
    for setting in (("gpg.format", "ssh"), ("user.signingkey", f"{key}.pub"),
                    ("tag.gpgSign", "true")):  # fmt: skip
        git(sample.root, "config", *setting)
    planned = sample.release(VERSION, "--local-only")
    assert "- create the signed tag v1.0.23 on that commit (locally)" in planned.stdout

    done = sample.release(VERSION, "--execute", "--local-only")
    assert done.returncode == 0, done.stderr
    assert "-----BEGIN SSH SIGNATURE-----" in git(sample.root, "cat-file", "tag", "v1.0.23")
    allowed = sample.root.parent / "allowed-signers"
    allowed.write_text(f"tester@example.invalid {Path(f'{key}.pub').read_text()}")
    git(sample.root, "config", "gpg.ssh.allowedSignersFile", str(allowed))
    checked = subprocess.run(["git", "tag", "-v", "v1.0.23"], cwd=sample.root,
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert 'Good "git" signature for tester@example.invalid' in checked.stderr
