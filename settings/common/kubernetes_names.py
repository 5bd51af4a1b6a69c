"""Kubernetes' name rules, once: object names, namespaces, label keys and label values.

The settings use them to refuse a bad name before any resource is declared, and the offline
schema checks use them on every object the program sends, so both always agree. The rules are
those of k8s.io/apimachinery `pkg/util/validation` (IsDNS1123Subdomain, IsDNS1123Label,
IsQualifiedName, IsValidLabelValue):
https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go
"""

from __future__ import annotations

import re
from typing import Any, Optional

_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(rf"{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*")
_QUALIFIED_NAME_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")

SUBDOMAIN_MAX = 253
LABEL_MAX = 63

SUBDOMAIN_RULE = "at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
DNS_LABEL_RULE = "at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
NAME_PART_RULE = "1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
LABEL_VALUE_RULE = "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or an empty string)"


def is_dns1123_subdomain(value: Any) -> bool:
    """Object names (metadata.name of most kinds, CiliumCIDRGroups and policies included)."""
    return isinstance(value, str) and len(value) <= SUBDOMAIN_MAX and _DNS1123_SUBDOMAIN.fullmatch(value) is not None


def is_dns1123_label(value: Any) -> bool:
    """Namespace names."""
    return isinstance(value, str) and len(value) <= LABEL_MAX and re.fullmatch(_DNS1123_LABEL, value) is not None


def qualified_name_problem(key: Any) -> Optional[str]:
    """Why a label or annotation key is invalid, or None: `[prefix/]name`, prefix a DNS subdomain."""
    if not isinstance(key, str):
        return f"key {key!r} must be a string"
    prefix, slash, name = key.rpartition("/")
    if slash and not is_dns1123_subdomain(prefix):
        return f"key {key!r} has an invalid prefix {prefix!r}: it must be a lowercase DNS subdomain ({SUBDOMAIN_RULE})"
    if not name or len(name) > LABEL_MAX or _QUALIFIED_NAME_PART.fullmatch(name) is None:
        return f"key {key!r} is invalid: the name part must be {NAME_PART_RULE}"
    return None


def is_label_value(value: Any) -> bool:
    return isinstance(value, str) and (
        value == "" or (len(value) <= LABEL_MAX and _QUALIFIED_NAME_PART.fullmatch(value) is not None)
    )
