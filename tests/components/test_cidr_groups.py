"""CIDR groups component: Azure's IMDS and platform DNS named and labelled, extra groups from
config, the API version of the stack's Cilium with an alias for the other one (so a Cilium
upgrade updates each group instead of re-creating it), and creation only after Cilium is ready."""

from __future__ import annotations

from components.cidr_groups import CidrGroupSpec, cidr_group_aliases, cidr_group_manifest
from components.kinds import cidr_group_api_version
from tests.harness import ProgramTestCase


def groups(run):
    return {r.inputs["metadata"]["name"]: r for r in run.registrations if r.type.endswith(":CiliumCIDRGroup")}


def test_api_version_is_v2_from_cilium_1_18_and_v2alpha1_for_1_17():
    assert cidr_group_api_version((1, 17, 0)) == "cilium.io/v2alpha1"
    assert cidr_group_api_version((1, 17, 18)) == "cilium.io/v2alpha1"
    assert cidr_group_api_version((1, 18, 0)) == "cilium.io/v2"
    assert cidr_group_api_version((1, 20, 0)) == "cilium.io/v2"
    assert cidr_group_api_version((2, 0, 0)) == "cilium.io/v2"


def test_each_api_version_aliases_the_other_resource_type():
    assert [a.type_ for a in cidr_group_aliases("cilium.io/v2")] == ["kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup"]
    assert [a.type_ for a in cidr_group_aliases("cilium.io/v2alpha1")] == ["kubernetes:cilium.io/v2:CiliumCIDRGroup"]


def test_manifest_carries_name_labels_and_external_cidrs():
    manifest = cidr_group_manifest(CidrGroupSpec("corp", ("198.51.100.0/24",), {"team": "net"}), "cilium.io/v2")
    assert manifest == {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumCIDRGroup",
        "metadata": {"name": "corp", "labels": {"team": "net"}},
        "spec": {"externalCIDRs": ["198.51.100.0/24"]},
    }


def test_manifest_without_labels_sends_no_empty_labels_map():
    manifest = cidr_group_manifest(CidrGroupSpec("corp", ("198.51.100.0/24",)), "cilium.io/v2")
    assert "labels" not in manifest["metadata"]


class DevCidrGroups(ProgramTestCase):
    stack = "dev"

    async def test_imds_and_platform_dns_groups_have_their_address_and_label(self):
        run = await self.run_program()
        found = groups(run)
        self.assertEqual(found["azure-imds"].inputs["spec"], {"externalCIDRs": ["169.254.169.254/32"]})
        self.assertEqual(found["azure-imds"].inputs["metadata"]["labels"], {"k8s-app": "azure-imds"})
        self.assertEqual(found["azure-internal-dns"].inputs["spec"], {"externalCIDRs": ["168.63.129.16/32"]})
        self.assertEqual(found["azure-internal-dns"].inputs["metadata"]["labels"], {"k8s-app": "azure-internal-dns"})

    async def test_groups_use_api_version_v2_for_cilium_1_20(self):
        run = await self.run_program()
        for name, group in groups(run).items():
            self.assertEqual(group.inputs["apiVersion"], "cilium.io/v2", name)
            self.assertEqual(group.type, "kubernetes:cilium.io/v2:CiliumCIDRGroup", name)

    async def test_groups_use_api_version_v2alpha1_for_cilium_1_17(self):
        run = await self.run_program({"aks-cilium:cilium": {"version": "1.17.18"}})
        for name, group in groups(run).items():
            self.assertEqual(group.inputs["apiVersion"], "cilium.io/v2alpha1", name)

    async def test_v2_groups_are_registered_with_their_v2alpha1_urn_as_alias(self):
        # Upgrading 1.17.x -> 1.18+ then updates each group instead of creating and deleting it.
        run = await self.run_program()
        for name, group in groups(run).items():
            old = group.urn.replace("kubernetes:cilium.io/v2:CiliumCIDRGroup", "kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup")
            self.assertEqual(group.aliases, (old,), name)

    async def test_v2alpha1_groups_are_registered_with_their_v2_urn_as_alias(self):
        run = await self.run_program({"aks-cilium:cilium": {"version": "1.17.18"}})
        for name, group in groups(run).items():
            self.assertEqual(group.type, "kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup", name)
            newer = group.urn.replace("kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup", "kubernetes:cilium.io/v2:CiliumCIDRGroup")
            self.assertEqual(group.aliases, (newer,), name)

    async def test_the_urn_before_an_upgrade_is_the_alias_after_it(self):
        before = {n: g.urn for n, g in groups(await self.run_program({"aks-cilium:cilium": {"version": "1.17.18"}})).items()}
        after = groups(await self.run_program({"aks-cilium:cilium": {"version": "1.18.0"}}))
        self.assertEqual(sorted(before), sorted(after))
        for name, group in after.items():
            self.assertIn(before[name], group.aliases, name)

    async def test_every_group_is_created_after_the_cilium_release(self):
        run = await self.run_program({"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.0/24"]}]})
        release = run.one("kubernetes:helm.sh/v3:Release")
        found = groups(run)
        self.assertEqual(len(found), 3)
        for name, group in found.items():
            self.assertIn(release.urn, group.dependencies, name)

    async def test_every_group_goes_through_the_clusters_provider(self):
        run = await self.run_program()
        provider = run.one("pulumi:providers:kubernetes")
        for name, group in groups(run).items():
            self.assertEqual(group.provider_urn, provider.urn, name)

    async def test_extra_groups_from_config_are_declared_with_their_cidrs_and_labels(self):
        run = await self.run_program(
            {
                "aks-cilium:cidrGroups": [
                    {"name": "corp-vpn", "cidrs": ["198.51.100.0/24", "2001:db8::/32"], "labels": {"team": "network"}}
                ]
            }
        )
        group = groups(run)["corp-vpn"]
        self.assertEqual(group.inputs["spec"], {"externalCIDRs": ["198.51.100.0/24", "2001:db8::/32"]})
        self.assertEqual(group.inputs["metadata"]["labels"], {"team": "network"})

    async def test_group_names_are_a_stack_output(self):
        run = await self.run_program({"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.0/24"]}]})
        self.assertEqual(run.outputs["cidrGroupNames"].value, ["azure-imds", "azure-internal-dns", "corp"])


class ProdCidrGroupsAndPolicies(ProgramTestCase):
    stack = "prod"

    async def test_only_the_groups_api_version_follows_cilium_so_only_they_carry_aliases(self):
        # CiliumClusterwideNetworkPolicy is cilium.io/v2 in every supported Cilium.
        run = await self.run_program({"aks-cilium:cilium": {"version": "1.17.18"}})
        policies = [r for r in run.registrations if r.type.endswith(":CiliumClusterwideNetworkPolicy")]
        self.assertTrue(policies)
        for policy in policies:
            self.assertEqual(policy.type, "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy", policy.urn)
        aliased = {r.type for r in run.registrations if r.aliases and r.type.startswith("kubernetes:")}
        self.assertEqual(aliased, {"kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup"})
