"""`aks-cilium:cluster.nodePools`: one node pool's keys, and every rule about node pools.

Names and counts, room for every node at its peak (node subnet addresses, Cilium's per-node
pod blocks), and the limits Azure enforces only when a pool is created (VM size, pods per node).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Optional

from pydantic import BeforeValidator, Field, field_validator

from settings.cilium import DEFAULT_CLUSTER_POOL_MASK_SIZE, CiliumSettings
from settings.common.base import Section
from settings.common.errors import key_path
from settings.common.problems import Problem
from settings.network import NetworkSettings

#: Azure keeps five addresses of every subnet for itself
#: (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
AZURE_SUBNET_RESERVED_ADDRESSES = 5

# VM sizes read `Standard_<family><vCPUs><features>[_<accelerator>][_<version>]`, e.g.
# Standard_D4ds_v5 (https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions).
VM_SIZES_URL = "https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions"
_VM_SIZE = re.compile(r"Standard_[A-Za-z][A-Za-z0-9_-]*")

# AKS allows up to 250 pods per node (https://learn.microsoft.com/azure/aks/azure-cni-overview#maximum-pods-per-node);
# its default for networkPlugin none is not documented, so an unset maxPods is checked at 250:
# the most AKS could pick, so the check can only be too careful.
AKS_MAX_PODS = 250
# Besides its pods, every node takes two addresses of its Cilium block for Cilium itself: the
# cilium_host router address and the health-check endpoint
# (https://docs.cilium.io/en/stable/network/concepts/ipam/cluster-pool/).
CILIUM_OWN_ADDRESSES_PER_NODE = 2


#: "The minimum value that can be set for maximum pods per node is 10 if and only if the
#: configuration of each node pool has space for a minimum of 30 pods" (MicrosoftDocs
#: azure-aks-docs `articles/aks/concepts-network-ip-address-planning.md`, "Configuring maximum pods per node").
MAX_PODS_URL = "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning#configuring-maximum-pods-per-node-for-your-clusters"
AKS_MIN_PODS_PER_POOL = 30


def _surge_as_text(value: Any) -> Any:
    # `pulumi config set --path '...maxSurge' 1` writes the number 1 (pulumi/pulumi#5442); a whole
    # number of nodes means the same as its text. Anything else stays as written and is refused below.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


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
    max_surge: Annotated[str, BeforeValidator(_surge_as_text)] = "10%"
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
    def smallest_size(self) -> int:
        """Fewest nodes the pool can have: minCount under the autoscaler, else count."""
        return (self.min_count if self.autoscaling else self.count) or 0

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


def default_node_pools() -> tuple[NodePoolSettings, ...]:
    return (NodePoolSettings(name="system", mode="System", count=2),)


def pod_block_mask(cilium: CiliumSettings) -> Optional[int]:
    """The prefix length of the block Cilium's cluster-pool IPAM gives each node, or None when
    the Helm values set something that is not a whole number (the chart's schema refuses that)."""
    mask = cilium.flat_values.get("ipam.operator.clusterPoolIPv4MaskSize", DEFAULT_CLUSTER_POOL_MASK_SIZE)
    return mask if isinstance(mask, int) and not isinstance(mask, bool) else None


def node_pool_problems(pools: Sequence[NodePoolSettings], network: NetworkSettings, cilium: CiliumSettings) -> list[Problem]:
    """Unique names, counts that make sense, a System pool, and room for every node at its peak."""
    key = key_path("cluster", "nodePools")
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, pool in enumerate(pools):
        if pool.name in seen:
            problems.append(Problem(f"{key}[{i}].name", "node pool names must be unique", pool.name))
        seen.add(pool.name)
        problems += _pool_count_problems(f"{key}[{i}]", pool)
    if not any(p.mode == "System" for p in pools):
        problems.append(Problem(key, "AKS needs at least one pool with mode 'System' to run its system pods"))
    return problems + _capacity_problems(pools, network, cilium)


def _pool_count_problems(at: str, pool: NodePoolSettings) -> list[Problem]:
    problems: list[Problem] = []
    lowest = 1 if pool.mode == "System" else 0
    if pool.autoscaling:
        if pool.min_count is None or pool.max_count is None:
            return [Problem(at, "minCount and maxCount turn on the autoscaler together; set both or neither")]
        if pool.min_count > pool.max_count:
            problems.append(Problem(f"{at}.minCount", f"must not exceed maxCount = {pool.max_count}", pool.min_count))
        if pool.min_count < lowest:
            problems.append(Problem(f"{at}.minCount", "a System pool needs at least 1 node", pool.min_count))
        if pool.count is not None and not pool.min_count <= pool.count <= pool.max_count:
            problems.append(
                Problem(
                    f"{at}.count",
                    "with the autoscaler the initial count must lie within"
                    f" minCount..maxCount ({pool.min_count}..{pool.max_count})",
                    pool.count,
                )
            )
    elif pool.count is None:
        problems.append(
            Problem(
                at,
                "set count (a fixed node count) or minCount and maxCount (autoscaler)",
                hint=f"e.g. `pulumi config set --path '{at}.count' 2`",
            )
        )
    elif pool.count < lowest:
        problems.append(Problem(f"{at}.count", "a System pool needs at least 1 node", pool.count))
    if len(set(pool.zones)) != len(pool.zones):
        problems.append(Problem(f"{at}.zones", "zones must not repeat", list(pool.zones)))
    return problems


def _capacity_problems(pools: Sequence[NodePoolSettings], network: NetworkSettings, cilium: CiliumSettings) -> list[Problem]:
    """Room for every node at its peak: addresses in the node subnet, per-node blocks in the pod range."""
    problems: list[Problem] = []
    subnet = network.node_subnet_cidr
    usable = subnet.num_addresses - AZURE_SUBNET_RESERVED_ADDRESSES
    peak = sum(p.peak_nodes for p in pools)
    if peak > usable:
        problems.append(
            Problem(
                key_path("network", "nodeSubnetCidr"),
                f"has {usable} usable addresses (Azure keeps {AZURE_SUBNET_RESERVED_ADDRESSES}) but the node pools may"
                f" grow to {peak} nodes including upgrade surge; use a larger subnet or lower maxCount/maxSurge",
                str(subnet),
            )
        )
    mask = pod_block_mask(cilium)
    pod = network.pod_cidr
    at = key_path("network", "podCidr")
    if mask is not None:
        if mask <= pod.prefixlen:
            problems.append(Problem(at, f"Cilium gives each node a /{mask} from it, so it must be larger than /{mask}", str(pod)))
        elif 2 ** (mask - pod.prefixlen) < peak:
            problems.append(
                Problem(
                    at,
                    f"holds {2 ** (mask - pod.prefixlen)} per-node /{mask} blocks but the node pools may grow to"
                    f" {peak} nodes; use a larger pod range",
                    str(pod),
                )
            )
    return problems


def vm_size_problem(size: str) -> str:
    """Why `size` is not shaped like an Azure VM size, or ''."""
    if _VM_SIZE.fullmatch(size):
        return ""
    fixed = re.sub(r"\s+", "_", size.strip())
    if fixed.lower().startswith("standard_"):
        fixed = "Standard_" + fixed[len("standard_") :]
    elif re.fullmatch(r"[A-Za-z]+\d[A-Za-z0-9_-]*", fixed):
        fixed = "Standard_" + fixed  # `D8ds_v5`: the size without its tier
    hint = f"; did you mean {fixed!r}?" if _VM_SIZE.fullmatch(fixed) else ""
    return f"is not an Azure VM size: use 'Standard_' and the size, without spaces, e.g. 'Standard_D4ds_v5' ({VM_SIZES_URL}){hint}"


def node_pool_limit_problems(pools: Sequence[NodePoolSettings], cilium: CiliumSettings) -> list[Problem]:
    """Limits Azure enforces only when a pool is created: the VM size's shape, pods per node."""
    key = key_path("cluster", "nodePools")
    mask = pod_block_mask(cilium)
    problems: list[Problem] = []
    for i, pool in enumerate(pools):
        problem = vm_size_problem(pool.vm_size)
        if problem:
            problems.append(Problem(f"{key}[{i}].vmSize", problem, pool.vm_size))
        problems += _max_pods_floor_problems(f"{key}[{i}]", pool)
        if mask is None or not 0 < mask <= 32:
            continue
        pods = pool.max_pods if pool.max_pods is not None else AKS_MAX_PODS
        room = 2 ** (32 - mask) - CILIUM_OWN_ADDRESSES_PER_NODE
        if pods > room:
            room_text = (
                f"Cilium gives each node a /{mask} ({2 ** (32 - mask)} addresses, {CILIUM_OWN_ADDRESSES_PER_NODE} of them"
                f" for Cilium itself), room for {room} pods; set maxPods to at most {room} or lower"
                f" {key_path('cilium', 'values')}.ipam.operator.clusterPoolIPv4MaskSize"
            )
            if pool.max_pods is not None:
                problems.append(Problem(f"{key}[{i}].maxPods", room_text, pool.max_pods))
            else:
                problems.append(Problem(f"{key}[{i}].maxPods", f"unset, so AKS may allow up to {AKS_MAX_PODS}; {room_text}"))
    return problems


def _max_pods_floor_problems(at: str, pool: NodePoolSettings) -> list[Problem]:
    """AKS takes a maxPods below 30 only when the pool still has room for 30 pods at its smallest."""
    if pool.max_pods is None or pool.max_pods >= AKS_MIN_PODS_PER_POOL:
        return []
    smallest = pool.smallest_size
    if pool.max_pods * smallest >= AKS_MIN_PODS_PER_POOL:
        return []
    size_key = "minCount" if pool.autoscaling else "count"
    nodes = math.ceil(AKS_MIN_PODS_PER_POOL / pool.max_pods)
    return [
        Problem(
            f"{at}.maxPods",
            f"with {size_key} = {smallest} the pool has room for {pool.max_pods * smallest} pods, but AKS accepts maxPods below"
            f" {AKS_MIN_PODS_PER_POOL} only when every pool has room for {AKS_MIN_PODS_PER_POOL} ({MAX_PODS_URL}); raise maxPods to at"
            f" least {math.ceil(AKS_MIN_PODS_PER_POOL / smallest) if smallest else AKS_MIN_PODS_PER_POOL}"
            + (f" or {size_key} to at least {nodes}" if smallest else ""),
            pool.max_pods,
        )
    ]
