"""GUIDs as Azure and Entra ID write them (object IDs, client IDs), checked in one place."""

from __future__ import annotations

import re

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_guid(text: object) -> bool:
    """`8-4-4-4-12` hex digits, as `az ad ... --query id` prints them (no braces, no `urn:uuid:`)."""
    return isinstance(text, str) and _GUID.fullmatch(text) is not None
