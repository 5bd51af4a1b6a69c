"""Shared test scaffolding: the real program under mocks, with config from the real stack files.

Pattern (pulumi/examples testing-unit-py,
https://github.com/pulumi/examples/tree/master/testing-unit-py): every test gets its own event
loop (`IsolatedAsyncioTestCase`), installs the mocks in `setUp`, and re-runs `__main__.py`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import unittest
from pathlib import Path
from typing import Any, Optional

import pytest

from components.cilium import deep_merge
from offline.run.engine import ProgramRun, RecordingMonitor, Registration, run_program, start_mocks
from offline.run.engine import reveal_secrets as reveal  # noqa: F401 (re-exported for tests)
from offline.run.stack_config import StackConfig, read_stack_config
from offline.schemas.cache import CACHE_DIR
from offline.schemas.schema_set import SchemaSet
from settings.errors import ConfigError
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


def needs_schemas(version: str) -> pytest.MarkDecorator:
    """Skip unless Cilium schemas of `version`'s MAJOR.MINOR line are in the cache or the reference folder."""
    return pytest.mark.skipif(cilium_schemas(version) is None, reason=schemas_missing(f"Cilium {version} schemas"))

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


class ProgramTestCase(unittest.IsolatedAsyncioTestCase):
    """Runs `__main__.py` for `stack`; subclasses call `await self.run_program(...)`."""

    stack = "dev"

    def setUp(self) -> None:
        self.config = read_stack_config(PROJECT_DIR, self.stack)
        self.monitor: RecordingMonitor = start_mocks(self.config)

    async def asyncSetUp(self) -> None:
        # IsolatedAsyncioTestCase runs its loop in debug mode, which makes every one of the
        # program's hundreds of small tasks several times slower; the tests don't need it.
        asyncio.get_running_loop().set_debug(False)

    async def run_program(self, changes: Optional[dict[str, Any]] = None) -> ProgramRun:
        if changes:
            self.config = changed_config(self.config, changes)
            self.monitor = start_mocks(self.config)
        return await run_program(PROJECT_DIR, self.config, self.monitor)

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
    return load_settings(config.raw, project=config.project, stack=stack)


def problems_for(changes: dict[str, Any], stack: str = "dev") -> list[str]:
    """The problems a real stack file with `changes` is refused with (the test fails if it is accepted)."""
    with pytest.raises(ConfigError) as caught:
        load_stack_settings(stack, changes)
    assert str(caught.value).startswith(f"invalid stack configuration in Pulumi.{stack}.yaml")
    return caught.value.problems
