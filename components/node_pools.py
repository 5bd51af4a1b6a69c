"""Node pools: one inline in the cluster, every other one its own `containerservice.AgentPool`.

The azure-native `ManagedCluster` docstring: "When creating a managed cluster you must define at
least one agent pool inline via the `agentPoolProfiles` property. The Azure API does not
currently allow this property to be updated directly. Instead, additional agent pools can be
defined via the `AgentPool` resource"
(https://www.pulumi.com/registry/packages/azure-native/api-docs/containerservice/managedcluster/;
AKS refuses pools added through the managed-cluster PUT: pulumi/pulumi-azure-native#579,
Azure/AKS#4383). So the first `System` pool of `aks-cilium:cluster.nodePools` is the cluster's
inline pool, fixed for the cluster's life, and adding or removing any other pool changes only
`AgentPool` resources, never the cluster's inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
from pulumi_azure_native import containerservice

from settings.cluster import ClusterSettings
from settings.node_pools import NodePoolSettings
from settings.upgrades import azure_owns_the_version


def inline_pool(cluster: ClusterSettings) -> NodePoolSettings:
    """The first System pool: the one `agentPoolProfiles` creates with the cluster."""
    return next(p for p in cluster.node_pools if p.mode == "System")


def agent_pools(cluster: ClusterSettings) -> tuple[NodePoolSettings, ...]:
    """Every pool but the inline one, in config order: each is an `AgentPool` resource."""
    first = inline_pool(cluster)
    return tuple(p for p in cluster.node_pools if p is not first)


def pool_arguments(pool: NodePoolSettings, cluster: ClusterSettings, vnet_subnet_id: pulumi.Input[str]) -> dict[str, Any]:
    """The keyword arguments an inline pool profile and an `AgentPool` share (all but the name)."""
    return {
        "mode": pool.mode,
        "vm_size": pool.vm_size,
        "os_type": "Linux",
        "os_sku": pool.os_sku,
        "type": "VirtualMachineScaleSets",
        "count": pool.count if pool.count is not None else pool.min_count,
        "enable_auto_scaling": pool.autoscaling,
        "min_count": pool.min_count,
        "max_count": pool.max_count,
        "availability_zones": list(pool.zones) or None,
        "max_pods": pool.max_pods,
        "os_disk_size_gb": pool.os_disk_size_gb,
        # AKS accepts MAJOR.MINOR here too and picks the newest patch (settings/upgrades.py).
        "orchestrator_version": cluster.kubernetes_version,
        "vnet_subnet_id": vnet_subnet_id,
        "upgrade_settings": containerservice.AgentPoolUpgradeSettingsArgs(max_surge=pool.max_surge),
    }


def pool_ignore_changes(pool: NodePoolSettings, cluster: ClusterSettings) -> list[str]:
    """A pool's properties that Azure rewrites on purpose, which `pulumi up` must not undo.

    Under the `stable` and `rapid` channels Azure moves `orchestratorVersion`
    (https://learn.microsoft.com/azure/aks/auto-upgrade-cluster); the cluster autoscaler moves
    `count` (https://learn.microsoft.com/azure/aks/cluster-autoscaler). Names are camelCase
    wire names (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/).
    """
    paths = ["orchestratorVersion"] if azure_owns_the_version(cluster) else []
    return paths + (["count"] if pool.autoscaling else [])


@dataclass(frozen=True)
class NodePoolsArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the cluster."""
    cluster: containerservice.ManagedCluster
    """The cluster the pools join; every pool waits for it."""
    settings: ClusterSettings
    """Pools, version and upgrade channel; the inline pool is left out here."""
    vnet_subnet_id: pulumi.Input[str]
    """Node subnet, shared with the inline pool."""
    protect: bool = False
    """Pulumi `protect` on each pool: removing a pool from config then needs `pulumi state unprotect`."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Azure tags."""


class NodePools(pulumi.ComponentResource):
    """One `AgentPool` per pool beyond the cluster's inline one.

    Nothing waits for these pools: Cilium installs as soon as the inline System pool runs, and a
    pool that joins later gets Cilium's DaemonSet pod (and its CNI) like any new node.
    """

    pools: dict[str, containerservice.AgentPool]

    def __init__(self, name: str, args: NodePoolsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("aks-cilium:nodepools:NodePools", name, None, opts)
        self.pools = {}
        for pool in agent_pools(args.settings):
            self.pools[pool.name] = containerservice.AgentPool(
                f"{name}-{pool.name}",
                agent_pool_name=pool.name,
                resource_name_=args.cluster.name,
                resource_group_name=args.resource_group_name,
                tags=dict(args.tags),
                **pool_arguments(pool, args.settings, args.vnet_subnet_id),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[args.cluster],
                    # Gone with the cluster: replaced with it, never deleted on its own when it goes
                    # (components/platform.py says why).
                    deleted_with=args.cluster,
                    ignore_changes=pool_ignore_changes(pool, args.settings),
                    # Deleting a pool evicts every pod on it, and renaming one in config is a
                    # delete too: in a protected stack that is a conscious act
                    # (`pulumi state unprotect <urn>`, then `pulumi up`; docs/day-2.md).
                    protect=args.protect,
                ),
            )
        self.register_outputs({"names": list(self.pools)})
