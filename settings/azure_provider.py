"""`azure-native:*`: the stack's azure-native provider config, handed to the program's explicit provider.

The program declares its azure-native provider itself (components/platform.py), so it runs under
`pulumi:disable-default-providers` (pulumi/pulumi#8829). An explicit provider reads no stack
config: its inputs are what the program passes. The engine would have built the default
provider from every `azure-native:<key>` of the stack (pulumi `pkg/resource/deploy/target.go`
GetPackageConfig), so the program passes on exactly those keys, and a stack moved from the
default provider to this one keeps the config it was deployed with. Keys the explicit provider
cannot take are refused by name: the default provider would have read them, this one would
silently not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from settings.common.errors import did_you_mean
from settings.common.problems import Problem
from settings.common.raw_config import AZURE_NATIVE

#: The config keys `pulumi_azure_native.Provider` takes (its arguments, camelCase as in
#: `pulumi config set azure-native:<key>`). tests/components/test_azure_provider.py checks this
#: list against the SDK's signature, so an SDK bump that adds or drops one is noticed.
PROVIDER_KEYS = (
    "auxiliaryTenantIds", "clientCertificatePassword", "clientCertificatePath", "clientId", "clientSecret",
    "disableInstanceDiscovery", "disablePulumiPartnerId", "environment", "location", "metadataHost", "msiEndpoint",
    "oidcRequestToken", "oidcRequestUrl", "oidcToken", "oidcTokenFilePath", "partnerId", "subscriptionId", "tenantId",
    "useDefaultAzureCredential", "useMsi", "useOidc",
)
BOOLEAN_KEYS = frozenset({"disableInstanceDiscovery", "disablePulumiPartnerId", "useDefaultAzureCredential", "useMsi", "useOidc"})
LIST_KEYS = frozenset({"auxiliaryTenantIds"})
PROVIDER_CONFIG_URL = "https://www.pulumi.com/registry/packages/azure-native/installation-configuration/"


def python_name(key: str) -> str:
    """`subscriptionId` -> `subscription_id`: the Provider's keyword argument."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


@dataclass(frozen=True)
class AzureProviderSettings:
    """The explicit azure-native provider's arguments, from the stack's `azure-native:*` keys."""

    arguments: Mapping[str, Any] = field(default_factory=dict)
    """Provider keyword argument -> value (booleans and lists parsed from their config text)."""
    secret: frozenset[str] = frozenset()
    """Arguments whose stack value is encrypted (`secure:`): the program passes them as secrets."""


def _value(key: str, text: str) -> tuple[Any, str]:
    """(value, problem): booleans and lists as the provider takes them; text as it is."""
    if key in BOOLEAN_KEYS:
        if text.lower() in ("true", "false"):
            return text.lower() == "true", ""
        return None, "must be true or false"
    if key in LIST_KEYS:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value, ""
        return None, "must be a list of tenant IDs"
    return text, ""


def azure_provider_settings(raw: Mapping[str, str], secret_keys: Collection[str]) -> tuple[AzureProviderSettings, list[Problem]]:
    """The provider's arguments from every `azure-native:*` key of `raw`, and the keys it cannot take."""
    arguments: dict[str, Any] = {}
    secret: set[str] = set()
    problems: list[Problem] = []
    for full_key in sorted(k for k in raw if k.startswith(f"{AZURE_NATIVE}:")):
        key = full_key.split(":", 1)[1]
        if key not in PROVIDER_KEYS:
            hint = did_you_mean(key, PROVIDER_KEYS)
            problems.append(
                Problem(
                    full_key,
                    "is not a setting of the azure-native provider the program declares, so nothing would read it"
                    f"{'; ' + hint if hint else ''} (settings: {PROVIDER_CONFIG_URL})",
                )
            )
            continue
        value, problem = _value(key, raw[full_key])
        if problem:
            problems.append(Problem(full_key, problem, raw[full_key]))
            continue
        arguments[python_name(key)] = value
        if full_key in secret_keys:
            secret.add(python_name(key))
    return AzureProviderSettings(arguments, frozenset(secret)), problems
