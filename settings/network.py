"""`aks-cilium:network`: the VNet, node subnet, pod and service ranges, and their rules."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import Field

from settings.common.addresses import IpNetwork, Ipv4Address, Ipv4Cidr, overlapping_pairs, overlaps_with
from settings.common.base import Section
from settings.common.errors import key_path
from settings.common.problems import Problem

VNET_FAQ_URL = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#what-address-ranges-can-i-use-in-my-virtual-networks"
BYO_CNI_URL = "https://learn.microsoft.com/azure/aks/use-byo-cni#prerequisites"


@dataclass(frozen=True)
class ForbiddenRange:
    """A range Azure or AKS refuses in an address space, who says so, and where."""

    cidr: IpNetwork
    what: str
    who: str
    url: str


def _ranges(who: str, url: str, *named: tuple[str, str]) -> tuple[ForbiddenRange, ...]:
    return tuple(ForbiddenRange(ipaddress.ip_network(cidr), what, who, url) for cidr, what in named)


#: "AKS clusters can't use 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16, or 192.0.2.0/24 for the
#: address range for the Kubernetes service, pods, or cluster virtual network" (MicrosoftDocs
#: azure-aks-docs `articles/aks/use-byo-cni.md`, prerequisites).
AKS_FORBIDDEN = _ranges(
    "AKS", BYO_CNI_URL, ("169.254.0.0/16", "link-local"), ("172.30.0.0/16", ""), ("172.31.0.0/16", ""), ("192.0.2.0/24", ""),
)
#: No VNet address space may contain these (Azure VNet FAQ, "What address ranges can I use in my
#: virtual networks?"). 169.254.0.0/16 is in both lists and reported once, as AKS's.
VNET_FORBIDDEN = _ranges(
    "Azure", VNET_FAQ_URL, ("224.0.0.0/4", "multicast"), ("255.255.255.255/32", "broadcast"), ("127.0.0.0/8", "loopback"),
    ("168.63.129.16/32", "Azure's internal DNS"),
)
#: Pod and service ranges get both lists but Azure's DNS address: settings/cidr_groups.py refuses a
#: pod or service range holding 168.63.129.16 with its own reason (pods could not reach Azure DNS).
#: CIDR groups get none of them: naming 169.254.169.254 and 168.63.129.16 is their point.
FORBIDDEN_RANGES = {
    "vnetCidr": AKS_FORBIDDEN + VNET_FORBIDDEN,
    "nodeSubnetCidr": AKS_FORBIDDEN + VNET_FORBIDDEN,
    "podCidr": AKS_FORBIDDEN + VNET_FORBIDDEN[:-1],
    "serviceCidr": AKS_FORBIDDEN + VNET_FORBIDDEN[:-1],
}
AKS_RESERVED_RANGES = tuple(r.cidr for r in AKS_FORBIDDEN)

IN_CLUSTER_WHY = "in-cluster addresses are identified by workload labels, so a CIDR group there would never match"


class NetworkSettings(Section):
    """`aks-cilium:network`: all addressing is required, because it must fit the company's IP plan."""

    vnet_cidr: Ipv4Cidr = Field(examples=["10.10.0.0/16"])
    """Address space of the VNet the stack creates."""
    node_subnet_cidr: Ipv4Cidr = Field(examples=["10.10.0.0/22"])
    """Subnet for node NICs; must lie in `vnetCidr` and hold every node plus surge."""
    pod_cidr: Ipv4Cidr = Field(examples=["10.244.0.0/16"])
    """Pod range: given to AKS (`networkProfile.podCidr`) and to Cilium cluster-pool IPAM."""
    service_cidr: Ipv4Cidr = Field(examples=["10.0.0.0/16"])
    """Kubernetes service range (`networkProfile.serviceCidr`)."""
    dns_service_ip: Ipv4Address = Field(examples=["10.0.0.10"])
    """ClusterIP of CoreDNS; inside `serviceCidr`, not its first two addresses."""


def in_cluster_overlaps(net: NetworkSettings, cidrs: Iterable[IpNetwork]) -> Iterator[tuple[int, IpNetwork, str, IpNetwork]]:
    """(index, CIDR, key, range) for each CIDR that overlaps the pod or service range."""
    internal = [(key_path("network", "podCidr"), net.pod_cidr), (key_path("network", "serviceCidr"), net.service_cidr)]
    return overlaps_with(cidrs, internal)


def network_problems(net: NetworkSettings) -> list[Problem]:
    key = key_path("network")
    problems: list[Problem] = []
    if not net.node_subnet_cidr.subnet_of(net.vnet_cidr):
        problems.append(Problem(f"{key}.nodeSubnetCidr", f"must lie inside {key}.vnetCidr = '{net.vnet_cidr}'", str(net.node_subnet_cidr)))
    ranges = [(f"{key}.podCidr", net.pod_cidr), (f"{key}.serviceCidr", net.service_cidr), (f"{key}.vnetCidr", net.vnet_cidr)]
    for name_a, net_a, name_b, net_b in overlapping_pairs(ranges):
        problems.append(
            Problem(
                name_a,
                f"overlaps {name_b} = '{net_b}': pod, service and VNet ranges must be disjoint, or traffic is routed to the wrong place",
                str(net_a),
            )
        )
    problems += forbidden_range_problems(net)
    if net.service_cidr.prefixlen < 12:
        problems.append(Problem(f"{key}.serviceCidr", "too large; Kubernetes allows at most a /12 service range", str(net.service_cidr)))
    return problems + _dns_service_ip_problems(net)


def forbidden_range_problems(net: NetworkSettings) -> list[Problem]:
    """Each of the four ranges against what Azure and AKS refuse in it (`FORBIDDEN_RANGES`)."""
    key = key_path("network")
    values = {"vnetCidr": net.vnet_cidr, "nodeSubnetCidr": net.node_subnet_cidr, "podCidr": net.pod_cidr, "serviceCidr": net.service_cidr}
    problems: list[Problem] = []
    for field, cidr in values.items():
        for forbidden in FORBIDDEN_RANGES[field]:
            if cidr.overlaps(forbidden.cidr):
                problems.append(
                    Problem(
                        f"{key}.{field}",
                        f"overlaps {forbidden.cidr}, which {forbidden.who} reserves{f' ({forbidden.what})' if forbidden.what else ''};"
                        f" {forbidden.who} refuses it in"
                        f" {_SCOPE[forbidden.who]} ({forbidden.url})",
                        str(cidr),
                    )
                )
    return problems


_SCOPE = {
    "AKS": "the VNet, node subnet, pod and service ranges",
    "Azure": "any VNet address space",
}


def _dns_service_ip_problems(net: NetworkSettings) -> list[Problem]:
    key = key_path("network")
    dns, services = net.dns_service_ip, net.service_cidr
    at = f"{key}.dnsServiceIp"
    example = f"use e.g. {services[10]}" if services.num_addresses > 10 else "use a larger service range"
    if dns not in services:
        return [Problem(at, f"must lie inside {key}.serviceCidr = '{services}'", str(dns))]
    if dns == services.network_address:
        return [Problem(at, f"is the network address of {key}.serviceCidr; {example}", str(dns))]
    if dns == services[1]:
        return [Problem(at, f"is the first address of {key}.serviceCidr, which Kubernetes gives the API server service; {example}", str(dns))]
    if dns == services.broadcast_address:
        return [Problem(at, f"is the last address of {key}.serviceCidr; {example}", str(dns))]
    return []
