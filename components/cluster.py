"""The AKS managed cluster in BYOCNI mode, its identity, its role assignments and its kubeconfig."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, containerservice, managedidentity

from components.kubeconfig import decode_kubeconfig, with_kubelogin
from settings.azure_names import AzureNames
from settings.cluster import ClusterSettings
from settings.network import NetworkSettings

# Built-in role definitions (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
NETWORK_CONTRIBUTOR_ROLE = "4d97b98b-1d4f-4787-a291-c67834d212e7"
AKS_RBAC_CLUSTER_ADMIN_ROLE = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"

# Fixed namespace for role-assignment names: Azure wants a GUID per assignment, and a random
# one would make every run of the same config declare a different resource.
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("6f0e4c7e-1f57-4b5a-9d0c-2a8f3e1b7c41")

# Channels under which Azure itself moves the Kubernetes version
# (learn.microsoft.com/azure/aks/auto-upgrade-cluster); `node-image` and `none` do not.
VERSION_MOVING_CHANNELS = ("patch", "stable", "rapid")


def role_assignment_name(*parts: str) -> str:
    """A GUID that depends only on `parts`, so the same config names the same assignment."""
    return str(uuid.uuid5(_ROLE_ASSIGNMENT_NAMESPACE, "/".join(parts)))


def role_definition_id(subscription_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    return pulumi.Output.concat(
        "/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role
    )


def drift_ignore_paths(cluster: ClusterSettings) -> list[str]:
    """Properties Azure rewrites on its own, which `pulumi up` must not try to undo.

    Nested paths are camelCase: the Python SDK translates only top-level names
    (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/).
    """
    paths: list[str] = []
    if cluster.upgrade_channel in VERSION_MOVING_CHANNELS:
        paths.append("kubernetesVersion")
        paths += [f"agentPoolProfiles[{i}].orchestratorVersion" for i in range(len(cluster.node_pools))]
    paths += [f"agentPoolProfiles[{i}].count" for i, pool in enumerate(cluster.node_pools) if pool.autoscaling]
    return paths


@dataclass(frozen=True)
class AksClusterArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group of the cluster and its identity."""
    location: str
    """Azure region."""
    cluster_name: str
    """AKS resource name (`names.cluster`); also the seed of the role assignments' GUIDs."""
    node_subnet_id: pulumi.Input[str]
    """Subnet for the node NICs; the cluster identity gets Network Contributor on it."""
    network: NetworkSettings
    """Pod, service and DNS addressing, passed to AKS explicitly."""
    cluster: ClusterSettings
    """Version, pools, upgrade channels, access settings."""
    names: AzureNames
    """Azure names of the identity, the DNS prefix and the node resource group (each checked by the settings)."""
    protect: bool = False
    """Set Pulumi's `protect` on the cluster."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Azure tags."""


class AksCluster(pulumi.ComponentResource):
    """An AKS cluster with `networkPlugin: none`, ready for Cilium.

    Also declares what the cluster needs before and right after it exists: a user-assigned
    identity with Network Contributor on the node subnet (created before the cluster, or AKS
    cannot wire the subnet), and the "AKS RBAC Cluster Admin" role for whoever runs
    `pulumi up`, so the Kubernetes provider may install Cilium under Azure RBAC.
    """

    kubeconfig: pulumi.Output[str]
    """Secret kubeconfig for the Kubernetes provider."""
    deployer_access: authorization.RoleAssignment
    """Role assignment every Kubernetes resource must wait for."""

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
            role_assignment_name=role_assignment_name(args.cluster_name, "node-subnet", NETWORK_CONTRIBUTOR_ROLE),
            scope=args.node_subnet_id,
            role_definition_id=role_definition_id(client.subscription_id, NETWORK_CONTRIBUTOR_ROLE),
            principal_id=self.identity.principal_id,
            # Set explicitly: a new identity may not have replicated yet, and Azure then
            # cannot look up its type (learn.microsoft.com/azure/role-based-access-control/role-assignments-template).
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            opts=child,
        )

        version = settings.kubernetes_version
        self.cluster = containerservice.ManagedCluster(
            f"{name}-aks",
            resource_name_=args.cluster_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=args.names.dns_prefix,
            node_resource_group=args.names.node_resource_group,
            kubernetes_version=version,
            sku=containerservice.ManagedClusterSKUArgs(name="Base", tier=settings.sku_tier),
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[self.identity.id],
            ),
            agent_pool_profiles=[
                containerservice.ManagedClusterAgentPoolProfileArgs(
                    name=pool.name,
                    mode=pool.mode,
                    vm_size=pool.vm_size,
                    os_type="Linux",
                    os_sku=pool.os_sku,
                    type="VirtualMachineScaleSets",
                    count=pool.count if pool.count is not None else pool.min_count,
                    enable_auto_scaling=pool.autoscaling,
                    min_count=pool.min_count,
                    max_count=pool.max_count,
                    availability_zones=list(pool.zones) or None,
                    max_pods=pool.max_pods,
                    os_disk_size_gb=pool.os_disk_size_gb,
                    orchestrator_version=version,
                    vnet_subnet_id=args.node_subnet_id,
                    upgrade_settings=containerservice.AgentPoolUpgradeSettingsArgs(max_surge=pool.max_surge),
                )
                for pool in settings.node_pools
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
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                admin_group_object_ids=list(settings.admin_group_object_ids),
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

        # Azure RBAC for Kubernetes authorization: without a data-plane role the identity
        # running `pulumi up` may not install anything (https://learn.microsoft.com/azure/aks/manage-azure-rbac).
        self.deployer_access = authorization.RoleAssignment(
            f"{name}-deployer-cluster-admin",
            role_assignment_name=role_assignment_name(args.cluster_name, "deployer", AKS_RBAC_CLUSTER_ADMIN_ROLE),
            scope=self.cluster.id,
            role_definition_id=role_definition_id(client.subscription_id, AKS_RBAC_CLUSTER_ADMIN_ROLE),
            principal_id=client.object_id,
            # Stated, because the SDK would otherwise send "User", which Azure rejects for a
            # service principal running `pulumi up` from CI.
            principal_type=settings.deployer_principal_type,
            opts=child,
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
