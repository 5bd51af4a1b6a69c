"""`pulumi:disable-default-providers`, as the engine applies it, for the offline run.

The Pulumi engine refuses to create a default provider for a package the stack's config lists
(or for every package, with `"*"`), and fails the registration or invoke that would have needed
one with "Default provider for '<package>' disabled. '<type>' must use an explicit provider."
(pulumi `pkg/resource/deploy/default_providers.go` shouldDenyRequest, `sdk/go/common/diag/errors.go`
GetDefaultProviderDenied). The mock engine creates no providers at all, so without this check
an offline plan would accept a program that a real `pulumi up` stops at its first resource.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pulumi

DISABLE_KEY = "pulumi:disable-default-providers"


class DefaultProviderDenied(pulumi.RunError):
    """What `pulumi up` would fail with; a `RunError`, so the plan prints it without a traceback."""


def disabled_packages(raw: Mapping[str, str]) -> frozenset[str]:
    """The packages whose default provider the stack disables (`"*"` for every one).

    The engine reads the key as JSON text (an empty text disables nothing); a value it cannot
    read fails every default provider request, so it counts as `"*"` here.
    """
    text = raw.get(DISABLE_KEY, "")
    if not text:
        return frozenset()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return frozenset({"*"})
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return frozenset({"*"})
    return frozenset(v.strip() for v in value)


def check_provider(disabled: frozenset[str], token: str, provider: str, what: str = "") -> None:
    """Raise `DefaultProviderDenied` when `token` (a resource type or invoke) would need a disabled default provider."""
    package = token.split(":", 1)[0]
    if provider or not disabled or package == "pulumi":
        return  # an explicit provider, nothing disabled, or the engine's own (providers, the stack)
    if "*" in disabled or package in disabled:
        where = f" ({what})" if what else ""
        raise DefaultProviderDenied(
            f"Default provider for '{package}' disabled. '{token}'{where} must use an explicit provider."
            f" (the stack's {DISABLE_KEY} = {sorted(disabled)}; `pulumi up` stops here)"
        )
