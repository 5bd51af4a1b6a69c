"""Limits Azure and AKS enforce only when a resource is created, checked before anything is declared.

Each problem names the key path, the value and the limit, with the document that sets it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from settings.cidr_groups import BUILTIN_CIDR_GROUPS
from settings.cilium import DEFAULT_CLUSTER_POOL_MASK_SIZE, CiliumSettings
from settings.cluster import ClusterSettings
from settings.common.errors import key_path
from settings.network import AKS_RESERVED_RANGES, NetworkSettings

# Tags: https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
TAGS_URL = "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"
MAX_TAGS = 50
MAX_TAG_NAME_LENGTH = 512
MAX_TAG_VALUE_LENGTH = 256
TAG_NAME_FORBIDDEN = "<>%&\\?/"

# https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges#overview-of-api-server-authorized-ip-ranges
AUTHORIZED_RANGES_URL = "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"
MAX_AUTHORIZED_IP_RANGES = 200

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

# https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16
BUILTIN_ADDRESS_WHY = {
    "azure-internal-dns": "Azure's DNS resolver, DHCP and health probes: pods (CoreDNS forwarding to Azure DNS) could no longer reach it",
}


def tag_problems(tags: Mapping[str, str]) -> list[str]:
    key = key_path("tags")
    problems: list[str] = []
    if len(tags) > MAX_TAGS:
        problems.append(f"{key}: has {len(tags)} tags, but an Azure resource takes at most {MAX_TAGS} ({TAGS_URL})")
    for name, value in tags.items():
        at = f"{key}.{name}"
        bad = sorted({c for c in name if c in TAG_NAME_FORBIDDEN})
        if bad:
            problems.append(f"{at}: tag names may not contain {' '.join(TAG_NAME_FORBIDDEN)}; this one has {' '.join(bad)} ({TAGS_URL})")
        if len(name) > MAX_TAG_NAME_LENGTH:
            problems.append(f"{at}: tag names have at most {MAX_TAG_NAME_LENGTH} characters, this one has {len(name)} ({TAGS_URL})")
        if len(str(value)) > MAX_TAG_VALUE_LENGTH:
            problems.append(f"{at}: tag values have at most {MAX_TAG_VALUE_LENGTH} characters, this one has {len(str(value))} ({TAGS_URL})")
    return problems


def vm_size_problem(size: str) -> str:
    """Why `size` is not shaped like an Azure VM size, or ''."""
    if _VM_SIZE.fullmatch(size):
        return ""
    fixed = re.sub(r"\s+", "_", size.strip())
    if fixed.lower().startswith("standard_"):
        fixed = "Standard_" + fixed[len("standard_") :]
    hint = f"; did you mean {fixed!r}?" if _VM_SIZE.fullmatch(fixed) else ""
    return f"is not an Azure VM size: use 'Standard_' and the size, without spaces, e.g. 'Standard_D4ds_v5' ({VM_SIZES_URL}){hint}"


def node_pool_limit_problems(cluster: ClusterSettings, cilium: CiliumSettings) -> list[str]:
    key = key_path("cluster", "nodePools")
    mask = cilium.flat_values.get("ipam.operator.clusterPoolIPv4MaskSize", DEFAULT_CLUSTER_POOL_MASK_SIZE)
    problems: list[str] = []
    for i, pool in enumerate(cluster.node_pools):
        problem = vm_size_problem(pool.vm_size)
        if problem:
            problems.append(f"{key}[{i}].vmSize = {pool.vm_size!r}: {problem}")
        if not isinstance(mask, int) or isinstance(mask, bool) or not 0 < mask <= 32:
            continue
        pods = pool.max_pods if pool.max_pods is not None else AKS_MAX_PODS
        room = 2 ** (32 - mask) - CILIUM_OWN_ADDRESSES_PER_NODE
        if pods > room:
            shown = f"{key}[{i}].maxPods = {pool.max_pods}" if pool.max_pods is not None else f"{key}[{i}].maxPods (unset: AKS may allow up to {AKS_MAX_PODS})"
            problems.append(
                f"{shown}: Cilium gives each node a /{mask} ({2 ** (32 - mask)} addresses, {CILIUM_OWN_ADDRESSES_PER_NODE} of them"
                f" for Cilium itself), room for {room} pods; set maxPods to at most {room} or lower"
                f" {key_path('cilium', 'values')}.ipam.operator.clusterPoolIPv4MaskSize"
            )
    return problems


def authorized_range_problems(cluster: ClusterSettings) -> list[str]:
    count = len(cluster.authorized_ip_ranges)
    if count <= MAX_AUTHORIZED_IP_RANGES:
        return []
    return [
        f"{key_path('cluster', 'authorizedIpRanges')}: lists {count} ranges, but AKS takes at most"
        f" {MAX_AUTHORIZED_IP_RANGES} ({AUTHORIZED_RANGES_URL}); merge them into larger ranges"
    ]


def builtin_address_problems(network: NetworkSettings) -> list[str]:
    """Pod and service ranges must not swallow Azure's platform addresses (the built-in groups)."""
    problems: list[str] = []
    for field, cidr in (("podCidr", network.pod_cidr), ("serviceCidr", network.service_cidr)):
        for group, address in BUILTIN_CIDR_GROUPS.items():
            platform = ipaddress.ip_network(address)
            # IMDS lies in 169.254.0.0/16, which network_problems already refuses as AKS-reserved.
            if any(platform.subnet_of(r) for r in AKS_RESERVED_RANGES) or not platform.subnet_of(cidr):
                continue
            why = BUILTIN_ADDRESS_WHY.get(group, f"the address of the built-in CIDR group {group}")
            problems.append(
                f"{key_path('network', field)} = '{cidr}': contains {platform.network_address}, {why}; choose a range without it"
            )
    return problems


def azure_limit_problems(network: NetworkSettings, cluster: ClusterSettings, cilium: CiliumSettings, tags: Mapping[str, Any]) -> list[str]:
    return (
        tag_problems(tags)
        + authorized_range_problems(cluster)
        + node_pool_limit_problems(cluster, cilium)
        + builtin_address_problems(network)
    )
