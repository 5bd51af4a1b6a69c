"""`aks-cilium:cilium`: the Cilium Helm release, and which Helm values the stack keeps for itself."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

from pydantic import Field, field_validator

from settings.common.base import Section
from settings.common.errors import key_path
from settings.common.problems import Problem, show
from settings.common.versions import release_version, version_in_state
from settings.mesh.identity import CiliumClusterSettings

#: Oldest Cilium release whose Hubble labels traffic to CIDR groups that no policy references
#: (Cilium 1.17.0 release notes: https://github.com/cilium/cilium/releases/tag/v1.17.0).
MIN_CILIUM_VERSION = (1, 17, 0)

#: Cilium's upgrade guide: one minor version at a time, each after the pre-flight check; a
#: rollback is its own procedure, not an older chart pin.
CILIUM_UPGRADE_GUIDE = "https://docs.cilium.io/en/stable/operations/upgrade/"

#: Helm values the stack derives from other settings; `aks-cilium:cilium.values` may not set
#: them, or the cluster and Cilium would disagree (Cilium docs, "Installation using Helm", AKS
#: tab: https://docs.cilium.io/en/stable/installation/k8s-install-helm/).
MANAGED_HELM_VALUES: dict[str, str] = {
    "aksbyocni.enabled": "always true: AKS runs in BYOCNI mode",
    "ipam.operator.clusterPoolIPv4PodCIDRList": "taken from aks-cilium:network.podCidr, so AKS and Cilium share one pod range",
    "hubble.relay.enabled": "always true: the stack promises Hubble relay",
    "hubble.ui.enabled": "always true: the stack promises the Hubble UI",
}

#: Helm values users may set, but only to these values, with the reason.
CONSTRAINED_HELM_VALUES: dict[str, tuple[Any, str]] = {
    "routingMode": ("tunnel", "aksbyocni requires tunnel routing; the chart fails otherwise"),
    "ipam.mode": ("cluster-pool", "the pod range must come from cluster-pool IPAM to match aks-cilium:network.podCidr"),
    "hubble.enabled": (True, "Hubble relay and UI need Hubble"),
}

#: Cilium's cluster-pool hands each node a block of this size unless the values say otherwise.
DEFAULT_CLUSTER_POOL_MASK_SIZE = 24


class CiliumSettings(Section):
    """`aks-cilium:cilium`: the Cilium Helm release."""

    version: str = "1.20.0"
    """Cilium chart version, exactly MAJOR.MINOR.PATCH, at least 1.17.0."""
    chart_repository: str = "https://helm.cilium.io/"
    """Helm repository that serves the `cilium` chart."""
    values: dict[str, Any] = Field(default_factory=dict)
    """Extra Helm values, deep-merged over the stack's own (which they may not change)."""
    cluster: CiliumClusterSettings = Field(default_factory=CiliumClusterSettings)
    """Cilium's `cluster.name` and `cluster.id` (settings/mesh/identity.py): required, fixed for the cluster's life."""

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if release_version(value) < MIN_CILIUM_VERSION:
            raise ValueError(
                "is too old: CIDR groups label Hubble flows without a referencing policy only from"
                " Cilium 1.17.0; use 1.17.0 or newer"
            )
        return value

    @field_validator("chart_repository")
    @classmethod
    def _repo(cls, value: str) -> str:
        if not re.fullmatch(r"(https?|oci)://\S+", value):
            raise ValueError("must be an https://, http:// or oci:// URL")
        return value

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        return release_version(self.version)

    @property
    def flat_values(self) -> dict[str, Any]:
        return flatten_values(self.values)


def flatten_values(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested Helm values as dotted paths, e.g. {'ipam': {'mode': x}} -> {'ipam.mode': x}."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten_values(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def cilium_problems(cilium: CiliumSettings) -> list[Problem]:
    key = key_path("cilium", "values")
    flat = cilium.flat_values
    problems: list[Problem] = []
    for path, why in MANAGED_HELM_VALUES.items():
        if any(p == path or p.startswith(f"{path}.") for p in flat):
            problems.append(Problem(f"{key}.{path}", f"is set by the stack ({why}); remove it"))
    for path, (allowed, why) in CONSTRAINED_HELM_VALUES.items():
        if path in flat and flat[path] != allowed:
            problems.append(Problem(f"{key}.{path}", f"may only be {show(allowed)} ({why})", flat[path]))
    return problems


def cilium_step_problem(deployed: str, wanted: str) -> Optional[Problem]:
    """Why moving the Cilium chart from `deployed` to `wanted` breaks the upgrade guide, or None.

    The one copy of the rule: the program checks it against the stack's last outputs before the
    release can change (components/deployed_guard.py), the offline preview against an export's
    release (offline/preview/change_checks.py). Versions are read as a deployed state may hold
    them (`version_in_state`: a leading 'v', a pre-release counts as its release); one that
    cannot be read is not judged.
    """
    old, new = version_in_state(deployed), version_in_state(wanted)
    if old is None or new is None or old == new:
        return None
    key = key_path("cilium", "version")
    step = f"Cilium {deployed} -> {wanted}"
    if new < old:
        return Problem(
            key,
            f"{step} is a downgrade: Cilium's upgrade guide goes one minor version forward at a time, and a rollback"
            f" is its own procedure, not an older chart pin ({CILIUM_UPGRADE_GUIDE})",
            wanted,
        )
    if new[0] != old[0] or new[1] > old[1] + 1:
        return Problem(
            key,
            f"{step} skips a minor version: Cilium upgrades one minor version at a time, each after the pre-flight check"
            f" ({CILIUM_UPGRADE_GUIDE}); deploy {old[0]}.{old[1] + 1}.x first",
            wanted,
        )
    return None
