"""The plan's validation section: each custom resource and the Cilium Helm values, checked
against the schemas of the stack's Cilium version (offline.schemas.schema_set), found as
offline.schemas.cache says.

Each checked line names the version it was checked against (`against 1.20.0`, or
`against v1.20 branch point 3ab8efdd3b` for a stand-in). Notices are only for real gaps:
what could not be checked at all (one notice, with the command that fixes it), stand-in
schemas, deprecated apiVersions and CEL rules that cannot run offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from offline.run import CILIUM_CHART, HelmRelease, KubernetesObject, Validation, cilium_version
from offline.schemas.cache import SchemaSearch
from offline.schemas.helm_value_names import unknown_top_level_values
from offline.schemas.schema_set import SchemaSet, SchemaSource
from settings.common.versions import release_version


def validate(objects: list[KubernetesObject], releases: list[HelmRelease], search: SchemaSearch) -> Validation:
    validation = Validation()
    version = cilium_version(releases)
    cilium_releases = [r for r in releases if r.chart == CILIUM_CHART]
    if version is None:
        validation.schema_summary = "no Cilium Helm release in the stack; nothing to match schemas to"
        validation.unchecked = [o.label for o in objects]
        _not_validated_notice(validation, "")
        return validation
    schemas = search.schemas_for(version)
    if schemas is None:
        line = ".".join(version.split(".")[:2])
        validation.schema_summary = f"Cilium {version}: no schemas for the {line} line in {search.describe()}"
        validation.unchecked = [o.label for o in objects] + [_helm_label(r) for r in cilium_releases]
        _not_validated_notice(validation, f"run `{search.fix}` to fetch Cilium {version}'s schemas")
        return validation

    validation.schema_summary = f"Cilium {version}, schemas from {search.describe()}"
    checker = _Checker(schemas, validation, release_version(version)[2])
    for obj in objects:
        checker.check_object(obj)
    for release in cilium_releases:
        checker.check_release(release)
    _not_validated_notice(validation, f"`{search.fix}` fetches Cilium {version}'s schemas")
    if checker.stand_ins:
        validation.notices.insert(0, _stand_in_notice(checker.stand_ins, version, schemas, search))
    return validation


def _helm_label(release: HelmRelease) -> str:
    return f"Helm values of {release.release_name} (chart {release.chart} {release.version})"


@dataclass
class _Checker:
    schemas: SchemaSet
    validation: Validation
    patch: int
    """The stack's patch number: a file of another patch, or a branch point, is a stand-in."""
    stand_ins: dict[str, list[str]] = field(default_factory=dict)
    """Label of a stand-in release -> the kinds (or HELM_VALUES) checked against it."""

    def _record(self, label: str, source: SchemaSource, errors: list[str], what: str) -> None:
        self.validation.checked.append((f"{label} against {source.label}", errors))
        if source.patch != self.patch and what not in self.stand_ins.setdefault(source.label, []):
            self.stand_ins[source.label].append(what)

    def check_object(self, obj: KubernetesObject) -> None:
        source = self.schemas.source_for(obj.kind)
        if source is None:
            self.validation.unchecked.append(obj.label)
            return
        label = f"{obj.label} ({obj.manifest.get('apiVersion')})"
        self._record(label, source, self.schemas.validate_manifest(obj.manifest), obj.kind)
        deprecation = self.schemas.deprecation(obj.manifest)
        if deprecation:
            self.validation.notices.append(f"{obj.label}: the API server would warn: {deprecation}")
        for rule in self.schemas.unchecked_rules(obj.kind):
            self.validation.notices.append(f"{obj.label}: CEL rule not checked offline: {rule}")

    def check_release(self, release: HelmRelease) -> None:
        errors = self.schemas.validate_helm_values(release.values)
        source = self.schemas.helm_values_source
        if errors is None or source is None:
            self.validation.unchecked.append(_helm_label(release))
            return
        # Top-level keys are checked strictly, nested maps stay free (offline.schemas.helm_value_names).
        unknown = unknown_top_level_values(release.values, self.schemas.helm_value_names() or [], release.chart)
        self._record(_helm_label(release), source, errors + unknown, HELM_VALUES)


HELM_VALUES = "the Helm values schema"


def _what(items: list[str]) -> str:
    """`CiliumCIDRGroup, CiliumNetworkPolicy CRDs and the Helm values schema`."""
    kinds = [i for i in items if i != HELM_VALUES]
    parts = [f"{', '.join(kinds)} CRD{'s' if len(kinds) > 1 else ''}"] if kinds else []
    return " and ".join(parts + ([HELM_VALUES] if HELM_VALUES in items else []))


def _not_validated_notice(validation: Validation, fix: str) -> None:
    """One notice for everything that could not be checked, naming the command that fixes it."""
    if validation.unchecked:
        validation.notices.append(f"NOT validated: {', '.join(validation.unchecked)}" + (f"; {fix}" if fix else ""))
        validation.fix = fix


def _stand_in_notice(stand_ins: dict[str, list[str]], version: str, schemas: SchemaSet, search: SchemaSearch) -> str:
    parts = [f"{_what(items)} from {label}" for label, items in sorted(stand_ins.items())]
    sources = [s for s in [*schemas.crd_sources, schemas.helm_values_source] if s is not None and s.patch != release_version(version)[2]]
    folders = {search.folder_of(s) for s in sources}
    caveats = sorted(f"{f.shown}/README.md" for f in folders if f is not None and (f.path / "README.md").is_file())
    see = f" (how far they match: see {', '.join(caveats)})" if caveats else ""
    return f"stand-in schemas, not from exactly {version}: {'; '.join(parts)}{see}; `{search.fix}` fetches {version}'s own"
