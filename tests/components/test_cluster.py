"""Cluster component: AKS in BYOCNI mode with every network value explicit, its identity and
subnet role assignment in the right order, Entra ID with Azure RBAC, and the per-stack options.
Node pools, cluster admins and upgrade channels have their own test modules."""

from __future__ import annotations

from components.cluster import NETWORK_CONTRIBUTOR_ROLE
from offline.run.mocks import FAKE_TENANT_ID
from tests.harness import ProgramTestCase

CLUSTER = "azure-native:containerservice:ManagedCluster"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


def role_assignment(run, role: str):
    found = [r for r in run.by_type(ROLE_ASSIGNMENT) if r.inputs["roleDefinitionId"].endswith(f"/{role}")]
    assert len(found) == 1, [r.urn for r in found]
    return found[0]


class DevCluster(ProgramTestCase):
    stack = "dev"

    async def test_cluster_runs_in_byocni_mode_with_every_network_value_from_config(self):
        run = await self.run_program()
        cluster = run.one(CLUSTER)
        self.assertEqual(
            cluster.inputs["networkProfile"],
            {
                "networkPlugin": "none",
                "podCidr": "10.244.0.0/16",
                "serviceCidr": "10.0.0.0/16",
                "dnsServiceIP": "10.0.0.10",
                "outboundType": "loadBalancer",
                "loadBalancerSku": "standard",
            },
            cluster.urn,
        )

    async def test_changed_network_values_reach_the_cluster_unchanged(self):
        run = await self.run_program(
            {"aks-cilium:network": {"podCidr": "100.64.0.0/14", "serviceCidr": "10.2.0.0/20", "dnsServiceIp": "10.2.0.53"}}
        )
        profile = run.one(CLUSTER).inputs["networkProfile"]
        self.assertEqual(
            (profile["podCidr"], profile["serviceCidr"], profile["dnsServiceIP"]),
            ("100.64.0.0/14", "10.2.0.0/20", "10.2.0.53"),
        )

    async def test_cluster_identity_has_network_contributor_on_the_node_subnet_before_the_cluster_exists(self):
        run = await self.run_program()
        cluster = run.one(CLUSTER)
        identity = run.one("azure-native:managedidentity:UserAssignedIdentity")
        grant = role_assignment(run, NETWORK_CONTRIBUTOR_ROLE)
        subnet = run.one("azure-native:network:Subnet")
        self.assertEqual(grant.inputs["scope"], subnet.state["id"], grant.urn)
        self.assertEqual(grant.inputs["principalId"], identity.state["principalId"], grant.urn)
        self.assertEqual(grant.inputs["principalType"], "ServicePrincipal", grant.urn)
        self.assertIn(grant.urn, cluster.dependencies, "the cluster must wait for its subnet permission")
        self.assertEqual(cluster.inputs["identity"], {"type": "UserAssigned", "userAssignedIdentities": [identity.state["id"]]})

    async def test_node_pools_sit_in_the_node_subnet_with_the_configured_size(self):
        run = await self.run_program()
        subnet = run.one("azure-native:network:Subnet")
        (pool,) = run.one(CLUSTER).inputs["agentPoolProfiles"]
        self.assertEqual(pool["vnetSubnetID"], subnet.state["id"])
        self.assertEqual((pool["name"], pool["mode"], pool["vmSize"], pool["count"]), ("system", "System", "Standard_D4ds_v5", 2))
        self.assertFalse(pool["enableAutoScaling"])
        self.assertNotIn("availabilityZones", pool)

    async def test_oidc_issuer_and_workload_identity_are_on(self):
        run = await self.run_program()
        cluster = run.one(CLUSTER)
        self.assertEqual(cluster.inputs["oidcIssuerProfile"], {"enabled": True})
        self.assertEqual(cluster.inputs["securityProfile"], {"workloadIdentity": {"enabled": True}})

    async def test_entra_id_with_azure_rbac_is_on_for_the_deployers_tenant(self):
        run = await self.run_program()
        aad = run.one(CLUSTER).inputs["aadProfile"]
        self.assertEqual(aad["managed"], True)
        self.assertEqual(aad["enableAzureRBAC"], True)
        self.assertEqual(aad["tenantID"], FAKE_TENANT_ID)
        # Admins are granted only by role assignments (tests/components/test_cluster_access.py).
        self.assertNotIn("adminGroupObjectIDs", aad)

    async def test_the_subnet_role_assignment_is_deleted_before_it_is_replaced_under_the_same_name(self):
        run = await self.run_program()
        grant = role_assignment(run, NETWORK_CONTRIBUTOR_ROLE)
        self.assertTrue(grant.delete_before_replace, grant.urn)

    async def test_upgrade_channels_come_from_config(self):
        run = await self.run_program({"aks-cilium:cluster": {"upgradeChannel": "rapid", "nodeOsUpgradeChannel": "SecurityPatch"}})
        self.assertEqual(
            run.one(CLUSTER).inputs["autoUpgradeProfile"],
            {"upgradeChannel": "rapid", "nodeOSUpgradeChannel": "SecurityPatch"},
        )

    async def test_kubernetes_version_pins_the_control_plane_and_the_inline_pool(self):
        run = await self.run_program({"aks-cilium:cluster": {"kubernetesVersion": "1.33.2", "upgradeChannel": "none"}})
        cluster = run.one(CLUSTER)
        self.assertEqual(cluster.inputs["kubernetesVersion"], "1.33.2")
        self.assertEqual([p["orchestratorVersion"] for p in cluster.inputs["agentPoolProfiles"]], ["1.33.2"])

    async def test_dev_keeps_local_accounts_and_an_open_api_server(self):
        run = await self.run_program()
        cluster = run.one(CLUSTER)
        self.assertEqual(cluster.inputs["disableLocalAccounts"], False)
        self.assertEqual(cluster.inputs["apiServerAccessProfile"], {"authorizedIPRanges": []})

    async def test_azure_names_are_fixed_by_the_cluster_name(self):
        run = await self.run_program({"aks-cilium:clusterName": "platform-weu"})
        cluster = run.one(CLUSTER)
        self.assertEqual(cluster.inputs["resourceName"], "platform-weu")
        self.assertEqual(cluster.inputs["dnsPrefix"], "platform-weu")
        self.assertEqual(cluster.inputs["nodeResourceGroup"], "rg-platform-weu-nodes")
        self.assertEqual(run.one("azure-native:resources:ResourceGroup").inputs["resourceGroupName"], "rg-platform-weu")


class ProdCluster(ProgramTestCase):
    stack = "prod"

    async def test_prod_turns_local_accounts_off_and_restricts_the_api_server(self):
        run = await self.run_program()
        cluster = run.one(CLUSTER)
        self.assertEqual(cluster.inputs["disableLocalAccounts"], True)
        self.assertEqual(
            cluster.inputs["apiServerAccessProfile"], {"authorizedIPRanges": ["203.0.113.0/24", "198.51.100.0/24"]}
        )

    async def test_prod_uses_the_standard_tier(self):
        run = await self.run_program()
        self.assertEqual(run.one(CLUSTER).inputs["sku"], {"name": "Base", "tier": "Standard"})
