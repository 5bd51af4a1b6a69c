"""settings/mesh/fleet.py: members read from their stack files, and every rule across members.

Each rule is tested on its own (a pair that breaks it, a pair that does not), so each test fails
without its rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from settings.mesh import fleet
from settings.mesh.fleet import MemberFileError, member_facts, read_member, read_member_config
from tests.fleet_data import fake_certificate, member_config


def _facts(stack: str, index: int, config_changes: dict | None = None, **mesh):
    config = member_config(stack, index, **mesh)
    for key, value in (config_changes or {}).items():
        config[key] = value if not isinstance(value, dict) else {**config.get(key, {}), **value}
    return member_facts("aks-cilium", stack, config)


def _pair(a_changes: dict | None = None, b_changes: dict | None = None, a_mesh: dict | None = None, b_mesh: dict | None = None):
    return _facts("mesh-a", 1, a_changes, **(a_mesh or {})), _facts("mesh-b", 2, b_changes, **(b_mesh or {}))


def test_clean_pair_breaks_no_rule() -> None:
    a, b = _pair()
    assert fleet.fleet_problems([a, b]) == []
    assert fleet.member_list_problems([a, b], ["mesh-a", "mesh-b"]) == []


def test_facts_derive_azure_names_and_vnet_id() -> None:
    a = _facts("mesh-a", 1)
    assert (a.azure_cluster, a.resource_group, a.vnet) == ("aks-cilium-mesh-a", "rg-aks-cilium-mesh-a", "vnet-aks-cilium-mesh-a")
    assert a.vnet_id("sub-1") == "/subscriptions/sub-1/resourceGroups/rg-aks-cilium-mesh-a/providers/Microsoft.Network/virtualNetworks/vnet-aks-cilium-mesh-a"
    other = _facts("mesh-a", 1, {"azure-native:subscriptionId": "sub-9", "aks-cilium:clusterName": "weu"})
    assert other.vnet_id("sub-1") == "/subscriptions/sub-9/resourceGroups/rg-weu/providers/Microsoft.Network/virtualNetworks/vnet-weu"


def _keys(problems) -> list[str]:
    return [p.path for p in problems]


def test_unique_cluster_name() -> None:
    a, b = _pair(b_changes={"aks-cilium:cilium": {"version": "1.20.0", "cluster": {"name": "mesh-a", "id": 2}}})
    assert _keys(fleet.unique_identity(a, b)) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: aks-cilium:cilium.cluster.name"]


def test_unique_cluster_id() -> None:
    a, b = _pair(b_changes={"aks-cilium:cilium": {"version": "1.20.0", "cluster": {"name": "mesh-b", "id": 1}}})
    assert _keys(fleet.unique_identity(a, b)) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: aks-cilium:cilium.cluster.id"]


def test_id_within_the_other_members_max_connected_clusters() -> None:
    a, b = _pair(a_mesh={"maxConnectedClusters": 511}, b_changes={"aks-cilium:cilium": {"cluster": {"name": "mesh-b", "id": 300}}}, b_mesh={"maxConnectedClusters": 511})
    assert fleet.id_in_range(a, b) == []
    a255 = _facts("mesh-a", 1)
    problems = fleet.id_in_range(a255, b)
    assert _keys(problems) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: aks-cilium:cilium.cluster.id of mesh-b"]
    assert "maxConnectedClusters = 255" in problems[0].message


def test_one_max_connected_clusters() -> None:
    a, b = _pair(b_mesh={"maxConnectedClusters": 511})
    assert _keys(fleet.same_mesh_settings(a, b)) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: aks-cilium:mesh.maxConnectedClusters"]


def test_one_fleet_name() -> None:
    a, b = _pair(b_mesh={"fleet": "other"})
    assert _keys(fleet.same_mesh_settings(a, b)) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: aks-cilium:mesh.fleet"]


def test_one_ca() -> None:
    a, b = _pair(b_mesh={"caCert": fake_certificate(b"another CA")})
    assert _keys(fleet.same_mesh_settings(a, b)) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: aks-cilium:mesh.caCert"]


@pytest.mark.parametrize(
    ("field", "value", "overlapped"),
    [("vnetCidr", "10.40.0.0/15", "aks-cilium:network.vnetCidr of mesh-a"), ("podCidr", "10.140.128.0/17", "aks-cilium:network.podCidr of mesh-a"), ("serviceCidr", "172.17.0.0/16", "aks-cilium:network.serviceCidr of mesh-a")],
)
def test_disjoint_ranges(field: str, value: str, overlapped: str) -> None:
    network = dict(member_config("mesh-b", 2)["aks-cilium:network"])
    network[field] = value
    if field == "serviceCidr":
        network["dnsServiceIp"] = "172.17.0.10"
    if field == "vnetCidr":
        network["nodeSubnetCidr"] = "10.41.0.0/22"
    a, b = _pair(b_changes={"aks-cilium:network": network}, b_mesh={"apiServerIp": "10.41.0.4", "ilbSubnetCidr": None} if field == "vnetCidr" else {})
    problems = fleet.disjoint_ranges(a, b)
    assert problems and all(p.path.startswith("Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: ") for p in problems)
    assert any(overlapped in p.path and f"aks-cilium:network.{field} of mesh-b" in p.path for p in problems)


def test_mesh_ip_not_in_another_members_ranges() -> None:
    a, b = _pair(a_mesh={"apiServerIp": "10.150.0.4"})  # b's pod range
    problems = fleet.mesh_ip_outside_peer(a, b)
    assert _keys(problems) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: aks-cilium:mesh.apiServerIp of mesh-a"]
    assert "aks-cilium:network.podCidr = '10.150.0.0/16' of mesh-b" in problems[0].message
    assert fleet.mesh_ip_outside_peer(b, a) == []


@pytest.mark.parametrize(("other", "ok"), [("1.19.6", True), ("1.20.3", True), ("1.18.12", False), ("2.20.0", False)])
def test_versions_at_most_one_minor_apart(other: str, ok: bool) -> None:
    a, b = _pair(b_changes={"aks-cilium:cilium": {"version": other}})
    problems = fleet.versions_close(a, b)
    assert (problems == []) is ok
    if not ok:
        assert _keys(problems) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: aks-cilium:cilium.version"]


def test_subscription_named_by_all_or_none() -> None:
    a, b = _pair(b_changes={"azure-native:subscriptionId": "99999999-9999-9999-9999-999999999999"})
    assert _keys(fleet.same_subscription_rule(a, b)) == ["Pulumi.mesh-a.yaml and Pulumi.mesh-b.yaml: azure-native:subscriptionId"]


def test_identical_complete_member_lists() -> None:
    a, b = _pair(b_mesh={"members": ["mesh-b", "mesh-c"]})
    problems = fleet.member_list_problems([a, b], ["mesh-a", "mesh-b"])
    assert _keys(problems) == ["Pulumi.mesh-b.yaml: aks-cilium:mesh.members"]
    assert "misses mesh-a" in problems[0].message and "lists mesh-c, not in fleet" in problems[0].message


def test_focus_checks_only_the_pairs_of_one_member() -> None:
    a, b = _pair()
    c = _facts("mesh-c", 3, {"aks-cilium:cilium": {"cluster": {"name": "mesh-b", "id": 3}}})
    assert len(fleet.fleet_problems([a, b, c])) == 1
    assert fleet.fleet_problems([a, b, c], focus="mesh-a") == []


# --- reading members' stack files ---------------------------------------------------------


def _write(tmp_path: Path, stack: str, config: dict) -> None:
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}), encoding="utf-8")


def test_reads_only_member_keys_and_never_secure_values_elsewhere(tmp_path: Path) -> None:
    config = member_config("mesh-b", 2)
    config["aks-cilium:meshCaKey"] = {"secure": "v1:abcdef"}
    config["aks-cilium:tags"] = {"team": "x"}
    _write(tmp_path, "mesh-b", config)
    read = read_member_config(tmp_path, "aks-cilium", "mesh-b")
    assert set(read) == {"azure-native:location", "aks-cilium:network", "aks-cilium:cilium", "aks-cilium:mesh"}
    assert read_member(tmp_path, "aks-cilium", "mesh-b").identity.id == 2


def test_secure_member_fact_is_a_clear_error(tmp_path: Path) -> None:
    config = member_config("mesh-b", 2)
    config["aks-cilium:mesh"]["apiServerIp"] = {"secure": "v1:abcdef"}
    _write(tmp_path, "mesh-b", config)
    with pytest.raises(MemberFileError) as caught:
        read_member_config(tmp_path, "aks-cilium", "mesh-b")
    assert str(caught.value.problems[0]).startswith("Pulumi.mesh-b.yaml: aks-cilium:mesh: holds an encrypted")


def test_missing_and_broken_member_files(tmp_path: Path) -> None:
    with pytest.raises(MemberFileError, match="Pulumi.mesh-x.yaml: does not exist beside Pulumi.yaml"):
        read_member_config(tmp_path, "aks-cilium", "mesh-x")
    (tmp_path / "Pulumi.mesh-y.yaml").write_text("config: [unclosed", encoding="utf-8")
    with pytest.raises(MemberFileError, match="Pulumi.mesh-y.yaml: cannot be read as a stack file"):
        read_member_config(tmp_path, "aks-cilium", "mesh-y")


def test_invalid_member_facts_name_file_and_key(tmp_path: Path) -> None:
    config = member_config("mesh-b", 2)
    config["aks-cilium:network"]["podCidr"] = "10.250.0.1/16"
    config["aks-cilium:cilium"]["cluster"]["name"] = "Mesh_B"
    _write(tmp_path, "mesh-b", config)
    with pytest.raises(MemberFileError) as caught:
        read_member(tmp_path, "aks-cilium", "mesh-b")
    shown = [str(p) for p in caught.value.problems]
    assert any(s.startswith("Pulumi.mesh-b.yaml: aks-cilium:network.podCidr: has host bits set") for s in shown)
    assert any(s.startswith("Pulumi.mesh-b.yaml: aks-cilium:cilium.cluster.name: must be at most 32") for s in shown)
