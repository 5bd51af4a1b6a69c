"""docs/configuration.md's key table and the settings models describe the same keys."""

from __future__ import annotations

import re
import typing

from pydantic import BaseModel

from components.settings import LOCATION_KEY, PROJECT, ProjectConfig, section_model_in
from tests.harness import PROJECT_DIR

CONFIGURATION_DOC = PROJECT_DIR / "docs" / "configuration.md"


def _is_sequence(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (tuple, list):
        return True
    return any(_is_sequence(a) for a in typing.get_args(annotation))


def _is_mapping_of_models(annotation) -> bool:
    return typing.get_origin(annotation) is dict and section_model_in(annotation) is not None


def settings_keys(model: type[BaseModel] = ProjectConfig, prefix: str = "") -> set[str]:
    """Every key path a user can set, as docs/configuration.md writes it."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        alias = field.alias or name
        if model is ProjectConfig:
            path = LOCATION_KEY if name == "location" else f"{PROJECT}:{alias}"
        else:
            path = f"{prefix}.{alias}"
        inner = section_model_in(field.annotation)
        if inner is None or _is_sequence(field.annotation) or _is_mapping_of_models(field.annotation):
            keys.add(path)  # a section itself is documented through its keys
        if inner is None:
            continue
        if _is_mapping_of_models(field.annotation):
            keys |= settings_keys(inner, f"{path}.<group>")
        elif _is_sequence(field.annotation):
            keys |= settings_keys(inner, f"{path}[i]")
        else:
            keys |= settings_keys(inner, path)
    return keys


def documented_keys() -> set[str]:
    keys: set[str] = set()
    table = CONFIGURATION_DOC.read_text(encoding="utf-8")
    for cell in re.findall(r"^\| `([^`]+)`(?: / `([^`]+)`)? \|", table, flags=re.M):
        first, second = cell
        if not (first.startswith(f"{PROJECT}:") or first == LOCATION_KEY):
            continue
        keys.add(first)
        if second:
            keys.add(first.rsplit(".", 1)[0] + "." + second)
    return keys


def test_every_settings_key_is_documented_in_the_configuration_table():
    missing = settings_keys() - documented_keys()
    assert not missing, f"keys without a row in docs/configuration.md: {sorted(missing)}"


def test_the_configuration_table_documents_no_key_the_settings_do_not_have():
    stale = documented_keys() - settings_keys()
    assert not stale, f"rows in docs/configuration.md for keys that do not exist: {sorted(stale)}"

