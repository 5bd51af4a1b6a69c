"""`aks-cilium:cluster.kubernetesVersion` against `upgradeChannel`: who owns the version, and its rules.

Microsoft Learn, "Automatically upgrade an AKS cluster"
(https://learn.microsoft.com/azure/aks/auto-upgrade-cluster):
- `none`: Azure never changes the version; the stack owns it, so one must be given.
- `patch`: Azure applies the newest patch of the configured minor and never changes the minor.
  The stack owns MAJOR.MINOR only: AKS accepts "1.33" and picks the newest patch itself, and
  "updating the cluster with the same <major.minor> ... will not trigger an upgrade" (the
  `kubernetesVersion` docstring of `ManagedCluster` in pulumi-azure-native). A patch-level pin
  would be overtaken by Azure, and the next `pulumi up` would ask AKS for a downgrade.
- `stable` / `rapid`: Azure moves minor versions itself; a version in config would fight it.
- `node-image`: legacy as a cluster channel; the node OS channel `NodeImage` replaces it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional, Protocol

from pydantic import BeforeValidator

from settings.common.errors import key_path
from settings.common.problems import Problem

#: Channels under which Azure moves the Kubernetes minor version itself: the stack declares no
#: version and ignores `kubernetesVersion` and every pool's `orchestratorVersion`.
AZURE_OWNED_VERSION_CHANNELS = ("stable", "rapid")


class VersionedCluster(Protocol):
    """What the rules here read of `ClusterSettings` (settings/cluster.py, which imports this module)."""

    @property
    def upgrade_channel(self) -> str: ...

    @property
    def kubernetes_version(self) -> Optional[str]: ...


def azure_owns_the_version(cluster: VersionedCluster) -> bool:
    """Whether Azure, not the stack, decides the cluster's and the pools' Kubernetes version."""
    return cluster.upgrade_channel in AZURE_OWNED_VERSION_CHANNELS


def _refuse_legacy_channel(value: Any) -> Any:
    """`node-image` as the cluster channel, refused with what replaces it (before the enum check)."""
    if value == "node-image":
        raise ValueError(
            "is legacy as a cluster channel (https://learn.microsoft.com/azure/aks/auto-upgrade-cluster);"
            f" set it to 'none' or 'patch' and {key_path('cluster', 'nodeOsUpgradeChannel')} to 'NodeImage'"
        )
    return value


#: `aks-cilium:cluster.upgradeChannel`; the legacy `node-image` is refused with its replacement.
UpgradeChannel = Annotated[Literal["none", "patch", "stable", "rapid"], BeforeValidator(_refuse_legacy_channel)]


def upgrade_problems(cluster: VersionedCluster) -> list[Problem]:
    channel_key = key_path("cluster", "upgradeChannel")
    version_key = key_path("cluster", "kubernetesVersion")
    channel = cluster.upgrade_channel
    version = cluster.kubernetes_version
    if channel in AZURE_OWNED_VERSION_CHANNELS and version is not None:
        return [
            Problem(
                version_key,
                f"can be set only when {channel_key} is 'none' or 'patch'; under '{channel}' Azure moves the version"
                " itself and a pinned one would fight it; remove it",
                version,
            )
        ]
    if channel == "none" and version is None:
        return [
            Problem(
                version_key,
                f"required when {channel_key} is 'none', because nothing else upgrades the cluster",
                hint=f"e.g. `pulumi config set --path '{version_key}' 1.33`",
            )
        ]
    if channel == "patch" and version is not None and not re.fullmatch(r"\d+\.\d+", version):
        minor = ".".join(version.split(".")[:2])
        return [
            Problem(
                version_key,
                f"under {channel_key} 'patch' give MAJOR.MINOR only ('{minor}'); Azure applies patch releases itself,"
                " so a pinned patch would be overtaken and the next `pulumi up` would ask for a downgrade",
                version,
            )
        ]
    return []
