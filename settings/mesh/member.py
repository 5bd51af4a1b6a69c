"""`aks-cilium:mesh`: one member of a fleet joined by Cilium ClusterMesh, and its secret CA key.

The section names the fleet, its members (stacks of this project) and this member's mesh API
server address; the members' facts and the rules across members are `settings.mesh.fleet`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Collection, Mapping
from typing import Any, Optional

from pydantic import Field, field_validator

from settings.common.addresses import Ipv4Address, Ipv4Cidr
from settings.common.base import Section
from settings.common.errors import key_path
from settings.common.problems import Problem
from settings.mesh.identity import CLUSTER_NAME_PATTERN, MAX_CONNECTED_CLUSTERS
from settings.network import NetworkSettings

#: Port of the clustermesh-apiserver's etcd (values.yaml `clustermesh.apiserver.service`; clustermesh.rst).
MESH_API_PORT = 2379
#: Azure keeps the first four and the last address of every subnet (Azure VNet FAQ,
#: https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets).
AZURE_RESERVED_FIRST, AZURE_RESERVED_LAST = 4, 1
#: The config key of the shared CA's private key: the one key of this stack that must be secret.
CA_KEY = key_path("meshCaKey")
CA_KEY_SET = f"`pulumi config set --secret {CA_KEY} < ca.key` (the PEM file of the fleet's CA key)"

#: What the example fleet's certificate decodes to: a placeholder a preview warns about and `pulumi up` refuses.
PLACEHOLDER_CERTIFICATE = b"PLACEHOLDER"
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----")


def pem_certificate_body(text: str) -> Optional[bytes]:
    """The decoded body of `text` when it is exactly one PEM certificate, else None."""
    match = _PEM.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return base64.b64decode("".join(match.group(1).split()), validate=True)
    except binascii.Error:
        return None


def is_placeholder_certificate(text: str) -> bool:
    body = pem_certificate_body(text)
    return body is not None and body.startswith(PLACEHOLDER_CERTIFICATE)


class MeshSettings(Section):
    """`aks-cilium:mesh`: this stack is a member of a fleet of clusters joined by Cilium ClusterMesh."""

    fleet: str = Field(examples=["mesh"])
    """Name of the fleet; every member names the same one."""
    members: tuple[str, ...] = Field(examples=[["mesh-weu", "mesh-neu"]])
    """Stacks of this project in the fleet, this one included; every member lists the same stacks."""
    api_server_ip: Ipv4Address = Field(examples=["10.30.255.4"])
    """Fixed private address of this member's clustermesh-apiserver (an Azure internal load balancer)."""
    ilb_subnet_cidr: Optional[Ipv4Cidr] = None
    """A subnet of its own for internal load balancers, inside the VNet; `apiServerIp` lies in it. Unset: the node subnet."""
    max_connected_clusters: int = 255
    """Cilium's `clustermesh.maxConnectedClusters`: 255 or 511, the same in every member, fixed at the first deploy."""
    ca_cert: str = Field(examples=["-----BEGIN CERTIFICATE-----..."])
    """PEM certificate of the fleet's shared CA (the `cilium-ca` Secret's `ca.crt`); its key is the secret `aks-cilium:meshCaKey`."""

    @field_validator("fleet")
    @classmethod
    def _fleet(cls, value: str) -> str:
        if len(value) > 63 or not re.fullmatch(CLUSTER_NAME_PATTERN, value):
            raise ValueError("must be 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit")
        return value

    @field_validator("members")
    @classmethod
    def _members(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        twice = sorted({m for m in value if value.count(m) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(repr(m) for m in twice)} more than once")
        if len(value) < 2:
            raise ValueError("must list at least two stacks (this one and a peer)")
        return value

    @field_validator("max_connected_clusters")
    @classmethod
    def _max_connected(cls, value: int) -> int:
        if value not in MAX_CONNECTED_CLUSTERS:
            raise ValueError("must be 255 or 511 (the only values Cilium supports, cilium/cilium PR #27520)")
        return value

    @field_validator("ca_cert")
    @classmethod
    def _ca_cert(cls, value: str) -> str:
        body = pem_certificate_body(value)
        if body is None:
            raise ValueError("must be one PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----): the fleet CA's certificate, not its key")
        # A certificate is DER, an ASN.1 SEQUENCE (0x30; RFC 5280 section 4.1); the example fleet's placeholder is text.
        if not (body.startswith(b"\x30") or body.startswith(PLACEHOLDER_CERTIFICATE)):
            raise ValueError("is not a certificate: the base64 between the PEM lines must decode to DER (ASN.1); paste ca.crt as it is")
        return value.strip() + "\n"

    @property
    def api_server_subnet_key(self) -> str:
        return key_path("mesh", "ilbSubnetCidr") if self.ilb_subnet_cidr is not None else key_path("network", "nodeSubnetCidr")


def subnet_usable(subnet: ipaddress.IPv4Network, address: ipaddress.IPv4Address) -> bool:
    """Whether Azure lets a resource take `address` in `subnet` (not one of the five it keeps)."""
    first = int(subnet.network_address) + AZURE_RESERVED_FIRST
    last = int(subnet.broadcast_address) - AZURE_RESERVED_LAST
    return address in subnet and first <= int(address) <= last


def api_server_subnet(mesh: MeshSettings, network: NetworkSettings) -> ipaddress.IPv4Network:
    return mesh.ilb_subnet_cidr if mesh.ilb_subnet_cidr is not None else network.node_subnet_cidr


def mesh_problems(mesh: MeshSettings, network: NetworkSettings, stack: str) -> list[Problem]:
    """This member's own mesh settings against its network; the rules across members are `settings.mesh.fleet`."""
    problems = []
    if stack not in mesh.members:
        problems.append(Problem(key_path("mesh", "members"), f"must list this stack, {stack!r}, too: every member lists the same stacks, itself included", list(mesh.members)))
    ilb = mesh.ilb_subnet_cidr
    if ilb is not None:
        at = key_path("mesh", "ilbSubnetCidr")
        if not ilb.subnet_of(network.vnet_cidr):
            problems.append(Problem(at, f"must lie inside {key_path('network', 'vnetCidr')} = '{network.vnet_cidr}'", str(ilb)))
        elif ilb.overlaps(network.node_subnet_cidr):
            problems.append(Problem(at, f"overlaps {key_path('network', 'nodeSubnetCidr')} = '{network.node_subnet_cidr}': the load balancers' subnet is a subnet of its own", str(ilb)))
        if ilb.prefixlen > 29:
            problems.append(Problem(at, "is too small: Azure's smallest subnet is a /29 (it keeps 5 addresses of every subnet)", str(ilb)))
    subnet = api_server_subnet(mesh, network)
    ip = mesh.api_server_ip
    if ip not in subnet:
        problems.append(Problem(key_path("mesh", "apiServerIp"), f"must lie inside {mesh.api_server_subnet_key} = '{subnet}', where the internal load balancer takes it", str(ip)))
    elif not subnet_usable(subnet, ip):
        problems.append(
            Problem(
                key_path("mesh", "apiServerIp"),
                f"is one of the five addresses Azure keeps in {subnet} (its first four and its last)",
                str(ip),
                hint=f"use e.g. {subnet[AZURE_RESERVED_FIRST]}",
            )
        )
    return problems


#: Helm values the stack sets from `cilium.cluster` and `mesh`; `aks-cilium:cilium.values` may not set them.
MESH_MANAGED_VALUES: dict[str, str] = {
    "cluster.name": "set from aks-cilium:cilium.cluster.name",
    "cluster.id": "set from aks-cilium:cilium.cluster.id",
    "clustermesh": "set from aks-cilium:mesh, the same way in every member",
    "tls.ca": "a CA here would replace the fleet's shared one, the cilium-ca Secret from aks-cilium:mesh.caCert and the secret aks-cilium:meshCaKey",
}


def managed_value_problems(flat_values: Mapping[str, Any]) -> list[Problem]:
    """`cilium.values` entries that would override the cluster identity or the mesh."""
    problems = []
    for path, why in MESH_MANAGED_VALUES.items():
        for flat in sorted(p for p in flat_values if p == path or p.startswith(f"{path}.")):
            problems.append(Problem(f"{key_path('cilium', 'values')}.{flat}", f"is set by the stack ({why}); remove it"))
    return problems


def ca_key_problems(raw: Mapping[str, str], secret_keys: Collection[str], mesh_set: bool) -> list[Problem]:
    """`aks-cilium:meshCaKey`: set, and secret, exactly when the stack is a mesh member. Never shows the value."""
    if CA_KEY not in raw:
        return [Problem(CA_KEY, "required for a mesh member but not set: every member installs the fleet's one CA", hint=CA_KEY_SET)] if mesh_set else []
    if not mesh_set:
        return [Problem(CA_KEY, f"is set, but {key_path('mesh')} is not: only mesh members take the fleet's CA key; remove it")]
    if CA_KEY not in secret_keys:
        return [Problem(CA_KEY, "is in plain text in the stack file; a CA key must be a secret", hint=f"remove it and set it again with {CA_KEY_SET}")]
    return []


def mesh_placeholders(mesh: Optional[MeshSettings]) -> list[Problem]:
    """The example fleet's placeholder certificate: a preview warns, `pulumi up` refuses (settings/common/placeholders.py)."""
    if mesh is None or not is_placeholder_certificate(mesh.ca_cert):
        return []
    key = key_path("mesh", "caCert")
    return [Problem(key, "is the example fleet's placeholder certificate, a placeholder", hint=f"put the fleet CA's certificate: `pulumi config set --path '{key}' \"$(cat ca.crt)\"` (docs/fleet.md)")]
