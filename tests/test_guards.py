"""Guards: drift Azure causes itself is ignored, protected stacks protect what matters,
nothing reaches the cluster before the CNI, and the same config declares the same resources."""

from __future__ import annotations

from offline.engine import start_mocks
from settings.errors import ConfigError
from tests.harness import ProgramTestCase

CLUSTER = "azure-native:containerservice:ManagedCluster"
RELEASE = "kubernetes:helm.sh/v3:Release"


def fingerprint(run) -> list[tuple]:
    """Everything a registration says, in a comparable form (secrets shown, order fixed)."""
    from tests.harness import reveal

    return sorted(
        (r.urn, r.type, repr(reveal(r.inputs)), tuple(sorted(r.dependencies)), r.parent, r.provider, tuple(r.ignore_changes), r.protect)
        for r in run.registrations
    )


def resources_on_the_cluster(run) -> list:
    """Custom resources sent through the cluster's provider, other than the Cilium release."""
    provider = run.one("pulumi:providers:kubernetes")
    release = run.one(RELEASE)
    return [r for r in run.registrations if r.custom and r.provider_urn == provider.urn and r.urn != release.urn]


class DevGuards(ProgramTestCase):
    stack = "dev"

    async def test_auto_upgrade_channel_makes_kubernetes_versions_ignored(self):
        run = await self.run_program()
        self.assertEqual(
            run.one(CLUSTER).ignore_changes, ["kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion"]
        )

    async def test_without_an_upgrade_channel_versions_are_managed_by_the_stack(self):
        run = await self.run_program({"aks-cilium:cluster": {"upgradeChannel": "none", "kubernetesVersion": "1.33"}})
        self.assertEqual(run.one(CLUSTER).ignore_changes, [])

    async def test_node_image_channel_does_not_move_the_kubernetes_version(self):
        run = await self.run_program({"aks-cilium:cluster": {"upgradeChannel": "node-image"}})
        self.assertNotIn("kubernetesVersion", run.one(CLUSTER).ignore_changes)

    async def test_autoscaled_pools_have_their_node_count_ignored_by_camel_case_path(self):
        run = await self.run_program(
            {
                "aks-cilium:cluster": {
                    "upgradeChannel": "none",
                    "nodePools": [
                        {"name": "system", "mode": "System", "count": 2},
                        {"name": "apps", "mode": "User", "minCount": 1, "maxCount": 4},
                    ],
                }
            }
        )
        self.assertEqual(run.one(CLUSTER).ignore_changes, ["agentPoolProfiles[1].count"])

    async def test_dev_protects_nothing(self):
        run = await self.run_program()
        self.assertEqual([r.urn for r in run.registrations if r.protect], [])

    async def test_every_resource_on_the_cluster_waits_for_the_cilium_release(self):
        run = await self.run_program({"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.0/24"]}]})
        release = run.one(RELEASE)
        on_cluster = resources_on_the_cluster(run)
        self.assertGreaterEqual(len(on_cluster), 3)
        for registration in on_cluster:
            self.assertIn(release.urn, registration.dependencies, registration.urn)

    async def test_a_bad_config_declares_no_resource_at_all(self):
        with self.assertRaises(ConfigError):
            await self.run_program({"aks-cilium:network": {"podCidr": "10.10.0.0/16"}})
        self.assertEqual(self.monitor.registrations, [])

    async def test_two_runs_with_the_same_config_declare_identical_resources(self):
        first = fingerprint(await self.run_program())
        self.monitor = start_mocks(self.config)
        second = fingerprint(await self.run_program())
        self.assertGreater(len(first), 10)
        self.assertEqual(first, second)


class ProdGuards(ProgramTestCase):
    stack = "prod"

    async def test_every_resource_on_the_cluster_including_policies_waits_for_the_cilium_release(self):
        run = await self.run_program()
        release = run.one(RELEASE)
        on_cluster = resources_on_the_cluster(run)
        self.assertTrue(any(r.type.endswith(":CiliumClusterwideNetworkPolicy") for r in on_cluster))
        for registration in on_cluster:
            self.assertIn(release.urn, registration.dependencies, registration.urn)

    async def test_prod_protects_the_resource_group_and_the_cluster_only(self):
        run = await self.run_program()
        protected = sorted(r.type for r in run.registrations if r.protect)
        self.assertEqual(protected, [CLUSTER, "azure-native:resources:ResourceGroup"])

    async def test_prod_ignores_versions_and_autoscaled_counts_of_both_pools(self):
        run = await self.run_program()
        self.assertEqual(
            run.one(CLUSTER).ignore_changes,
            [
                "kubernetesVersion",
                "agentPoolProfiles[0].orchestratorVersion",
                "agentPoolProfiles[1].orchestratorVersion",
                "agentPoolProfiles[0].count",
                "agentPoolProfiles[1].count",
            ],
        )
