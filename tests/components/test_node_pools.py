"""Node pools: the first System pool is the cluster's only inline pool; every other pool is an
AgentPool of its own that waits for the cluster, carries its own drift guards and protection,
and can come and go without touching the cluster or Cilium."""

from __future__ import annotations

from components.node_pools import agent_pools, inline_pool
from tests.harness import ProgramTestCase, fingerprint_of, load_stack_settings

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
RELEASE = "kubernetes:helm.sh/v3:Release"

SYSTEM = {"name": "system", "mode": "System", "count": 2}
APPS = {"name": "apps", "mode": "User", "vmSize": "Standard_D8ds_v5", "minCount": 1, "maxCount": 4, "zones": [1, 2]}


def pools(*entries: dict) -> dict:
    return {"aks-cilium:cluster": {"nodePools": list(entries)}}


def test_the_first_system_pool_is_inline_even_when_a_user_pool_is_listed_before_it():
    settings = load_stack_settings("dev", pools(APPS, SYSTEM, {"name": "system2", "mode": "System", "count": 1})).cluster
    assert inline_pool(settings).name == "system"
    assert [p.name for p in agent_pools(settings)] == ["apps", "system2"]


class DevNodePools(ProgramTestCase):
    stack = "dev"

    async def test_dev_has_only_the_inline_pool_and_no_agent_pool(self):
        run = await self.run_program()
        self.assertEqual([p["name"] for p in run.one(CLUSTER).inputs["agentPoolProfiles"]], ["system"])
        self.assertEqual(run.by_type(AGENT_POOL), [])

    async def test_a_user_pool_is_an_agent_pool_of_the_cluster_with_every_setting_from_config(self):
        run = await self.run_program(pools(SYSTEM, {**APPS, "maxPods": 60, "osDiskSizeGb": 128, "osSku": "Ubuntu"}))
        cluster = run.one(CLUSTER)
        pool = run.one(AGENT_POOL)
        subnet = run.one("azure-native:network:Subnet")
        self.assertEqual([p["name"] for p in cluster.inputs["agentPoolProfiles"]], ["system"], cluster.urn)
        expected = {
            "agentPoolName": "apps",
            "resourceName": cluster.state["name"],
            "resourceGroupName": cluster.inputs["resourceGroupName"],
            "mode": "User",
            "vmSize": "Standard_D8ds_v5",
            "osType": "Linux",
            "osSKU": "Ubuntu",
            "type": "VirtualMachineScaleSets",
            "count": 1,
            "enableAutoScaling": True,
            "minCount": 1,
            "maxCount": 4,
            "availabilityZones": ["1", "2"],
            "maxPods": 60,
            "osDiskSizeGB": 128,
            "vnetSubnetID": subnet.state["id"],
            "upgradeSettings": {"maxSurge": "10%"},
        }
        self.assertEqual({k: pool.inputs.get(k) for k in expected}, expected, pool.urn)

    async def test_an_agent_pool_waits_for_the_cluster(self):
        run = await self.run_program(pools(SYSTEM, APPS))
        self.assertIn(run.one(CLUSTER).urn, run.one(AGENT_POOL).dependencies)

    async def test_an_autoscaled_agent_pool_ignores_its_count_and_a_fixed_one_does_not(self):
        run = await self.run_program(pools(SYSTEM, APPS, {"name": "batch", "count": 2}))
        found = {r.inputs["agentPoolName"]: r for r in run.by_type(AGENT_POOL)}
        self.assertEqual(found["apps"].ignore_changes, ["count"])
        self.assertEqual(found["batch"].ignore_changes, [])

    async def test_an_autoscaled_inline_pool_ignores_only_its_own_count_by_camel_case_path(self):
        run = await self.run_program(pools({"name": "system", "mode": "System", "minCount": 1, "maxCount": 3}, APPS))
        self.assertEqual(run.one(CLUSTER).ignore_changes, ["agentPoolProfiles[0].count"])

    async def test_adding_a_user_pool_leaves_the_clusters_registration_identical(self):
        without = fingerprint_of((await self.run_program()).one(CLUSTER))
        with_pool = fingerprint_of((await self.run_program(pools(SYSTEM, APPS))).one(CLUSTER))
        self.assertEqual(without, with_pool)

    async def test_an_extra_system_pool_is_an_agent_pool_too(self):
        run = await self.run_program(pools(SYSTEM, {"name": "system2", "mode": "System", "count": 1}))
        pool = run.one(AGENT_POOL)
        self.assertEqual((pool.inputs["agentPoolName"], pool.inputs["mode"]), ("system2", "System"))

    async def test_cilium_waits_for_no_agent_pool(self):
        # Cilium needs the inline System pool only; nodes of pools that join later get its DaemonSet.
        run = await self.run_program(pools(SYSTEM, APPS))
        release = run.one(RELEASE)
        pool = run.one(AGENT_POOL)
        self.assertNotIn(pool.urn, release.dependencies)
        self.assertNotIn(pool.urn, run.one("pulumi:providers:kubernetes").dependencies)

    async def test_dev_does_not_protect_its_agent_pools(self):
        run = await self.run_program(pools(SYSTEM, APPS))
        self.assertFalse(run.one(AGENT_POOL).protect)


class ProdNodePools(ProgramTestCase):
    stack = "prod"

    async def test_prod_keeps_the_system_pool_inline_and_apps_as_a_zone_redundant_autoscaled_agent_pool(self):
        run = await self.run_program()
        (system,) = run.one(CLUSTER).inputs["agentPoolProfiles"]
        apps = run.one(AGENT_POOL)
        self.assertEqual(system["name"], "system")
        self.assertEqual(apps.inputs["agentPoolName"], "apps")
        for pool in (system, apps.inputs):
            self.assertEqual(pool["availabilityZones"], ["1", "2", "3"])
            self.assertTrue(pool["enableAutoScaling"])
        self.assertEqual((system["minCount"], system["maxCount"], system["count"]), (3, 5, 3))
        self.assertEqual((apps.inputs["minCount"], apps.inputs["maxCount"], apps.inputs["count"]), (3, 10, 3))
        self.assertEqual((system["upgradeSettings"]["maxSurge"], apps.inputs["upgradeSettings"]["maxSurge"]), ("1", "33%"))

    async def test_prod_protects_its_agent_pools_so_deleting_one_is_a_conscious_act(self):
        run = await self.run_program()
        self.assertTrue(run.one(AGENT_POOL).protect)

    async def test_removing_the_user_pool_leaves_the_clusters_registration_identical(self):
        with_pool = fingerprint_of((await self.run_program()).one(CLUSTER))
        system_only = {"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "minCount": 3, "maxCount": 5,
                       "zones": ["1", "2", "3"], "maxSurge": "1"}
        run = await self.run_program(pools(system_only))
        self.assertEqual(run.by_type(AGENT_POOL), [])
        self.assertEqual(with_pool, fingerprint_of(run.one(CLUSTER)))
