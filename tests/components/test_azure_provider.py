"""The explicit azure-native provider (components/platform.py, settings/azure_provider.py): every
Azure resource and invoke goes through it, and its config is what the default provider would have read."""

from __future__ import annotations

import inspect

import pulumi_azure_native
import pytest

from components.kinds import AZURE_NATIVE_PROVIDER_TYPE
from components.platform import AZURE_PROVIDER_NAME
from offline.run.default_providers import DefaultProviderDenied
from offline.run.engine import run_program, start_mocks
from offline.run.stack_files.stack_config import StackConfig
from settings.azure_provider import PROVIDER_KEYS, azure_provider_settings, python_name
from settings.common.errors import ConfigError
from tests.harness import PROJECT_DIR, ProgramTestCase, changed_config, is_secret, reveal

SUBSCRIPTION = "5f3c1c1e-1111-4a4a-9999-123456789abc"


def test_the_provider_keys_are_the_sdks_provider_arguments() -> None:
    # A pulumi-azure-native bump that adds or drops a provider setting must update PROVIDER_KEYS.
    signature = inspect.signature(pulumi_azure_native.Provider._internal_init)
    arguments = {name for name in signature.parameters if name not in ("__self__", "resource_name", "opts", "__props__")}
    assert {python_name(k) for k in PROVIDER_KEYS} == arguments


def test_booleans_and_lists_are_parsed_and_keys_the_provider_cannot_take_are_refused() -> None:
    raw = {
        "azure-native:location": "westeurope",
        "azure-native:useMsi": "true",
        "azure-native:auxiliaryTenantIds": '["a", "b"]',
        "azure-native:subscriptionid": SUBSCRIPTION,
        "azure-native:useOidc": "maybe",
        "aks-cilium:protect": "true",
    }
    provider, problems = azure_provider_settings(raw, secret_keys=())
    assert provider.arguments == {"location": "westeurope", "use_msi": True, "auxiliary_tenant_ids": ["a", "b"]}
    assert [str(p) for p in problems] == [
        "azure-native:subscriptionid: is not a setting of the azure-native provider the program declares, so nothing would"
        " read it; did you mean 'subscriptionId'? (settings: https://www.pulumi.com/registry/packages/azure-native/installation-configuration/)",
        "azure-native:useOidc = 'maybe': must be true or false",
    ]


class ExplicitProvider(ProgramTestCase):
    async def test_every_azure_resource_uses_the_explicit_provider(self):
        run = await self.run_program()
        provider = run.one(AZURE_NATIVE_PROVIDER_TYPE)
        self.assertEqual(provider.name, AZURE_PROVIDER_NAME)
        azure = [r for r in run.registrations if r.custom and r.type.startswith("azure-native:")]
        self.assertGreater(len(azure), 5)
        for registration in azure:
            self.assertEqual(registration.provider_urn, provider.urn, registration.urn)

    async def test_the_provider_takes_every_azure_native_key_of_the_stack_secure_ones_as_secrets(self):
        changed = changed_config(
            self.config, {"azure-native:subscriptionId": SUBSCRIPTION, "azure-native:useMsi": "true", "azure-native:tenantId": "[secret]"}
        )
        config = StackConfig(changed.project, changed.stack, changed.stack_file, changed.raw, ("azure-native:tenantId",))
        run = await run_program(PROJECT_DIR, config, start_mocks(config))
        inputs = run.one(AZURE_NATIVE_PROVIDER_TYPE).inputs
        # As the engine would have built the default provider from the same keys (strings;
        # the SDK sends booleans as their JSON text). `environment` is the SDK's own default.
        self.assertEqual(
            reveal(inputs),
            {"location": "westeurope", "subscriptionId": SUBSCRIPTION, "useMsi": "true", "tenantId": "[secret]", "environment": "public"},
        )
        self.assertTrue(is_secret(inputs["tenantId"]))
        self.assertFalse(is_secret(inputs["subscriptionId"]))


class DisabledDefaultProviders(ProgramTestCase):
    async def test_the_program_runs_with_every_default_provider_disabled(self):
        run = await self.run_program({"pulumi:disable-default-providers": '["*"]'})
        self.assertEqual(len(run.by_type("azure-native:containerservice:ManagedCluster")), 1)

    async def test_the_offline_engine_refuses_what_would_need_a_disabled_default_provider(self):
        # The check the stack-file table relies on: an azure-native invoke without a provider.
        from offline.run.default_providers import check_provider, disabled_packages

        with pytest.raises(DefaultProviderDenied, match=r"Default provider for 'azure-native' disabled\. 'azure-native:resources:ResourceGroup'"):
            check_provider(disabled_packages({"pulumi:disable-default-providers": '["azure-native"]'}), "azure-native:resources:ResourceGroup", "")
        check_provider(disabled_packages({"pulumi:disable-default-providers": '["kubernetes"]'}), "azure-native:resources:ResourceGroup", "")
        check_provider(disabled_packages({"pulumi:disable-default-providers": '["*"]'}), "pulumi:providers:azure-native", "")
        self.assertEqual(disabled_packages({"pulumi:disable-default-providers": ""}), frozenset())
        self.assertEqual(disabled_packages({"pulumi:disable-default-providers": "[1]"}), frozenset({"*"}))


def test_a_secure_location_is_still_refused() -> None:
    from settings.stack import load_settings

    with pytest.raises(ConfigError, match="azure-native:location: holds an encrypted value"):
        load_settings({"azure-native:location": "[secret]"}, project="aks-cilium", stack="dev", secret_keys={"azure-native:location"})
