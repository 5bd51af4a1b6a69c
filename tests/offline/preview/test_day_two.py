"""Day 2: the routine changes of a running stack, each previewed against the state of the plan
before it, as `make plan STACK=… AGAINST=state.json` does (docs/day-2.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import pytest

from tests.harness import PROJECT_DIR, PlanResult, plan, variant
from tests.offline.preview.exports import EXPORTS

AGENT_POOL = "azure-native:containerservice:AgentPool"
APPS_POOL = "aks-cilium-node-pools-apps"
DEV_POOLS = [{"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 2}]
APPS = {"name": "apps", "mode": "User", "vmSize": "Standard_D8ds_v5", "count": 1}


def previewed(tmp_path: Path, stack: str, before: Optional[dict[str, Any]], after: Optional[dict[str, Any]]) -> PlanResult:
    """Plan `stack` with the `before` config changes as the deployed state, then preview `after` against it."""
    old = variant(tmp_path / "old", stack, before) if before else PROJECT_DIR
    deployed = plan(stack, tmp_path / "before", project=old)
    assert deployed.exit_code == 0, deployed.stderr
    new = variant(tmp_path / "new", stack, after) if after else PROJECT_DIR
    return plan(stack, tmp_path / "out", "--against", str(deployed.state), project=new)


def ops_of(result: PlanResult, type_: str) -> list[tuple[str, str]]:
    return sorted((c["urn"].rsplit("::", 1)[-1], c["op"]) for c in result.changes() if c["type"] == type_)


def test_cilium_1_17_to_1_18_updates_each_cidr_group_in_place_through_its_alias(tmp_path):
    result = previewed(tmp_path, "dev", {"aks-cilium:cilium": {"version": "1.17.18"}}, {"aks-cilium:cilium": {"version": "1.18.12"}})
    assert result.exit_code == 0, result.stderr
    assert {c["op"] for c in result.changes()} <= {"same", "update"}, result.changed()
    for group in ("azure-imds", "azure-internal-dns"):
        assert result.changed()[f"aks-cilium-cidr-groups-{group}"] == ("update", ["apiVersion"])
    assert result.changed()["aks-cilium-cilium-release"] == ("update", ["version"])


def test_adding_a_user_pool_creates_one_agent_pool_and_leaves_the_cluster_alone(tmp_path):
    result = previewed(tmp_path, "dev", None, {"aks-cilium:cluster": {"nodePools": [*DEV_POOLS, APPS]}})
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {APPS_POOL: ("create", [])}


def test_removing_a_user_pool_deletes_only_its_agent_pool(tmp_path):
    result = previewed(tmp_path, "dev", {"aks-cilium:cluster": {"nodePools": [*DEV_POOLS, APPS]}}, None)
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {APPS_POOL: ("delete", [])}


def test_removing_a_protected_prod_pool_is_refused_until_it_is_unprotected(tmp_path):
    prod_system_pool = {"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "minCount": 3, "maxCount": 5, "zones": ["1", "2", "3"], "maxSurge": "1"}
    result = previewed(tmp_path, "prod", None, {"aks-cilium:cluster": {"nodePools": [prod_system_pool]}})
    assert result.exit_code == 1
    assert result.changed() == {APPS_POOL: ("delete", [])}
    assert f"{AGENT_POOL} {APPS_POOL}: would be deleted" in result.stderr and "protected" in result.stderr


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vmSize": "Standard_D16ds_v5"}, "vmSize"),
        ({"osSku": "Ubuntu"}, "osSKU"),
        ({"osDiskSizeGb": 256}, "osDiskSizeGB"),
        ({"zones": ["1", "2"]}, "availabilityZones"),
    ],
)
def test_changing_a_fixed_setting_of_a_pool_is_refused_with_the_documented_way(tmp_path, change, field):
    pools = [{**APPS, **change} if p is APPS else p for p in (DEV_POOLS[0], APPS)]
    result = previewed(tmp_path, "dev", {"aks-cilium:cluster": {"nodePools": [*DEV_POOLS, APPS]}}, {"aks-cilium:cluster": {"nodePools": pools}})
    assert result.exit_code == 1
    op, paths = result.changed()[APPS_POOL]
    assert op in ("update", "replace") and any(p.startswith(field) for p in paths), paths
    assert f"{AGENT_POOL} {APPS_POOL}: {field}" in result.stderr
    assert "new name" in result.stderr, result.stderr


def test_a_kubernetes_minor_bump_under_the_patch_channel_is_an_update(tmp_path):
    result = previewed(tmp_path, "dev", {"aks-cilium:cluster": {"kubernetesVersion": "1.33"}}, {"aks-cilium:cluster": {"kubernetesVersion": "1.34"}})
    assert result.exit_code == 0, result.stderr
    op, paths = result.changed()["aks-cilium-cluster-aks"]
    assert op == "update" and "kubernetesVersion" in paths, paths


def test_changing_who_is_admin_touches_only_the_role_assignments(tmp_path):
    admin = {"objectId": "5b8e2f1c-3d4a-4e6f-9a7b-1c2d3e4f5a6b", "principalType": "Group"}
    other = {"objectId": "6c9f3a2d-4e5b-4f70-8b8c-2d3e4f5a6b7c", "principalType": "User"}
    result = previewed(tmp_path, "dev", {"aks-cilium:cluster": {"admins": [admin]}}, {"aks-cilium:cluster": {"admins": [admin, other]}})
    assert result.exit_code == 0, result.stderr
    changed = [c for c in result.changes() if c["op"] != "same"]
    assert [(c["type"], c["op"]) for c in changed] == [("azure-native:authorization:RoleAssignment", "create")]
    assert ops_of(result, "azure-native:containerservice:ManagedCluster") == [("aks-cilium-cluster-aks", "same")]


def test_a_cluster_recreated_outside_pulumi_goes_unnoticed_until_a_refresh(tmp_path):
    # The engine keeps the recorded outputs of a resource whose inputs did not change, so the
    # cluster's new resourceUID is never read: `pulumi up` changes nothing (docs/day-2.md says to
    # refresh; test_real_exports.py previews the refreshed state).
    result = plan("dev", tmp_path / "out", "--against", str(EXPORTS / "dev-deployed.json"))
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {}


def _without_output(state_file: Path, name: str) -> None:
    """The state as a stack deployed before the program recorded output `name` exports it."""
    state = json.loads(state_file.read_text(encoding="utf-8"))
    root = next(r for r in state["deployment"]["resources"] if r["type"] == "pulumi:pulumi:Stack")
    root.get("outputs", {}).pop(name, None)
    state_file.write_text(json.dumps(state), encoding="utf-8")


def test_a_changed_cilium_cluster_id_is_refused_by_the_program_itself(tmp_path):
    result = previewed(tmp_path, "dev", None, {"aks-cilium:cilium": {"cluster": {"id": 7}}})
    assert result.exit_code == 2
    assert "its output ciliumClusterIdentity = 'dev/1/255' records what is deployed" in result.stderr
    assert "Cilium cluster.id '1' -> '7' on a deployed cluster: it is fixed for the cluster's life" in result.stderr


def test_a_changed_cilium_cluster_id_is_refused_by_the_preview_without_the_output(tmp_path):
    deployed = plan("dev", tmp_path / "before")
    assert deployed.exit_code == 0, deployed.stderr
    _without_output(deployed.state, "ciliumClusterIdentity")
    new = variant(tmp_path / "new", "dev", {"aks-cilium:cilium": {"cluster": {"id": 7}}})
    result = plan("dev", tmp_path / "out", "--against", str(deployed.state), project=new)
    assert result.exit_code == 1, result.stderr
    assert result.changed()["aks-cilium-cilium-release"] == ("update", ["values.cluster.id"])
    assert "Cilium cluster.id '1' -> '7' on a deployed cluster: it is fixed for the cluster's life" in result.stderr


def test_setting_the_identity_on_a_stack_deployed_with_the_chart_defaults_is_allowed(tmp_path):
    # A stack deployed before every stack set them runs with Cilium's `default`/0 (docs/fleet.md):
    # its state's release has no `cluster` values.
    deployed = plan("dev", tmp_path / "before")
    assert deployed.exit_code == 0, deployed.stderr
    state = json.loads(deployed.state.read_text(encoding="utf-8"))
    release = next(r for r in state["deployment"]["resources"] if r["type"] == "kubernetes:helm.sh/v3:Release")
    del release["inputs"]["values"]["cluster"]
    deployed.state.write_text(json.dumps(state), encoding="utf-8")
    _without_output(deployed.state, "ciliumClusterIdentity")
    result = plan("dev", tmp_path / "out", "--against", str(deployed.state))
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {"aks-cilium-cilium-release": ("update", ["values.cluster"])}
