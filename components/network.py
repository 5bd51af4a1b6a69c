"""The VNet and the subnet the AKS nodes live in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network

from settings.common.azure_names import AzureNames
from settings.network import NetworkSettings


@dataclass(frozen=True)
class NetworkArgs:
    resource_group_name: pulumi.Input[str]
    """Resource group that holds the VNet."""
    location: str
    """Azure region, e.g. `westeurope`."""
    names: AzureNames
    """Azure names of the VNet and the node subnet (fixed, so the same config always names the same ones)."""
    network: NetworkSettings
    """The VNet's address space and the node subnet inside it (checked by the settings)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Azure tags."""


class Network(pulumi.ComponentResource):
    """A VNet with one subnet for node NICs. Pods get their IPs from Cilium, not from this VNet."""

    node_subnet_id: pulumi.Output[str]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-cilium:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        # The subnet is its own resource rather than an inline `subnets` entry so that
        # azure-native can manage it (and its role assignment scope) independently.
        self.vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=args.names.vnet,
            resource_group_name=args.resource_group_name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[str(args.network.vnet_cidr)]),
            tags=dict(args.tags),
            opts=child,
        )
        self.node_subnet = network.Subnet(
            f"{name}-nodes",
            subnet_name=args.names.subnet,
            virtual_network_name=self.vnet.name,
            resource_group_name=args.resource_group_name,
            address_prefix=str(args.network.node_subnet_cidr),
            opts=child,
        )
        self.node_subnet_id = self.node_subnet.id
        self.register_outputs({"vnetId": self.vnet.id, "nodeSubnetId": self.node_subnet.id})
