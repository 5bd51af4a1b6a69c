"""The providers' rules a change preview applies, in one table, each with its source.

- `REPLACE_RULES`: inputs whose change makes Pulumi replace the resource (delete and create,
  or create and delete) instead of updating it.
- AKS changes the provider would send as an update but Azure refuses in place.
- Inputs that are bookkeeping, not something the program declared.

A rule's path is an input path (`networkProfile.podCidr`); it covers the path and everything
below it. A type pattern ending in `:` is a prefix (`azure-native:` = every azure-native type).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReplaceRule:
    """Inputs of `types` (a type, or a prefix ending in `:`) that force a replace, `why` in short."""

    types: str
    paths: tuple[str, ...]
    why: str
    source: str

    def applies_to(self, type_: str) -> bool:
        return type_ == self.types or (self.types.endswith(":") and type_.startswith(self.types))


HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
MANAGED_CLUSTER_TYPE = "azure-native:containerservice:ManagedCluster"
AGENT_POOL_TYPE = "azure-native:containerservice:AgentPool"
KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes"

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


def replace_rules(type_: str) -> list[ReplaceRule]:
    # A Helm release is a `kubernetes:` type, but identified by its own inputs, not metadata.
    return [r for r in REPLACE_RULES if r.applies_to(type_) and not (type_ == HELM_RELEASE_TYPE and r.types == "kubernetes:")]


def covers(rule_path: str, path: str) -> bool:
    """Whether `path` is `rule_path` or lies below it."""
    return path == rule_path or path.startswith(rule_path + ".") or path.startswith(rule_path + "[")


# --- AKS: what the provider would send as an update but AKS refuses in place -------------

#: "The Azure API does not currently allow this property to be updated directly. Instead,
#: additional agent pools can be defined via the `AgentPool` resource" (agent_pool_profiles
#: docstring in pulumi_azure_native/containerservice/managed_cluster.py; pulumi-azure-native#579,
#: Azure/AKS#4383). AKS does apply scaling and version fields of existing pools through the
#: cluster, so only those may change inline; a pool may not be added or removed there.
POOL_FIELDS_UPDATABLE_INLINE = frozenset({"count", "orchestratorVersion", "minCount", "maxCount", "enableAutoScaling", "upgradeSettings"})
MANAGED_CLUSTER_POOLS_SOURCE = "agentPoolProfiles docstring of ManagedCluster; pulumi-azure-native#579; Azure/AKS#4383"

#: A node pool's machines are fixed when it is created: resize by adding a pool (Microsoft Learn,
#: "Resize node pools in AKS": https://learn.microsoft.com/azure/aks/resize-node-pool).
AGENT_POOL_FIXED_FIELDS = ("vmSize", "osSKU", "osDiskSizeGB", "osDiskType", "availabilityZones", "maxPods", "vnetSubnetID", "osType")
#: A replace forced by one of these creates the pool under a new name or in another cluster.
NEW_POOL_PATHS = ("agentPoolName", "resourceName", "resourceGroupName")
POOL_RESIZE_DOC = "https://learn.microsoft.com/azure/aks/resize-node-pool"
POOL_RESIZE_WAY = (
    "add a pool under a new name with the new settings, move the workloads (kubectl cordon and kubectl drain"
    f" the old pool's nodes), then remove the old pool ({POOL_RESIZE_DOC})"
)

# --- bookkeeping inputs ----------------------------------------------------------------------

#: Keys the SDKs add to every input bag (`__defaults` by older azure-native and Kubernetes
#: SDKs, `compat` by pulumi-kubernetes' Helm Release): never something to preview.
BOOKKEEPING_INPUTS = frozenset({"__defaults", "compat"})
#: The engine stores a provider's plugin version and download URL among its inputs.
PROVIDER_BOOKKEEPING_INPUTS = frozenset({"version", "pluginDownloadURL"})


def bookkeeping_inputs(type_: str) -> frozenset[str]:
    if type_.startswith("pulumi:providers:"):
        return BOOKKEEPING_INPUTS | PROVIDER_BOOKKEEPING_INPUTS
    return BOOKKEEPING_INPUTS
