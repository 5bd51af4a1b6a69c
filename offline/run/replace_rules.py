"""Inputs whose change makes Pulumi replace a resource instead of updating it, each with its source.

A rule's path is an input path (`networkProfile.podCidr`); it covers the path and everything
below it. `offline.run.resource_types` gives each resource type its rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.kinds import HELM_RELEASE_TYPE, KUBERNETES_PROVIDER_TYPE


@dataclass(frozen=True)
class ReplaceRule:
    """Inputs of `types` (a type, or a prefix ending in `:`) that force a replace, `why` in short."""

    types: str
    paths: tuple[str, ...]
    why: str
    source: str

    def applies_to(self, type_: str) -> bool:
        return type_ == self.types or (self.types.endswith(":") and type_.startswith(self.types))


MANAGED_CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
AGENT_POOL_TYPE = "azure-native:containerservice:AgentPool"

_AZURE_FORCE_NEW = "https://github.com/pulumi/pulumi-azure-native/blob/master/provider/pkg/gen/replacement.go"


REPLACE_RULES: tuple[ReplaceRule, ...] = (
    # Every property in a resource's ARM URL path forces replacement: a new name or group is
    # another Azure resource (pulumi-azure-native#77, "Force replacements if any of the
    # identifier properties changes"). These are the path parameters of the types in use.
    ReplaceRule(
        "azure-native:",
        ("resourceGroupName", "resourceName", "virtualNetworkName", "subnetName", "roleAssignmentName", "agentPoolName"),
        "a changed Azure name is another Azure resource",
        "https://github.com/pulumi/pulumi-azure-native/issues/77",
    ),
    # azure-native's forceNew map lists `location` for the resource group, VNet and managed
    # cluster; Azure moves no resource between regions in place (Microsoft Learn, "Move Azure
    # resources across regions": https://learn.microsoft.com/azure/azure-resource-manager/management/move-region).
    ReplaceRule("azure-native:", ("location",), "Azure cannot move a resource to another region", _AZURE_FORCE_NEW),
    # "Tenant ID, application ID, principal ID, and scope are not allowed to be updated"
    # (pulumi-azure-native#771); fixed by forcing replacement (pulumi-azure-native PR #1010:
    # https://github.com/pulumi/pulumi-azure-native/pull/1010). roleDefinitionId is not in the
    # provider's map, but Azure cannot change an assignment's role either: listed to be safe.
    ReplaceRule(
        "azure-native:authorization:RoleAssignment",
        ("principalId", "scope", "roleDefinitionId"),
        "Azure does not update a role assignment's principal, scope or role",
        "https://github.com/pulumi/pulumi-azure-native/pull/1010",
    ),
    # "This cannot be updated once the Managed Cluster has been created" (dnsPrefix and
    # fqdnSubdomain docstrings in pulumi_azure_native/containerservice/managed_cluster.py), and
    # the provider's forceNew map for ContainerService/ManagedCluster, network profile included.
    ReplaceRule(
        MANAGED_CLUSTER_TYPE,
        (
            "dnsPrefix", "fqdnSubdomain", "nodeResourceGroup", "diskEncryptionSetID", "linuxProfile", "windowsProfile",
            "networkProfile.serviceCidr", "networkProfile.serviceCidrs", "networkProfile.dnsServiceIP",
            "networkProfile.networkMode", "networkProfile.networkPlugin", "networkProfile.networkPluginMode",
            "networkProfile.podCidr", "networkProfile.networkDataplane", "networkProfile.networkPolicy",
            "networkProfile.outboundType",
        ),
        "AKS sets this only when the cluster is created",
        _AZURE_FORCE_NEW,
    ),
    ReplaceRule(AGENT_POOL_TYPE, ("vmSize", "gpuInstanceProfile", "networkProfile.nodePublicIPTags"), "AKS sets this only when the pool is created", _AZURE_FORCE_NEW),
    # "This property can only be set at the time of subnet creation and cannot be updated for
    # an existing subnet" (defaultOutboundAccess docstring, pulumi_azure_native/network/subnet.py).
    ReplaceRule("azure-native:network:Subnet", ("defaultOutboundAccess",), "Azure sets this only when the subnet is created", "pulumi_azure_native/network/subnet.py"),
    # pulumi-kubernetes replaces an object whose name or namespace changes (metadataForceNewProperties:
    # https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/diff.go) or
    # whose kind changes (Diff in provider/pkg/provider/provider.go).
    ReplaceRule("kubernetes:", ("metadata.name", "metadata.namespace", "kind"), "Kubernetes identifies an object by kind, namespace and name", "https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/diff.go"),
    # helm.v3.Release: forceNewFields ".name", ".namespace" in Diff
    # (https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/helm_release.go).
    ReplaceRule(HELM_RELEASE_TYPE, ("name", "namespace"), "Helm identifies a release by name and namespace", "https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/helm_release.go"),
    # "the provider will _only_ be replaced when `clusterIdentifier` changes" (cluster_identifier
    # docstring in pulumi_kubernetes/provider.py).
    ReplaceRule(KUBERNETES_PROVIDER_TYPE, ("clusterIdentifier",), "the provider points at another cluster", "pulumi_kubernetes/provider.py"),
)


def covers(rule_path: str, path: str) -> bool:
    """Whether `path` is `rule_path` or lies below it."""
    return path == rule_path or path.startswith(rule_path + ".") or path.startswith(rule_path + "[")
