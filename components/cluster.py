"""The AKS managed cluster in BYOCNI mode, its identity, its subnet role assignment and its kubeconfig."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, containerservice, managedidentity

from components.kubeconfig import decode_kubeconfig, with_kubelogin
from components.node_pools import inline_pool, pool_arguments, pool_ignore_changes
from settings.cluster import ClusterSettings
from settings.common.azure_names import AzureNames
from settings.network import NetworkSettings
from settings.upgrades import azure_owns_the_version

# Built-in role definitions (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
NETWORK_CONTRIBUTOR_ROLE = "4d97b98b-1d4f-4787-a291-c67834d212e7"

# Fixed namespace for role-assignment names: Azure wants a GUID per assignment, and a random
# one would make every run of the same config declare a different resource.
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("6f0e4c7e-1f57-4b5a-9d0c-2a8f3e1b7c41")


def role_assignment_name(*parts: str) -> str:
    """A GUID that depends only on `parts`, so the same config names the same assignment."""
    return str(uuid.uuid5(_ROLE_ASSIGNMENT_NAMESPACE, "/".join(parts)))


def role_definition_id(subscription_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    return pulumi.Output.concat(
        "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role
    )


def drift_ignore_paths(cluster: ClusterSettings) -> list[str]:
    """Properties Azure rewrites on its own, which `pulumi up` must not try to undo.

    Only the inline pool is in `agentPoolProfiles`, so only `agentPoolProfiles[0]` is ever named;
    the other pools carry their own `ignore_changes` (components/node_pools.py). Nested paths are
    camelCase: the Python SDK translates only top-level names
    (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/).
    """
    paths = ["kubernetesVersion"] if azure_owns_the_version(cluster) else []
    return paths + [f"agentPoolProfiles[0].{p}" for p in pool_ignore_changes(inline_pool(cluster), cluster)]


@dataclass(frozen=True)
class AksClusterArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the cluster and its identity."""
    location: str
    """Azure region."""
    node_subnet_id: pulumi.Input[str]
    """Subnet for the node NICs; the cluster identity gets Network Contributor on it."""
    network: NetworkSettings
    """Pod, service and DNS addressing, passed to AKS explicitly."""
    cluster: ClusterSettings
    """Version, pools, upgrade channels, access settings."""
    names: AzureNames
    """Azure names of the cluster, its identity, DNS prefix and node resource group (each checked by
    the settings); the cluster name also seeds the role assignments' GUIDs."""
    protect: bool = False
    """Set Pulumi's `protect` on the cluster."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Azure tags."""


class AksCluster(pulumi.ComponentResource):
    """An AKS cluster with `networkPlugin: none`, ready for Cilium.

    Also declares what the cluster needs before and right after it exists: a user-assigned
    identity with Network Contributor on the node subnet (created before the cluster, or AKS
    cannot wire the subnet). Its only node pool is the inline System pool; the others, and
    who may use the Kubernetes API, are components/node_pools.py and components/cluster_access.py.
    """

    kubeconfig: pulumi.Output[str]
    """Secret kubeconfig for the Kubernetes provider."""

    def __init__(self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-cilium:cluster:AksCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        settings = args.cluster

        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=args.names.identity,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            opts=child,
        )
        self.subnet_access = authorization.RoleAssignment(
            f"{name}-subnet-network-contributor",
            role_assignment_name=role_assignment_name(args.names.cluster, "node-subnet", NETWORK_CONTRIBUTOR_ROLE),
            scope=args.node_subnet_id,
            role_definition_id=role_definition_id(client.subscription_id, NETWORK_CONTRIBUTOR_ROLE),
            principal_id=self.identity.principal_id,
            # Set explicitly: a new identity may not have replicated yet, and Azure then
            # cannot look up its type (learn.microsoft.com/azure/role-based-access-control/role-assignments-template).
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            # A replacement (a new identity) keeps the same GUID, and Azure refuses a second
            # assignment under it while the first exists (pulumi/pulumi-azure-native#2253).
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )

        system_pool = inline_pool(settings)
        self.cluster = containerservice.ManagedCluster(
            f"{name}-aks",
            resource_name_=args.names.cluster,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=args.names.dns_prefix,
            node_resource_group=args.names.node_resource_group,
            kubernetes_version=settings.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier=settings.sku_tier),
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[self.identity.id],
            ),
            # Exactly one pool, fixed at creation; the others are AgentPool resources.
            agent_pool_profiles=[
                containerservice.ManagedClusterAgentPoolProfileArgs(
                    name=system_pool.name, **pool_arguments(system_pool, settings, args.node_subnet_id)
                )
            ],
            # Every value set from config: the Args class would otherwise inject its own
            # defaults (podCidr 10.244.0.0/16, serviceCidr 10.0.0.0/16, ...); see the defaults in
            # https://www.pulumi.com/registry/packages/azure-native/api-docs/containerservice/managedcluster/#containerservicenetworkprofile
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin=containerservice.NetworkPlugin.NONE,
                pod_cidr=str(args.network.pod_cidr),
                service_cidr=str(args.network.service_cidr),
                dns_service_ip=str(args.network.dns_service_ip),
                outbound_type=containerservice.OutboundType.LOAD_BALANCER,
                load_balancer_sku=containerservice.LoadBalancerSku.STANDARD,
            ),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True),
            ),
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=settings.upgrade_channel,
                node_os_upgrade_channel=settings.node_os_upgrade_channel,
            ),
            enable_rbac=True,
            # No adminGroupObjectIDs: cluster-admin is granted only through Azure RBAC role
            # assignments (components/cluster_access.py), so changing who is admin never
            # touches the cluster.
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                tenant_id=client.tenant_id,
            ),
            disable_local_accounts=settings.disable_local_accounts,
            api_server_access_profile=containerservice.ManagedClusterAPIServerAccessProfileArgs(
                authorized_ip_ranges=[str(r) for r in settings.authorized_ip_ranges],
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[self.subnet_access],
                ignore_changes=drift_ignore_paths(settings),
                protect=args.protect,
            ),
        )

        self.kubeconfig = pulumi.Output.secret(self._kubeconfig(args))
        self.register_outputs(
            {
                "clusterName": self.cluster.name,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "kubeconfig": self.kubeconfig,
            }
        )

    @property
    def oidc_issuer_url(self) -> pulumi.Output[str]:
        return self.cluster.oidc_issuer_profile.apply(lambda p: p.issuer_url if p else None)

    def _kubeconfig(self, args: AksClusterArgs) -> pulumi.Output[str]:
        invoke = pulumi.InvokeOutputOptions(parent=self)
        if args.cluster.disable_local_accounts:
            # No admin credentials exist then; the user kubeconfig in exec format runs
            # kubelogin, rebuilt for the configured unattended login
            # (https://learn.microsoft.com/azure/aks/kubelogin-authentication).
            credentials = containerservice.list_managed_cluster_user_credentials_output(
                resource_group_name=args.resource_group_name,
                resource_name=self.cluster.name,
                format="exec",
                opts=invoke,
            )
            login = args.cluster.kubelogin
            return credentials.kubeconfigs.apply(lambda kcs: with_kubelogin(decode_kubeconfig(kcs[0].value), login))
        credentials = containerservice.list_managed_cluster_admin_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=self.cluster.name,
            opts=invoke,
        )
        return credentials.kubeconfigs.apply(lambda kcs: decode_kubeconfig(kcs[0].value))
