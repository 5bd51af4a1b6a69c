"""Cilium component: the AKS BYOCNI recipe as a helm.v3.Release, with Hubble relay and UI,
the pod range shared with AKS, and nothing installed before the cluster admins may install it."""

from __future__ import annotations

from components.cilium import cilium_helm_values, deep_merge
from tests.harness import ProgramTestCase, load_stack_settings

RELEASE = "kubernetes:helm.sh/v3:Release"


def test_helm_values_follow_the_aks_byocni_recipe_with_hubble_relay_and_ui():
    assert cilium_helm_values("10.244.0.0/16", {}) == {
        "aksbyocni": {"enabled": True},
        "ipam": {"operator": {"clusterPoolIPv4PodCIDRList": ["10.244.0.0/16"]}},
        "hubble": {"relay": {"enabled": True}, "ui": {"enabled": True}},
    }


def test_extra_helm_values_are_merged_beside_the_stacks_own():
    values = cilium_helm_values(
        "10.244.0.0/16", {"hubble": {"ui": {"replicas": 2}, "metrics": {"enabled": ["dns"]}}, "operator": {"replicas": 1}}
    )
    assert values["hubble"] == {
        "relay": {"enabled": True},
        "ui": {"enabled": True, "replicas": 2},
        "metrics": {"enabled": ["dns"]},
    }
    assert values["operator"] == {"replicas": 1}


def test_deep_merge_does_not_change_its_inputs():
    base = {"a": {"b": 1}}
    overlay = {"a": {"c": 2}}
    assert deep_merge(base, overlay) == {"a": {"b": 1, "c": 2}}
    assert base == {"a": {"b": 1}} and overlay == {"a": {"c": 2}}


def test_extra_values_that_would_change_the_stacks_own_are_refused_by_the_settings():
    import pytest

    from settings.common.errors import ConfigError

    with pytest.raises(ConfigError, match=r"aks-cilium:cilium.values.aksbyocni.enabled: is set by the stack"):
        load_stack_settings("dev", {"aks-cilium:cilium": {"values": {"aksbyocni": {"enabled": False}}}})


class DevCilium(ProgramTestCase):
    stack = "dev"

    async def test_release_installs_the_pinned_cilium_chart_into_kube_system_and_waits(self):
        run = await self.run_program()
        release = run.one(RELEASE)
        self.assertEqual(release.inputs["chart"], "cilium")
        self.assertEqual(release.inputs["version"], "1.20.0")
        self.assertEqual(release.inputs["repositoryOpts"], {"repo": "https://helm.cilium.io/"})
        self.assertEqual(release.inputs["namespace"], "kube-system")
        self.assertEqual(release.inputs["name"], "cilium")
        self.assertFalse(release.inputs["skipAwait"], "the release must wait for readiness")

    async def test_pod_cidr_given_to_cilium_is_exactly_the_one_given_to_aks(self):
        run = await self.run_program({"aks-cilium:network": {"podCidr": "100.64.0.0/14"}})
        release = run.one(RELEASE)
        cluster = run.one("azure-native:containerservice:ManagedCluster")
        self.assertEqual(release.inputs["values"]["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"], ["100.64.0.0/14"])
        self.assertEqual(cluster.inputs["networkProfile"]["podCidr"], "100.64.0.0/14")

    async def test_release_values_are_the_byocni_recipe_with_hubble(self):
        run = await self.run_program()
        values = run.one(RELEASE).inputs["values"]
        self.assertEqual(values["aksbyocni"], {"enabled": True})
        self.assertEqual(values["hubble"], {"relay": {"enabled": True}, "ui": {"enabled": True}})

    async def test_extra_values_from_config_reach_the_release(self):
        run = await self.run_program({"aks-cilium:cilium": {"values": {"operator": {"replicas": 1}}}})
        self.assertEqual(run.one(RELEASE).inputs["values"]["operator"], {"replicas": 1})

    async def test_chart_version_follows_the_stack(self):
        run = await self.run_program({"aks-cilium:cilium": {"version": "1.19.6"}})
        self.assertEqual(run.one(RELEASE).inputs["version"], "1.19.6")

    async def test_release_goes_through_the_clusters_provider(self):
        run = await self.run_program()
        release = run.one(RELEASE)
        provider = run.one("pulumi:providers:kubernetes")
        self.assertEqual(release.provider_urn, provider.urn)
