"""The two stacks: both declare the whole platform, differ where environments really differ,
and export the outputs users need with the kubeconfig kept secret."""

from __future__ import annotations

from tests.harness import ProgramTestCase, load_stack_settings

EXPECTED_TYPES = {
    "aks-cilium:platform:AksCiliumPlatform": 1,
    "pulumi:providers:azure-native": 1,
    "aks-cilium:network:Network": 1,
    "aks-cilium:cluster:AksCluster": 1,
    "aks-cilium:clusteraccess:ClusterAdmins": 1,
    "aks-cilium:nodepools:NodePools": 1,
    "aks-cilium:cilium:Cilium": 1,
    "aks-cilium:cidrgroups:CidrGroups": 1,
    "aks-cilium:egresspolicies:EgressPolicies": 1,
    "azure-native:resources:ResourceGroup": 1,
    "azure-native:network:VirtualNetwork": 1,
    "azure-native:network:Subnet": 1,
    "azure-native:managedidentity:UserAssignedIdentity": 1,
    "azure-native:authorization:RoleAssignment": 1,
    "azure-native:containerservice:ManagedCluster": 1,
    "pulumi:providers:kubernetes": 1,
    "kubernetes:helm.sh/v3:Release": 1,
    "kubernetes:cilium.io/v2:CiliumCIDRGroup": 2,
}


def test_dev_and_prod_differ_where_environments_differ():
    dev, prod = load_stack_settings("dev"), load_stack_settings("prod")
    assert (dev.protect, prod.protect) == (False, True)
    assert (dev.cluster.disable_local_accounts, prod.cluster.disable_local_accounts) == (False, True)
    assert dev.cluster.authorized_ip_ranges == () and prod.cluster.authorized_ip_ranges != ()
    assert [p.autoscaling for p in dev.cluster.node_pools] == [False]
    assert [p.autoscaling for p in prod.cluster.node_pools] == [True, True]
    assert [p.zones for p in dev.cluster.node_pools] == [()]
    assert all(p.zones == ("1", "2", "3") for p in prod.cluster.node_pools)
    assert (dev.cluster.sku_tier, prod.cluster.sku_tier) == ("Free", "Standard")
    # Dev installs Cilium with the static admin kubeconfig; prod names who is cluster-admin.
    assert (len(dev.cluster.admins), len(prod.cluster.admins)) == (0, 1)
    # Same Cilium release in every environment: what dev proves is what prod runs.
    assert dev.cilium.version == prod.cilium.version == "1.20.0"


def test_dev_and_prod_address_ranges_do_not_overlap_so_they_can_be_peered():
    dev, prod = load_stack_settings("dev").network, load_stack_settings("prod").network
    assert not dev.vnet_cidr.overlaps(prod.vnet_cidr)


class StackOutputs(ProgramTestCase):
    stack = "dev"

    async def test_the_stack_declares_the_whole_platform(self):
        run = await self.run_program()
        counts: dict[str, int] = {}
        for registration in run.registrations:
            counts[registration.type] = counts.get(registration.type, 0) + 1
        self.assertEqual(counts, EXPECTED_TYPES)

    async def test_every_resource_hangs_under_the_platform_component(self):
        run = await self.run_program()
        platform = run.one("aks-cilium:platform:AksCiliumPlatform")
        urns = {r.urn for r in run.registrations}
        for registration in run.registrations:
            if registration is platform:
                continue
            self.assertIn(registration.parent, urns, registration.urn)

    async def test_outputs_name_the_resource_group_cluster_issuer_groups_and_hubble_ui(self):
        run = await self.run_program()
        outputs = {name: output.value for name, output in run.outputs.items() if name != "kubeconfig"}
        self.assertEqual(outputs["resourceGroupName"], "rg-aks-cilium-dev")
        self.assertEqual(outputs["clusterName"], "aks-cilium-dev")
        self.assertTrue(outputs["oidcIssuerUrl"].startswith("https://westeurope.oic.prod-aks.azure.com/"))
        self.assertEqual(outputs["cidrGroupNames"], ["azure-imds", "azure-internal-dns"])
        self.assertIn("port-forward svc/hubble-ui", outputs["hubbleUiCommand"])

    async def test_only_the_kubeconfig_output_is_secret_and_no_other_output_contains_it(self):
        run = await self.run_program()
        self.assertEqual([name for name, output in run.outputs.items() if output.secret], ["kubeconfig"])
        kubeconfig = run.outputs["kubeconfig"].value
        for name, output in run.outputs.items():
            if name != "kubeconfig":
                self.assertNotIn(kubeconfig, str(output.value), name)
