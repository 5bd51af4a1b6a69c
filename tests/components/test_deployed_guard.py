"""DeployedGuard: the program reads its own stack's last outputs and refuses a Cilium skip or a
downgrade before the release is registered; a new stack, or one deployed before the guard, passes."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from components.deployed_guard import DeployedStateRefused, this_stack_reference
from offline.run import EngineOptions
from offline.run.engine import run_program, start_mocks
from tests.harness import PROJECT_DIR, ProgramTestCase, reveal

RELEASE = "kubernetes:helm.sh/v3:Release"
CIDR_GROUP = "kubernetes:cilium.io/v2:CiliumCIDRGroup"
KUBECONFIG_TEXT = "apiVersion: v1\nusers:\n- name: admin\n  user:\n    token: DEPLOYED-SECRET-TOKEN\n"


@pytest.mark.parametrize(
    ("organization", "expected"),
    [
        ("organization", "dev"),  # diy: its legacy layout takes only a bare name, the project one infers the rest
        (None, "dev"),  # a CLI that reports no organization
        ("acme", "acme/aks-cilium/dev"),  # Pulumi Cloud: never the user's default org by accident
    ],
)
def test_the_reference_names_this_stack_on_every_backend(organization: Optional[str], expected: str) -> None:
    assert this_stack_reference(organization, "aks-cilium", "dev") == expected


class DeployedCilium(ProgramTestCase):
    """The dev stack pins Cilium 1.20.0."""

    async def run_against(self, outputs: dict[str, Any], organization: str = "organization", secret: frozenset[str] = frozenset()):
        engine = EngineOptions(organization=organization, deployed_stack_outputs=outputs, deployed_secret_outputs=secret)
        self.monitor = start_mocks(self.config, options=engine)
        return await run_program(PROJECT_DIR, self.config, self.monitor)

    async def test_a_skip_of_a_minor_is_refused_and_the_release_never_registered(self):
        with self.assertRaises(DeployedStateRefused) as caught:
            await self.run_against({"ciliumVersion": "1.18.4"})
        self.assertEqual(
            str(caught.exception),
            "stack organization/aks-cilium/dev: its output ciliumVersion = '1.18.4' records what is deployed (by its last"
            " update that completed the program), and this run may not move from it (docs/day-2.md):\n"
            "  - aks-cilium:cilium.version = '1.20.0': Cilium 1.18.4 -> 1.20.0 skips a minor version: Cilium upgrades one"
            " minor version at a time, each after the pre-flight check (https://docs.cilium.io/en/stable/operations/upgrade/);"
            " deploy 1.19.x first",
        )
        registered = {r.type for r in self.monitor.registrations}
        # The run stops at the refusal: neither the release nor anything waiting on it is declared.
        # (How much of the Azure side was declared by then depends on timing, so it is not asserted.)
        self.assertIn("aks-cilium:platform:AksCiliumPlatform", registered)
        self.assertNotIn(RELEASE, registered)
        self.assertNotIn(CIDR_GROUP, registered)

    async def test_a_downgrade_is_refused(self):
        with self.assertRaisesRegex(DeployedStateRefused, r"Cilium 1\.21\.2 -> 1\.20\.0 is a downgrade"):
            await self.run_against({"ciliumVersion": "1.21.2"})
        self.assertNotIn(RELEASE, {r.type for r in self.monitor.registrations})

    async def test_the_next_minor_passes_and_records_the_version_helm_reports(self):
        run = await self.run_against({"ciliumVersion": "1.19.6"})
        self.assertEqual(run.one(RELEASE).inputs["version"], "1.20.0")
        self.assertEqual(run.outputs["ciliumVersion"].value, "1.20.0")
        self.assertFalse(run.outputs["ciliumVersion"].secret)
        # The read is this stack's own, named as the diy backend resolves it.
        self.assertEqual([(r.type, r.id) for r in run.reads], [("pulumi:pulumi:StackReference", "dev")])

    async def test_a_new_stack_and_one_deployed_before_the_guard_pass(self):
        for outputs in ({}, {"clusterName": "aks-cilium-dev", "resourceGroupName": "rg-aks-cilium-dev"}):
            run = await self.run_against(outputs)
            self.assertEqual(run.one(RELEASE).inputs["version"], "1.20.0")

    async def test_on_pulumi_cloud_the_reference_is_fully_qualified(self):
        # The offline backend, like Pulumi Cloud, resolves only `<org>/<project>/<stack>` to this stack for
        # a non-diy org; a bare name would be the user's default org.
        with self.assertRaisesRegex(DeployedStateRefused, "stack acme/aks-cilium/dev: its output ciliumVersion = '1.18.4'"):
            await self.run_against({"ciliumVersion": "1.18.4"}, organization="acme")

    async def test_the_deployed_kubeconfig_is_never_read_in_plaintext(self):
        run = await self.run_against({"ciliumVersion": "1.19.6", "kubeconfig": KUBECONFIG_TEXT}, secret=frozenset({"kubeconfig"}))
        seen = repr([reveal(r.inputs) for r in run.registrations]) + repr(run.outputs) + repr(run.log) + repr(run.reads)
        self.assertNotIn("DEPLOYED-SECRET-TOKEN", seen)
        self.assertEqual(run.one(RELEASE).inputs["version"], "1.20.0")


class DeployedClusterIdentity(ProgramTestCase):
    """The dev stack's Cilium identity is `dev`, id 1 (maxConnectedClusters 255): `dev/1/255`."""

    run_against = DeployedCilium.run_against

    async def test_a_changed_identity_is_refused_and_the_release_never_registered(self):
        with self.assertRaisesRegex(DeployedStateRefused, "its output ciliumClusterIdentity = 'dev/7/255' records what is deployed"):
            await self.run_against({"ciliumVersion": "1.20.0", "ciliumClusterIdentity": "dev/7/255"})
        self.assertNotIn(RELEASE, {r.type for r in self.monitor.registrations})

    async def test_the_same_identity_passes_and_is_recorded(self):
        run = await self.run_against({"ciliumVersion": "1.20.0", "ciliumClusterIdentity": "dev/1/255"})
        self.assertEqual(reveal(run.one(RELEASE).inputs["values"])["cluster"], {"name": "dev", "id": 1})
        self.assertEqual(run.outputs["ciliumClusterIdentity"].value, "dev/1/255")

    async def test_the_one_time_move_from_the_chart_defaults_passes(self):
        run = await self.run_against({"ciliumVersion": "1.20.0", "ciliumClusterIdentity": "default/0/255"})
        self.assertEqual(run.outputs["ciliumClusterIdentity"].value, "dev/1/255")
