"""Kubeconfig and Kubernetes provider: only ever a secret, the right credentials per stack,
and a provider that does not replace the cluster's resources when its kubeconfig is unknown."""

from __future__ import annotations

import pytest
import yaml

from components.kubeconfig import kubelogin_exec_args, with_kubelogin
from offline.run.mocks import FAKE_TENANT_ID, FAKE_USER_KUBECONFIG
from settings.kubelogin import KubeloginSettings
from tests.harness import ProgramTestCase, is_secret, problems_for, reveal

PROVIDER = "pulumi:providers:kubernetes"
SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
AKS_CLIENT_ID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
MSI_CLIENT_ID = "5b2c7e44-8a8f-4d2e-9f61-0c6a3b1d2e9f"
TENANT = "t"


def exec_args(kubeconfig: str) -> list[str]:
    return yaml.safe_load(kubeconfig)["users"][0]["user"]["exec"]["args"]


def sample_exec_kubeconfig() -> str:
    """AKS's own `format=exec` user kubeconfig: devicecode with AKS's public client (offline/run/engine.py)."""
    return FAKE_USER_KUBECONFIG.format(cluster="c", location="westeurope", resource_group="rg", tenant=TENANT)


def login(**values) -> KubeloginSettings:
    """Settings as the component receives them; `model_construct` also builds the modes the settings refuse."""
    return KubeloginSettings.model_construct(**values)


AKS_ARGS = exec_args(sample_exec_kubeconfig())
KEEPS_CLIENT_AND_TENANT = ["--client-id", AKS_CLIENT_ID, "--tenant-id", TENANT, "--environment", "AzurePublicCloud"]

# The argument list of every mode, as `kubelogin convert-kubeconfig -l <mode>` writes it
# (Azure/kubelogin pkg/internal/converter/convert.go).
EXPECTED_ARGS = {
    "azurecli": (login(mode="azurecli"), []),
    "azd": (login(mode="azd"), []),
    "devicecode": (login(mode="devicecode"), KEEPS_CLIENT_AND_TENANT),
    "interactive": (login(mode="interactive"), KEEPS_CLIENT_AND_TENANT),
    "ropc": (login(mode="ropc"), KEEPS_CLIENT_AND_TENANT),
    "spn": (login(mode="spn", use_azurerm_env_vars=False), KEEPS_CLIENT_AND_TENANT),
    "spn-arm-env": (login(mode="spn", use_azurerm_env_vars=True), [*KEEPS_CLIENT_AND_TENANT, "--use-azurerm-env-vars"]),
    "msi": (login(mode="msi", client_id=None), []),
    "msi-client-id": (login(mode="msi", client_id=MSI_CLIENT_ID), ["--client-id", MSI_CLIENT_ID]),
    "workloadidentity": (login(mode="workloadidentity", client_id=None), []),
    "workloadidentity-client-id": (login(mode="workloadidentity", client_id=MSI_CLIENT_ID), ["--client-id", MSI_CLIENT_ID]),
}


@pytest.mark.parametrize("case", sorted(EXPECTED_ARGS))
def test_each_kubelogin_mode_gets_exactly_the_arguments_convert_kubeconfig_writes(case):
    settings, extra = EXPECTED_ARGS[case]
    expected = ["get-token", "--login", settings.mode, "--server-id", SERVER_ID, *extra]
    assert exec_args(with_kubelogin(sample_exec_kubeconfig(), settings)) == expected


def test_azurecli_drops_akss_device_code_client_and_tenant():
    args = kubelogin_exec_args(AKS_ARGS, login(mode="azurecli"))
    assert AKS_CLIENT_ID not in args and TENANT not in args and "devicecode" not in args


def test_kubelogin_rebuild_refuses_a_kubeconfig_without_a_server_id():
    with pytest.raises(ValueError, match="no --server-id"):
        kubelogin_exec_args(["get-token", "--login", "devicecode"], login(mode="azurecli"))


def test_kubelogin_rebuild_leaves_users_without_kubelogin_alone():
    config = "users:\n- name: admin\n  user:\n    token: abc\n"
    assert yaml.safe_load(with_kubelogin(config, login(mode="azurecli"))) == yaml.safe_load(config)


def test_kubelogin_rebuild_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="unknown kubelogin mode 'browser'"):
        kubelogin_exec_args(AKS_ARGS, login(mode="browser"))


# --- the settings -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["devicecode", "interactive", "ropc"])
def test_modes_that_need_a_person_or_a_password_are_refused_naming_the_unattended_ones(mode):
    [problem] = problems_for({"aks-cilium:cluster": {"kubelogin": {"mode": mode}}})
    assert problem.startswith(f"aks-cilium:cluster.kubelogin.mode = '{mode}': ")
    assert "use one of azurecli, azd, spn, msi, workloadidentity" in problem


def test_a_client_id_is_refused_for_modes_that_take_it_from_the_login():
    [problem] = problems_for({"aks-cilium:cluster": {"kubelogin": {"mode": "azurecli", "clientId": MSI_CLIENT_ID}}})
    assert problem.startswith("aks-cilium:cluster.kubelogin = ") and "clientId is used only with mode msi or workloadidentity" in problem


def test_azurerm_env_vars_are_refused_outside_spn():
    [problem] = problems_for({"aks-cilium:cluster": {"kubelogin": {"mode": "msi", "useAzurermEnvVars": True}}})
    assert "useAzurermEnvVars applies only to mode 'spn'" in problem


def test_the_old_kubelogin_mode_key_points_at_the_new_section():
    [problem] = problems_for({"aks-cilium:cluster": {"kubeloginMode": "azurecli"}})
    assert "unknown key; did you mean 'kubelogin'?" in problem


class DevKubeconfig(ProgramTestCase):
    stack = "dev"

    async def test_provider_receives_the_kubeconfig_as_a_secret(self):
        run = await self.run_program()
        provider = run.one(PROVIDER)
        self.assertTrue(is_secret(provider.inputs["kubeconfig"]), provider.urn)

    async def test_provider_is_identified_by_a_value_known_at_preview_and_goes_with_the_cluster(self):
        # A resourceUID is unknown in the preview of every cluster update, and an unknown identifier
        # replaces the provider (pulumi-kubernetes DiffConfig): the identifier comes from config, and
        # a replaced cluster replaces the provider through replace_with.
        run = await self.run_program()
        provider = run.one(PROVIDER)
        cluster = run.one("azure-native:containerservice:ManagedCluster")
        self.assertEqual(provider.inputs["clusterIdentifier"], "rg-aks-cilium-dev/aks-cilium-dev", provider.urn)
        self.assertEqual(provider.replace_with, (cluster.urn,), provider.urn)
        on_cluster = [r for r in run.registrations if r.type.startswith("kubernetes:")]
        self.assertTrue(on_cluster)
        for resource in on_cluster:
            self.assertEqual(resource.deleted_with, cluster.urn, resource.urn)

    async def test_the_login_the_kubeconfig_uses_is_a_plain_stack_output(self):
        run = await self.run_program()
        self.assertEqual(run.outputs["kubeconfigLogin"].value, "admin credentials (local accounts)")
        self.assertFalse(run.outputs["kubeconfigLogin"].secret)

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
        self.assertEqual(exec_args(kubeconfig), ["get-token", "--login", "azurecli", "--server-id", SERVER_ID])

    async def test_a_self_hosted_runner_logs_in_with_its_managed_identity(self):
        run = await self.run_program({"aks-cilium:cluster": {"kubelogin": {"mode": "msi", "clientId": MSI_CLIENT_ID}}})
        kubeconfig = reveal(run.one(PROVIDER).inputs["kubeconfig"])
        self.assertEqual(
            exec_args(kubeconfig), ["get-token", "--login", "msi", "--server-id", SERVER_ID, "--client-id", MSI_CLIENT_ID]
        )

    async def test_a_service_principal_keeps_the_clusters_tenant_and_reads_arm_variables(self):
        run = await self.run_program({"aks-cilium:cluster": {"kubelogin": {"mode": "spn", "useAzurermEnvVars": True}}})
        args = exec_args(reveal(run.one(PROVIDER).inputs["kubeconfig"]))
        self.assertEqual(args[args.index("--tenant-id") + 1], FAKE_TENANT_ID)
        self.assertEqual(args[-1], "--use-azurerm-env-vars")

    async def test_kubeconfig_stack_output_is_secret(self):
        run = await self.run_program()
        self.assertTrue(run.outputs["kubeconfig"].secret)
