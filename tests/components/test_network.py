"""Network component: the VNet and node subnet carry exactly the stack's addressing."""

from __future__ import annotations

from tests.harness import ProgramTestCase


class DevNetwork(ProgramTestCase):
    stack = "dev"

    async def test_vnet_uses_the_configured_address_space_and_a_fixed_name(self):
        run = await self.run_program()
        vnet = run.one("azure-native:network:VirtualNetwork")
        self.assertEqual(vnet.inputs["addressSpace"]["addressPrefixes"], ["10.10.0.0/16"], vnet.urn)
        self.assertEqual(vnet.inputs["virtualNetworkName"], "vnet-aks-cilium-dev", vnet.urn)
        self.assertEqual(vnet.inputs["resourceGroupName"], "rg-aks-cilium-dev", vnet.urn)

    async def test_node_subnet_uses_the_configured_range_inside_the_vnet(self):
        run = await self.run_program()
        subnet = run.one("azure-native:network:Subnet")
        self.assertEqual(subnet.inputs["addressPrefix"], "10.10.0.0/22", subnet.urn)
        self.assertEqual(subnet.inputs["virtualNetworkName"], "vnet-aks-cilium-dev", subnet.urn)
        vnet = run.one("azure-native:network:VirtualNetwork")
        self.assertIn(vnet.urn, subnet.dependencies, "the subnet must wait for its VNet")

    async def test_vnet_and_subnet_are_children_of_the_network_component(self):
        run = await self.run_program()
        component = run.one("aks-cilium:network:Network")
        for type_ in ("azure-native:network:VirtualNetwork", "azure-native:network:Subnet"):
            self.assertEqual(run.one(type_).parent, component.urn, type_)

    async def test_changed_addressing_reaches_the_vnet_and_subnet(self):
        run = await self.run_program(
            {"aks-cilium:network": {"vnetCidr": "172.16.0.0/16", "nodeSubnetCidr": "172.16.4.0/24"}}
        )
        self.assertEqual(run.one("azure-native:network:VirtualNetwork").inputs["addressSpace"]["addressPrefixes"], ["172.16.0.0/16"])
        self.assertEqual(run.one("azure-native:network:Subnet").inputs["addressPrefix"], "172.16.4.0/24")
