"""Validate Cilium custom resources and Cilium Helm values offline, as the cluster would.

Public API (other modules and tests import exactly these names):

- ``SchemaSet.for_version(schema_dirs, cilium_version) -> SchemaSet | None``
    The schemas for one Cilium release, read from a folder (or several, searched in order) of
    upstream files such as
    ``ciliumcidrgroups-v1.19.4.yaml``, ``ciliumnetworkpolicies-v1.20-branchpoint-3ab8efdd3b.yaml``
    and ``cilium-helm-values.schema-v1.20.0.json`` (../shared/reference/cilium). ``None`` when no
    file there matches the version. Matching rule, per CRD and for the values schema: only files
    of the same MAJOR.MINOR line qualify; the file of exactly that release wins, then the
    branch point of that line, then the release of that line with the nearest patch number.
    A branch point stands for the whole line because upstream cuts each release line from main
    there (CRD sources:
    https://github.com/cilium/cilium/tree/main/pkg/k8s/apis/cilium.io/client/crds; schema
    changes within a line are listed in Cilium's CRD compatibility table,
    https://github.com/cilium/cilium/blob/main/Documentation/network/kubernetes/compatibility-table.rst).
    Among equally good files the first folder's wins. ``SchemaSet.sources`` says which file
    stands for what, ``SchemaSet.source_for(kind)`` which file a kind is checked against, and
    ``SchemaSet.approximate`` is true when any of them is not the exact release. Files are only
    listed here; each CRD is read the first time its kind is validated.
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

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from jsonschema import Draft7Validator

from offline.run import yaml_io
from offline.schemas.crd_json_schema import CrdValidator, crd_to_json_schema, format_checker
from offline.schemas.messages import short, validation_errors
from offline.schemas.object_meta import metadata_problems
from settings.common.versions import release_version

__all__ = ["SchemaSet", "SchemaSource", "parse_schema_file_name"]

HELM_VALUES_STEM = "cilium-helm-values.schema"

# `<plural>-v1.19.4.yaml`, `<plural>-v1.20-branchpoint-<sha>.yaml`, `cilium-helm-values.schema-v1.20.0.json`.
_SCHEMA_FILE = re.compile(
    r"^(?P<stem>.+?)-v(?P<major>\d+)\.(?P<minor>\d+)"
    r"(?:\.(?P<patch>\d+)|-branchpoint-(?P<commit>[0-9a-f]+))\.(?P<ext>yaml|yml|json)$"
)


@dataclass(frozen=True)
class SchemaSource:
    """One upstream schema file and the release it was taken from."""

    path: Path
    stem: str
    line: tuple[int, int]
    patch: Optional[int]
    """None for a branch-point file."""
    commit: Optional[str]

    @property
    def release(self) -> str:
        major, minor = self.line
        if self.patch is None:
            return f"v{major}.{minor} branch point {self.commit}"
        return f"v{major}.{minor}.{self.patch}"

    @property
    def label(self) -> str:
        """What the plan names as the version checked against: `1.20.0`, or `v1.20 branch point 3ab8efdd3b`."""
        return self.release.removeprefix("v") if self.patch is not None else self.release


def parse_schema_file_name(path: Path) -> Optional[SchemaSource]:
    match = _SCHEMA_FILE.match(path.name)
    if not match:
        return None
    patch = match["patch"]
    return SchemaSource(
        path=path,
        stem=match["stem"],
        line=(int(match["major"]), int(match["minor"])),
        patch=int(patch) if patch is not None else None,
        commit=match["commit"],
    )


def _release(cilium_version: str) -> tuple[int, int, int]:
    """(major, minor, patch) of a Cilium release such as `1.20.0` (a leading 'v' is accepted)."""
    try:
        return release_version(cilium_version.strip().removeprefix("v"))
    except ValueError as exc:
        raise ValueError(f"Cilium version {cilium_version!r} {exc}") from None


def _pick(candidates: list[SchemaSource], patch: int) -> SchemaSource:
    """Exact release, else the line's branch point, else the nearest patch (older on a tie)."""
    exact = [c for c in candidates if c.patch == patch]
    if exact:
        return exact[0]
    branch_points = sorted((c for c in candidates if c.patch is None), key=lambda c: c.commit or "")
    if branch_points:
        return branch_points[0]
    return min(candidates, key=lambda c: (abs((c.patch or 0) - patch), c.patch or 0))


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
    document = yaml_io.load(source.path.read_text(encoding="utf-8"))
    spec = document["spec"]
    served = {v["name"]: v for v in spec["versions"] if v.get("served")}
    return _Crd(source, spec["group"], spec["names"]["kind"], spec.get("scope") == "Namespaced", served)


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
        major, minor, patch = _release(cilium_version)
        by_stem: dict[str, list[SchemaSource]] = {}
        directories = [Path(schema_dirs)] if isinstance(schema_dirs, (str, Path)) else [Path(d) for d in schema_dirs]
        for directory in directories:
            for path in sorted(directory.iterdir()) if directory.is_dir() else []:
                source = parse_schema_file_name(path)
                if source and source.line == (major, minor):
                    by_stem.setdefault(source.stem, []).append(source)
        if not by_stem:
            return None
        chosen = {stem: _pick(candidates, patch) for stem, candidates in sorted(by_stem.items())}
        helm = chosen.pop(HELM_VALUES_STEM, None)
        crds = [s for s in chosen.values() if s.path.suffix in (".yaml", ".yml")]
        return cls(cilium_version, crds, helm)

    # -- what the set stands for

    @property
    def sources(self) -> list[str]:
        """`<file> (<release>)` for every file in the set, sorted."""
        files = [*self.crd_sources, *([self.helm_values_source] if self.helm_values_source else [])]
        return sorted(f"{s.path.name} ({s.release})" for s in files)

    @property
    def approximate(self) -> bool:
        """True when some file is not from exactly `cilium_version` (branch point or other patch)."""
        patch = _release(self.cilium_version)[2]
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
            schema = json.loads(self.helm_values_source.path.read_text(encoding="utf-8"))
            self._helm_validator = Draft7Validator(schema, format_checker=format_checker())
        return self._helm_validator


def _plural_guess(kind: str) -> str:
    lower = kind.lower()
    return lower[:-1] + "ies" if lower.endswith("y") else lower + "s"

