"""A change preview rule: Cilium's cluster identity and `maxConnectedClusters` never change on a deployed cluster.

Changing `cluster.name` or `cluster.id` of a running, meshed cluster is effectively unsupported:
identities, the kvstore prefix and the datapath's cluster bits all carry them (cilium/cilium#36338,
and `Documentation/network/clustermesh/clustermesh.rst`: each cluster's name and id are set at
install time); `clustermesh.maxConnectedClusters` "can only be used for brand new clusters"
(cilium/cilium PR #27520). The one move that is allowed is away from the chart's own defaults
(`default` / 0 / 255: a release deployed before the stack set them, which cannot have been meshed,
since a cluster with id 0 cannot join a mesh).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from offline.change_preview import ResourceChange
from offline.input_diff import SECRET, comparable
from offline.provider_rules import HELM_RELEASE_TYPE

CILIUM_CHART = "cilium"
#: The chart's values.yaml defaults: what a release that never set them runs with.
CHART_DEFAULTS = {"cluster.name": "default", "cluster.id": 0, "clustermesh.maxConnectedClusters": 255}
IDENTITY_ISSUES = "cilium/cilium#36338"


def _at(values: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(values, Mapping) or part not in values:
            return None
        values = values[part]
    return values


def cluster_identity_change(change: ResourceChange) -> list[str]:
    """Refuse a changed `cluster.name`, `cluster.id` or `clustermesh.maxConnectedClusters` of the Cilium release."""
    if change.type != HELM_RELEASE_TYPE or change.old is None or change.new is None:
        return []
    new_inputs = comparable(change.new.inputs)
    if new_inputs.get("chart") != CILIUM_CHART:
        return []
    old_values, new_values = comparable(change.old.inputs.get("values")), new_inputs.get("values")
    if old_values is SECRET or new_values is SECRET:
        return []  # an export holds only ciphertext: nothing to compare offline
    problems = []
    for path, default in CHART_DEFAULTS.items():
        old, new = _at(old_values, path), _at(new_values, path)
        old = default if old is None else old
        new = default if new is None else new
        if old == new or old == default and path != "clustermesh.maxConnectedClusters":
            continue  # unchanged, or the one-time move from the chart's defaults
        problems.append(
            f"{change.label}: Cilium {path} {old!r} -> {new!r} on a deployed cluster: it is fixed for the cluster's life"
            f" (a meshed cluster loses its identities and peers; {IDENTITY_ISSUES}, cilium/cilium PR #27520); keep {old!r},"
            " or build a new cluster (a new stack) with the new value"
        )
    return problems
