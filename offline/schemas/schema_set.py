"""Validate Cilium custom resources and Cilium Helm values offline, as the cluster would.

Public API (other modules and tests import exactly these names):

- ``SchemaSet.for_version(schema_dirs, cilium_version) -> SchemaSet | None``
    The schemas for one Cilium release, from a folder (or several, searched in order) of
    upstream files; ``None`` when no file there matches the version. Which file stands for
    what is ``offline.schemas.schema_files`` (names, and exact release before branch point
    before nearest patch). ``SchemaSet.sources`` says which file stands for what,
    ``SchemaSet.source_for(kind)`` which file a kind is checked against, and
    ``SchemaSet.approximate`` is true when any of them is not the exact release. Files are only
    listed here; each CRD is read the first time its kind is validated (once per process).
- ``SchemaSet.validate_manifest(manifest: dict) -> list[str]``
    Errors for one custom resource (CiliumCIDRGroup, CiliumNetworkPolicy,
    CiliumClusterwideNetworkPolicy), empty when the API server would accept it under strict
    field validation (as server-side apply uses). Each error reads
    ``<Kind>/<name>: <field path>: <problem> [rule: <rule>]``, e.g.
    ``CiliumCIDRGroup/corp: spec.externalCIDRs[0]: "10.0.0.1/8" is not a valid cidr: 10.0.0.1/8
    has host bits set [rule: format: cidr]``.
    A kind with no CRD in the set, or an apiVersion the CRD does not serve, is an error.
- ``SchemaSet.covers(kind: str) -> bool``: whether the set holds a CRD for that kind
  (``SchemaSet.kinds`` lists them).
- ``SchemaSet.deprecation(manifest) -> str | None``: the API server's warning for a served
  but deprecated apiVersion (``cilium.io/v2alpha1`` CiliumCIDRGroup from 1.18 on).
- ``SchemaSet.validate_helm_values(values: dict) -> list[str] | None``
    Errors for the chart values, ``None`` when the set has no ``values.schema.json`` for the
    version. Checked as ``helm install`` checks them (JSON Schema draft 7 as published): the
    chart's schema lists free-form maps such as ``nodeSelector`` by their default keys, so
    rejecting every key it does not name would reject valid values.
- ``SchemaSet.helm_value_names() -> list[str] | None``: the chart's top-level values (the
    schema's top-level ``properties``), for the plan's typo check (``offline.schemas.helm_value_names``).
- ``SchemaSet.unchecked_rules(kind) -> list[str]``: CEL rules (``x-kubernetes-validations``) of
    that kind's CRD that cannot be evaluated offline; the simple ``has(self.a) || has(self.b)``
    form is translated and checked.

How a CRD becomes JSON Schema is ``offline.schemas.crd_json_schema``; ``metadata`` is checked as
ObjectMeta by ``offline.schemas.object_meta``; messages are written by ``offline.schemas.messages``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from jsonschema import Draft7Validator

from offline.run.stack_files import yaml_io
from offline.schemas.crd_json_schema import CrdValidator, crd_to_json_schema, format_checker
from offline.schemas.messages import short, validation_errors
from offline.schemas.object_meta import metadata_problems
from offline.schemas.schema_files import SchemaSource, cilium_release, pick_sources

__all__ = ["SchemaSet"]

# --- the set ------------------------------------------------------------------------------


@dataclass
class _Crd:
    source: SchemaSource
    group: str
    kind: str
    namespaced: bool
    versions: dict[str, dict[str, Any]]
    """Served version name -> its CRD version entry."""
    validators: dict[str, Any] = field(default_factory=dict)
    unchecked: dict[str, list[str]] = field(default_factory=dict)

    def validator(self, version: str) -> Any:
        if version not in self.validators:
            unchecked: list[str] = []
            schema = crd_to_json_schema(self.versions[version]["schema"]["openAPIV3Schema"], unchecked)
            # metadata is ObjectMeta, checked by `metadata_problems`, whatever the CRD says.
            schema.setdefault("properties", {})["metadata"] = {}
            self.validators[version] = CrdValidator(schema, format_checker=format_checker())
            self.unchecked[version] = unchecked
        return self.validators[version]


def _load_crd(source: SchemaSource) -> _Crd:
    stat = source.path.stat()
    return _crd_of_file(source, stat.st_mtime_ns, stat.st_size)


# Parsed once per process and file version (a policy CRD is a few hundred kB of YAML): a test
# run plans many stacks against the same files; a rewritten file has another time or size.
@functools.lru_cache(maxsize=64)
def _crd_of_file(source: SchemaSource, mtime_ns: int, size: int) -> _Crd:
    document = yaml_io.load(source.path.read_text(encoding="utf-8"))
    spec = document["spec"]
    served = {v["name"]: v for v in spec["versions"] if v.get("served")}
    return _Crd(source, spec["group"], spec["names"]["kind"], spec.get("scope") == "Namespaced", served)


@functools.lru_cache(maxsize=16)
def _helm_validator_of_file(path: Path, mtime_ns: int, size: int) -> Any:
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=format_checker())


@dataclass
class SchemaSet:
    """The CRD schemas and Helm values schema that stand for one Cilium release."""

    cilium_version: str
    crd_sources: list[SchemaSource]
    helm_values_source: Optional[SchemaSource]
    _crds_by_kind: Optional[dict[str, _Crd]] = field(default=None, init=False, repr=False, compare=False)
    _helm_validator: Any = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def for_version(cls, schema_dirs: Union[Path, Sequence[Path]], cilium_version: str) -> Optional["SchemaSet"]:
        """The schemas in `schema_dirs` (searched in order) for `cilium_version`; None when no file matches it."""
        directories = [Path(schema_dirs)] if isinstance(schema_dirs, (str, Path)) else [Path(d) for d in schema_dirs]
        found = pick_sources(directories, cilium_version)
        return cls(cilium_version, *found) if found is not None else None

    # -- what the set stands for

    @property
    def sources(self) -> list[str]:
        """`<file> (<release>)` for every file in the set, sorted."""
        files = [*self.crd_sources, *([self.helm_values_source] if self.helm_values_source else [])]
        return sorted(f"{s.path.name} ({s.release})" for s in files)

    @property
    def approximate(self) -> bool:
        """True when some file is not from exactly `cilium_version` (branch point or other patch)."""
        patch = cilium_release(self.cilium_version)[2]
        files = [*self.crd_sources, *([self.helm_values_source] if self.helm_values_source else [])]
        return any(s.patch != patch for s in files)

    def _crds(self) -> dict[str, _Crd]:
        # Loaded on first use: the policy CRDs are large and a plan may not send any policy.
        if self._crds_by_kind is None:
            self._crds_by_kind = {}
        return self._crds_by_kind

    def _crd_for_kind(self, kind: str) -> Optional[_Crd]:
        crds = self._crds()
        if kind in crds:
            return crds[kind]
        # Upstream names each CRD file after the kind's plural (ciliumcidrgroups.yaml).
        for source in self.crd_sources:
            if source.stem.lower() == _plural_guess(kind):
                crd = _load_crd(source)
                if crd.kind == kind:
                    crds[kind] = crd
                    return crd
        return None

    def covers(self, kind: str) -> bool:
        return self._crd_for_kind(kind) is not None

    def source_for(self, kind: str) -> Optional[SchemaSource]:
        """The CRD file `kind` is checked against, if the set has one."""
        crd = self._crd_for_kind(kind)
        return crd.source if crd else None

    @property
    def kinds(self) -> list[str]:
        """Kinds the set has a CRD for (loads every CRD)."""
        kinds = {_load_crd(s).kind for s in self.crd_sources}
        return sorted(k for k in kinds if self._crd_for_kind(k))

    def unchecked_rules(self, kind: str) -> list[str]:
        crd = self._crd_for_kind(kind)
        if crd is None:
            return []
        rules: list[str] = []
        for version in sorted(crd.versions):
            crd.validator(version)
            rules += [f"{version} {r}" for r in crd.unchecked[version]]
        return rules

    # -- validation

    def validate_manifest(self, manifest: Mapping[str, Any]) -> list[str]:
        """Errors for one custom resource; empty if the API server would accept it."""
        if not isinstance(manifest, Mapping):
            return [f"(object): must be a mapping, not {type(manifest).__name__}"]
        kind = str(manifest.get("kind", ""))
        metadata = manifest.get("metadata")
        name = metadata.get("name") if isinstance(metadata, Mapping) else None
        label = f"{kind or '<no kind>'}/{name or '<no name>'}"
        crd = self._crd_for_kind(kind) if kind else None
        if crd is None:
            known = ", ".join(s.path.name for s in self.crd_sources)
            return [f"{label}: kind: unknown kind {kind!r}: no CRD for it among the schemas for Cilium {self.cilium_version} ({known}) [rule: kind]"]
        version_problem = self._api_version_problem(crd, manifest.get("apiVersion"))
        if version_problem:
            return [f"{label}: apiVersion: {version_problem} [rule: served versions]"]
        version = str(manifest["apiVersion"]).split("/", 1)[1]
        problems = metadata_problems(dict(metadata) if isinstance(metadata, Mapping) else metadata, crd.namespaced)
        problems += validation_errors(crd.validator(version), manifest)
        return [f"{label}: {path}: {problem}" for path, problem in sorted(set(problems))]

    @staticmethod
    def _api_version_problem(crd: _Crd, api_version: Any) -> Optional[str]:
        served = ", ".join(f"{crd.group}/{v}" for v in sorted(crd.versions))
        if not isinstance(api_version, str) or "/" not in api_version:
            return f"{short(api_version)} must be <group>/<version>; {crd.kind} is served as {served}"
        group, version = api_version.split("/", 1)
        if group != crd.group or version not in crd.versions:
            return f"{api_version!r} is not served by the {crd.kind} CRD of {crd.source.release}; served: {served}"
        return None

    def deprecation(self, manifest: Mapping[str, Any]) -> Optional[str]:
        """The API server's deprecation warning for the manifest's apiVersion, if any."""
        crd = self._crd_for_kind(str(manifest.get("kind", "")))
        version = str(manifest.get("apiVersion", "")).split("/", 1)[-1]
        entry = crd.versions.get(version) if crd else None
        if entry and entry.get("deprecated"):
            storage = next((v for v, e in crd.versions.items() if e.get("storage")), "?")
            return entry.get("deprecationWarning") or f"{crd.group}/{version} {crd.kind} is deprecated; use {crd.group}/{storage}"
        return None

    def validate_helm_values(self, values: Mapping[str, Any]) -> Optional[list[str]]:
        """Errors for the chart values as `helm install` reports them; None without a schema."""
        if self.helm_values_source is None:
            return None
        return [f"helm values: {path}: {problem}" for path, problem in validation_errors(self._helm(), values)]

    def helm_value_names(self) -> Optional[list[str]]:
        """The chart's top-level values (its schema's `properties`); None without a schema."""
        if self.helm_values_source is None:
            return None
        return sorted(self._helm().schema.get("properties", {}))

    def _helm(self) -> Any:
        if self._helm_validator is None:
            assert self.helm_values_source is not None
            stat = self.helm_values_source.path.stat()
            self._helm_validator = _helm_validator_of_file(self.helm_values_source.path, stat.st_mtime_ns, stat.st_size)
        return self._helm_validator


def _plural_guess(kind: str) -> str:
    lower = kind.lower()
    return lower[:-1] + "ies" if lower.endswith("y") else lower + "s"

