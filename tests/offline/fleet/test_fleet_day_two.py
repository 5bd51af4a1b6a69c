"""Day 2 of a fleet: a member previewed against its deployed state after another member joins
(or leaves) shows only the peer entry and the peering, as `make plan STACK=… AGAINST=…` does."""

from __future__ import annotations

from pathlib import Path

from offline.run.stack_files.stack_config import copy_program
from offline.run.stack_files.yaml_io import dump, load
from tests.harness import PROJECT_DIR, plan

RELEASE = "aks-cilium-cilium-release"
THIRD = {
    "azure-native:location": "swedencentral",
    "aks-cilium:network": {"vnetCidr": "10.50.0.0/16", "nodeSubnetCidr": "10.50.0.0/22", "podCidr": "10.151.0.0/16", "serviceCidr": "10.4.0.0/16", "dnsServiceIp": "10.4.0.10"},
    "aks-cilium:cilium": {"version": "1.20.0", "cluster": {"name": "mesh-sec", "id": 13}},
}


def fleet_program(where: Path, members: list[str]) -> Path:
    """The program with the example fleet's stack files, every member listing `members`; `mesh-sec` joins when listed."""
    project = copy_program(PROJECT_DIR, where)
    for stack in ("mesh-weu", "mesh-neu"):
        document = load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
        document["config"]["aks-cilium:mesh"]["members"] = members
        (project / f"Pulumi.{stack}.yaml").write_text(dump(document, sort_keys=True), encoding="utf-8")
    if "mesh-sec" in members:
        document = load((PROJECT_DIR / "Pulumi.mesh-weu.yaml").read_text(encoding="utf-8"))
        config = document["config"]
        config.update(THIRD)
        config["aks-cilium:mesh"].update({"apiServerIp": "10.50.255.4", "ilbSubnetCidr": "10.50.255.0/28", "members": members})
        (project / "Pulumi.mesh-sec.yaml").write_text(dump(document, sort_keys=True), encoding="utf-8")
    return project


def _preview(tmp_path: Path, before: list[str], after: list[str]):
    deployed = plan("mesh-weu", tmp_path / "before", project=fleet_program(tmp_path / "old", before))
    assert deployed.exit_code == 0, deployed.stderr
    return plan("mesh-weu", tmp_path / "out", "--against", str(deployed.state), project=fleet_program(tmp_path / "new", after))


def test_a_joining_member_adds_one_peer_entry_and_one_peering(tmp_path: Path) -> None:
    result = _preview(tmp_path, ["mesh-neu", "mesh-weu"], ["mesh-neu", "mesh-sec", "mesh-weu"])
    assert result.exit_code == 0, result.stderr
    changed = result.changed()
    assert set(changed) == {RELEASE, "aks-cilium-mesh-to-mesh-sec"}, changed
    assert changed["aks-cilium-mesh-to-mesh-sec"] == ("create", [])
    op, paths = changed[RELEASE]
    # The list is in name order: mesh-sec takes index 1 and mesh-weu moves to index 2.
    assert op == "update" and paths and all(p.startswith("values.clustermesh.config.clusters[") for p in paths), paths


def test_a_leaving_member_removes_its_peer_entry_and_peering(tmp_path: Path) -> None:
    result = _preview(tmp_path, ["mesh-neu", "mesh-sec", "mesh-weu"], ["mesh-neu", "mesh-weu"])
    assert result.exit_code == 0, result.stderr
    changed = result.changed()
    assert set(changed) == {RELEASE, "aks-cilium-mesh-to-mesh-sec"}, changed
    assert changed["aks-cilium-mesh-to-mesh-sec"] == ("delete", [])
    op, paths = changed[RELEASE]
    assert op == "update" and all(p.startswith("values.clustermesh.config.clusters[") for p in paths), paths
