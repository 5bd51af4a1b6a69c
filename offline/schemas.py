"""Validate Cilium custom resources and Cilium Helm values offline, as the cluster would.

Public API (other modules and tests import exactly these names):

- ``SchemaSet.for_version(schema_dir, cilium_version) -> SchemaSet | None``
    The schemas for one Cilium release, read from a folder of upstream files such as
    ``ciliumcidrgroups-v1.19.4.yaml``, ``ciliumnetworkpolicies-v1.20-branchpoint-3ab8efdd3b.yaml``
    and ``cilium-helm-values.schema-v1.20.0.json`` (../shared/reference/cilium). ``None`` when no
    file there matches the version. Matching rule, per CRD and for the values schema: only files
    of the same MAJOR.MINOR line qualify; the file of exactly that release wins, then the
    branch point of that line (which stands for the whole line: upstream cuts each release line
    from it, see reference/cilium/README.md "Provenance caveats"), then the release of that line
    with the nearest patch number. ``SchemaSet.sources`` says which file stands for what, and
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
- ``SchemaSet.unchecked_rules(kind) -> list[str]``: CEL rules (``x-kubernetes-validations``) of
    that kind's CRD that cannot be evaluated offline; the simple ``has(self.a) || has(self.b)``
    form is translated and checked.

How a CRD's ``openAPIV3Schema`` becomes JSON Schema (what the API server does with it):
- an object that lists ``properties`` (or lists none and has no ``additionalProperties``) and is
  not ``x-kubernetes-preserve-unknown-fields: true`` rejects other fields: strict field
  validation reports what pruning would silently drop;
- ``nullable: true`` admits null; ``x-kubernetes-int-or-string`` admits an integer or a string;
- ``x-kubernetes-list-type: set`` forbids duplicates, ``map`` forbids two items with the same keys;
- ``format: cidr`` must parse as a network with no host bits set (Python ``ipaddress``, strict).
  This is stricter than the API server, whose check (Go's ``net.ParseCIDR``) lets host bits
  through; the stack's settings refuse them too, as a CIDR with host bits is almost always a
  typo. ``date-time`` must be RFC 3339. Other formats these CRDs use (``int32``, ``int64``,
  ``idn-hostname``) are not checked;
- fields inside ``anyOf``/``oneOf``/``allOf``/``not`` are value checks only, as in Kubernetes'
  structural schemas, so they never close an object;
- ``metadata`` is checked as ObjectMeta: known fields only, name a DNS-1123 subdomain, labels
  and annotation keys qualified names, label values valid, namespace only on namespaced kinds.
"""

from __future__ import annotations

import copy
import datetime
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import jsonschema
import yaml
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

__all__ = ["SchemaSet", "SchemaSource", "parse_schema_file_name"]

HELM_VALUES_STEM = "cilium-helm-values.schema"

# `<plural>-v1.19.4.yaml`, `<plural>-v1.20-branchpoint-<sha>.yaml`, `cilium-helm-values.schema-v1.20.0.json`.
_SCHEMA_FILE = re.compile(
    r"^(?P<stem>.+?)-v(?P<major>\d+)\.(?P<minor>\d+)"
    r"(?:\.(?P<patch>\d+)|-branchpoint-(?P<commit>[0-9a-f]+))\.(?P<ext>yaml|yml|json)$"
)

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the policy CRDs are 400 kB each

_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(rf"^{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*$")
_DNS1123_LABEL_ONLY = re.compile(rf"^{_DNS1123_LABEL}$")
_QUALIFIED_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_HAS_RULE = re.compile(r"^\s*has\(self\.([A-Za-z_][A-Za-z0-9_]*)\)\s*$")

#: ObjectMeta fields a client may send (k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta).
OBJECT_META_FIELDS = frozenset(
    {
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
        "annotations", "ownerReferences", "finalizers", "managedFields",
    }
)
#: Kubernetes caps all annotations of one object together (apimachinery TotalAnnotationSizeLimitB).
ANNOTATIONS_SIZE_LIMIT = 256 * 1024


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


def _version_tuple(version: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", version.strip())
    if not match:
        raise ValueError(f"Cilium version {version!r} is not MAJOR.MINOR.PATCH")
    return int(match[1]), int(match[2]), int(match[3])


def _pick(candidates: list[SchemaSource], patch: int) -> SchemaSource:
    """Exact release, else the line's branch point, else the nearest patch (older on a tie)."""
    exact = [c for c in candidates if c.patch == patch]
    if exact:
        return exact[0]
    branch_points = sorted((c for c in candidates if c.patch is None), key=lambda c: c.commit or "")
    if branch_points:
        return branch_points[0]
    return min(candidates, key=lambda c: (abs((c.patch or 0) - patch), c.patch or 0))


# --- formats ------------------------------------------------------------------------------


def _is_cidr(value: object) -> bool:
    if not isinstance(value, str):
        return True  # `format` only constrains strings
    if "/" not in value:
        raise ValueError("a CIDR needs a prefix length, e.g. 192.0.2.1/32")
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return True


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("cidr", raises=ValueError)(_is_cidr)
    checker.checks("date-time")(_is_date_time)
    return checker


# --- openAPIV3Schema -> JSON Schema --------------------------------------------------------

_COPIED_KEYWORDS = (
    "type", "enum", "pattern", "maxLength", "minLength", "maxItems", "minItems", "maximum",
    "minimum", "multipleOf", "uniqueItems", "maxProperties", "minProperties", "format", "required",
)


def _has_rule_as_schema(rule: str) -> Optional[dict[str, Any]]:
    """`has(self.a) || has(self.b)` as JSON Schema; None for any other CEL expression."""
    fields = []
    for part in rule.split("||"):
        match = _HAS_RULE.match(part)
        if not match:
            return None
        fields.append(match[1])
    return {"anyOf": [{"required": [f]} for f in fields]}


def crd_to_json_schema(node: Mapping[str, Any], unchecked: list[str], at: str = "", structural: bool = True) -> dict[str, Any]:
    """One `openAPIV3Schema` node as Draft 7 JSON Schema (rules in the module docstring).

    `structural` is False below anyOf/oneOf/allOf/not: those only check values and, as in
    Kubernetes, never define which fields exist.
    """
    out: dict[str, Any] = {key: copy.deepcopy(node[key]) for key in _COPIED_KEYWORDS if key in node}
    for bound in ("Minimum", "Maximum"):
        # OpenAPI 3.0 writes exclusive bounds as booleans next to minimum/maximum.
        if node.get(f"exclusive{bound}") is True and bound.lower() in node:
            out[f"exclusive{bound}"] = out.pop(bound.lower())
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if node.get("nullable") and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]

    properties = node.get("properties")
    if properties is not None:
        out["properties"] = {
            name: crd_to_json_schema(child, unchecked, f"{at}.{name}", structural) for name, child in properties.items()
        }
    additional = node.get("additionalProperties")
    if isinstance(additional, Mapping):
        out["additionalProperties"] = crd_to_json_schema(additional, unchecked, f"{at}.*", structural)
    elif isinstance(additional, bool):
        out["additionalProperties"] = additional
    elif structural and node.get("type") == "object" and not node.get("x-kubernetes-preserve-unknown-fields"):
        # Strict field validation: anything the schema does not define is an unknown field.
        out["additionalProperties"] = False
    if node.get("x-kubernetes-embedded-resource") and out.get("additionalProperties") is False:
        out.setdefault("properties", {})
        for name in ("apiVersion", "kind", "metadata"):
            out["properties"].setdefault(name, {})
    if "items" in node:
        out["items"] = crd_to_json_schema(node["items"], unchecked, f"{at}[*]", structural)
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in node:
            out[keyword] = [crd_to_json_schema(s, unchecked, at, False) for s in node[keyword]]
    if "not" in node:
        out["not"] = crd_to_json_schema(node["not"], unchecked, at, False)

    list_type = node.get("x-kubernetes-list-type")
    if list_type == "set":
        out["uniqueItems"] = True
    elif list_type == "map":
        out["x-list-map-keys"] = list(node.get("x-kubernetes-list-map-keys") or [])

    for validation in node.get("x-kubernetes-validations") or []:
        translated = _has_rule_as_schema(str(validation.get("rule", "")))
        if translated is None:
            unchecked.append(f"{at or '(root)'}: {validation.get('rule')}")
        else:
            translated["x-message"] = validation.get("message") or validation.get("rule")
            out.setdefault("allOf", []).append(translated)
    return out


def _list_map_keys(validator: Any, keys: list[str], instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if not isinstance(instance, list):
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(instance):
        if not isinstance(item, dict):
            continue
        identity = json.dumps([item.get(k) for k in keys], sort_keys=True)
        if identity in seen:
            yield ValidationError(
                f"item {index} repeats the keys {', '.join(keys)} of item {seen[identity]} (list-type map)",
                path=[index],
            )
        seen[identity] = index


_CrdValidator = jsonschema.validators.extend(Draft7Validator, {"x-list-map-keys": _list_map_keys})


# --- error messages -----------------------------------------------------------------------


def field_path(parts: Any) -> str:
    """`spec.egress[0].toCIDRSet[1].cidr`; keys that are not plain names are quoted."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(part)):
            text += f".{part}" if text else str(part)
        else:
            text += f"[{json.dumps(str(part))}]"
    return text or "(root)"


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, problem with its rule) for one jsonschema error."""
    path = list(error.absolute_path)
    keyword = error.validator
    if keyword == "additionalProperties" and error.validator_value is False and isinstance(error.instance, dict):
        known = sorted((error.schema.get("properties") or {}).keys())
        allowed = f"; fields defined here: {', '.join(known)}" if known else "; this object defines no fields"
        extras = [k for k in error.instance if k not in (error.schema.get("properties") or {})]
        return [
            (field_path([*path, extra]), f"unknown field (strict field validation){allowed} [rule: additionalProperties: false]")
            for extra in sorted(extras)
        ]
    if keyword == "required":
        missing = re.match(r"'(.+)' is a required property", error.message)
        name = missing[1] if missing else "?"
        return [(field_path([*path, name]), "required field is missing [rule: required]")]
    if keyword == "format":
        cause = f": {error.cause}" if error.cause else ""
        return [(field_path(path), f"{_short(error.instance)} is not a valid {error.validator_value}{cause} [rule: format: {error.validator_value}]")]
    if isinstance(error.schema, Mapping) and "x-message" in error.schema:
        return [(field_path(path), f"{error.schema['x-message']} [rule: x-kubernetes-validations]")]
    if keyword in ("anyOf", "oneOf"):
        reasons = sorted({c.message for c in error.context})[:3]
        detail = f" ({'; '.join(reasons)})" if reasons else ""
        return [(field_path(path), f"{_short(error.instance)} matches {'none' if keyword == 'anyOf' else 'not exactly one'} of the allowed shapes{detail} [rule: {keyword}]")]
    message = error.message if len(error.message) < 240 else f"{_short(error.instance)} is invalid"
    # enum and type messages already quote the allowed values; the rest get them appended.
    rule = keyword if keyword in ("enum", "type") else f"{keyword}: {_short(error.validator_value, 120)}"
    return [(field_path(path), f"{message} [rule: {rule}]")]


def _errors(validator: Any, instance: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for error in validator.iter_errors(instance):
        found += _describe(error)
    return sorted(set(found))


# --- metadata -----------------------------------------------------------------------------


def _qualified_name_problem(key: str) -> Optional[str]:
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return f"key {key!r}: prefix {prefix!r} must be a lowercase DNS subdomain of at most 253 characters"
    if not name or len(name) > 63 or not _QUALIFIED_NAME_PART.match(name):
        return f"key {key!r}: name part must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
    return None


def metadata_problems(metadata: Any, namespaced: bool) -> list[tuple[str, str]]:
    """ObjectMeta as the API server validates it (apimachinery ValidateObjectMeta)."""
    if not isinstance(metadata, dict):
        return [("metadata", "must be an object [rule: type: object]")]
    problems: list[tuple[str, str]] = []
    for key in sorted(set(metadata) - OBJECT_META_FIELDS):
        problems.append((field_path(["metadata", key]), "unknown field (strict field validation); ObjectMeta defines: name, namespace, labels, annotations, ... [rule: ObjectMeta]"))
    name = metadata.get("name")
    if name is None and not metadata.get("generateName"):
        problems.append(("metadata.name", "name or generateName is required [rule: required]"))
    elif name is not None and (not isinstance(name, str) or len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name)):
        problems.append(("metadata.name", f"{_short(name)} is not a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit [rule: DNS-1123 subdomain]"))
    namespace = metadata.get("namespace")
    if namespace is not None and not namespaced:
        problems.append(("metadata.namespace", "not allowed: the kind is cluster-scoped [rule: scope: Cluster]"))
    elif namespace is not None and (not isinstance(namespace, str) or len(namespace) > 63 or not _DNS1123_LABEL_ONLY.match(namespace)):
        problems.append(("metadata.namespace", f"{_short(namespace)} is not a DNS-1123 label [rule: DNS-1123 label]"))
    problems += _label_problems(metadata.get("labels"))
    problems += _annotation_problems(metadata.get("annotations"))
    return problems


def _label_problems(labels: Any) -> list[tuple[str, str]]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [("metadata.labels", "must be a map of strings [rule: type: object]")]
    problems = []
    for key, value in sorted(labels.items(), key=lambda kv: str(kv[0])):
        at = field_path(["metadata", "labels", key])
        key_problem = _qualified_name_problem(str(key))
        if key_problem:
            problems.append((at, f"{key_problem} [rule: label key]"))
        if not isinstance(value, str):
            problems.append((at, f"{_short(value)} must be a string [rule: label value]"))
        elif value and (len(value) > 63 or not _QUALIFIED_NAME_PART.match(value)):
            problems.append((at, f"{value!r}: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit [rule: label value]"))
    return problems


def _annotation_problems(annotations: Any) -> list[tuple[str, str]]:
    if annotations is None:
        return []
    if not isinstance(annotations, dict):
        return [("metadata.annotations", "must be a map of strings [rule: type: object]")]
    problems = []
    for key, value in sorted(annotations.items(), key=lambda kv: str(kv[0])):
        at = field_path(["metadata", "annotations", key])
        key_problem = _qualified_name_problem(str(key).lower())
        if key_problem:
            problems.append((at, f"{key_problem} [rule: annotation key]"))
        if not isinstance(value, str):
            problems.append((at, f"{_short(value)} must be a string [rule: annotation value]"))
    size = sum(len(str(k)) + len(str(v)) for k, v in annotations.items())
    if size > ANNOTATIONS_SIZE_LIMIT:
        problems.append(("metadata.annotations", f"total size {size} bytes exceeds {ANNOTATIONS_SIZE_LIMIT} [rule: annotations size]"))
    return problems


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
            self.validators[version] = _CrdValidator(schema, format_checker=_format_checker())
            self.unchecked[version] = unchecked
        return self.validators[version]


def _load_crd(source: SchemaSource) -> _Crd:
    document = yaml.load(source.path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
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
    def for_version(cls, schema_dir: Path, cilium_version: str) -> Optional["SchemaSet"]:
        """The schemas in `schema_dir` for `cilium_version`; None when no file matches it."""
        major, minor, patch = _version_tuple(cilium_version)
        by_stem: dict[str, list[SchemaSource]] = {}
        directory = Path(schema_dir)
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
        patch = _version_tuple(self.cilium_version)[2]
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
        problems += _errors(crd.validator(version), _plain(manifest))
        return [f"{label}: {path}: {problem}" for path, problem in sorted(set(problems))]

    @staticmethod
    def _api_version_problem(crd: _Crd, api_version: Any) -> Optional[str]:
        served = ", ".join(f"{crd.group}/{v}" for v in sorted(crd.versions))
        if not isinstance(api_version, str) or "/" not in api_version:
            return f"{_short(api_version)} must be <group>/<version>; {crd.kind} is served as {served}"
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
        if self._helm_validator is None:
            schema = json.loads(self.helm_values_source.path.read_text(encoding="utf-8"))
            self._helm_validator = Draft7Validator(schema, format_checker=_format_checker())
        return [f"helm values: {path}: {problem}" for path, problem in _errors(self._helm_validator, _plain(values))]


def _plural_guess(kind: str) -> str:
    lower = kind.lower()
    return lower[:-1] + "ies" if lower.endswith("y") else lower + "s"


def _plain(value: Any) -> Any:
    """Integral floats as ints: the engine's wire format carries every number as a double."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
