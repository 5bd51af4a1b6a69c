"""The providers' own diff rules: azure-native, pulumi-kubernetes objects, Helm releases, the Kubernetes provider."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pulumi.runtime import rpc

from offline.preview.provider_diff import ProviderDiff, diff, kubernetes_provider_diff
from tests.fixtures.exports.export_shapes import SIG
from tests.offline.preview.exports import entry, export_document

DEV = export_document("dev-deployed.json")
CLUSTER = "azure-native:containerservice:ManagedCluster"
ROLE = "azure-native:authorization:RoleAssignment"
KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- cluster: {{server: "https://{host}:443"}}
  name: c
contexts:
- context: {{cluster: c, user: u}}
  name: c
current-context: c
users: []
"""


def recorded(name: str) -> dict[str, Any]:
    return copy.deepcopy(entry(DEV, name))


def changed_cluster(**changes: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    old = recorded("aks-cilium-cluster-aks")
    new = copy.deepcopy(old["inputs"])
    for path, value in changes.items():
        target = new
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return old, new


def test_the_recorded_inputs_against_themselves_are_no_change() -> None:
    for resource in DEV["deployment"]["resources"]:
        if resource.get("custom") and "inputs" in resource:  # the builtin provider records none
            found = diff(resource["type"], resource["inputs"], copy.deepcopy(resource["inputs"]), resource.get("outputs"))
            assert (found.changed, found.replace, found.refused) == ((), (), ())
            assert found.secret_paths == (("kubeconfig",) if resource["type"] == "pulumi:providers:kubernetes" else ())


def test_arm_ids_resource_group_names_and_locations_compare_as_azure_does() -> None:
    old, new = changed_cluster()
    new["agentPoolProfiles"][0]["vnetSubnetID"] = new["agentPoolProfiles"][0]["vnetSubnetID"].replace("resourceGroups", "resourcegroups")
    new["resourceGroupName"], new["location"] = "RG-AKS-CILIUM-DEV", "West Europe"
    assert diff(CLUSTER, old["inputs"], new, old["outputs"]) == ProviderDiff()


def test_the_aks_sku_takes_base_for_basic_and_standard_for_paid() -> None:
    old, new = changed_cluster(sku={"name": "Basic", "tier": "Free"})
    assert diff(CLUSTER, old["inputs"], new).changed == ()
    old, new = changed_cluster(sku={"name": "Base", "tier": "Standard"})
    assert diff(CLUSTER, old["inputs"], new).changed == ("sku.tier",)


def test_an_added_input_with_its_schema_default_is_no_change() -> None:
    vnet = recorded("aks-cilium-network-vnet")
    old = {k: v for k, v in vnet["inputs"].items() if k != "enableDdosProtection"}
    assert diff(vnet["type"], old, vnet["inputs"]) == ProviderDiff()
    assert diff(vnet["type"], old, {**vnet["inputs"], "enableDdosProtection": True}).changed == ("enableDdosProtection",)


@pytest.mark.parametrize(
    ("change", "op"),
    [
        ({"networkProfile__podCidr": "10.250.0.0/16"}, ("networkProfile.podCidr",)),
        ({"dnsPrefix": "other"}, ("dnsPrefix",)),
        ({"networkProfile__loadBalancerSku": "basic"}, ()),
        ({"tags__environment": "staging"}, ()),
        ({"kubernetesVersion": "1.34"}, ()),
    ],
)
def test_the_cluster_replaces_on_force_new_fields_only(change: dict[str, Any], op: tuple[str, ...]) -> None:
    old, new = changed_cluster(**change)
    found = diff(CLUSTER, old["inputs"], new, old["outputs"])
    assert found.changed and found.replace == op


def test_an_added_force_new_input_equal_to_the_old_output_is_no_replace() -> None:
    # pulumi-azure-native calculateChangesAndReplacements (pulumi-azure-nextgen#238).
    old, new = changed_cluster()
    del old["inputs"]["nodeResourceGroup"]
    old["outputs"]["nodeResourceGroup"] = new["nodeResourceGroup"]
    found = diff(CLUSTER, old["inputs"], new, old["outputs"])
    assert found.changed == ("nodeResourceGroup",) and found.replace == ()


def test_a_role_assignment_replaces_on_principal_and_scope_and_refuses_a_role_change_in_place() -> None:
    role = recorded("aks-cilium-cluster-subnet-network-contributor")
    for key in ("principalId", "scope", "roleAssignmentName"):
        assert diff(ROLE, role["inputs"], {**role["inputs"], key: "x"}).replace == (key,)
    new_role = {**role["inputs"], "roleDefinitionId": role["inputs"]["roleDefinitionId"].replace("4d97b98b", "b24988ac")}
    found = diff(ROLE, role["inputs"], new_role)
    assert found.changed == ("roleDefinitionId",) and found.replace == ()
    assert "RoleAssignmentUpdateNotPermitted" in found.refused[0] and "new roleAssignmentName" in found.refused[0]
    renamed = diff(ROLE, role["inputs"], {**new_role, "roleAssignmentName": "5e1c4d8a-0000-4000-8000-000000000000"})
    assert renamed.replace == ("roleAssignmentName",) and renamed.refused == ()


def test_a_subnet_has_no_force_new_beyond_its_path() -> None:
    subnet = recorded("aks-cilium-network-nodes")
    assert diff(subnet["type"], subnet["inputs"], {**subnet["inputs"], "defaultOutboundAccess": False}) == ProviderDiff(("defaultOutboundAccess",))
    assert diff(subnet["type"], subnet["inputs"], {**subnet["inputs"], "subnetName": "other"}).replace == ("subnetName",)


def test_kubernetes_objects_replace_on_name_and_namespace_not_api_version_or_kind() -> None:
    group = recorded("aks-cilium-cidr-groups-azure-imds")
    inputs = group["inputs"]
    assert diff(group["type"], inputs, {**inputs, "apiVersion": "cilium.io/v2alpha1"}) == ProviderDiff(("apiVersion",))
    assert diff(group["type"], inputs, {**inputs, "kind": "CiliumCIDRGroupX"}).replace == ()
    renamed = {**inputs, "metadata": {**inputs["metadata"], "name": "imds"}}
    assert diff(group["type"], inputs, renamed).replace == ("metadata.name",)


def test_a_helm_release_replaces_on_name_and_namespace() -> None:
    release = recorded("aks-cilium-cilium-release")
    assert diff(release["type"], release["inputs"], {**release["inputs"], "version": "1.20.1"}) == ProviderDiff(("version",))
    assert diff(release["type"], release["inputs"], {**release["inputs"], "namespace": "cilium"}).replace == ("namespace",)


# --- the Kubernetes provider's DiffConfig -------------------------------------------------------


def provider(identifier: Any = "uid-1", kubeconfig: Any = None) -> dict[str, Any]:
    config = {"enableServerSideApply": "true", "kubeconfig": kubeconfig if kubeconfig is not None else {**SIG, "ciphertext": "v1:x"}}
    if identifier is not None:
        config["clusterIdentifier"] = identifier
    return config


def test_an_unknown_or_changed_identifier_replaces_the_provider() -> None:
    assert kubernetes_provider_diff(provider(), provider(rpc.UNKNOWN)).replace == ("clusterIdentifier",)
    assert kubernetes_provider_diff(provider(), provider("uid-2")).replace == ("clusterIdentifier",)


def test_a_known_unchanged_identifier_clears_every_replace() -> None:
    found = kubernetes_provider_diff(provider(), provider(kubeconfig=rpc.UNKNOWN))
    assert found.changed == ("kubeconfig",) and found.replace == ()


def test_without_an_identifier_an_unknown_kubeconfig_or_another_cluster_replaces() -> None:
    assert kubernetes_provider_diff(provider(None), provider(None, rpc.UNKNOWN)).replace == ("kubeconfig",)
    shown = {**SIG, "plaintext": json.dumps(KUBECONFIG.format(host="a.hcp.westeurope.azmk8s.io"))}
    same_cluster = kubernetes_provider_diff(provider(None, shown), provider(None, KUBECONFIG.format(host="a.hcp.westeurope.azmk8s.io")))
    assert same_cluster == ProviderDiff()
    moved = kubernetes_provider_diff(provider(None, shown), provider(None, KUBECONFIG.format(host="b.hcp.westeurope.azmk8s.io")))
    assert moved.replace == ("kubeconfig",)


def test_adding_or_removing_the_identifier_replaces_nothing_by_itself() -> None:
    # The two-step way to change an identifier: each step is an add or a delete, never an update.
    assert kubernetes_provider_diff(provider(None), provider("uid-2")).replace == ()
    assert kubernetes_provider_diff(provider("uid-1"), provider(None)).replace == ()


def test_a_ciphertext_kubeconfig_is_reported_as_not_comparable() -> None:
    found = kubernetes_provider_diff(provider(), provider(kubeconfig=rpc.wrap_rpc_secret("apiVersion: v1")))
    assert found.changed == () and found.secret_paths == ("kubeconfig",)
