"""The `pulumi stack export` fixtures of tests/fixtures/exports, for the preview's tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "exports"


def export_path(name: str) -> Path:
    return EXPORTS / name


def export_document(name: str) -> dict[str, Any]:
    return json.loads(export_path(name).read_text(encoding="utf-8"))


def entry(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The live resource named `name` (the last URN segment)."""
    return next(r for r in document["deployment"]["resources"] if r["urn"].endswith(f"::{name}") and not r.get("delete"))
