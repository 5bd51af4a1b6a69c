"""offline/preview/provider_moves.py and admin_warnings.py: moves between providers, admins beside Kubernetes changes."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from offline.preview.change_preview import REPLACE, compute_changes
from offline.preview.provider_moves import provider_move
from offline.preview.state_import import DeployedResource
from offline.run import Registration
from tests.harness import PROJECT_DIR, plan, variant

STACK = "urn:pulumi:dev::aks-cilium::"
DEFAULT_AZURE = f"{STACK}pulumi:providers:azure-native::default_3_29_0"
EXPLICIT_AZURE = f"{STACK}aks-cilium:platform:AksCiliumPlatform$pulumi:providers:azure-native::aks-cilium-azure-native"


def registration(urn: str, type_: str, inputs: dict, provider: str = "") -> Registration:
    return Registration(urn, type_, urn.rsplit("::", 1)[1], True, "", [], provider, [], False, inputs)


def deployed(urn: str, type_: str, inputs: dict, provider: str, provider_inputs: dict) -> DeployedResource:
    return DeployedResource(urn, type_, True, inputs, False, provider, provider_inputs)


def test_moving_from_the_default_azure_native_provider_to_an_explicit_one_replaces_nothing() -> None:
    group = f"{STACK}azure-native:resources:ResourceGroup::rg"
    old = deployed(group, "azure-native:resources:ResourceGroup", {"location": "westeurope"}, f"{DEFAULT_AZURE}::1", {"location": "westeurope", "version": "3.29.0"})
    # Even another config: azure-native's DiffConfig never asks for a replace.
    provider = registration(EXPLICIT_AZURE, "pulumi:providers:azure-native", {"location": "northeurope", "environment": "public"})
    new = registration(group, "azure-native:resources:ResourceGroup", {"location": "westeurope"}, f"{EXPLICIT_AZURE}::2")
    assert provider_move(old, new, {EXPLICIT_AZURE: provider}) is None
    assert [(c.op, c.urn) for c in compute_changes([old], [provider, new])] == [("create", EXPLICIT_AZURE), ("same", group)]


def test_moving_to_a_kubernetes_provider_for_another_cluster_replaces_the_object() -> None:
    old_provider, new_provider = f"{STACK}pulumi:providers:kubernetes::old", f"{STACK}pulumi:providers:kubernetes::new"
    group = f"{STACK}kubernetes:cilium.io/v2:CiliumCIDRGroup::corp"
    spec = {"apiVersion": "cilium.io/v2", "kind": "CiliumCIDRGroup", "metadata": {"name": "corp"}}
    old = deployed(group, "kubernetes:cilium.io/v2:CiliumCIDRGroup", spec, f"{old_provider}::1", {"clusterIdentifier": "cluster-a"})
    provider = registration(new_provider, "pulumi:providers:kubernetes", {"clusterIdentifier": "cluster-b"})
    new = registration(group, "kubernetes:cilium.io/v2:CiliumCIDRGroup", spec, f"{new_provider}::2")
    change = provider_move(old, new, {new_provider: provider})
    assert change is not None and (change.op, change.paths) == (REPLACE, ("provider",))
    same_cluster = registration(new_provider, "pulumi:providers:kubernetes", {"clusterIdentifier": "cluster-a"})
    assert provider_move(old, new, {new_provider: same_cluster}) is None


def _as_default_provider_state(state: Path, target: Path) -> Path:
    """The plan's state.json as a stack deployed before the explicit provider: every azure-native
    resource on the default provider, which the engine records with the stack's azure-native config."""
    document = json.loads(state.read_text(encoding="utf-8"))
    resources = document["deployment"]["resources"]
    explicit = next(r for r in resources if r["type"] == "pulumi:providers:azure-native")
    default = {"urn": DEFAULT_AZURE, "custom": True, "type": "pulumi:providers:azure-native", "id": "0", "inputs": {"location": "westeurope", "version": "3.29.0"}}
    for resource in resources:
        if resource.get("provider", "").startswith(explicit["urn"] + "::"):
            resource["provider"] = f"{DEFAULT_AZURE}::0"
    document["deployment"]["resources"] = [default, *(r for r in resources if r is not explicit)]
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


def test_a_preview_against_a_stack_deployed_with_the_default_provider_shows_no_replace(tmp_path: Path, dev_state: Path) -> None:
    against = _as_default_provider_state(dev_state, tmp_path / "default-provider.json")
    result = plan("dev", tmp_path / "out", "--against", str(against))
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {"aks-cilium-azure-native": ("create", [])}
    assert "0 to replace, 0 to delete" in result.stdout


def test_admins_changing_beside_kubernetes_objects_is_warned(tmp_path: Path, prod_state: Path) -> None:
    admin = {"objectId": "5f3c1c1e-1111-4a4a-9999-123456789abc", "principalType": "Group"}
    group = [{"name": "corp", "cidrs": ["198.18.0.0/24"]}]
    prod = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    admins = [*prod["config"]["aks-cilium:cluster"]["admins"], admin]
    both = plan("prod", tmp_path / "both", "--against", str(prod_state),
                project=variant(tmp_path / "p1", "prod", {"aks-cilium:cluster": {"admins": admins}, "aks-cilium:cidrGroups": group}))
    assert both.exit_code == 0, both.stderr
    assert "WARNING: create azure-native:authorization:RoleAssignment" in both.stdout
    assert "takes up to five minutes to propagate" in both.stdout and "change the admins in a run of their own" in both.stdout
    alone = plan("prod", tmp_path / "alone", "--against", str(prod_state), project=variant(tmp_path / "p2", "prod", {"aks-cilium:cluster": {"admins": admins}}))
    objects = plan("prod", tmp_path / "objects", "--against", str(prod_state), project=variant(tmp_path / "p3", "prod", {"aks-cilium:cidrGroups": group}))
    assert "WARNING: create azure-native:authorization:RoleAssignment" not in alone.stdout + objects.stdout
    assert alone.changed() and objects.changed()
