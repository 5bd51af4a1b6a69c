"""Upgrade channels: which Kubernetes version each channel allows in config, and which version
fields the cluster and its pools ignore because Azure moves them (Microsoft Learn, "Automatically
upgrade an AKS cluster")."""

from __future__ import annotations

from tests.harness import ProgramTestCase, load_stack_settings, problems_for

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"

FIXED_POOLS = [{"name": "system", "mode": "System", "count": 2}, {"name": "apps", "count": 2}]


def cluster(**keys) -> dict:
    return {"aks-cilium:cluster": keys}


def test_rejects_the_legacy_node_image_cluster_channel_naming_its_replacement():
    (problem,) = problems_for(cluster(upgradeChannel="node-image"))
    assert problem.startswith("aks-cilium:cluster.upgradeChannel = 'node-image': is legacy as a cluster channel")
    assert "set it to 'none' or 'patch' and aks-cilium:cluster.nodeOsUpgradeChannel to 'NodeImage'" in problem


def test_rejects_a_pinned_version_under_stable_and_rapid():
    for channel in ("stable", "rapid"):
        (problem,) = problems_for(cluster(upgradeChannel=channel, kubernetesVersion="1.33"))
        assert problem.startswith(
            "aks-cilium:cluster.kubernetesVersion = '1.33': can be set only when aks-cilium:cluster.upgradeChannel is 'none' or 'patch'"
        ), problem
        assert f"under '{channel}' Azure moves the version itself" in problem


def test_rejects_a_patch_level_version_under_patch_and_names_the_minor_to_use():
    (problem,) = problems_for(cluster(upgradeChannel="patch", kubernetesVersion="1.33.2"))
    assert problem.startswith(
        "aks-cilium:cluster.kubernetesVersion = '1.33.2': under aks-cilium:cluster.upgradeChannel 'patch' give MAJOR.MINOR only ('1.33')"
    )


def test_rejects_channel_none_without_a_version():
    (problem,) = problems_for(cluster(upgradeChannel="none"))
    assert problem.startswith("aks-cilium:cluster.kubernetesVersion: required when aks-cilium:cluster.upgradeChannel is 'none'")


def test_accepts_a_minor_under_patch_and_any_version_under_none():
    assert load_stack_settings("dev", cluster(upgradeChannel="patch", kubernetesVersion="1.33")).cluster.kubernetes_version == "1.33"
    assert load_stack_settings("dev", cluster(upgradeChannel="none", kubernetesVersion="1.33.2")).cluster.kubernetes_version == "1.33.2"


class DevUpgradeChannels(ProgramTestCase):
    stack = "dev"

    async def test_patch_declares_the_minor_on_cluster_and_pools_and_ignores_no_version(self):
        # A minor bump in config then previews as an update of the cluster and of each pool.
        run = await self.run_program(cluster(upgradeChannel="patch", kubernetesVersion="1.33", nodePools=FIXED_POOLS))
        aks = run.one(CLUSTER)
        pool = run.one(AGENT_POOL)
        self.assertEqual(aks.inputs["kubernetesVersion"], "1.33")
        self.assertEqual(aks.inputs["agentPoolProfiles"][0]["orchestratorVersion"], "1.33")
        self.assertEqual(pool.inputs["orchestratorVersion"], "1.33")
        self.assertEqual(aks.ignore_changes, [], aks.urn)
        self.assertEqual(pool.ignore_changes, [], pool.urn)

    async def test_none_declares_the_exact_version_and_ignores_no_version(self):
        run = await self.run_program(cluster(upgradeChannel="none", kubernetesVersion="1.33.2", nodePools=FIXED_POOLS))
        self.assertEqual(run.one(AGENT_POOL).inputs["orchestratorVersion"], "1.33.2")
        self.assertEqual(run.one(CLUSTER).ignore_changes, [])
        self.assertEqual(run.one(AGENT_POOL).ignore_changes, [])

    async def test_stable_and_rapid_declare_no_version_and_ignore_the_ones_azure_sets(self):
        for channel in ("stable", "rapid"):
            run = await self.run_program(cluster(upgradeChannel=channel, nodePools=FIXED_POOLS))
            aks = run.one(CLUSTER)
            pool = run.one(AGENT_POOL)
            self.assertNotIn("kubernetesVersion", aks.inputs, channel)
            self.assertNotIn("orchestratorVersion", pool.inputs, channel)
            self.assertEqual(aks.ignore_changes, ["kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion"], channel)
            self.assertEqual(pool.ignore_changes, ["orchestratorVersion"], channel)


class ProdUpgradeChannels(ProgramTestCase):
    stack = "prod"

    async def test_prod_on_stable_ignores_versions_and_autoscaled_counts_only_of_its_own_pools(self):
        run = await self.run_program()
        self.assertEqual(
            run.one(CLUSTER).ignore_changes,
            ["kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion", "agentPoolProfiles[0].count"],
        )
        self.assertEqual(run.one(AGENT_POOL).ignore_changes, ["orchestratorVersion", "count"])
