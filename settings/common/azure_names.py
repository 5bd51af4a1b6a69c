"""Every Azure name the stack derives, in one place, each checked against its resource type's rules.

The cluster name is `aks-cilium:clusterName`, or `<project>-<stack>`; the resource group, VNet,
identity, DNS prefix and node resource group derive from it. A name Azure would refuse is caught
here, before any resource is declared, instead of halfway through the first `pulumi up`.
Rules: Microsoft Learn, "Naming rules and restrictions for Azure resources",
https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Optional

from settings.common.errors import key_path
from settings.common.problems import UNSET, Problem

NAMING_RULES_URL = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"


@dataclass(frozen=True)
class NameRule:
    kind: str
    """What the name names, as users read it ("VNet")."""
    min_length: int
    max_length: int
    pattern: str
    """The whole name, as a regular expression over its characters and ends."""
    described: str
    """The characters and ends the pattern allows, in words."""


_ALNUM = "A-Za-z0-9"
# Resource groups: alphanumerics, underscores, parentheses, hyphens and periods; not ending in a
# period. Azure accepts Unicode letters too; derived names only ever use ASCII.
_RG = NameRule("resource group", 1, 90, r"[\w().-]*[\w()-]", "letters, digits, '_', '(', ')', '-' and '.', not ending in '.'")

RULES = {
    "resource_group": _RG,
    "vnet": NameRule("VNet", 2, 64, rf"[{_ALNUM}][\w.-]*\w", "letters, digits, '_', '-' and '.', starting with a letter or digit and ending with a letter, digit or '_'"),
    "subnet": NameRule("subnet", 1, 80, rf"[{_ALNUM}]([\w.-]*\w)?", "letters, digits, '_', '-' and '.', starting with a letter or digit and ending with a letter, digit or '_'"),
    "identity": NameRule("user-assigned identity", 3, 128, rf"[{_ALNUM}][\w-]*", "letters, digits, '-' and '_', starting with a letter or digit"),
    "cluster": NameRule("AKS cluster", 1, 63, rf"[{_ALNUM}]([\w-]*[{_ALNUM}])?", "letters, digits, '_' and '-', starting and ending with a letter or digit"),
    "dns_prefix": NameRule("AKS DNS prefix", 1, 54, rf"[{_ALNUM}]([{_ALNUM}-]*[{_ALNUM}])?", "letters, digits and '-', starting and ending with a letter or digit"),
    # AKS refuses a `nodeResourceGroup` over 80 characters, stricter than a resource group's 90;
    # the naming-rules page does not list it (node resource group: https://learn.microsoft.com/azure/aks/faq).
    "node_resource_group": NameRule("node resource group", 1, 80, _RG.pattern, _RG.described),
}

SUBNET_NAME = "snet-nodes"

#: The longest cluster name whose derived names all fit: `vnet-<cluster>` may have 64 characters.
MAX_CLUSTER_NAME = RULES["vnet"].max_length - len("vnet-")


@dataclass(frozen=True)
class AzureNames:
    """The Azure name of every resource the stack creates; the same config always gives the same names."""

    cluster: str
    resource_group: str
    vnet: str
    subnet: str
    identity: str
    dns_prefix: str
    node_resource_group: str
    cluster_from_config: bool
    """True when `aks-cilium:clusterName` set the cluster name; False when it was derived."""


def name_problem(field: str, name: str) -> Optional[str]:
    """Why `name` is not a valid name of `RULES[field]`'s kind, or None."""
    rule = RULES[field]
    if not rule.min_length <= len(name) <= rule.max_length:
        return f"{rule.kind} names have {rule.min_length}-{rule.max_length} characters, this one has {len(name)}"
    if not re.fullmatch(rule.pattern, name, flags=re.ASCII):
        return f"{rule.kind} names allow only {rule.described}"
    return None


def dns_prefix_for(cluster: str) -> str:
    """The cluster name as a DNS prefix: '_' is not allowed there, at most 54 characters, no '-' at the end."""
    return cluster.replace("_", "-")[: RULES["dns_prefix"].max_length].rstrip("-")


def default_cluster_name(project: str, stack: str) -> str:
    """`<project>-<stack>` when that is a valid name for every derived resource; else a valid variant.

    Pulumi stack names may contain '.' and run to 100 characters; AKS cluster names may not. The
    variant replaces other characters with '-', shortens the name, and ends it with 6 hex digits of
    the SHA-256 of `<project>-<stack>`, so two stacks that differ only there get different names
    and the same stack always gets the same one.
    """
    base = f"{project}-{stack}"
    if len(base) <= MAX_CLUSTER_NAME and name_problem("cluster", base) is None:
        return base
    suffix = hashlib.sha256(base.encode("utf-8")).hexdigest()[:6]
    head = re.sub(r"[^A-Za-z0-9_-]+", "-", base)
    head = re.sub(r"-{2,}", "-", head)[: MAX_CLUSTER_NAME - len(suffix) - 1].strip("-_")
    return f"{head}-{suffix}" if head else f"aks-{suffix}"


def azure_names(project: str, stack: str, cluster_name: Optional[str]) -> AzureNames:
    cluster = cluster_name if cluster_name is not None else default_cluster_name(project, stack)
    return AzureNames(
        cluster=cluster,
        resource_group=f"rg-{cluster}",
        vnet=f"vnet-{cluster}",
        subnet=SUBNET_NAME,
        identity=f"id-{cluster}",
        dns_prefix=dns_prefix_for(cluster),
        node_resource_group=f"rg-{cluster}-nodes",
        cluster_from_config=cluster_name is not None,
    )


def azure_name_problems(names: AzureNames) -> list[Problem]:
    """Each derived name Azure would refuse, naming the key that changes it."""
    key = key_path("clusterName")
    problems = []
    for field in RULES:
        name = getattr(names, field)
        problem = name_problem(field, name)
        if problem is not None:
            what = "is not a valid cluster name" if field == "cluster" else f"gives the {RULES[field].kind} name '{name}'"
            if not names.cluster_from_config:
                what = f"unset, so the default cluster name '{names.cluster}' {what}"
            problems.append(
                Problem(
                    key,
                    f"{what}, but {problem} ({NAMING_RULES_URL})",
                    names.cluster if names.cluster_from_config else UNSET,
                    hint=f"set {key} to a name of at most {MAX_CLUSTER_NAME} letters, digits, '-' and '_',"
                    " starting and ending with a letter or digit",
                )
            )
    return problems
