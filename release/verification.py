"""Verification: the release as a user meets it, from the index, in a clean venv.

Independent checks, every one run and shown in one table: the index lists the version
(PEP 691 JSON or PEP 503 HTML), wheel and sdist are there with the sha256 of the local
build, the downloaded wheel's metadata matches pyproject.toml (name, version,
Requires-Python, summary, licence, project URLs, the README as long description), and
a pip install from the index imports, has the right `__version__`, resolves `__all__`,
runs its console scripts and the `smoke` commands (release.venvcheck). The index may
take a while to show a new upload (PyPI's CDN, a CI workflow still publishing): the
listing is polled with backoff until a deadline before anything is judged.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable, Mapping
from email.message import Message
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from release import console, dist, index, report, venvcheck
from release.config import Config
from release.errors import ReleaseError
from release.options import INDEX_TIMEOUT
from release.proc import Log
from release.report import Check, run_checks

REPORT = "verify.json"


class Published:
    """What the index holds for one version: listed once (after waiting), downloaded once."""

    def __init__(
        self, config: Config, version: Version, target: index.Index, wait: float, log: Log
    ) -> None:
        self.config, self.version, self.target = config, version, target
        self.wait, self.log = wait, log

    @functools.cached_property
    def files(self) -> list[index.RemoteFile]:
        """The version's files, polling until they appear or `wait` seconds passed; each
        poll is a line on the console, so a wait is never silent."""
        say = console.say(self.log)
        what = f"{self.config.name} {self.version} on {self.target.name}"
        started = time.monotonic()
        delay = min(2.0, self.wait)
        while True:
            found = index.files(self.target, self.config.name, self.version)
            elapsed = time.monotonic() - started
            if found:
                if elapsed >= 1:
                    say(f"{what}: listed after {elapsed:.0f} s")
                return found
            if elapsed + delay > self.wait:
                return found
            waited = f"{elapsed:.0f} s of {self.wait:.0f} s"
            say(f"{what}: not listed yet, {waited}; again in {delay:.0f} s")
            time.sleep(delay)
            delay = min(delay * 2, 30.0)

    def one(self, suffix: str) -> index.RemoteFile | None:
        found = [f for f in self.files if f.filename.endswith(suffix)]
        return found[0] if len(found) == 1 else None

    @functools.cached_property
    def metadata(self) -> Message:
        wheel = self.one(".whl")
        if wheel is None:
            raise ReleaseError("no wheel on the index to read metadata from")
        with tempfile.TemporaryDirectory(prefix="release-verify-") as temp:
            path = Path(temp) / wheel.filename
            path.write_bytes(index.download(wheel.url))
            return dist.wheel_metadata(path)


def _listed(published: Published) -> Check:
    name = f"index lists {published.version}"
    files = published.files
    if not files:
        return Check(
            name, False, f"not on {published.target.simple_url} after {published.wait:.0f} s"
        )
    return Check(name, True, f"{len(files)} files ({files[0].api})")


def _present(published: Published, kind: str, suffix: str) -> Check:
    found = [f.filename for f in published.files if f.filename.endswith(suffix)]
    if len(found) != 1:
        return Check(f"{kind} on the index", False, f"{len(found)} {kind} files: {found}")
    return Check(f"{kind} on the index", True, found[0])


def _same_hash(published: Published, kind: str, suffix: str) -> Check:
    name = f"{kind} sha256 = local build"
    remote = published.one(suffix)
    if remote is None:
        return Check(name, False, f"no {kind} on the index")
    try:
        manifest = dist.read_manifest(published.config.root)
    except ReleaseError:
        return Check(name, True, f"not compared: no usable {dist.DIST}/{dist.MANIFEST} here")
    if Version(manifest.version) != published.version:
        return Check(name, True, f"not compared: {dist.DIST}/ holds {manifest.version}")
    local = {a.filename: a.sha256 for a in manifest.files}.get(remote.filename)
    if local is None:
        return Check(name, False, f"{remote.filename} is not in the local build")
    if local != remote.sha256:
        return Check(name, False, f"index {remote.sha256[:16]}…, local {local[:16]}…")
    return Check(name, True, remote.sha256[:16] + "…")


def _project(config: Config) -> Mapping[str, Any]:
    project: Mapping[str, Any] = config.pyproject.get("project", {})
    return project


def _declared(config: Config, key: str) -> Any:
    """The [project] value of `key`; None when absent or dynamic (nothing to compare)."""
    project = _project(config)
    return None if key in project.get("dynamic", []) else project.get(key)


def _field(name: str, actual: str, expected: str | None, same: Callable[[str, str], bool]) -> Check:
    if not actual:
        return Check(name, False, "missing from the wheel's metadata")
    if expected is not None and not same(actual, expected):
        return Check(name, False, f"'{actual}', pyproject.toml says '{expected}'")
    return Check(name, True, actual)


def _specifiers_equal(a: str, b: str) -> bool:
    try:
        return SpecifierSet(a) == SpecifierSet(b)
    except InvalidSpecifier:
        return a == b


def _metadata_checks(published: Published) -> list[Check]:
    config, meta = published.config, published.metadata
    licence = _declared(config, "license")
    return [
        _field(
            "metadata: name",
            str(meta.get("Name", "")),
            config.name,
            lambda a, b: canonicalize_name(a) == canonicalize_name(b),
        ),
        _field(
            "metadata: version",
            str(meta.get("Version", "")),
            str(published.version),
            lambda a, b: Version(a) == Version(b),
        ),
        _field(
            "metadata: Requires-Python",
            str(meta.get("Requires-Python", "")),
            _declared(config, "requires-python"),
            _specifiers_equal,
        ),
        _field(
            "metadata: summary",
            str(meta.get("Summary", "")).strip(),
            _declared(config, "description"),
            lambda a, b: a == b.strip(),
        ),
        _field(
            "metadata: licence",
            _licence(meta),
            licence if isinstance(licence, str) else None,
            lambda a, b: a == b,
        ),
        _urls(meta, _declared(config, "urls")),
        _readme(meta, config),
    ]


def _licence(meta: Message) -> str:
    classifiers = [str(c) for c in meta.get_all("Classifier", [])]
    return str(
        meta.get("License-Expression")
        or meta.get("License")
        or meta.get("License-File")
        or next((c.rpartition(" :: ")[2] for c in classifiers if c.startswith("License ::")), "")
    )


def _urls(meta: Message, declared: Any) -> Check:
    name = "metadata: project URLs"
    actual = {str(v).partition(",")[2].strip() for v in meta.get_all("Project-URL", [])}
    expected = set(declared.values()) if isinstance(declared, Mapping) else None
    if expected is None:
        return Check(name, True, f"{len(actual)} URLs (none declared to compare)")
    if actual != expected:
        missing = sorted(expected - actual)
        extra = sorted(actual - expected)
        return Check(name, False, f"missing {missing}, unexpected {extra}")
    return Check(name, True, ", ".join(sorted(actual)) or "none declared, none shipped")


def _readme(meta: Message, config: Config) -> Check:
    name = "long description = README"
    body = str(meta.get_payload() or meta.get("Description", "")).strip()
    if not body:
        return Check(name, False, "the wheel has no long description")
    declared = _declared(config, "readme")
    path = declared if isinstance(declared, str) else (declared or {}).get("file")
    if not path:
        return Check(name, True, f"{len(body)} characters (no README file declared)")
    try:
        readme = (config.root / path).read_text(encoding="utf-8").strip()
    except OSError:
        return Check(name, True, f"{len(body)} characters ({path} not here to compare)")
    if body != readme:
        return Check(name, False, f"differs from {path} ({len(body)} vs {len(readme)} characters)")
    kind = meta.get("Description-Content-Type", "no content type")
    return Check(name, True, f"{path}, {len(body)} characters, {kind}")


def checks(
    config: Config,
    version: Version,
    target: index.Index,
    *,
    log: Log,
    wait: float = INDEX_TIMEOUT,
) -> list[Check]:
    """Every check of the release on `target`, each on its own."""
    published = Published(config, version, target, wait, log)
    if not published.files:
        raise ReleaseError(
            f"{config.name} {version} is not on {target.name} (waited {wait:.0f} s)",
            f"publish it first (nox -s publish -- {version}); if it was uploaded moments ago,"
            f" wait for the index: nox -s verify -- {version} --wait 600",
        )
    requirement = f"{config.name}=={version}"
    return run_checks(
        [
            ("index lists the version", lambda: _listed(published)),
            ("wheel on the index", lambda: _present(published, "wheel", ".whl")),
            ("sdist on the index", lambda: _present(published, "sdist", ".tar.gz")),
            ("wheel sha256", lambda: _same_hash(published, "wheel", ".whl")),
            ("sdist sha256", lambda: _same_hash(published, "sdist", ".tar.gz")),
            ("metadata", lambda: _metadata_checks(published)),
            (
                "install",
                lambda: venvcheck.install_checks(
                    config, str(version), [requirement], pip_args=target.pip_args(), log=log
                ),
            ),
        ]
    )


def verify(
    config: Config,
    version: Version,
    spec: str,
    *,
    log: Log,
    report_path: Path | None,
    wait: float = INDEX_TIMEOUT,
) -> str:
    """Run the checks against index `spec`; print the table; raise with it if one failed.
    Nothing listed after `wait` seconds is one clear line, not a table of failures."""
    target = index.resolve(spec)
    results = checks(config, version, target, log=log, wait=wait)
    table = report.table(results)
    log.write(table)
    summary = report.conclude(results, f"verify on {target.name}", report_path)
    print(table, flush=True)
    return f"{summary} on {target.name}"
