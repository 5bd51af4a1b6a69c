"""`metadata` of a custom resource, checked as the API server checks ObjectMeta.

k8s.io/apimachinery `ValidateObjectMeta`
(https://github.com/kubernetes/apimachinery/blob/master/pkg/api/validation/objectmeta.go):
known fields only, the name a DNS-1123 subdomain, the namespace a DNS-1123 label and only on
namespaced kinds, label and annotation keys qualified names, label values valid. The name
rules themselves are `settings.common.kubernetes_names`, the same the stack's settings apply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from offline.schemas.messages import field_path, short
from settings.common.kubernetes_names import (
    DNS_LABEL_RULE,
    LABEL_VALUE_RULE,
    SUBDOMAIN_RULE,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    qualified_name_problem,
)

__all__ = ["ANNOTATIONS_SIZE_LIMIT", "OBJECT_META_FIELDS", "metadata_problems"]

#: ObjectMeta fields a client may send (k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta).
OBJECT_META_FIELDS = frozenset(
    {
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
        "annotations", "ownerReferences", "finalizers", "managedFields",
    }
)
#: Kubernetes caps all annotations of one object together (apimachinery TotalAnnotationSizeLimitB).
ANNOTATIONS_SIZE_LIMIT = 256 * 1024


def metadata_problems(metadata: Any, namespaced: bool) -> list[tuple[str, str]]:
    """(field path, problem with its rule) for one object's metadata; empty when valid."""
    if not isinstance(metadata, dict):
        return [("metadata", "must be an object [rule: type: object]")]
    problems: list[tuple[str, str]] = []
    for key in sorted(set(metadata) - OBJECT_META_FIELDS):
        problems.append((field_path(["metadata", key]), "unknown field (strict field validation); ObjectMeta defines: name, namespace, labels, annotations, ... [rule: ObjectMeta]"))
    name = metadata.get("name")
    if name is None and not metadata.get("generateName"):
        problems.append(("metadata.name", "name or generateName is required [rule: required]"))
    elif name is not None and not is_dns1123_subdomain(name):
        problems.append(("metadata.name", f"{short(name)} is not a DNS-1123 subdomain: {SUBDOMAIN_RULE} [rule: DNS-1123 subdomain]"))
    namespace = metadata.get("namespace")
    if namespace is not None and not namespaced:
        problems.append(("metadata.namespace", "not allowed: the kind is cluster-scoped [rule: scope: Cluster]"))
    elif namespace is not None and not is_dns1123_label(namespace):
        problems.append(("metadata.namespace", f"{short(namespace)} is not a DNS-1123 label: {DNS_LABEL_RULE} [rule: DNS-1123 label]"))
    problems += _label_problems(metadata.get("labels"))
    problems += _annotation_problems(metadata.get("annotations"))
    return problems


def _label_problems(labels: Any) -> list[tuple[str, str]]:
    return _string_map_problems("labels", "label", labels, value_problem=_label_value_problem)


def _label_value_problem(value: str) -> Optional[str]:
    return None if is_label_value(value) else f"{value!r} is not a valid label value: {LABEL_VALUE_RULE}"


def _annotation_problems(annotations: Any) -> list[tuple[str, str]]:
    # The API server checks annotation keys in lower case (ValidateAnnotations).
    problems = _string_map_problems("annotations", "annotation", annotations, checked_key=str.lower)
    if isinstance(annotations, dict):
        size = sum(len(str(k)) + len(str(v)) for k, v in annotations.items())
        if size > ANNOTATIONS_SIZE_LIMIT:
            problems.append(("metadata.annotations", f"total size {size} bytes exceeds {ANNOTATIONS_SIZE_LIMIT} [rule: annotations size]"))
    return problems


def _string_map_problems(
    field: str,
    kind: str,
    values: Any,
    checked_key: Callable[[str], str] = str,
    value_problem: Optional[Callable[[str], Optional[str]]] = None,
) -> list[tuple[str, str]]:
    """Labels or annotations: a map whose keys are qualified names and whose values are strings."""
    if values is None:
        return []
    if not isinstance(values, dict):
        return [(f"metadata.{field}", "must be a map of strings [rule: type: object]")]
    problems = []
    for key, value in sorted(values.items(), key=lambda kv: str(kv[0])):
        at = field_path(["metadata", field, key])
        key_problem = qualified_name_problem(checked_key(str(key)))
        if key_problem:
            problems.append((at, f"{key_problem} [rule: {kind} key]"))
        if not isinstance(value, str):
            problems.append((at, f"{short(value)} must be a string [rule: {kind} value]"))
        elif value_problem is not None and (problem := value_problem(value)):
            problems.append((at, f"{problem} [rule: {kind} value]"))
    return problems
