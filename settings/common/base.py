"""The base of every settings section, and how to find the section inside a field's type."""

from __future__ import annotations

import typing
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Section(BaseModel):
    """Base of every settings section: immutable, camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        hide_input_in_errors=True,
    )


def section_model_in(annotation: Any) -> Optional[type[Section]]:
    """The config section (a `Section` model) inside a field's annotation, if any."""
    if isinstance(annotation, type) and issubclass(annotation, Section):
        return annotation
    for arg in typing.get_args(annotation):
        found = section_model_in(arg)
        if found is not None:
            return found
    return None
