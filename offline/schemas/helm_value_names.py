"""Top-level Helm values the chart does not have: typos Helm would ignore without a word.

Helm checks values against the chart's `values.schema.json` (https://helm.sh/docs/topics/charts/#schema-files),
and Cilium's schema does not forbid unknown keys, so `hubbel: {relay: ...}` installs a Cilium
with none of it. The schema lists every top-level value the chart reads (`properties`), so an
unknown top-level key is a mistake; nested maps stay free, because the schema names free-form
maps such as `nodeSelector` by their default keys. The plan reports these as schema violations
(exit code 1), as it does every other problem of the values it would send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from settings.common.errors import did_you_mean, key_path

RULE = "[rule: top-level properties of the chart's values.schema.json]"


def unknown_top_level_values(values: Mapping[str, Any], known: Sequence[str], chart: str) -> list[str]:
    """One violation per top-level key of `values` that `known` lacks, with the closest name."""
    problems = []
    for name in sorted(set(values) - set(known)):
        hint = did_you_mean(name, known)
        where = key_path("cilium", "values", name)
        problems.append(f"helm values: {name}: the {chart} chart has no such value, so Helm would ignore {where}{'; ' + hint if hint else ''} {RULE}")
    return problems
