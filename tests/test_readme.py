"""Every command shown in the README is run by a test.

Each command line of the README's code blocks must match one entry below, and each entry
names the tests that run that command (they must exist). A new README command without a
test fails here. The few commands a test cannot run (installing from PyPI, the test runner
itself) are listed apart, each with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ("nox ", "invoke ", "python ", "python3 ", "pip ", "pytest ", "git ")

RUN_BY = {
    r"python3 -m venv \.venv && .* && nox -s demo": [
        "e2e/test_demo.py::test_demo_from_a_fresh_clone"
    ],
    r"nox -s check": [
        "test_ci_parity.py::test_check_runs_every_local_gate_and_parity_in_parallel",
        "e2e/test_trials.py::test_init_then_check_then_local_release",
    ],
    r"nox -s release -- (1\.0\.23a1|patch)": [
        "test_bump.py::test_dry_run_shows_every_diff_and_changes_nothing"
    ],
    r"nox -s release -- 1\.0\.23(a1)? --execute": [
        "e2e/test_release.py::test_full_release_then_already_released"
    ],
    r"nox -s release -- minor\|patch\|rc\|final\|auto --execute": [
        "test_next_version.py::test_nox_release_auto_plans_the_same_version",
        "test_bump.py::test_a_second_bump_after_a_release_commit_moves_on",
    ],
    r"nox -s release -- 1\.0\.23(a1)? --execute --local-only": [
        "e2e/test_modes.py::test_local_only_with_skip_tests_then_push_only",
        "e2e/test_trials.py::test_init_then_check_then_local_release",
    ],
    r"nox -s release -- 1\.0\.23(a1)? --push-only": [
        "e2e/test_modes.py::test_local_only_with_skip_tests_then_push_only"
    ],
    r"nox -s release -- --resume": [
        "e2e/test_modes.py::test_resume_takes_the_version_from_the_interrupted_release"
    ],
    r"nox -s release -- 1\.0\.23 --execute --skip-tests": [
        "e2e/test_modes.py::test_local_only_with_skip_tests_then_push_only"
    ],
    r"nox -s retag -- 1\.0\.23 \[--yes\]": [
        "e2e/test_modes.py::test_retag_yes_deletes_the_tag_here_and_on_the_remote"
    ],
    r"nox -s lint \| format \| mypy \| tests": [
        "test_ci_parity.py::test_each_gate_is_a_nox_session_per_python"
    ],
    r"nox -s lint \| tests-3\.12 \| \.\.\.": [
        "test_ci_parity.py::test_local_session_and_ci_job_run_the_same_command_env_and_install"
    ],
    r"nox -s bump -- 1\.0\.23a1": ["test_bump.py::test_nox_and_invoke_bump_write_the_same_bytes"],
    r"nox -s bump -- auto.*": ["test_next_version.py::test_bump_auto_writes_the_computed_version"],
    r"nox -s build \| wheelcheck": [
        "test_build.py::test_build_empties_dist_and_records_each_artifact",
        "test_wheelcheck.py::test_a_good_project_passes_every_check",
    ],
    r"nox -s publish -- 1\.0\.23(a1)?.*": [
        "e2e/test_front_ends.py::test_invoke_release_then_nox_publish_verify_and_notes"
    ],
    r"nox -s verify -- 1\.0\.23a1 .*": [
        "e2e/test_front_ends.py::test_invoke_release_then_nox_publish_verify_and_notes"
    ],
    r"nox -s parity( -- --write| -- --explain|)|nox -s parity \[-- --write \| --explain\]": [
        "test_parity_mutations.py::test_a_change_to_ci_fails_parity_until_regenerated",
        "test_parity_mutations.py::test_run_time_values_change_both_sides_without_regeneration",
    ],
    r"nox -s changelog \| notes -- 1\.0\.23a1": [
        "test_changelog_gen.py::test_write_merges_without_touching_hand_written_lines",
        "e2e/test_front_ends.py::test_invoke_release_then_nox_publish_verify_and_notes",
    ],
    r"nox -s changelog( -- --write| -- --all)?": [
        "test_changelog_gen.py::test_write_merges_without_touching_hand_written_lines",
        "test_changelog_gen.py::test_all_renders_every_release_and_merged_branches_land_where_merged",
    ],
    r"nox -s demo": ["e2e/test_demo.py::test_demo_from_a_fresh_clone"],
    r"invoke bump --version 1\.0\.23a1": [
        "test_bump.py::test_nox_and_invoke_bump_write_the_same_bytes"
    ],
    r"invoke release --version 1\.0\.23a1 --execute": [
        "e2e/test_front_ends.py::test_invoke_release_then_nox_publish_verify_and_notes"
    ],
    r"invoke --list": ["test_readme.py::test_invoke_lists_every_command"],
    r"python -m release init( --write)?": [
        "test_init.py::test_init_proposes_exactly_the_version_files"
    ],
    r"python -m release next( --pre rc)?": [
        "test_next_version.py::test_the_level_comes_from_the_commits",
        "test_next_version.py::test_pre_release_series",
    ],
    r"nox -s release -- auto .*": [
        "test_next_version.py::test_nox_release_auto_plans_the_same_version",
        "test_next_version.py::test_changelog_generate_fills_an_empty_unreleased",
    ],
    r"nox -s release -- --tag-merged( --execute)?": [
        "test_release_pr.py::test_tag_merged_dry_run_says_what_it_tags_and_nothing_changes",
        "e2e/test_release_pr.py::test_a_release_pull_request_opened_updated_merged_tagged_and_published",
    ],
    r"python -m release\.pins": ["test_workflows.py"],
    r"nox -s release -- --package recorder patch": [
        "test_packages.py::test_the_dry_run_shows_each_package_with_its_pin_and_writes_nothing",
        "e2e/test_monorepo.py::test_one_package_releases_alone",
    ],
    r"nox -s release -- --package tracer --package recorder minor --execute": [
        "e2e/test_monorepo.py::test_packages_together_in_dependency_order_then_nothing_more"
    ],
    r"invoke bump --package recorder,tracer --version patch --dry-run": [
        "test_packages.py::test_invoke_takes_the_packages_comma_separated"
    ],
    r"git add -A && git commit -m \"Adopt release-parity\"": [
        "e2e/test_trials.py::test_init_then_check_then_local_release"
    ],
}

NOT_RUN = {
    "pip install release-parity": "installs the published package from PyPI; tests install "
    "this checkout the same way (`pip install -e '.[dev]'`, in .ci/run)",
    "pip install -e '.[dev]'": "what .ci/run itself runs before the tests",
    'pytest -n 2 -m "not e2e"': "the test runner itself",
    "pytest -n 2 tests/e2e": "the test runner itself",
}


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```(?:bash)?\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command.startswith(PROGRAMS):
                commands.append(command)
    return commands


def test_the_readme_shows_commands() -> None:
    assert len(readme_commands()) > 20


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_is_run_by_a_test(command: str) -> None:
    if command in NOT_RUN:
        return
    tests = [ids for pattern, ids in RUN_BY.items() if re.fullmatch(pattern, command)]
    assert tests, f"no test is named for the README command: {command}"
    for node in tests[0]:
        file, _, name = node.partition("::")
        source = (ROOT / "tests" / file).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in source, f"{node} does not exist"


def test_invoke_lists_every_command(project: Path) -> None:
    from conftest import run, tool

    from release.cli import COMMANDS

    listed = run([tool("invoke"), "--list"], project)
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines() if line.startswith("  ") and
             not line.startswith("   ")]  # fmt: skip
    assert sorted(names) == sorted(command.name for command in COMMANDS)
