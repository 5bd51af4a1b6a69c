"""Old and new input values in one comparable form, and the paths where they differ.

- A secret of the export is `{<sig>: <secret sig>, "ciphertext": ...}`, or `"plaintext": <JSON text>`
  after `pulumi stack export --show-secrets` (pulumi `pkg/resource/stack/deployment.go`). With plaintext,
  the value itself is compared; a ciphertext cannot be, so such a path is reported apart as "not
  comparable" and the caller decides (see `Comparison.secret_paths`).
- A value unknown until deploy is a change: the engine's property diff treats a computed value as
  different from any known one (pulumi `sdk/go/common/resource/properties_diff.go`).
- A missing key equals `null` (inputs are marshalled with `SkipNulls`); 2 equals 2.0 (the wire has only
  doubles); `true` is not 1.
- ARM ids compare without regard to case: state holds both `resourceGroups` and `resourcegroups`
  (pulumi-azure-native#2152, #4633) and ARM treats them as one id.
Paths read like Pulumi's property paths: `tags.environment`, `agentPoolProfiles[1].vmSize`, `metadata.annotations["a.b/c"]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from pulumi.output import Unknown
from pulumi.runtime import rpc

from offline.preview.state.state_format import SECRET_SIG, SIG_KEY
from offline.run import SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER

_PLAIN_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


UNKNOWN = _Marker("[unknown]")
MISSING = _Marker("[missing]")


def is_secret_object(value: Any) -> bool:
    """A secret as an export stores it: `ciphertext`, or `plaintext` after `--show-secrets`."""
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG and "value" not in value


def is_wrapped_secret(value: Any) -> bool:
    """A secret as the SDK hands it over: the same signature, with the `value` itself."""
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG and "value" in value


def is_unknown(value: Any) -> bool:
    """Unknown until deploy: the wire's sentinel, the SDK's `Unknown` (inside a secret), or the plan's placeholder."""
    return value is UNKNOWN or isinstance(value, Unknown) or (isinstance(value, str) and value in (rpc.UNKNOWN, UNKNOWN_PLACEHOLDER))


def reveal(value: Any) -> Any:
    """A new-side value without the SDK's secret wrappers."""
    if is_wrapped_secret(value):
        return reveal(value["value"])
    if isinstance(value, Mapping):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [reveal(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """A value for reading, not comparing: secrets as `[secret]`, unknowns as `UNKNOWN`, integral floats as ints."""
    if is_wrapped_secret(value) or is_secret_object(value):
        return SECRET_PLACEHOLDER
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def is_arm_id(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith("/subscriptions/")


def join(path: str, key: str) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


@dataclass
class Comparison:
    """Where two input bags differ."""

    changed: list[str] = field(default_factory=list)
    """Deepest paths with a different (or unknown) new value."""
    added: list[str] = field(default_factory=list)
    """Of `changed`, those the old side did not have."""
    secret_paths: list[str] = field(default_factory=list)
    """Paths holding a secret the export has only as ciphertext: not comparable offline."""


#: `(path, old, new) -> True` when the provider treats the two as the same value.
Equivalence = Callable[[str, Any, Any], bool]


def compare(old: Mapping[str, Any], new: Mapping[str, Any], same: Optional[Equivalence] = None, skip: Callable[[str], bool] = lambda k: False) -> Comparison:
    """Compare two input bags; `skip(key)` drops top-level keys, `same` adds a provider's equivalences."""
    found = Comparison()
    for key in sorted(set(old) | set(new), key=str):
        if not skip(key):
            _walk(old.get(key, MISSING), new.get(key, MISSING), join("", str(key)), found, same)
    return found


def _absent(value: Any) -> bool:
    return value is MISSING or value is None


def _walk(old: Any, new: Any, path: str, found: Comparison, same: Optional[Equivalence]) -> None:
    new = reveal(new) if is_wrapped_secret(new) else new
    if is_unknown(new):
        found.changed.append(path)
        return
    if is_secret_object(old):
        if "plaintext" not in old:
            found.secret_paths.append(path)
            return
        old = json.loads(old["plaintext"])
        if is_secret_object(new):  # the plan's own state.json writes secrets as placeholders
            found.secret_paths.append(path)
            return
    if _absent(old) and _absent(new):
        return
    if same is not None and not _absent(old) and not _absent(new) and same(path, old, new):
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            _walk(old.get(key, MISSING), new.get(key, MISSING), join(path, str(key)), found, same)
    elif isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        for index in range(max(len(old), len(new))):
            _walk(old[index] if index < len(old) else MISSING, new[index] if index < len(new) else MISSING, f"{path}[{index}]", found, same)
    elif not _equal(old, new):
        found.changed.append(path)
        if _absent(old):
            found.added.append(path)


def _equal(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if is_arm_id(old) and is_arm_id(new):
        return old.lower() == new.lower()
    return old == new


def top_key(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]
