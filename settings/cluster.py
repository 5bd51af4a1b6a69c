"""`aks-cilium:cluster`: the AKS managed cluster. Its node pools are settings/node_pools.py, its
admins settings/access.py, its kubeconfig login settings/kubelogin.py, its version settings/upgrades.py."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal, Optional

from pydantic import Field, field_validator

from settings.access import ClusterAdminSettings
from settings.common.addresses import Ipv4Cidr
from settings.common.base import Section
from settings.common.errors import key_path
from settings.common.problems import Problem
from settings.kubelogin import KubeloginSettings
from settings.node_pools import NodePoolSettings, default_node_pools
from settings.upgrades import UpgradeChannel

# https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges#overview-of-api-server-authorized-ip-ranges
AUTHORIZED_RANGES_URL = "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"
MAX_AUTHORIZED_IP_RANGES = 200
#: Every IPv4 address: in an allowlist, no restriction at all. (`0.0.0.0/32` is different: AKS
#: reads it as "only the cluster's own outbound IP", per the page above, and keeps that meaning.)
EVERY_ADDRESS = ipaddress.IPv4Network("0.0.0.0/0")


class ClusterSettings(Section):
    """`aks-cilium:cluster`: the AKS managed cluster."""

    kubernetes_version: Optional[str] = None
    """"1.33" or "1.33.2"; which forms each upgrade channel allows is in settings/upgrades.py."""
    sku_tier: Literal["Free", "Standard", "Premium"] = "Free"
    """Control-plane tier; Standard adds the uptime SLA."""
    upgrade_channel: UpgradeChannel = "patch"
    """Cluster auto-upgrade channel (settings/upgrades.py); the legacy `node-image` is refused with its replacement."""
    node_os_upgrade_channel: Literal["None", "Unmanaged", "NodeImage", "SecurityPatch"] = "NodeImage"
    """Node OS upgrade channel."""
    disable_local_accounts: bool = True
    """Turn off the static admin kubeconfig; every login then goes through Entra ID (kubelogin)."""
    authorized_ip_ranges: tuple[Ipv4Cidr, ...] = ()
    """CIDRs allowed to reach the API server; empty means reachable from anywhere."""
    admins: tuple[ClusterAdminSettings, ...] = ()
    """Principals that get "Azure Kubernetes Service RBAC Cluster Admin" (settings/access.py)."""
    kubelogin: KubeloginSettings = Field(default_factory=KubeloginSettings)
    """How the exec kubeconfig used by `pulumi up` logs in (settings/kubelogin.py)."""
    node_pools: tuple[NodePoolSettings, ...] = Field(default_factory=default_node_pools)
    """Node pools; default one System pool `system` of 2 x Standard_D4ds_v5."""

    @field_validator("kubernetes_version")
    @classmethod
    def _k8s_version(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not re.fullmatch(r"1\.\d+(\.\d+)?", value):
            raise ValueError('must be a Kubernetes version such as "1.33" or "1.33.2"')
        return value


def authorized_range_problems(cluster: ClusterSettings) -> list[Problem]:
    key = key_path("cluster", "authorizedIpRanges")
    ranges = cluster.authorized_ip_ranges
    problems: list[Problem] = []
    if len(ranges) > MAX_AUTHORIZED_IP_RANGES:
        problems.append(
            Problem(key, f"lists {len(ranges)} ranges, but AKS takes at most {MAX_AUTHORIZED_IP_RANGES} ({AUTHORIZED_RANGES_URL}); merge them into larger ranges")
        )
    if len(ranges) > 1:
        problems += [
            Problem(
                f"{key}[{i}]",
                f"allows every address, so the other {len(ranges) - 1} range(s) restrict nothing and the API server is open to"
                " the whole internet; remove it (the allowlist then holds), or list it alone to open the API server on purpose",
                str(cidr),
            )
            for i, cidr in enumerate(ranges)
            if cidr == EVERY_ADDRESS
        ]
    return problems


def authorized_range_warnings(cluster: ClusterSettings) -> list[Problem]:
    """`0.0.0.0/0` alone is a deliberate choice, but one nobody should make unnoticed."""
    if tuple(cluster.authorized_ip_ranges) != (EVERY_ADDRESS,):
        return []
    return [
        Problem(
            key_path("cluster", "authorizedIpRanges"),
            "allows every address on the internet to reach the cluster's API server, the same as no allowlist;"
            f" list your own ranges instead ({AUTHORIZED_RANGES_URL})",
            ["0.0.0.0/0"],
        )
    ]
