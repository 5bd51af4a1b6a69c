"""Values as a user and the API server read them, from what the mock engine recorded.

The engine's wire format carries every number as a double; the Kubernetes provider sends
JSON, where 2.0 and 2 are the same number, so `2` is what the API server receives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Optional

#: Returns what stands for a value (e.g. a placeholder for a secret), or None to keep it.
Mask = Callable[[Any], Optional[Any]]


def plain_numbers(value: Any, mask: Optional[Mask] = None) -> Any:
    """Integral floats as ints, mappings as dicts with string keys, tuples as lists.

    `mask`, when given, is asked first about every value, nested ones included.
    """
    if mask is not None:
        masked = mask(value)
        if masked is not None:
            return masked
    if isinstance(value, Mapping):
        return {str(k): plain_numbers(v, mask) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_numbers(v, mask) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
