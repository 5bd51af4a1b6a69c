"""Placeholders in a stack's values: documentation addresses and all-zero GUIDs must not reach Azure.

Examples in stack files use addresses reserved for documentation (RFC 5737:
https://www.rfc-editor.org/rfc/rfc5737, RFC 3849: https://www.rfc-editor.org/rfc/rfc3849,
RFC 9637: https://www.rfc-editor.org/rfc/rfc9637) and the all-zero GUID. They parse, so the other
rules accept them, but deployed they lock the API server against everyone or grant nobody. A
preview warns, naming every key; a real `pulumi up` refuses before any resource is declared.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Union

from settings.common.errors import ConfigError, PathPart, key_path
from settings.common.problems import Problem

DOCUMENTATION_RANGES = {
    ipaddress.ip_network("192.0.2.0/24"): "RFC 5737",
    ipaddress.ip_network("198.51.100.0/24"): "RFC 5737",
    ipaddress.ip_network("203.0.113.0/24"): "RFC 5737",
    ipaddress.ip_network("2001:db8::/32"): "RFC 3849",
    ipaddress.ip_network("3fff::/20"): "RFC 9637",
}
ZERO_GUID = "00000000-0000-0000-0000-000000000000"

#: What to put instead, by key path with list indices written `[i]`.
REPLACE_WITH = {
    "aks-cilium:cluster.authorizedIpRanges[i]": "the public egress ranges of your admins and of every machine or CI runner that runs `pulumi up` (a /32 per address)",
    "aks-cilium:cluster.admins[i].objectId": "the object ID of your Entra ID admin group (`az ad group show --group <name> --query id -o tsv`) or of the user or service principal",
    "aks-cilium:cluster.kubelogin.clientId": "the client ID of the managed identity or federated application (`az identity show -g <group> -n <name> --query clientId -o tsv`)",
    "aks-cilium:cidrGroups[i].cidrs[i]": "the real addresses the group should name",
}
DEFAULT_REPLACE_WITH = "the real value for this stack"


def replace_with(key: str) -> str:
    """What to put instead of the placeholder at config key path `key`."""
    return REPLACE_WITH.get(re.sub(r"\[\d+\]", "[i]", key), DEFAULT_REPLACE_WITH)


def _placeholder_kind(text: str) -> str:
    if text.strip().lower() == ZERO_GUID:
        return "the all-zero GUID"
    try:
        found: Union[ipaddress.IPv4Network, ipaddress.IPv6Network] = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return ""
    for documentation, rfc in DOCUMENTATION_RANGES.items():
        # Inside the range, not merely overlapping: 0.0.0.0/0 or a /8 holding one is a real choice.
        if found.version == documentation.version and found.subnet_of(documentation):
            return f"{'an address' if found.num_addresses == 1 else 'a range'} reserved for documentation ({rfc})"
    return ""


def _walk(value: Any, path: tuple[PathPart, ...]) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, (*path, str(key)))
    elif isinstance(value, Sequence):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))


def find_placeholders(data: Mapping[str, Any]) -> tuple[Problem, ...]:
    """Every string value anywhere in the stack's config that is a documentation address or the zero GUID."""
    found = []
    for path, text in _walk(data, ()):
        what = _placeholder_kind(text)
        if what:
            key = key_path(*path)
            found.append(Problem(key, f"is {what}, a placeholder", text, hint=f"put {replace_with(key)}"))
    return tuple(found)


def placeholder_warning(stack_file: str, placeholders: Sequence[Problem]) -> str:
    """One loud message for a preview; empty when there is nothing to replace."""
    if not placeholders:
        return ""
    lines = "\n".join(f"  - {p}" for p in placeholders)
    return (
        f"PLACEHOLDERS in {stack_file}: `pulumi up` will refuse to deploy until you replace"
        f" {'this value' if len(placeholders) == 1 else f'these {len(placeholders)} values'}:\n{lines}"
    )


def check_placeholders(stack_file: str, placeholders: Sequence[Problem], *, dry_run: bool) -> str:
    """The warning to print for a preview; for a real deployment, `ConfigError` if any are left."""
    if placeholders and not dry_run:
        raise ConfigError(stack_file, [p.with_note("a real `pulumi up` refuses placeholders") for p in placeholders])
    return placeholder_warning(stack_file, placeholders)
