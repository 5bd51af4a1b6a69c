"""`aks-cilium:cluster`: the AKS managed cluster and its node pools, and their rules."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, Optional

from pydantic import BeforeValidator, Field, field_validator

from settings.access import ClusterAdminSettings
from settings.cilium import DEFAULT_CLUSTER_POOL_MASK_SIZE, CiliumSettings
from settings.common.addresses import Ipv4Cidr
from settings.common.base import Section
from settings.common.errors import key_path
from settings.kubelogin import KubeloginSettings
from settings.network import NetworkSettings
from settings.upgrades import refuse_legacy_channel

#: Azure keeps five addresses of every subnet for itself
#: (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
AZURE_SUBNET_RESERVED_ADDRESSES = 5



def _zone(value: Any) -> Any:
    # YAML turns `zones: [1, 2]` into integers; Azure wants the strings "1", "2", "3".
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Zone = Annotated[Literal["1", "2", "3"], BeforeValidator(_zone)]


class NodePoolSettings(Section):
    """One entry of `aks-cilium:cluster.nodePools`."""

    name: str
    """Linux pool name: lowercase letters and digits, starting with a letter, 1-12 characters."""
    mode: Literal["System", "User"] = "User"
    """AKS pool mode; at least one pool must be `System`. The first System pool is the cluster's
    inline pool; every other pool is its own `containerservice.AgentPool` (components/node_pools.py)."""
    vm_size: str = "Standard_D4ds_v5"
    """Azure VM size of the pool's nodes."""
    count: Optional[int] = Field(default=None, ge=0, le=1000)
    """Fixed node count (no autoscaler), or the initial count when minCount/maxCount are set."""
    min_count: Optional[int] = Field(default=None, ge=0, le=1000)
    """Autoscaler lower bound; set together with maxCount."""
    max_count: Optional[int] = Field(default=None, ge=1, le=1000)
    """Autoscaler upper bound; set together with minCount."""
    zones: tuple[Zone, ...] = ()
    """Availability zones ("1", "2", "3"); empty means no zone pinning."""
    max_surge: str = "10%"
    """Extra nodes during upgrades: a node count ("1") or a percentage ("33%")."""
    max_pods: Optional[int] = Field(default=None, ge=10, le=250)
    """Pods per node; AKS's default when unset."""
    os_disk_size_gb: Optional[int] = Field(default=None, ge=30, le=2048)
    """OS disk size in GB; AKS's default when unset."""
    os_sku: Literal["Ubuntu", "AzureLinux"] = "AzureLinux"
    """Node OS image family."""

    @field_validator("name")
    @classmethod
    def _pool_name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9]{0,11}", value):
            raise ValueError(
                "is not a valid Linux node pool name: use 1-12 lowercase letters and digits, starting with a letter"
            )
        return value

    @field_validator("max_surge")
    @classmethod
    def _surge(cls, value: str) -> str:
        if not re.fullmatch(r"[1-9]\d*%?", value) or (value.endswith("%") and int(value[:-1]) > 100):
            raise ValueError('must be a node count such as "1" or a percentage from "1%" to "100%"')
        return value

    @property
    def autoscaling(self) -> bool:
        return self.min_count is not None or self.max_count is not None

    @property
    def peak_nodes(self) -> int:
        """Most nodes the pool can have: its maximum plus the surge nodes of an upgrade."""
        top = self.max_count if self.autoscaling and self.max_count is not None else (self.count or 0)
        if self.max_surge.endswith("%"):
            # AKS rounds a percentage surge up to whole nodes (https://learn.microsoft.com/azure/aks/upgrade-aks-cluster).
            surge = math.ceil(top * int(self.max_surge[:-1]) / 100)
        else:
            surge = int(self.max_surge)
        return top + surge


def _default_node_pools() -> tuple[NodePoolSettings, ...]:
    return (NodePoolSettings(name="system", mode="System", count=2),)


class ClusterSettings(Section):
    """`aks-cilium:cluster`: the AKS managed cluster."""

    kubernetes_version: Optional[str] = None
    """"1.33" or "1.33.2"; which forms each upgrade channel allows is in settings/upgrades.py."""
    sku_tier: Literal["Free", "Standard", "Premium"] = "Free"
    """Control-plane tier; Standard adds the uptime SLA."""
    upgrade_channel: Annotated[Literal["none", "patch", "stable", "rapid"], BeforeValidator(refuse_legacy_channel)] = "patch"
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
    node_pools: tuple[NodePoolSettings, ...] = Field(default_factory=_default_node_pools)
    """Node pools; default one System pool `system` of 2 x Standard_D4ds_v5."""

    @field_validator("kubernetes_version")
    @classmethod
    def _k8s_version(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not re.fullmatch(r"1\.\d+(\.\d+)?", value):
            raise ValueError('must be a Kubernetes version such as "1.33" or "1.33.2"')
        return value


def node_pool_problems(cluster: ClusterSettings, network: NetworkSettings, cilium: CiliumSettings) -> list[str]:
    pools = cluster.node_pools
    key = key_path("cluster", "nodePools")
    problems: list[str] = []
    seen: set[str] = set()
    for i, pool in enumerate(pools):
        if pool.name in seen:
            problems.append(f"{key}[{i}].name = '{pool.name}': node pool names must be unique")
        seen.add(pool.name)
        problems += _pool_count_problems(f"{key}[{i}]", pool)
    if not any(p.mode == "System" for p in pools):
        problems.append(f"{key}: AKS needs at least one pool with mode 'System' to run its system pods")
    return problems + _capacity_problems(cluster, network, cilium)


def _pool_count_problems(at: str, pool: NodePoolSettings) -> list[str]:
    problems: list[str] = []
    lowest = 1 if pool.mode == "System" else 0
    if pool.autoscaling:
        if pool.min_count is None or pool.max_count is None:
            return [f"{at}: minCount and maxCount turn on the autoscaler together; set both or neither"]
        if pool.min_count > pool.max_count:
            problems.append(f"{at}.minCount = {pool.min_count}: must not exceed maxCount = {pool.max_count}")
        if pool.min_count < lowest:
            problems.append(f"{at}.minCount = {pool.min_count}: a System pool needs at least 1 node")
        if pool.count is not None and not pool.min_count <= pool.count <= pool.max_count:
            problems.append(
                f"{at}.count = {pool.count}: with the autoscaler the initial count must lie within"
                f" minCount..maxCount ({pool.min_count}..{pool.max_count})"
            )
    elif pool.count is None:
        problems.append(
            f"{at}: set count (a fixed node count) or minCount and maxCount (autoscaler);"
            f" e.g. `pulumi config set --path '{at}.count' 2`"
        )
    elif pool.count < lowest:
        problems.append(f"{at}.count = {pool.count}: a System pool needs at least 1 node")
    if len(set(pool.zones)) != len(pool.zones):
        problems.append(f"{at}.zones = {list(pool.zones)}: zones must not repeat")
    return problems


def _capacity_problems(cluster: ClusterSettings, network: NetworkSettings, cilium: CiliumSettings) -> list[str]:
    """Room for every node at its peak: addresses in the node subnet, per-node blocks in the pod range."""
    problems: list[str] = []
    subnet = network.node_subnet_cidr
    usable = subnet.num_addresses - AZURE_SUBNET_RESERVED_ADDRESSES
    peak = sum(p.peak_nodes for p in cluster.node_pools)
    if peak > usable:
        problems.append(
            f"{key_path('network', 'nodeSubnetCidr')} = '{subnet}': has {usable} usable addresses (Azure keeps"
            f" {AZURE_SUBNET_RESERVED_ADDRESSES}) but the node pools may grow to {peak} nodes including"
            " upgrade surge; use a larger subnet or lower maxCount/maxSurge"
        )
    mask = cilium.flat_values.get("ipam.operator.clusterPoolIPv4MaskSize", DEFAULT_CLUSTER_POOL_MASK_SIZE)
    pod = network.pod_cidr
    at = f"{key_path('network', 'podCidr')} = '{pod}'"
    if isinstance(mask, int) and not isinstance(mask, bool):
        if mask <= pod.prefixlen:
            problems.append(f"{at}: Cilium gives each node a /{mask} from it, so it must be larger than /{mask}")
        elif 2 ** (mask - pod.prefixlen) < peak:
            problems.append(
                f"{at}: holds {2 ** (mask - pod.prefixlen)} per-node /{mask} blocks but the node pools may grow to"
                f" {peak} nodes; use a larger pod range"
            )
    return problems
