"""Cilium ClusterMesh for one member of a fleet: Helm values, the load balancers' subnet, VNet peerings.

On AKS BYOCNI the mesh is set up from Helm values alone (cilium `Documentation/network/clustermesh/`,
chart `values.yaml` `clustermesh.*`, `tls.ca.*`):
- `cluster.name` / `cluster.id`: set on every stack, mesh or not (settings/mesh/identity.py);
- `clustermesh.useAPIServer` with the API server behind an Azure internal load balancer whose
  address is fixed in config (annotations `service.beta.kubernetes.io/azure-load-balancer-internal`
  and `...-ipv4`, and `...-internal-subnet` for a subnet of its own; Microsoft Learn, "Use an
  internal load balancer with AKS", https://learn.microsoft.com/azure/aks/internal-lb), so every
  peer knows every endpoint before anything is deployed;
- `clustermesh.config.clusters`: one identical list of every member in every member (each agent
  skips its own entry);
- the fleet's one CA. Not as `tls.ca.cert` / `tls.ca.key` values: the Pulumi SDK lifts a secret
  nested in a resource input to the whole input (`Output.from_input`, pulumi
  `sdk/python/lib/pulumi/output.py`), so every Helm value of the release would become one secret
  and no preview could show or check a values change again. Instead the CA is the Secret
  `kube-system/cilium-ca` the chart itself uses: with `tls.ca` empty, its `cilium.ca.setup`
  helper reuses `ca.crt` / `ca.key` of an existing `cilium-ca` Secret
  (`install/kubernetes/cilium/templates/_helpers.tpl`), which is how Cilium's ClusterMesh guide
  shares a CA ("Shared Certificate Authority": copy the `cilium-ca` secret to every cluster).
  The chart also renders that Secret, so it carries Helm's ownership metadata and Helm adopts it
  (helm/helm#7649, Helm 3.2) instead of refusing to install over it.
Each member peers its own VNet with every other member's (Azure VNet peering is one-directional
per side and not transitive: https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import authorization, network

from components.cluster import NETWORK_CONTRIBUTOR_ROLE, role_assignment_name, role_definition_id
from settings.mesh.fleet import MemberFacts
from settings.mesh.identity import CiliumClusterSettings
from settings.mesh.member import MESH_API_PORT, MeshSettings

ILB_SUBNET_NAME = "snet-ilb"
#: The stack output recording the deployed Cilium identity, `name/id/maxConnectedClusters`
#: (components/deployed_guard.py checks the next run against it).
CILIUM_IDENTITY_OUTPUT = "ciliumClusterIdentity"
LB_INTERNAL = "service.beta.kubernetes.io/azure-load-balancer-internal"
LB_IPV4 = "service.beta.kubernetes.io/azure-load-balancer-ipv4"
LB_SUBNET = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"


def cluster_identity_values(identity: CiliumClusterSettings) -> dict[str, Any]:
    return {"cluster": {"name": identity.name, "id": identity.id}}


def api_server_annotations(mesh: MeshSettings) -> dict[str, str]:
    """The internal load balancer of the mesh API server, at the address config fixes."""
    annotations = {LB_INTERNAL: "true", LB_IPV4: str(mesh.api_server_ip)}
    if mesh.ilb_subnet_cidr is not None:
        annotations[LB_SUBNET] = ILB_SUBNET_NAME
    return annotations


def mesh_clusters(members: Sequence[MemberFacts]) -> list[dict[str, Any]]:
    """`clustermesh.config.clusters`: every member, this one too, in name order, the same list everywhere."""
    entries = [{"name": m.identity.name, "ips": [str(m.mesh.api_server_ip)], "port": MESH_API_PORT} for m in members if m.mesh is not None]
    return sorted(entries, key=lambda e: e["name"])


def pem_base64(pem: str) -> str:
    """A Secret's `data` holds base64 of the PEM text (the chart reads `ca.crt` / `ca.key` from it)."""
    return base64.b64encode(pem.encode("utf-8")).decode("ascii")


def mesh_helm_values(mesh: MeshSettings, members: Sequence[MemberFacts]) -> dict[str, Any]:
    """Helm values of a mesh member (the CA comes from `MeshCa`, not from values)."""
    return {
        "clustermesh": {
            "useAPIServer": True,
            "maxConnectedClusters": mesh.max_connected_clusters,
            "apiserver": {"service": {"type": "LoadBalancer", "annotations": api_server_annotations(mesh)}},
            "config": {"enabled": True, "clusters": mesh_clusters(members)},
        },
    }


CA_SECRET_NAME = "cilium-ca"


def ca_secret_metadata(namespace: str, release_name: str) -> dict[str, Any]:
    """`cilium-ca` with the labels and annotations by which Helm adopts an existing object into a release."""
    return {
        "name": CA_SECRET_NAME,
        "namespace": namespace,
        "labels": {"app.kubernetes.io/managed-by": "Helm"},
        "annotations": {"meta.helm.sh/release-name": release_name, "meta.helm.sh/release-namespace": namespace},
    }


@dataclass(frozen=True)
class MeshCaArgs:
    ca_cert: str
    """PEM certificate of the fleet's CA (public; `aks-cilium:mesh.caCert`)."""
    ca_key: pulumi.Input[str]
    """PEM private key (`aks-cilium:meshCaKey`, decrypted by the CLI); wrapped as a secret here."""
    namespace: str
    release_name: str


class MeshCa(pulumi.ComponentResource):
    """The fleet's CA as `cilium-ca`, created before Cilium so its first install signs with it."""

    secret: k8s.core.v1.Secret

    def __init__(self, name: str, args: MeshCaArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-cilium:mesh:MeshCa", name, None, opts)
        key = pulumi.Output.secret(args.ca_key).apply(pem_base64)
        # pulumi-kubernetes marks a Secret's `data` secret in state (additional_secret_outputs).
        self.secret = k8s.core.v1.Secret(
            f"{name}-secret",
            metadata=ca_secret_metadata(args.namespace, args.release_name),
            type="Opaque",
            data={"ca.crt": pem_base64(args.ca_cert), "ca.key": key},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


def peering_name(peer: MemberFacts) -> str:
    """Unique per VNet and stable: the peer's Cilium cluster name is unique in the mesh and fixed."""
    return f"peer-{peer.identity.name}"


@dataclass(frozen=True)
class MeshNetworkArgs:
    resource_group_name: pulumi.Input[str]
    vnet_name: pulumi.Input[str]
    """This member's VNet."""
    cluster_name: str
    """Azure cluster name: seeds the role assignment's GUID."""
    mesh: MeshSettings
    peers: Sequence[MemberFacts]
    """The other members, from their stack files (settings/mesh/fleet.py)."""
    own_subscription_id: Optional[str]
    """`azure-native:subscriptionId` of this stack, if set; else the subscription `pulumi up` runs in."""
    cluster_principal_id: pulumi.Input[str]
    """The cluster's control-plane identity: it creates the internal load balancer."""


class MeshNetwork(pulumi.ComponentResource):
    """The load balancers' own subnet (when configured) and a peering to every other member's VNet."""

    ready: list[pulumi.Resource]
    """What the Cilium release waits for: the mesh API server's load balancer needs the subnet and the right on it."""

    def __init__(self, name: str, args: MeshNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-cilium:mesh:MeshNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        subscription = args.own_subscription_id or client.subscription_id
        self.ready = []
        if args.mesh.ilb_subnet_cidr is not None:
            self.ilb_subnet = network.Subnet(
                f"{name}-ilb",
                subnet_name=ILB_SUBNET_NAME,
                virtual_network_name=args.vnet_name,
                resource_group_name=args.resource_group_name,
                address_prefix=str(args.mesh.ilb_subnet_cidr),
                opts=child,
            )
            # A load balancer in a subnet other than the nodes' needs the cluster identity to hold
            # Network Contributor there (https://learn.microsoft.com/azure/aks/internal-lb#specify-a-different-subnet).
            self.ilb_access = authorization.RoleAssignment(
                f"{name}-ilb-network-contributor",
                role_assignment_name=role_assignment_name(args.cluster_name, "ilb-subnet", NETWORK_CONTRIBUTOR_ROLE),
                scope=self.ilb_subnet.id,
                role_definition_id=role_definition_id(client.subscription_id, NETWORK_CONTRIBUTOR_ROLE),
                principal_id=args.cluster_principal_id,
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
            )
            self.ready = [self.ilb_subnet, self.ilb_access]
        self.peerings = {}
        for peer in args.peers:
            remote = pulumi.Output.from_input(subscription).apply(peer.vnet_id)
            self.peerings[peer.stack] = network.VirtualNetworkPeering(
                f"{name}-to-{peer.identity.name}",
                virtual_network_peering_name=peering_name(peer),
                resource_group_name=args.resource_group_name,
                virtual_network_name=args.vnet_name,
                remote_virtual_network=network.SubResourceArgs(id=remote),
                # Node-to-node traffic only (VXLAN 8472/udp, health 4240/tcp, mesh API 2379/tcp):
                # no gateway transit, no forwarded traffic.
                allow_virtual_network_access=True,
                allow_forwarded_traffic=False,
                allow_gateway_transit=False,
                use_remote_gateways=False,
                opts=child,
            )
        self.register_outputs({"peerings": {k: p.id for k, p in self.peerings.items()}})
