"""The whole stack as one component: resource group, network, AKS, its admins and node pools, Cilium and CIDR groups, and a fleet member's mesh."""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure_native
import pulumi_kubernetes as k8s
from pulumi_azure_native import resources

from components.cidr_groups import CidrGroups, CidrGroupsArgs, groups_from_settings
from components.cilium import CILIUM_VERSION_OUTPUT, NAMESPACE, RELEASE_NAME, Cilium, CiliumArgs, cilium_helm_values, deep_merge
from components.cluster import AksCluster, AksClusterArgs
from components.cluster_access import ClusterAdmins, ClusterAdminsArgs
from components.deployed_guard import DeployedGuard, GuardedValue
from components.egress_policies import EgressPolicies, EgressPoliciesArgs
from components.kinds import cidr_group_api_version
from components.mesh import (
    CILIUM_IDENTITY_OUTPUT,
    MeshCa,
    MeshCaArgs,
    MeshNetwork,
    MeshNetworkArgs,
    cluster_identity_values,
    mesh_helm_values,
)
from components.network import Network, NetworkArgs
from components.node_pools import NodePools, NodePoolsArgs
from settings.cilium import cilium_step_problem
from settings.mesh.identity import identity_step_problem, identity_text
from settings.stack import StackSettings

#: The explicit azure-native provider's resource name; part of every Azure resource's state.
AZURE_PROVIDER_NAME = "aks-cilium-azure-native"


def cluster_identifier(resource_group: str, cluster_name: str) -> str:
    """The Kubernetes provider's `cluster_identifier`: the cluster's resource group and name, known at preview."""
    return f"{resource_group}/{cluster_name}"


def hubble_ui_command() -> str:
    """How a user reaches the Hubble UI once the stack is up, from the `kubeconfig` output."""
    return (
        "pulumi stack output kubeconfig --show-secrets > kubeconfig.yaml && "
        f"kubectl --kubeconfig kubeconfig.yaml -n {NAMESPACE} port-forward svc/hubble-ui 12000:80"
        " # then open http://localhost:12000"
    )


class AksCiliumPlatform(pulumi.ComponentResource):
    """Everything one stack deploys, in dependency order.

    The Kubernetes side (Cilium, CIDR groups) goes through one provider built from the new
    cluster's credentials; that provider is the only one not passed down from the caller.
    """

    def __init__(self, name: str, settings: StackSettings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-cilium:platform:AksCiliumPlatform", name, None, opts)
        names = settings.names
        # Explicit, so the stack runs under `pulumi:disable-default-providers` (pulumi/pulumi#8829),
        # and passed down through `providers=`: every azure-native resource and invoke below
        # inherits it from its parent. Its name is part of every resource's provider reference:
        # never change it. Moving a stack deployed with the default provider onto it replaces
        # nothing: the engine asks the new provider's DiffConfig (pulumi
        # pkg/resource/deploy/step_generator.go, providerChanged), and azure-native's never
        # asks for a replace (provider/pkg/provider/provider.go DiffConfig). Its config is the
        # stack's `azure-native:*` keys, what the default provider read (settings/azure_provider.py),
        # so resources Azure defaults from it (a location) keep their inputs too.
        provider = settings.azure_provider
        self.azure_provider = azure_native.Provider(
            AZURE_PROVIDER_NAME,
            **{k: pulumi.Output.secret(v) if k in provider.secret else v for k, v in provider.arguments.items()},
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, providers=[self.azure_provider])
        protected = pulumi.ResourceOptions(parent=self, protect=settings.protect, providers=[self.azure_provider])

        self.resource_group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=names.resource_group,
            location=settings.location,
            tags=dict(settings.tags),
            opts=protected,
        )
        self.network = Network(
            f"{name}-network",
            NetworkArgs(
                resource_group_name=self.resource_group.name,
                location=settings.location,
                names=names,
                network=settings.network,
                tags=settings.tags,
            ),
            opts=child,
        )
        self.cluster = AksCluster(
            f"{name}-cluster",
            AksClusterArgs(
                resource_group_name=self.resource_group.name,
                location=settings.location,
                names=names,
                node_subnet_id=self.network.node_subnet_id,
                network=settings.network,
                cluster=settings.cluster,
                protect=settings.protect,
                tags=settings.tags,
            ),
            opts=child,
        )
        # Needs only the resource group, so it is created alongside the cluster and has
        # propagated by the time the release starts (components/cluster_access.py).
        self.admins = ClusterAdmins(
            f"{name}-cluster-admins",
            ClusterAdminsArgs(
                resource_group_id=self.resource_group.id,
                cluster_name=names.cluster,
                admins=settings.cluster.admins,
            ),
            opts=child,
        )
        # Pools beyond the inline System pool. Nothing on the cluster waits for them: Cilium
        # needs only the System pool, and nodes that join later get its DaemonSet.
        self.node_pools = NodePools(
            f"{name}-node-pools",
            NodePoolsArgs(
                resource_group_name=self.resource_group.name,
                cluster=self.cluster.cluster,
                settings=settings.cluster,
                vnet_subnet_id=self.network.node_subnet_id,
                protect=settings.protect,
                tags=settings.tags,
            ),
            opts=child,
        )
        cluster = self.cluster.cluster
        # Which cluster the provider talks to (docs/day-2.md, "The cluster's identity"):
        # - cluster_identifier known at preview, from config: pulumi-kubernetes' DiffConfig replaces
        #   the provider when it is updated, and an unknown counts as updated (`resourceUID` is
        #   unknown in the preview of every cluster update, so with it every update previewed as a
        #   reinstall of Cilium); a known, unchanged one clears every replacement
        #   (provider/pkg/provider/provider.go DiffConfig).
        # - replace_with: a cluster Pulumi replaces gets a new provider (engine 3.207+,
        #   pkg/resource/deploy/step_generator.go).
        # - deleted_with on everything on the cluster (`on_cluster`, and the node pools): replaced
        #   with the cluster, and never deleted through the old cluster's API server once that
        #   cluster is being deleted (step_generator.go, step.go isDeletedWith; pulumi#23818).
        self.k8s_provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.cluster.kubeconfig,
            cluster_identifier=cluster_identifier(names.resource_group, names.cluster),
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.admins.assignments), replace_with=[cluster]),
        )
        on_cluster = pulumi.ResourceOptions(parent=self, provider=self.k8s_provider, deleted_with=cluster)

        # What the stack last deployed, from its own outputs: `pulumi preview` and `pulumi up`
        # stop before the release changes when the Cilium step skips a minor or goes back.
        self.deployed = DeployedGuard(f"{name}-deployed")
        values = deep_merge(cilium_helm_values(str(settings.network.pod_cidr), settings.cilium.values), cluster_identity_values(settings.cilium.cluster))
        mesh_ready: list[pulumi.Resource] = []
        if settings.mesh is not None:
            # A fleet member (docs/fleet.md): its load balancers' subnet, a peering to every other
            # member, the fleet's CA as cilium-ca, and the mesh values; Cilium waits for all of them.
            self.mesh = MeshNetwork(
                f"{name}-mesh",
                MeshNetworkArgs(
                    resource_group_name=self.resource_group.name,
                    vnet_name=self.network.vnet.name,
                    cluster_name=names.cluster,
                    mesh=settings.mesh,
                    peers=settings.peers,
                    own_subscription_id=settings.subscription_id,
                    cluster_principal_id=self.cluster.identity.principal_id,
                ),
                opts=child,
            )
            ca_key = settings.mesh_ca_key.get_secret_value() if settings.mesh_ca_key is not None else ""
            self.mesh_ca = MeshCa(f"{name}-mesh-ca", MeshCaArgs(settings.mesh.ca_cert, ca_key, NAMESPACE, RELEASE_NAME), opts=on_cluster)
            mesh_ready = [*self.mesh.ready, self.mesh_ca.secret]
            values = deep_merge(values, mesh_helm_values(settings.mesh, [*settings.peers, settings.own_member]))
        # Cilium's cluster identity never changes on a deployed cluster (settings/mesh/identity.py):
        # the release's values wait for the check, as its version does.
        identity = self.deployed.check(GuardedValue(CILIUM_IDENTITY_OUTPUT, identity_text(values), identity_step_problem))
        values["cluster"]["name"] = identity.apply(lambda _: settings.cilium.cluster.name)
        self.cilium = Cilium(
            f"{name}-cilium",
            CiliumArgs(
                version=self.deployed.check(GuardedValue(CILIUM_VERSION_OUTPUT, settings.cilium.version, cilium_step_problem)),
                chart_repository=settings.cilium.chart_repository,
                values=values,
                depends_on=(*self.admins.assignments, *mesh_ready),
            ),
            opts=on_cluster,
        )
        self.cidr_groups = CidrGroups(
            f"{name}-cidr-groups",
            CidrGroupsArgs(
                groups=groups_from_settings(settings.cidr_groups, settings.service_tags),
                api_version=cidr_group_api_version(settings.cilium.version_tuple),
                cilium_release=self.cilium.release,
            ),
            opts=on_cluster,
        )
        # Policies name their groups by cidrGroupRef, so each waits for its group and for Cilium.
        self.egress_policies = EgressPolicies(
            f"{name}-egress-policies",
            EgressPoliciesArgs(
                rules=settings.egress_rules,
                groups=self.cidr_groups.resources,
                cilium_release=self.cilium.release,
            ),
            opts=on_cluster,
        )

        # The version Helm reports installed, not the pin: a release that failed records nothing.
        self.deployed.record(CILIUM_VERSION_OUTPUT, self.cilium.release.status.version)
        # The identity the release was installed with, from its values as deployed.
        self.deployed.record(CILIUM_IDENTITY_OUTPUT, self.cilium.release.values.apply(lambda v: identity_text(v or {})))
        self.resource_group_name = self.resource_group.name
        self.cluster_name = self.cluster.cluster.name
        self.oidc_issuer_url = self.cluster.oidc_issuer_url
        self.kubeconfig = self.cluster.kubeconfig
        self.register_outputs(
            {
                "resourceGroupName": self.resource_group_name,
                "clusterName": self.cluster_name,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "kubeconfig": self.kubeconfig,
                "cidrGroupNames": self.cidr_groups.names,
            }
        )
