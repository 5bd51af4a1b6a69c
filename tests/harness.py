"""Shared test scaffolding: the real program under mocks, with config from the real stack files.

Pattern (pulumi/examples testing-unit-py,
https://github.com/pulumi/examples/tree/master/testing-unit-py): every test gets its own event
loop (`IsolatedAsyncioTestCase`), installs the mocks in `setUp`, and re-runs `__main__.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import json
import os
import shutil
import subprocess
import sys
import unittest
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from components.cilium import deep_merge
from offline.plan import main as plan_main
from offline.run import DEFAULT_ENGINE, EngineOptions
from offline.run.engine import ProgramRun, RecordingMonitor, Registration, run_program, start_mocks
from offline.run.mocks import reveal_secrets as reveal  # noqa: F401 (re-exported for tests)
from offline.run.stack_files.stack_config import StackConfig, copy_program, read_stack_config
from offline.run.stack_files.yaml_io import dump, load
from offline.schemas.cache import CACHE_DIR, SCHEMAS_ENV
from offline.schemas.schema_set import SchemaSet
from settings.common.errors import ConfigError
from settings.stack import StackSettings, load_settings

PROJECT_DIR = Path(__file__).resolve().parents[1]

#: Upstream reference data (Cilium schemas, Azure service tags) lives beside the project in
#: ../shared/reference; AKS_CILIUM_REFERENCE points elsewhere. It is never copied into the repo.
REFERENCE_DIR = Path(os.environ.get("AKS_CILIUM_REFERENCE", PROJECT_DIR.parent / "shared" / "reference"))
CILIUM_REFERENCE_DIR = REFERENCE_DIR / "cilium"
#: Cilium's schemas as the plan finds them: the cache `make schemas` fills, then the reference.
CILIUM_SCHEMA_DIRS = [d for d in (PROJECT_DIR / CACHE_DIR, CILIUM_REFERENCE_DIR) if d.is_dir()]


def cilium_schemas(version: str) -> Optional[SchemaSet]:
    return SchemaSet.for_version(CILIUM_SCHEMA_DIRS, version)


def schemas_missing(what: str) -> str:
    """Why a test that needs `what` (e.g. "Cilium 1.20.0 schemas") skips."""
    return (
        f"no {what} in {CACHE_DIR} or {CILIUM_REFERENCE_DIR}: run `make schemas` (fetches the stacks'"
        " versions) or set AKS_CILIUM_REFERENCE to the shared reference folder"
    )


#: CI sets CI=true: there, missing reference data is a failure, not a skip.
ON_CI = os.environ.get("CI", "").lower() == "true"


class MissingReferenceData(Exception):
    """Reference data a test needs is missing under CI=true."""


def skip_or_fail(reason: str) -> None:
    """Skip the running test for `reason`; under CI=true fail it with the same message."""
    if ON_CI:
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def needs_reference(missing: bool, reason: str) -> pytest.MarkDecorator:
    """Skip when `missing`; under CI=true the test module fails to load with `reason` instead."""
    if missing and ON_CI:
        raise MissingReferenceData(f"CI=true: {reason}")
    return pytest.mark.skipif(missing, reason=reason)


def needs_schemas(version: str) -> pytest.MarkDecorator:
    """Skip unless Cilium schemas of `version`'s MAJOR.MINOR line are in the cache or the reference folder."""
    return needs_reference(cilium_schemas(version) is None, schemas_missing(f"Cilium {version} schemas"))

class _Delete:
    """Use `DELETE` as a value in config changes to remove that key."""

    def __deepcopy__(self, memo: dict) -> _Delete:
        return self  # stays the one sentinel through `deep_merge`'s copies


DELETE = _Delete()


def _drop_deleted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_deleted(v) for k, v in value.items() if v is not DELETE}
    return value


def merge_config(base: Any, change: Any) -> Any:
    """`change` merged into `base` as Helm values are (`deep_merge`), then `DELETE`d keys removed."""
    if isinstance(base, dict) and isinstance(change, dict):
        return _drop_deleted(deep_merge(base, change))
    return copy.deepcopy(change)


def changed_config(config: StackConfig, changes: dict[str, Any]) -> StackConfig:
    """The stack's config with `changes` (full `namespace:key` names) merged in."""
    raw = dict(config.raw)
    for key, change in changes.items():
        if change is DELETE:
            raw.pop(key, None)
            continue
        try:
            current = json.loads(raw[key]) if key in raw else None
        except json.JSONDecodeError:
            current = raw[key]
        value = merge_config(current, change)
        raw[key] = value if isinstance(value, str) else json.dumps(value)
    return StackConfig(config.project, config.stack, config.stack_file, raw, config.secret_keys)


def _files_named(value: Any) -> Iterator[str]:
    """Every string in a config value (JSON inside) that names an existing file."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError:
            decoded = None
        if isinstance(decoded, (dict, list)):
            yield from _files_named(decoded)
        elif os.path.isabs(value) and os.path.isfile(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _files_named(item)
    elif isinstance(value, list):
        for item in value:
            yield from _files_named(item)


def _run_key(config: StackConfig) -> tuple:
    """Everything a run under the default mocks depends on: the project, the stack file, its
    config, and the size and time of every file the config names (a service-tag file)."""
    files = sorted({f for v in config.raw.values() for f in _files_named(v)})
    stamps = tuple((f, os.stat(f).st_mtime_ns, os.stat(f).st_size) for f in files)
    return (config.project, config.stack, str(config.stack_file), tuple(sorted(config.raw.items())), tuple(sorted(config.secret_keys)), stamps)


#: Runs of the program under the default mocks, by `_run_key`: one program run costs about a
#: tenth of a second of the SDK's asyncio bookkeeping, and many tests read the same run.
_RUNS: dict[tuple, ProgramRun] = {}


class ProgramTestCase(unittest.IsolatedAsyncioTestCase):
    """Runs `__main__.py` for `stack`; subclasses call `await self.run_program(...)`.

    A run with the config and mocks this class set up (the stack file, optionally with
    `changes`) is shared: the first test that asks for it runs the program, later ones get a deep
    copy of that run, so none sees another's changes. A test that installs its own mocks or
    config (`self.monitor = start_mocks(...)`, another principal, `preview=False`) always runs the
    program, and so does one that compares two runs. Failed runs are never shared: a test that
    expects a `ConfigError` runs the program and reads `self.monitor` afterwards.
    """

    stack = "dev"

    def setUp(self) -> None:
        self.config = read_stack_config(PROJECT_DIR, self.stack)
        self.monitor: RecordingMonitor = start_mocks(self.config)
        self._shareable = (self.config, self.monitor)

    async def asyncSetUp(self) -> None:
        # IsolatedAsyncioTestCase runs its loop in debug mode, which makes every one of the
        # program's hundreds of small tasks several times slower; the tests don't need it.
        asyncio.get_running_loop().set_debug(False)

    async def run_program(self, changes: Optional[dict[str, Any]] = None) -> ProgramRun:
        if changes:
            self.config = changed_config(self.config, changes)
            self.monitor = start_mocks(self.config)
            self._shareable = (self.config, self.monitor)
        shareable, self._shareable = self._shareable, None  # a second call without changes runs the program
        if shareable is None or shareable[0] is not self.config or shareable[1] is not self.monitor:
            return await run_program(PROJECT_DIR, self.config, self.monitor)
        key = _run_key(self.config)
        if key not in _RUNS:
            _RUNS[key] = await run_program(PROJECT_DIR, self.config, self.monitor)
        return copy.deepcopy(_RUNS[key])

    def dependencies_of(self, run: ProgramRun, registration: Registration) -> list[Registration]:
        return [run.by_urn(urn) for urn in registration.dependencies]


def fingerprint_of(r: Registration) -> tuple:
    """Everything a registration says, in a comparable form (secrets shown, dependencies sorted)."""
    return (
        r.urn, r.type, repr(reveal(r.inputs)), tuple(sorted(r.dependencies)), r.parent, r.provider,
        tuple(r.ignore_changes), r.protect, r.aliases, r.delete_before_replace,
    )


def is_secret(value: Any) -> bool:
    """Whether an input arrived at the engine marked secret."""
    from pulumi.runtime import rpc

    return rpc.is_rpc_secret(value)


def load_stack_settings(stack: str, changes: Optional[dict[str, Any]] = None) -> StackSettings:
    """The parsed settings of a real stack file, with optional changes (no mocks needed)."""
    config = read_stack_config(PROJECT_DIR, stack)
    if changes:
        config = changed_config(config, changes)
    return load_settings(config.raw, project=config.project, stack=stack, secret_keys=config.secret_keys)


def problems_for(changes: dict[str, Any], stack: str = "dev") -> list[str]:
    """The problems a real stack file with `changes` is refused with, as users read them (the test
    fails if it is accepted); `ConfigError.problems` holds them as `settings.common.problems.Problem`s."""
    with pytest.raises(ConfigError) as caught:
        load_stack_settings(stack, changes)
    assert str(caught.value).startswith(f"invalid stack configuration in Pulumi.{stack}.yaml")
    return [str(p) for p in caught.value.problems]


# --- planning a stack: in this process, or as the real command line -------------------------

FIXTURES = Path(__file__).parent / "fixtures"
ALIAS_PROGRAM = FIXTURES / "aliases"


@dataclass
class PlanResult:
    """What one plan printed, its exit code and where it wrote."""

    exit_code: int
    stdout: str
    stderr: str
    out_dir: Path

    def file(self, relative: str) -> str:
        return (self.out_dir / relative).read_text(encoding="utf-8")

    def files(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.out_dir)): p.read_bytes() for p in sorted(self.out_dir.rglob("*")) if p.is_file()}

    @property
    def state(self) -> Path:
        return self.out_dir / "state.json"

    def changes(self) -> list[dict[str, Any]]:
        return json.loads((self.out_dir / "changes.json").read_text(encoding="utf-8"))

    def changed(self) -> dict[str, tuple[str, list[str]]]:
        """Resource name -> (op, paths), for every resource that is not `same`."""
        return {c["urn"].rsplit("::", 1)[-1]: (c["op"], c["paths"]) for c in self.changes() if c["op"] != "same"}


def plan_environment(env: Optional[dict[str, str]]) -> dict[str, str]:
    """This process's environment without a developer's own `$AKS_CILIUM_SCHEMAS`, plus `env`."""
    environment = {k: v for k, v in os.environ.items() if k != SCHEMAS_ENV}
    environment.update(env or {})
    return environment


def plan(
    stack: str, out_dir: Path, *extra: str, project: Path = PROJECT_DIR, engine: EngineOptions = DEFAULT_ENGINE,
    env: Optional[dict[str, str]] = None,
) -> PlanResult:
    """`python -m offline.plan` in this process (fast: the SDK is imported once); `engine` changes
    the mocks' answers, `env` adds to the environment the command sees (e.g. `AKS_CILIUM_REFERENCE`)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = plan_main([stack, "--project-dir", str(project), "--out", str(out_dir), *extra], engine=engine, environ=plan_environment(env))
    return PlanResult(code, stdout.getvalue(), stderr.getvalue(), out_dir)


def variant(where: Path, stack: str, changes: dict[str, Any]) -> Path:
    """A copy of the program whose `Pulumi.<stack>.yaml` has `changes` merged into its config."""
    project = copy_program(PROJECT_DIR, where)
    document = load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
    config = document["config"]
    for key, change in changes.items():
        config[key] = merge_config(config.get(key), change)
    (project / f"Pulumi.{stack}.yaml").write_text(dump(document, sort_keys=True), encoding="utf-8")
    return project


def alias_program(where: Path, config: dict[str, str]) -> Path:
    """The fixture program of tests/fixtures/aliases with a `test` stack of `config`."""
    project = Path(shutil.copytree(ALIAS_PROGRAM, where))
    (project / "Pulumi.test.yaml").write_text(dump({"config": {f"alias-fixture:{k}": v for k, v in config.items()}}), encoding="utf-8")
    return project


PLAN_FIXTURES = Path(__file__).parent / "fixtures" / "plan"


def run_plan(stack: str, out_dir: Path, *extra: str, project_dir: Optional[Path] = None, env: Optional[dict[str, str]] = None) -> PlanResult:
    command = [sys.executable, "-m", "offline.plan", stack, "--out", str(out_dir), *extra]
    if project_dir is not None:
        command += ["--project-dir", str(project_dir)]
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, env=plan_environment(env), timeout=300)
    return PlanResult(done.returncode, done.stdout, done.stderr, out_dir)


def project_copy(tmp_path: Path, stack_file: str, append_to_main: Optional[str] = None) -> Path:
    """A copy of the program with one test-only stack file (and optionally extra program code)."""
    project = copy_program(PROJECT_DIR, tmp_path / "project")
    shutil.copy2(PLAN_FIXTURES / stack_file, project / stack_file)
    if append_to_main:
        with (project / "__main__.py").open("a", encoding="utf-8") as main:
            main.write((PLAN_FIXTURES / append_to_main).read_text(encoding="utf-8"))
    return project


def assert_clean_failure(result: PlanResult, one_line: bool = False) -> None:
    """One message on stderr (`one_line`: on one line): no traceback, no asyncio noise, nothing planned on stdout."""
    assert result.exit_code == 2, result.stderr
    assert not one_line or len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("plan: "), result.stderr
    assert "Traceback" not in result.stderr
    assert "Future exception was never retrieved" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert result.stdout == ""
