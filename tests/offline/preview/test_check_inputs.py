"""New inputs normalised as the providers' Check and the engine store them."""

from __future__ import annotations

import pytest

from offline.preview.check_inputs import azure_api_version, azure_defaults, checked_inputs, plugin_version, provider_inputs, release_struct
from tests.fixtures.exports.export_shapes import API_VERSIONS
from tests.offline.preview.exports import entry, export_document

#: The Helm release's inputs as the program registers them (what `make plan` shows).
DECLARED_RELEASE = {
    "atomic": True, "chart": "cilium", "cleanupOnFail": True, "compat": "true", "name": "cilium", "namespace": "kube-system",
    "repositoryOpts": {"repo": "https://helm.cilium.io/"}, "skipAwait": False, "timeout": 900, "version": "1.20.0",
    "values": {"aksbyocni": {"enabled": True}, "cluster": {"id": 1, "name": "dev"}, "hubble": {"relay": {"enabled": True}, "ui": {"enabled": True}},
               "ipam": {"operator": {"clusterPoolIPv4PodCIDRList": ["10.244.0.0/16"]}}},
}


@pytest.mark.parametrize("type_", sorted(API_VERSIONS))
def test_azure_api_version_is_the_installed_plugins_default(type_: str) -> None:
    assert plugin_version("azure-native") == "3.29.0"
    assert azure_api_version(type_) == API_VERSIONS[type_]


def test_check_adds_azure_api_version_and_keeps_a_declared_one() -> None:
    added = checked_inputs("azure-native:resources:ResourceGroup", {"resourceGroupName": "rg"})
    assert added == {"resourceGroupName": "rg", "azureApiVersion": "2024-03-01"}
    kept = checked_inputs("azure-native:resources:ResourceGroup", {"resourceGroupName": "rg", "azureApiVersion": "2021-04-01"})
    assert kept["azureApiVersion"] == "2021-04-01"


def test_a_missing_location_is_the_old_one_only_where_the_type_has_one() -> None:
    assert checked_inputs("azure-native:resources:ResourceGroup", {}, {"location": "westeurope"})["location"] == "westeurope"
    assert "location" not in checked_inputs("azure-native:network:Subnet", {}, {"location": "westeurope"})


def test_the_release_becomes_the_providers_struct_as_the_export_records_it() -> None:
    recorded = entry(export_document("dev-deployed.json"), "aks-cilium-cilium-release")["inputs"]
    checked = checked_inputs("kubernetes:helm.sh/v3:Release", DECLARED_RELEASE)
    assert checked == recorded
    assert "compat" not in checked and checked["description"] == "" and checked["waitForJobs"] is False


def test_the_release_struct_applies_the_providers_defaults() -> None:
    struct = release_struct({"chart": "x"})
    assert struct["namespace"] == "default" and struct["timeout"] == 300
    assert release_struct({"chart": "x", "skipAwait": True})["timeout"] == 0


def test_providers_get_the_engines_version_and_internal_object() -> None:
    recorded = entry(export_document("dev-deployed.json"), "aks-cilium-k8s")["inputs"]
    declared = {k: v for k, v in recorded.items() if k not in ("version", "__internal")}
    assert checked_inputs("pulumi:providers:kubernetes", declared) == recorded
    assert provider_inputs("pulumi:providers:azure-native", {"location": "westeurope"}) == {
        "location": "westeurope", "version": "3.29.0", "__internal": {}}


def test_schema_defaults_are_read_from_the_sdk() -> None:
    assert azure_defaults("azure-native:network:VirtualNetwork") == {"enableDdosProtection": False, "enableVmProtection": False}
    assert azure_defaults("azure-native:network:Subnet")["privateLinkServiceNetworkPolicies"] == "Enabled"
    assert azure_defaults("azure-native:nosuch:Thing") == {}
