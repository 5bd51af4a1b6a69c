"""The run's Kubernetes objects and Helm releases as a user reads them: secrets masked, unknowns named.

Sorted by URN, never by registration order (which the async mock engine does not fix), so the
same inputs always give the same objects.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from pulumi.output import Unknown
from pulumi.runtime import rpc

from offline.run.model import HelmRelease, KubernetesObject, ProgramRun
from offline.run.resource_types import CILIUM_CHART, HELM_RELEASE_TYPE, SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER
from offline.run.stack_files.plain_values import plain_numbers

# `kubernetes:<group>/<version>:<Kind>` with a dotted group: a custom resource, not core.
_CUSTOM_RESOURCE_TYPE = re.compile(r"^kubernetes:(?P<group>[a-z0-9-]+(\.[a-z0-9-]+)+)/(?P<version>[a-z0-9]+):(?P<kind>\w+)$")
_NOT_CUSTOM_RESOURCE_GROUPS = ("helm.sh", "yaml.v2")
#: SDK bookkeeping the provider adds to every input bag; not something a user declared.
HIDDEN_INPUTS = frozenset({"compat", "__defaults"})


def plain(value: Any) -> Any:
    """Inputs as a user reads them: secrets masked, unknowns named, integral floats as ints."""
    return plain_numbers(value, _mask_secrets_and_unknowns)


def _mask_secrets_and_unknowns(value: Any) -> Optional[str]:
    if rpc.is_rpc_secret(value):
        return SECRET_PLACEHOLDER
    if value == rpc.UNKNOWN or isinstance(value, Unknown):  # the wire's sentinel, or the SDK's inside a secret or list
        return UNKNOWN_PLACEHOLDER
    return None


def custom_resource_kind(type_: str) -> Optional[tuple[str, str, str]]:
    """(group, version, kind) when `type_` is a Kubernetes custom resource."""
    match = _CUSTOM_RESOURCE_TYPE.match(type_)
    if not match or match["group"] in _NOT_CUSTOM_RESOURCE_GROUPS:
        return None
    return match["group"], match["version"], match["kind"]


def kubernetes_objects(run: ProgramRun) -> list[KubernetesObject]:
    """Every custom resource as the provider sends it (its inputs), sorted by URN."""
    found = []
    for r in sorted(run.registrations, key=lambda r: r.urn):
        if custom_resource_kind(r.type):
            manifest = {k: plain(v) for k, v in sorted(r.inputs.items()) if k not in HIDDEN_INPUTS}
            found.append(KubernetesObject(r.urn, manifest))
    return found


def helm_releases(run: ProgramRun) -> list[HelmRelease]:
    releases = []
    for r in sorted(run.by_type(HELM_RELEASE_TYPE), key=lambda r: r.urn):
        inputs = plain(r.inputs)
        releases.append(
            HelmRelease(r.urn, str(inputs.get("name") or r.name), str(inputs.get("chart", "")), str(inputs.get("version", "")), dict(inputs.get("values") or {}))
        )
    return releases


def cilium_version(releases: list[HelmRelease]) -> Optional[str]:
    """The version of the `cilium` chart the stack installs: it decides which schemas apply."""
    return next((r.version for r in releases if r.chart == CILIUM_CHART and r.version), None)
