"""Which input paths differ between a deployed resource and the program's registration.

Paths read like Pulumi's property paths (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/):
`tags.environment`, `agentPoolProfiles[1].vmSize`, `metadata.annotations["a.b/c"]`.
Values are compared as the engine would:
- a missing key and `null` are the same (Pulumi drops nulls from inputs);
- 2 and 2.0 are the same number (the wire format has only doubles), but `true` is not 1;
- secrets compare equal to secrets: an export holds only ciphertext, so a changed secret
  cannot be seen offline;
- a value unknown until deploy counts as changed, as `pulumi preview` shows it;
- a provider's inputs are stored as strings (`"true"`), so a provider's scalars compare as
  their JSON text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi.runtime import rpc

from offline.preview.provider_rules import bookkeeping_inputs
from offline.preview.state_format import is_secret_object
from offline.run import SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


SECRET = _Marker(SECRET_PLACEHOLDER)
UNKNOWN = _Marker("[unknown]")
_MISSING = _Marker("[missing]")
_PLAIN_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


def comparable(value: Any) -> Any:
    """A value of either side in one form: markers for secrets and unknowns, ints for integral floats."""
    if rpc.is_rpc_secret(value) or is_secret_object(value):
        return SECRET
    if value == rpc.UNKNOWN or value == UNKNOWN_PLACEHOLDER:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {str(k): comparable(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [comparable(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def comparable_inputs(type_: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level inputs without bookkeeping keys; a provider's scalars as JSON text."""
    hidden = bookkeeping_inputs(type_)
    found = {k: comparable(v) for k, v in inputs.items() if k not in hidden and v is not None}
    if type_.startswith("pulumi:providers:"):
        found = {k: v if isinstance(v, (str, dict, list, _Marker)) else json.dumps(v) for k, v in found.items()}
    return found


def join(path: str, key: str) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _same(old: Any, new: Any) -> bool:
    if new is UNKNOWN:
        return False
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    return old == new


def changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """The deepest paths at which `old` and `new` differ, in key order."""
    found: list[str] = []
    _walk(old, new, path, found)
    return found


def _walk(old: Any, new: Any, path: str, found: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            _walk(old.get(key, _MISSING), new.get(key, _MISSING), join(path, key), found)
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            _walk(old[index] if index < len(old) else _MISSING, new[index] if index < len(new) else _MISSING, f"{path}[{index}]", found)
    elif not _same(old, new):
        found.append(path)


def _pattern(ignore: str) -> re.Pattern[str]:
    # `[*]` in an ignoreChanges path matches every list index.
    return re.compile(re.escape(ignore).replace(r"\[\*\]", r"\[\d+\]") + r"(?:$|[.\[])")


def without_ignored(paths: Iterable[str], ignore_changes: Iterable[str]) -> list[str]:
    """`paths` minus those an `ignoreChanges` entry covers (the engine keeps the old value there)."""
    patterns = [_pattern(i) for i in ignore_changes]
    return [p for p in paths if not any(pattern.match(p) for pattern in patterns)]
