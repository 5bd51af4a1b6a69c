"""`aks-cilium:cidrGroups`: the stack's own CiliumCIDRGroups, beside the two built-in ones."""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import Field, field_validator

from settings.common import kubernetes_names
from settings.common.addresses import AnyCidr
from settings.common.base import Section
from settings.common.errors import key_path
from settings.common.problems import Problem
from settings.network import AKS_RESERVED_RANGES, IN_CLUSTER_WHY, NetworkSettings, in_cluster_overlaps

#: The two groups every stack declares; extra groups may not reuse these names.
BUILTIN_CIDR_GROUPS: dict[str, str] = {
    "azure-imds": "169.254.169.254/32",
    "azure-internal-dns": "168.63.129.16/32",
}

#: What breaks when a pod or service range swallows a built-in group's address
#: (https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16).
BUILTIN_ADDRESS_WHY = {
    "azure-internal-dns": "Azure's DNS resolver, DHCP and health probes: pods (CoreDNS forwarding to Azure DNS) could no longer reach it",
}


def check_object_name(name: str) -> str:
    if not kubernetes_names.is_dns1123_subdomain(name):
        raise ValueError(f"is not a valid Kubernetes object name: use {kubernetes_names.SUBDOMAIN_RULE}")
    return name


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    """Every key and value of `metadata.labels`; all problems in one message."""
    problems = []
    for key, value in labels.items():
        key_problem = kubernetes_names.qualified_name_problem(key)
        if key_problem:
            problems.append(f"label {key_problem}")
        if not kubernetes_names.is_label_value(value):
            problems.append(f"label value {value!r} is invalid: use {kubernetes_names.LABEL_VALUE_RULE}")
    if problems:
        raise ValueError("; ".join(problems))
    return labels


class CidrGroupSettings(Section):
    """One entry of `aks-cilium:cidrGroups`."""

    name: str
    """CiliumCIDRGroup name (a DNS-1123 subdomain), unique, not a built-in group's name."""
    cidrs: tuple[AnyCidr, ...]
    """IPv4 or IPv6 CIDRs of the group; at least one."""
    labels: dict[str, str] = Field(default_factory=dict)
    """metadata.labels; Hubble shows each as `cidrgroup:<key>=<value>`."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_object_name(value)

    @field_validator("cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[Any, ...]) -> tuple[Any, ...]:
        if not value:
            raise ValueError("must list at least one CIDR")
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        return check_labels(value)


def cidr_group_problems(groups: tuple[CidrGroupSettings, ...], network: NetworkSettings) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, group in enumerate(groups):
        at = key_path("cidrGroups", i)
        if group.name in BUILTIN_CIDR_GROUPS:
            problems.append(
                Problem(
                    f"{at}.name",
                    f"is a built-in group the stack always declares ({', '.join(BUILTIN_CIDR_GROUPS)}); choose another name",
                    group.name,
                )
            )
        elif group.name in seen:
            problems.append(Problem(f"{at}.name", "CIDR group names must be unique", group.name))
        seen.add(group.name)
        for j, cidr, name, net in in_cluster_overlaps(network, group.cidrs):
            problems.append(Problem(f"{at}.cidrs[{j}]", f"overlaps {name} = '{net}'; {IN_CLUSTER_WHY}", str(cidr)))
    return problems


def builtin_address_problems(network: NetworkSettings) -> list[Problem]:
    """Pod and service ranges must not swallow Azure's platform addresses (the built-in groups)."""
    problems: list[Problem] = []
    for field, cidr in (("podCidr", network.pod_cidr), ("serviceCidr", network.service_cidr)):
        for group, address in BUILTIN_CIDR_GROUPS.items():
            platform = ipaddress.ip_network(address)
            # IMDS lies in 169.254.0.0/16, which network_problems already refuses as AKS-reserved.
            if any(platform.subnet_of(r) for r in AKS_RESERVED_RANGES) or not platform.subnet_of(cidr):
                continue
            why = BUILTIN_ADDRESS_WHY.get(group, f"the address of the built-in CIDR group {group}")
            problems.append(
                Problem(key_path("network", field), f"contains {platform.network_address}, {why}; choose a range without it", str(cidr))
            )
    return problems
