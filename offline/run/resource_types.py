"""Every resource type the program declares, one row each, and the words the offline tool shares.

A row says how the mock engine names the resource in Azure (`azure_name_input`, `arm_id`),
which inputs a plan shows (`key_inputs`), how long a first create roughly takes
(`typical_minutes`, the deploy graph's weights: AKS docs quote 5-10 min for a cluster; the
Cilium release waits until every agent and the operator are ready), and which input changes
force a replace (`offline.run.replace_rules`). A type without a row is an error
(`UnknownResourceType`), never a default: a new type must get its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from components.kinds import (
    AZURE_NATIVE_PROVIDER_TYPE,
    CIDR_GROUP_API_VERSIONS,
    CIDR_GROUP_KIND,
    CILIUM_CHART,
    HELM_RELEASE_TYPE,
    KUBERNETES_PROVIDER_TYPE,
    POLICY_API_VERSION,
    POLICY_KIND,
    kubernetes_type,
)
from offline.run.replace_rules import AGENT_POOL_TYPE, MANAGED_CLUSTER_TYPE, REPLACE_RULES, ReplaceRule

__all__ = [
    "AGENT_POOL_TYPE", "CILIUM_CHART", "HELM_RELEASE_TYPE", "KUBERNETES_PROVIDER_TYPE", "MANAGED_CLUSTER_TYPE", "RESOURCE_TYPES",
    "SECRET_PLACEHOLDER", "UNKNOWN_PLACEHOLDER", "ResourceType", "UnknownResourceType", "resource_type",
]

#: What stands for a secret wherever the tool shows or stores one: the CLI's config value of a
#: `secure:` key, a masked input or output, an exported secret's ciphertext.
SECRET_PLACEHOLDER = "[secret]"
#: What stands for a value only known after deploy (an Output of a resource not yet created).
UNKNOWN_PLACEHOLDER = "[unknown until deploy]"

_SUBSCRIPTION = "/subscriptions/{subscription}"
_GROUP = _SUBSCRIPTION + "/resourceGroups/{resourceGroupName}"


@dataclass(frozen=True)
class ResourceType:
    type: str
    typical_minutes: float
    key_inputs: Optional[tuple[str, ...]] = None
    """The inputs worth reading in a plan; None: every input."""
    azure_name_input: str = ""
    """The input that carries an azure-native resource's Azure name."""
    arm_id: str = ""
    """The ARM id, with `{subscription}`, `{name}` (the Azure name) and `{<input>}` fields."""

    @property
    def replace_rules(self) -> list[ReplaceRule]:
        # A Helm release is a `kubernetes:` type, but identified by its own inputs, not metadata.
        return [
            r for r in REPLACE_RULES
            if r.applies_to(self.type) and not (self.type == HELM_RELEASE_TYPE and r.types == "kubernetes:")
        ]

    def azure_id(self, inputs: dict[str, Any], azure_name: str, subscription: str) -> str:
        fields = {"resourceGroupName": "", "scope": _SUBSCRIPTION.format(subscription=subscription), **inputs}
        return self.arm_id.format_map({**{k: str(v) for k, v in fields.items()}, "subscription": subscription, "name": azure_name})


def _cilium_object(api_version: str, kind: str) -> ResourceType:
    return ResourceType(kubernetes_type(api_version, kind), 0.1)


RESOURCE_TYPES: dict[str, ResourceType] = {
    row.type: row
    for row in (
        ResourceType(
            "azure-native:resources:ResourceGroup", 0.2, ("resourceGroupName", "location", "tags"),
            "resourceGroupName", _SUBSCRIPTION + "/resourceGroups/{name}",
        ),
        ResourceType(
            "azure-native:network:VirtualNetwork", 0.3, ("virtualNetworkName", "addressSpace", "location"),
            "virtualNetworkName", _GROUP + "/providers/Microsoft.Network/virtualNetworks/{name}",
        ),
        ResourceType(
            "azure-native:network:Subnet", 0.2, ("subnetName", "virtualNetworkName", "addressPrefix"),
            "subnetName", _GROUP + "/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{name}",
        ),
        # A fleet member's peering to another member's VNet (components/mesh.py).
        ResourceType(
            "azure-native:network:VirtualNetworkPeering", 0.5, ("virtualNetworkPeeringName", "virtualNetworkName", "remoteVirtualNetwork", "allowVirtualNetworkAccess"),
            "virtualNetworkPeeringName", _GROUP + "/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{name}",
        ),
        ResourceType(
            "azure-native:managedidentity:UserAssignedIdentity", 0.3, ("resourceName", "location"),
            "resourceName", _GROUP + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
        ),
        # Created in seconds, but Azure RBAC takes a while to propagate.
        ResourceType(
            "azure-native:authorization:RoleAssignment", 0.5, ("roleAssignmentName", "roleDefinitionId", "principalType", "scope"),
            "roleAssignmentName", "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
        ),
        ResourceType(
            MANAGED_CLUSTER_TYPE, 8.0,
            (
                "resourceName", "kubernetesVersion", "sku", "networkProfile", "agentPoolProfiles",
                "autoUpgradeProfile", "disableLocalAccounts", "aadProfile", "apiServerAccessProfile",
                "oidcIssuerProfile", "securityProfile", "nodeResourceGroup",
            ),
            "resourceName", _GROUP + "/providers/Microsoft.ContainerService/managedClusters/{name}",
        ),
        # A node pool added to a running cluster: a scale set and its nodes, a few minutes.
        ResourceType(
            AGENT_POOL_TYPE, 4.0, None,
            "agentPoolName", _GROUP + "/providers/Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{name}",
        ),
        # Providers create nothing remote. azure-native's has no replace rule: its DiffConfig never
        # asks for one (pulumi-azure-native provider/pkg/provider/provider.go DiffConfig).
        ResourceType(KUBERNETES_PROVIDER_TYPE, 0.0, ("clusterIdentifier", "enableServerSideApply", "kubeconfig")),
        ResourceType(AZURE_NATIVE_PROVIDER_TYPE, 0.0, ("location", "subscriptionId", "tenantId", "environment")),
        ResourceType(HELM_RELEASE_TYPE, 4.0, ("name", "chart", "version", "repositoryOpts", "namespace", "atomic", "timeout", "values")),
        # A fleet member's CA, `kube-system/cilium-ca` (components/mesh.py).
        ResourceType("kubernetes:core/v1:Secret", 0.1),
        *(_cilium_object(version, CIDR_GROUP_KIND) for version in CIDR_GROUP_API_VERSIONS),
        _cilium_object(POLICY_API_VERSION, POLICY_KIND),
    )
}


class UnknownResourceType(KeyError):
    """A resource type with no row in `RESOURCE_TYPES`."""

    def __str__(self) -> str:
        return f"{self.args[0]}: no row in offline/run/resource_types.py RESOURCE_TYPES; add one for the new type"


def resource_type(type_: str) -> ResourceType:
    try:
        return RESOURCE_TYPES[type_]
    except KeyError:
        raise UnknownResourceType(type_) from None
