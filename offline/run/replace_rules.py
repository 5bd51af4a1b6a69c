"""Inputs whose change makes Pulumi replace a resource instead of updating it, each with its source.

A rule's path is an input path (`networkProfile.podCidr`); it covers the path and everything
below it. `offline.run.resource_types` gives each resource type its rules.
"""

from __future__ import annotations

import re
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
_AZURE_DIFF = "https://github.com/pulumi/pulumi-azure-native/blob/master/provider/pkg/provider/diff.go"

#: A node pool's machines are fixed when it is created: resize by adding a pool (Microsoft Learn,
#: "Resize node pools in AKS": https://learn.microsoft.com/azure/aks/resize-node-pool). The one
#: table of those fields: True where azure-native's forceNew map for ContainerService/AgentPool
#: replaces the pool (replacement.go, the agent-pool row below), False where the provider sends an
#: update that AKS refuses. The change preview refuses either in place (offline/preview/change_checks.py).
AGENT_POOL_FIXED_FIELDS: dict[str, bool] = {
    "vmSize": True, "gpuInstanceProfile": True, "networkProfile.nodePublicIPTags": True,
    "osSKU": False, "osDiskSizeGB": False, "osDiskType": False, "availabilityZones": False, "maxPods": False,
    "vnetSubnetID": False, "osType": False,
}


REPLACE_RULES: tuple[ReplaceRule, ...] = (
    # Every path parameter of the resource's PUT forces replacement: a new name or group is
    # another Azure resource (pulumi-azure-native provider/pkg/provider/diff.go
    # `calculateDetailedDiff`; pulumi-azure-native#77). These are the path parameters of the types
    # in use; `scope` is the RoleAssignment's.
    ReplaceRule(
        "azure-native:",
        ("resourceGroupName", "resourceName", "virtualNetworkName", "subnetName", "roleAssignmentName", "agentPoolName", "scope"),
        "a changed Azure name is another Azure resource",
        _AZURE_DIFF,
    ),
    # `location` is create-only: `x-ms-mutability: [read, create]` on every tracked resource (an ARM
    # rule, azure openapi-validator LocationMustHaveXmsMutability), and in forceNewMap for the resource
    # group, VNet and cluster. Subnets and role assignments have no location.
    ReplaceRule("azure-native:", ("location",), "Azure cannot move a resource to another region", _AZURE_FORCE_NEW),
    # forceNewMap: `"RoleAssignment": codegen.NewStringSet("principalId", "scope")`. Not
    # roleDefinitionId: a new role is sent as an update, which Azure refuses
    # (RoleAssignmentUpdateNotPermitted; offline/preview/provider_diff.py says so).
    ReplaceRule(
        "azure-native:authorization:RoleAssignment", ("principalId", "scope"),
        "Azure does not update a role assignment's principal or scope", _AZURE_FORCE_NEW,
    ),
    # forceNewMap for ContainerService/ManagedCluster, checked at the top level and one level down
    # (diff.go `findForceNew`), so `networkProfile.*`; pulumi-azure-native#4756, PR #4771.
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
    ReplaceRule(
        AGENT_POOL_TYPE, tuple(f for f, replaced in AGENT_POOL_FIXED_FIELDS.items() if replaced), "AKS sets this only when the pool is created", _AZURE_FORCE_NEW,
    ),
    # forceNewMap: `"Subnet": codegen.NewStringSet(), // no force-news`: nothing beyond the path.
    # pulumi-kubernetes replaces an object whose name or namespace changes (`metadataForceNewProperties`,
    # plus per-kind tables for built-in kinds this program does not use); a changed apiVersion or
    # kind is an update.
    ReplaceRule("kubernetes:", ("metadata.name", "metadata.namespace"), "Kubernetes identifies an object by namespace and name", "https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/diff.go"),
    # helm.v3.Release: forceNewFields ".name", ".namespace" in Diff
    # (https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/helm_release.go).
    ReplaceRule(HELM_RELEASE_TYPE, ("name", "namespace"), "Helm identifies a release by name and namespace", "https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/helm_release.go"),
    # DiffConfig replaces the provider when `clusterIdentifier` is updated, unknown counting as updated
    # (pulumi-kubernetes provider/pkg/provider/provider.go); offline/preview/provider_diff.py has the whole rule.
    ReplaceRule(KUBERNETES_PROVIDER_TYPE, ("clusterIdentifier",), "the provider points at another cluster", "https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/provider.go"),
)


def covers(rule_path: str, path: str) -> bool:
    """Whether `path` is `rule_path` or lies below it; `[*]` or `[]` in a rule matches any list index."""
    pattern = re.escape(rule_path).replace(r"\[\*\]", r"\[\d+\]").replace(r"\[\]", r"\[\d+\]")
    return re.fullmatch(pattern + r"(?:[.\[].*)?", path) is not None
