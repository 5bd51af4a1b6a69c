"""The run's model: what one offline run of the program declared, and what the wings make of it.

The types every wing shares (the schemas, preview and report wings import them from here):
registrations and the run, the Kubernetes objects and Helm releases it emits, and the
validation result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from offline.run.stack_files.stack_config import StackConfig


@dataclass
class Registration:
    """One `RegisterResource` call as the engine saw it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    dependencies: list[str]
    provider: str
    ignore_changes: list[str]
    protect: bool
    inputs: dict[str, Any]
    """Inputs as sent, secrets still wrapped (see `rpc.is_rpc_secret`)."""
    id: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    """Other URNs this resource answers to (its `aliases` option, see `offline.run.urns`)."""
    delete_before_replace: bool = False
    deleted_with: str = ""
    """URN of the resource this one is deleted with (its `deleted_with` option)."""
    replace_with: tuple[str, ...] = ()
    """URNs of the resources this one is replaced with (its `replace_with` option)."""

    @property
    def provider_urn(self) -> str:
        # A provider reference is "<urn>::<id>".
        return self.provider.rsplit("::", 1)[0] if self.provider else ""


@dataclass(frozen=True)
class Read:
    """One `ReadResource` call: a resource the program reads and does not manage (a StackReference)."""

    urn: str
    type: str
    id: str
    parent: str
    inputs: dict[str, Any]


@dataclass
class StackOutput:
    value: Any
    secret: bool


@dataclass
class ProgramRun:
    """What one offline run of the program declared."""

    config: StackConfig
    registrations: list[Registration]
    outputs: dict[str, StackOutput]
    log: list[tuple[str, str]] = field(default_factory=list)
    """(level, message) of each `pulumi.log` call of the program."""
    reads: list[Read] = field(default_factory=list)
    """What the program read (its StackReference to itself), in order; not registrations."""

    @property
    def warnings(self) -> list[str]:
        return [message for level, message in self.log if level in ("warning", "error")]

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str) -> Registration:
        found = self.by_type(type_)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_}, found {len(found)}: {[r.urn for r in found]}")
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registrations if r.urn == urn)


@dataclass(frozen=True)
class KubernetesObject:
    urn: str
    manifest: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.manifest.get("metadata") or {}).get("name", ""))

    @property
    def namespace(self) -> str:
        return str((self.manifest.get("metadata") or {}).get("namespace", ""))

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}" if not self.namespace else f"{self.kind}/{self.namespace}/{self.name}"

    @property
    def file_name(self) -> str:
        parts = [self.kind.lower(), *([self.namespace] if self.namespace else []), self.name or "unnamed"]
        return "-".join(re.sub(r"[^A-Za-z0-9_.-]", "_", p) for p in parts) + ".yaml"


@dataclass(frozen=True)
class HelmRelease:
    urn: str
    release_name: str
    chart: str
    version: str
    values: dict[str, Any]

    @property
    def file_name(self) -> str:
        return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', self.release_name)}-values.yaml"


@dataclass
class Validation:
    """What was checked against which schema, and what failed."""

    schema_summary: str = ""
    checked: list[tuple[str, list[str]]] = field(default_factory=list)
    """(object label, its errors)."""
    notices: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    """Objects (and Helm values) no schema was found for."""
    fix: str = ""
    """What makes the unchecked checkable (`run `make schemas``), named in the verdict itself."""

    @property
    def errors(self) -> list[str]:
        return [e for _, errors in self.checked for e in errors]

    @property
    def verdict(self) -> str:
        failed = sum(1 for _, errors in self.checked if errors)
        total = len(self.checked) + len(self.unchecked)
        if failed:
            count = len(self.errors)
            return f"INVALID: {count} schema violation{'s' if count != 1 else ''} in {failed} of {total}"
        if self.unchecked:
            valid = f"; the other {len(self.checked)} valid" if self.checked else ""
            return f"NOT validated: {len(self.unchecked)} of {total}{valid}" + (f"; {self.fix}" if self.fix else "")
        return f"valid: all {total} checked" if total else "nothing to validate"
