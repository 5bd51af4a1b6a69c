"""Moves between providers (offline/preview/export_answers.py, `providerChanged`) and admins beside Kubernetes changes (admin_warnings.py)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from offline.preview.state.export_file import ExportedResource
from offline.run import Registration
from tests.harness import PROJECT_DIR, plan, variant
from tests.offline.preview.changes import compute

STACK = "urn:pulumi:dev::aks-cilium::"
DEFAULT_AZURE = f"{STACK}pulumi:providers:azure-native::default_3_29_0"
EXPLICIT_AZURE = f"{STACK}aks-cilium:platform:AksCiliumPlatform$pulumi:providers:azure-native::aks-cilium-azure-native"


def registration(urn: str, type_: str, inputs: dict, provider: str = "") -> Registration:
    return Registration(urn, type_, urn.rsplit("::", 1)[1], True, "", [], provider, [], False, inputs)


def provider_state(urn: str, type_: str, inputs: dict, id_: str = "1") -> ExportedResource:
    return ExportedResource(urn, type_, True, id_, inputs)


def deployed(urn: str, type_: str, inputs: dict, provider: str) -> ExportedResource:
    return ExportedResource(urn, type_, True, f"{urn.rsplit('::', 1)[1]}-id", inputs, provider=provider)


def test_moving_from_the_default_azure_native_provider_to_an_explicit_one_replaces_nothing() -> None:
    group = f"{STACK}azure-native:resources:ResourceGroup::rg"
    default = provider_state(DEFAULT_AZURE, "pulumi:providers:azure-native", {"location": "westeurope", "version": "3.29.0"})
    old = deployed(group, "azure-native:resources:ResourceGroup", {"location": "westeurope", "azureApiVersion": "2024-03-01"}, f"{DEFAULT_AZURE}::1")
    # Even another config: azure-native's DiffConfig never asks for a replace.
    provider = registration(EXPLICIT_AZURE, "pulumi:providers:azure-native", {"location": "northeurope", "environment": "public"})
    new = registration(group, "azure-native:resources:ResourceGroup", {"location": "westeurope"}, f"{EXPLICIT_AZURE}::2")
    assert [(c.op, c.urn) for c in compute([default, old], [provider, new])] == [("create", EXPLICIT_AZURE), ("same", group)]


def test_moving_to_a_kubernetes_provider_for_another_cluster_replaces_the_object() -> None:
    old_provider, new_provider = f"{STACK}pulumi:providers:kubernetes::old", f"{STACK}pulumi:providers:kubernetes::new"
    group = f"{STACK}kubernetes:cilium.io/v2:CiliumCIDRGroup::corp"
    spec = {"apiVersion": "cilium.io/v2", "kind": "CiliumCIDRGroup", "metadata": {"name": "corp"}}
    recorded = [provider_state(old_provider, "pulumi:providers:kubernetes", {"clusterIdentifier": "cluster-a"}),
                deployed(group, "kubernetes:cilium.io/v2:CiliumCIDRGroup", spec, f"{old_provider}::1")]
    new = registration(group, "kubernetes:cilium.io/v2:CiliumCIDRGroup", spec, f"{new_provider}::2")
    other = compute(recorded, [registration(new_provider, "pulumi:providers:kubernetes", {"clusterIdentifier": "cluster-b"}), new])
    assert [(c.op, c.paths) for c in other if c.urn == group] == [("replace", ("provider",))]
    same = compute(recorded, [registration(new_provider, "pulumi:providers:kubernetes", {"clusterIdentifier": "cluster-a"}), new])
    assert [c.op for c in same if c.urn == group] == ["same"]


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
