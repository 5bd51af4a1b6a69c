"""Kubeconfig and Kubernetes provider: only ever a secret, the right credentials per stack,
and a provider that does not replace the cluster's resources when its kubeconfig is unknown."""

from __future__ import annotations

import yaml

from components.kubeconfig import with_kubelogin_mode
from offline.engine import FAKE_USER_KUBECONFIG
from tests.harness import ProgramTestCase, is_secret, reveal

PROVIDER = "pulumi:providers:kubernetes"


def exec_args(kubeconfig: str) -> list[str]:
    return yaml.safe_load(kubeconfig)["users"][0]["user"]["exec"]["args"]


def sample_exec_kubeconfig() -> str:
    return FAKE_USER_KUBECONFIG.format(cluster="c", location="westeurope", resource_group="rg", tenant="t")


def test_kubelogin_mode_replaces_the_interactive_device_code_login():
    args = exec_args(with_kubelogin_mode(sample_exec_kubeconfig(), "azurecli"))
    self_index = args.index("--login")
    assert args[self_index + 1] == "azurecli"
    assert "devicecode" not in args


def test_kubelogin_mode_keeps_the_server_id_the_token_is_for():
    args = exec_args(with_kubelogin_mode(sample_exec_kubeconfig(), "workloadidentity"))
    assert args[args.index("--server-id") + 1] == "6dae42f8-4368-4678-94ff-3960e28e3630"


def test_kubelogin_mode_leaves_users_without_kubelogin_alone():
    config = "users:\n- name: admin\n  user:\n    token: abc\n"
    assert yaml.safe_load(with_kubelogin_mode(config, "azurecli")) == yaml.safe_load(config)


def test_kubelogin_mode_refuses_an_unknown_mode():
    import pytest

    with pytest.raises(ValueError, match="unknown kubelogin mode 'browser'"):
        with_kubelogin_mode(sample_exec_kubeconfig(), "browser")


class DevKubeconfig(ProgramTestCase):
    stack = "dev"

    async def test_provider_receives_the_kubeconfig_as_a_secret(self):
        run = await self.run_program()
        provider = run.one(PROVIDER)
        self.assertTrue(is_secret(provider.inputs["kubeconfig"]), provider.urn)

    async def test_provider_is_identified_by_the_clusters_resource_uid_not_its_reusable_arm_id(self):
        # A cluster deleted and re-created under the same name keeps its ARM id but gets a new
        # resourceUID: the provider, and with it Cilium and the groups, are then replaced.
        run = await self.run_program()
        provider = run.one(PROVIDER)
        cluster = run.one("azure-native:containerservice:ManagedCluster")
        self.assertEqual(provider.inputs["clusterIdentifier"], cluster.state["resourceUID"], provider.urn)
        self.assertNotEqual(provider.inputs["clusterIdentifier"], cluster.state["id"], provider.urn)

    async def test_kubeconfig_stack_output_is_secret(self):
        run = await self.run_program()
        self.assertTrue(run.outputs["kubeconfig"].secret)

    async def test_with_local_accounts_on_the_static_admin_kubeconfig_is_used(self):
        run = await self.run_program()
        kubeconfig = yaml.safe_load(reveal(run.one(PROVIDER).inputs["kubeconfig"]))
        self.assertTrue(kubeconfig["users"][0]["name"].startswith("clusterAdmin_"))
        self.assertNotIn("exec", kubeconfig["users"][0]["user"])


class ProdKubeconfig(ProgramTestCase):
    stack = "prod"

    async def test_with_local_accounts_off_the_exec_kubeconfig_logs_in_through_the_azure_cli(self):
        run = await self.run_program()
        kubeconfig = reveal(run.one(PROVIDER).inputs["kubeconfig"])
        user = yaml.safe_load(kubeconfig)["users"][0]
        self.assertTrue(user["name"].startswith("clusterUser_"))
        self.assertEqual(user["user"]["exec"]["command"], "kubelogin")
        self.assertEqual(exec_args(kubeconfig)[exec_args(kubeconfig).index("--login") + 1], "azurecli")

    async def test_kubeconfig_stack_output_is_secret(self):
        run = await self.run_program()
        self.assertTrue(run.outputs["kubeconfig"].secret)
