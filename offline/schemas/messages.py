"""Validation errors as one line each: `<field path>: <problem> [rule: <rule>]`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from jsonschema.exceptions import ValidationError

from offline.run import plain_numbers

__all__ = ["field_path", "short", "validation_errors"]


def field_path(parts: Any) -> str:
    """`spec.egress[0].toCIDRSet[1].cidr`; keys that are not plain names are quoted."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(part)):
            text += f".{part}" if text else str(part)
        else:
            text += f"[{json.dumps(str(part))}]"
    return text or "(root)"


def short(value: Any, limit: int = 80) -> str:
    """A value as JSON, cut to `limit` characters."""
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, problem with its rule) for one jsonschema error."""
    path = list(error.absolute_path)
    keyword = error.validator
    if keyword == "additionalProperties" and error.validator_value is False and isinstance(error.instance, dict):
        known = sorted((error.schema.get("properties") or {}).keys())
        allowed = f"; fields defined here: {', '.join(known)}" if known else "; this object defines no fields"
        extras = [k for k in error.instance if k not in (error.schema.get("properties") or {})]
        return [
            (field_path([*path, extra]), f"unknown field (strict field validation){allowed} [rule: additionalProperties: false]")
            for extra in sorted(extras)
        ]
    if keyword == "required":
        missing = re.match(r"'(.+)' is a required property", error.message)
        name = missing[1] if missing else "?"
        return [(field_path([*path, name]), "required field is missing [rule: required]")]
    if keyword == "format":
        cause = f": {error.cause}" if error.cause else ""
        return [(field_path(path), f"{short(error.instance)} is not a valid {error.validator_value}{cause} [rule: format: {error.validator_value}]")]
    if isinstance(error.schema, Mapping) and "x-message" in error.schema:
        return [(field_path(path), f"{error.schema['x-message']} [rule: x-kubernetes-validations]")]
    if keyword in ("anyOf", "oneOf"):
        reasons = sorted({c.message for c in error.context})[:3]
        detail = f" ({'; '.join(reasons)})" if reasons else ""
        return [(field_path(path), f"{short(error.instance)} matches {'none' if keyword == 'anyOf' else 'not exactly one'} of the allowed shapes{detail} [rule: {keyword}]")]
    message = error.message if len(error.message) < 240 else f"{short(error.instance)} is invalid"
    # enum and type messages already quote the allowed values; the rest get them appended.
    rule = keyword if keyword in ("enum", "type") else f"{keyword}: {short(error.validator_value, 120)}"
    return [(field_path(path), f"{message} [rule: {rule}]")]


def validation_errors(validator: Any, instance: Any) -> list[tuple[str, str]]:
    """Sorted (field path, problem) pairs for `instance`, numbers as the API server reads them."""
    found: list[tuple[str, str]] = []
    for error in validator.iter_errors(plain_numbers(instance)):
        found += _describe(error)
    return sorted(set(found))
