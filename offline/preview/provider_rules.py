"""The providers' rules a change preview applies beyond replacements, each with its source.

Which inputs force a replace is per resource type, in `offline.run.resource_types`.
- AKS changes the provider would send as an update but Azure refuses in place.
What the providers' Check adds to inputs is in `offline.preview.check_inputs`, their diff rules in
`offline.preview.provider_diff`.
"""

from __future__ import annotations

# --- AKS: what the provider would send as an update but AKS refuses in place -------------

#: "The Azure API does not currently allow this property to be updated directly. Instead,
#: additional agent pools can be defined via the `AgentPool` resource" (agent_pool_profiles
#: docstring in pulumi_azure_native/containerservice/managed_cluster.py; pulumi-azure-native#579,
#: Azure/AKS#4383). AKS does apply scaling and version fields of existing pools through the
#: cluster, so only those may change inline; a pool may not be added or removed there.
POOL_FIELDS_UPDATABLE_INLINE = frozenset({"count", "orchestratorVersion", "minCount", "maxCount", "enableAutoScaling", "upgradeSettings"})
MANAGED_CLUSTER_POOLS_SOURCE = "agentPoolProfiles docstring of ManagedCluster; pulumi-azure-native#579; Azure/AKS#4383"

# Which fields of a node pool are fixed when it is created: `AGENT_POOL_FIXED_FIELDS` in
# offline/run/replace_rules.py, the one table that also gives azure-native's replacements.
#: A replace forced by one of these creates the pool under a new name or in another cluster.
#: (`deletedWith`: the pool is replaced with its cluster).
NEW_POOL_PATHS = ("agentPoolName", "resourceName", "resourceGroupName", "deletedWith")
POOL_RESIZE_DOC = "https://learn.microsoft.com/azure/aks/resize-node-pool"
POOL_RESIZE_WAY = (
    "add a pool under a new name with the new settings, move the workloads (kubectl cordon and kubectl drain"
    f" the old pool's nodes), then remove the old pool ({POOL_RESIZE_DOC})"
)
