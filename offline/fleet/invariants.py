"""Rules across the plans of a fleet's members: what the programs declared, not only what the files say.

The rules on the members' stack files (unique identities, disjoint ranges, one CA, ...) are
`settings.mesh.fleet`, which `pulumi up` of each member also runs. These need every member's plan:
- every member's Cilium release carries the same, complete `clustermesh.config.clusters`
  (each agent skips its own entry; cilium `Documentation/network/clustermesh/clustermesh.rst`);
- every member peers its VNet with every other member's: a peering is one link of one VNet, and
  traffic flows only once both sides exist (Microsoft Learn, "Virtual network peering",
  https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from settings.common.errors import key_path
from settings.common.problems import Problem
from settings.mesh.fleet import MemberFacts

PEERING_TYPE = "azure-native:network:VirtualNetworkPeering"
VNET_TYPE = "azure-native:network:VirtualNetwork"


@dataclass(frozen=True)
class MemberPlan:
    """What one member's plan declared that the fleet compares."""

    facts: MemberFacts
    clusters: Optional[list[dict[str, Any]]]
    """`clustermesh.config.clusters` of its Cilium release; None when it sets none."""
    vnet_id: str
    """The ARM id its plan gives its own VNet."""
    peering_remotes: tuple[str, ...]
    """`remoteVirtualNetwork.id` of each VNet peering it declares."""


def _vnet_path(vnet_id: str) -> str:
    """`resourcegroups/<rg>/providers/.../<vnet>`, lower-case: ARM ids are case-insensitive and
    state holds both `resourceGroups` and `resourcegroups` (pulumi/pulumi-azure-native#2152)."""
    return vnet_id.lower().split("/resourcegroups/", 1)[-1]


def _subscription(vnet_id: str) -> str:
    parts = vnet_id.lower().split("/")
    return parts[2] if len(parts) > 2 and parts[1] == "subscriptions" else ""


def identical_peer_lists(plans: Sequence[MemberPlan]) -> list[Problem]:
    """Each member's clusters list names every member at its mesh API address, and all lists are equal."""
    expected = {m.facts.identity.name: str(m.facts.mesh.api_server_ip) for m in plans if m.facts.mesh is not None}
    problems = []
    key = "Helm values clustermesh.config.clusters"
    for plan in plans:
        listed = {str(e.get("name")): [str(ip) for ip in e.get("ips") or []] for e in plan.clusters or []}
        missing = sorted(set(expected) - set(listed))
        extra = sorted(set(listed) - set(expected))
        wrong = sorted(n for n in set(expected) & set(listed) if listed[n] != [expected[n]])
        for name in missing:
            owner = next(p.facts for p in plans if p.facts.identity.name == name)
            problems.append(Problem(f"{plan.facts.stack_file} and {owner.stack_file}: {key}", f"{plan.facts.stack}'s list misses {owner.stack} ({name} at {expected[name]})"))
        for name in extra:
            problems.append(Problem(f"{plan.facts.stack_file}: {key}", f"lists {name!r}, which is no member of the fleet"))
        for name in wrong:
            owner = next(p.facts for p in plans if p.facts.identity.name == name)
            problems.append(
                Problem(f"{plan.facts.stack_file} and {owner.stack_file}: {key}", f"{plan.facts.stack}'s entry for {name} has {listed[name]}, but {owner.stack}'s {key_path('mesh', 'apiServerIp')} is {expected[name]}")
            )
    return problems


def peerings_both_ways(plans: Sequence[MemberPlan]) -> list[Problem]:
    """For every ordered pair (a, b), a declares a peering whose remote VNet is b's."""
    problems = []
    for a in plans:
        remotes = [(_subscription(r), _vnet_path(r)) for r in a.peering_remotes]
        for b in plans:
            if a is b:
                continue
            wanted_path = _vnet_path(b.vnet_id)
            found = [sub for sub, path in remotes if path == wanted_path]
            wanted_sub = (b.facts.subscription_id or "").lower()
            if not found or (wanted_sub and wanted_sub not in found):
                where = f" in subscription {b.facts.subscription_id}" if wanted_sub else ""
                problems.append(
                    Problem(
                        f"{a.facts.stack_file} and {b.facts.stack_file}: {PEERING_TYPE}",
                        f"{a.facts.stack} declares no peering to {b.facts.vnet}{where} ({b.facts.stack}'s VNet); each member peers with every other member, on both sides",
                    )
                )
    return problems


def plan_problems(plans: Sequence[MemberPlan]) -> list[Problem]:
    return identical_peer_lists(plans) + peerings_both_ways(plans)
