"""Guards: protected stacks protect what matters, nothing reaches the cluster before the CNI,
and the same config declares the same resources. Drift Azure causes itself (versions, autoscaled
counts) is tested in tests/settings/test_upgrades.py and tests/components/test_node_pools.py."""

from __future__ import annotations

from offline.run.engine import start_mocks
from settings.common.errors import ConfigError
from tests.harness import ProgramTestCase, fingerprint_of

CLUSTER = "azure-native:containerservice:ManagedCluster"
RELEASE = "kubernetes:helm.sh/v3:Release"


def fingerprint(run) -> list[tuple]:
    """Every registration of a run, comparable, in a fixed order."""
    return sorted(fingerprint_of(r) for r in run.registrations)


def resources_on_the_cluster(run) -> list:
    """Custom resources sent through the cluster's provider, other than the Cilium release."""
    provider = run.one("pulumi:providers:kubernetes")
    release = run.one(RELEASE)
    return [r for r in run.registrations if r.custom and r.provider_urn == provider.urn and r.urn != release.urn]


class DevGuards(ProgramTestCase):
    stack = "dev"

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

    async def test_prod_protects_the_resource_group_the_cluster_and_its_node_pools_only(self):
        run = await self.run_program()
        protected = sorted(r.type for r in run.registrations if r.protect)
        self.assertEqual(protected, ["azure-native:containerservice:AgentPool", CLUSTER, "azure-native:resources:ResourceGroup"])
