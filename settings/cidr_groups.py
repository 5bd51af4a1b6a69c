"""`aks-cilium:cidrGroups`: the stack's own CiliumCIDRGroups, beside the two built-in ones."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from settings.common import kubernetes_names
from settings.common.addresses import AnyCidr
from settings.common.base import Section
from settings.common.errors import key_path
from settings.network import IN_CLUSTER_WHY, NetworkSettings, in_cluster_overlaps

#: The two groups every stack declares; extra groups may not reuse these names.
BUILTIN_CIDR_GROUPS: dict[str, str] = {
    "azure-imds": "169.254.169.254/32",
    "azure-internal-dns": "168.63.129.16/32",
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


def cidr_group_problems(groups: tuple[CidrGroupSettings, ...], network: NetworkSettings) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for i, group in enumerate(groups):
        at = key_path("cidrGroups", i)
        if group.name in BUILTIN_CIDR_GROUPS:
            problems.append(
                f"{at}.name = '{group.name}': is a built-in group the stack always declares"
                f" ({', '.join(BUILTIN_CIDR_GROUPS)}); choose another name"
            )
        elif group.name in seen:
            problems.append(f"{at}.name = '{group.name}': CIDR group names must be unique")
        seen.add(group.name)
        for j, cidr, name, net in in_cluster_overlaps(network, group.cidrs):
            problems.append(f"{at}.cidrs[{j}] = '{cidr}': overlaps {name} = '{net}'; {IN_CLUSTER_WHY}")
    return problems
