"""A CRD's `openAPIV3Schema` as Draft 7 JSON Schema, checked the way the API server checks it.

- an object that lists ``properties`` (or lists none and has no ``additionalProperties``) and is
  not ``x-kubernetes-preserve-unknown-fields: true`` rejects other fields: strict field
  validation reports what pruning would silently drop;
- ``nullable: true`` admits null; ``x-kubernetes-int-or-string`` admits an integer or a string;
- ``x-kubernetes-list-type: set`` forbids duplicates, ``map`` forbids two items with the same keys;
- ``format: cidr`` must parse as a network with no host bits set (Python ``ipaddress``, strict).
  This is stricter than the API server, whose check (Go's ``net.ParseCIDR``) lets host bits
  through; the stack's settings refuse them too, as a CIDR with host bits is almost always a
  typo. ``date-time`` must be RFC 3339. Other formats these CRDs use (``int32``, ``int64``,
  ``idn-hostname``) are not checked;
- fields inside ``anyOf``/``oneOf``/``allOf``/``not`` are value checks only, as in Kubernetes'
  structural schemas, so they never close an object;
- CEL rules (``x-kubernetes-validations``) of the simple ``has(self.a) || has(self.b)`` form are
  translated; any other rule is listed as unchecked.
"""

from __future__ import annotations

import copy
import datetime
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Optional

import jsonschema
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

__all__ = ["CrdValidator", "crd_to_json_schema", "format_checker"]

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_HAS_RULE = re.compile(r"^\s*has\(self\.([A-Za-z_][A-Za-z0-9_]*)\)\s*$")


# --- formats ------------------------------------------------------------------------------


def _is_cidr(value: object) -> bool:
    if not isinstance(value, str):
        return True  # `format` only constrains strings
    if "/" not in value:
        raise ValueError("a CIDR needs a prefix length, e.g. 192.0.2.1/32")
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return True


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def format_checker() -> FormatChecker:
    """The formats checked offline: `cidr` (strict) and `date-time`."""
    checker = FormatChecker(formats=())
    checker.checks("cidr", raises=ValueError)(_is_cidr)
    checker.checks("date-time")(_is_date_time)
    return checker


# --- openAPIV3Schema -> JSON Schema --------------------------------------------------------

_COPIED_KEYWORDS = (
    "type", "enum", "pattern", "maxLength", "minLength", "maxItems", "minItems", "maximum",
    "minimum", "multipleOf", "uniqueItems", "maxProperties", "minProperties", "format", "required",
)


def _has_rule_as_schema(rule: str) -> Optional[dict[str, Any]]:
    """`has(self.a) || has(self.b)` as JSON Schema; None for any other CEL expression."""
    fields = []
    for part in rule.split("||"):
        match = _HAS_RULE.match(part)
        if not match:
            return None
        fields.append(match[1])
    return {"anyOf": [{"required": [f]} for f in fields]}


def crd_to_json_schema(node: Mapping[str, Any], unchecked: list[str], at: str = "", structural: bool = True) -> dict[str, Any]:
    """One `openAPIV3Schema` node as Draft 7 JSON Schema (rules in the module docstring).

    CEL rules that cannot be translated are appended to `unchecked`. `structural` is False
    below anyOf/oneOf/allOf/not: those only check values and, as in Kubernetes, never define
    which fields exist.
    """
    out: dict[str, Any] = {key: copy.deepcopy(node[key]) for key in _COPIED_KEYWORDS if key in node}
    for bound in ("Minimum", "Maximum"):
        # OpenAPI 3.0 writes exclusive bounds as booleans next to minimum/maximum.
        if node.get(f"exclusive{bound}") is True and bound.lower() in node:
            out[f"exclusive{bound}"] = out.pop(bound.lower())
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if node.get("nullable") and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]

    properties = node.get("properties")
    if properties is not None:
        out["properties"] = {
            name: crd_to_json_schema(child, unchecked, f"{at}.{name}", structural) for name, child in properties.items()
        }
    additional = node.get("additionalProperties")
    if isinstance(additional, Mapping):
        out["additionalProperties"] = crd_to_json_schema(additional, unchecked, f"{at}.*", structural)
    elif isinstance(additional, bool):
        out["additionalProperties"] = additional
    elif structural and node.get("type") == "object" and not node.get("x-kubernetes-preserve-unknown-fields"):
        # Strict field validation: anything the schema does not define is an unknown field.
        out["additionalProperties"] = False
    if node.get("x-kubernetes-embedded-resource") and out.get("additionalProperties") is False:
        out.setdefault("properties", {})
        for name in ("apiVersion", "kind", "metadata"):
            out["properties"].setdefault(name, {})
    if "items" in node:
        out["items"] = crd_to_json_schema(node["items"], unchecked, f"{at}[*]", structural)
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in node:
            out[keyword] = [crd_to_json_schema(s, unchecked, at, False) for s in node[keyword]]
    if "not" in node:
        out["not"] = crd_to_json_schema(node["not"], unchecked, at, False)

    list_type = node.get("x-kubernetes-list-type")
    if list_type == "set":
        out["uniqueItems"] = True
    elif list_type == "map":
        out["x-list-map-keys"] = list(node.get("x-kubernetes-list-map-keys") or [])

    for validation in node.get("x-kubernetes-validations") or []:
        translated = _has_rule_as_schema(str(validation.get("rule", "")))
        if translated is None:
            unchecked.append(f"{at or '(root)'}: {validation.get('rule')}")
        else:
            translated["x-message"] = validation.get("message") or validation.get("rule")
            out.setdefault("allOf", []).append(translated)
    return out


def _list_map_keys(validator: Any, keys: list[str], instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if not isinstance(instance, list):
        return
    seen: dict[str, int] = {}
    for index, item in enumerate(instance):
        if not isinstance(item, dict):
            continue
        identity = json.dumps([item.get(k) for k in keys], sort_keys=True)
        if identity in seen:
            yield ValidationError(
                f"item {index} repeats the keys {', '.join(keys)} of item {seen[identity]} (list-type map)",
                path=[index],
            )
        seen[identity] = index


#: Draft 7 plus the `x-list-map-keys` keyword that `crd_to_json_schema` writes for list-type maps.
CrdValidator = jsonschema.validators.extend(Draft7Validator, {"x-list-map-keys": _list_map_keys})
