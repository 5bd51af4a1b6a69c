"""offline/fleet/invariants.py: rules across the members' plans (peer lists, peerings both ways).

Each rule is tested on a fleet that breaks it and one that does not, so each test fails without it.
"""

from __future__ import annotations

from components.mesh import mesh_clusters
from offline.fleet.invariants import MemberPlan, identical_peer_lists, peerings_both_ways
from settings.mesh.fleet import member_facts
from tests.fleet_data import member_config

SUB = "00000000-0000-0000-0000-000000000000"
A = member_facts("aks-cilium", "mesh-a", member_config("mesh-a", 1))
B = member_facts("aks-cilium", "mesh-b", member_config("mesh-b", 2))


def _plan(facts, clusters=None, remotes=None) -> MemberPlan:
    others = [m for m in (A, B) if m is not facts]
    return MemberPlan(
        facts,
        mesh_clusters([A, B]) if clusters is None else clusters,
        facts.vnet_id(SUB),
        tuple(o.vnet_id(SUB) for o in others) if remotes is None else tuple(remotes),
    )


def test_clean_fleet() -> None:
    plans = [_plan(A), _plan(B)]
    assert identical_peer_lists(plans) == [] and peerings_both_ways(plans) == []


def test_a_member_missing_from_a_peer_list_names_both_stacks() -> None:
    problems = identical_peer_lists([_plan(A), _plan(B, clusters=mesh_clusters([B]))])
    assert [p.path for p in problems] == ["Pulumi.mesh-b.yaml and Pulumi.mesh-a.yaml: Helm values clustermesh.config.clusters"]
    assert "mesh-b's list misses mesh-a (mesh-a at 10.40.255.4)" in problems[0].message


def test_a_stale_address_in_a_peer_list() -> None:
    stale = [{**e, "ips": ["10.40.255.9"]} if e["name"] == "mesh-a" else e for e in mesh_clusters([A, B])]
    problems = identical_peer_lists([_plan(A), _plan(B, clusters=stale)])
    assert "has ['10.40.255.9'], but mesh-a's aks-cilium:mesh.apiServerIp is 10.40.255.4" in problems[0].message


def test_an_unknown_cluster_in_a_peer_list() -> None:
    extra = mesh_clusters([A, B]) + [{"name": "gone", "ips": ["10.9.9.9"], "port": 2379}]
    problems = identical_peer_lists([_plan(A, clusters=extra), _plan(B)])
    assert [str(p) for p in problems] == ["Pulumi.mesh-a.yaml: Helm values clustermesh.config.clusters: lists 'gone', which is no member of the fleet"]


def test_no_mesh_values_at_all_is_a_missing_list() -> None:
    assert len(identical_peer_lists([_plan(A, clusters=[]), _plan(B)])) == 2


def test_peering_missing_on_one_side() -> None:
    problems = peerings_both_ways([_plan(A), _plan(B, remotes=[])])
    assert [p.path for p in problems] == ["Pulumi.mesh-b.yaml and Pulumi.mesh-a.yaml: azure-native:network:VirtualNetworkPeering"]
    assert "mesh-b declares no peering to vnet-aks-cilium-mesh-a" in problems[0].message


def test_peering_ids_compare_case_insensitively() -> None:
    lower = A.vnet_id(SUB).replace("resourceGroups", "resourcegroups").upper()
    assert peerings_both_ways([_plan(A), _plan(B, remotes=[lower])]) == []


def test_peering_to_the_wrong_subscription_when_the_peer_names_one() -> None:
    other = member_facts("aks-cilium", "mesh-a", {**member_config("mesh-a", 1), "azure-native:subscriptionId": "99999999-9999-9999-9999-999999999999"})
    plan_a = MemberPlan(other, mesh_clusters([A, B]), other.vnet_id(SUB), (B.vnet_id(SUB),))
    plan_b = MemberPlan(B, mesh_clusters([A, B]), B.vnet_id(SUB), (A.vnet_id(SUB),))
    problems = peerings_both_ways([plan_a, plan_b])
    assert len(problems) == 1 and "in subscription 99999999-9999-9999-9999-999999999999" in problems[0].message
    plan_b_ok = MemberPlan(B, mesh_clusters([A, B]), B.vnet_id(SUB), (other.vnet_id(SUB),))
    assert peerings_both_ways([plan_a, plan_b_ok]) == []
