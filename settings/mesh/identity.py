"""Cilium's cluster identity, `aks-cilium:cilium.cluster`: set on every stack, mesh or not.

Rules of Cilium's Helm chart that `values.schema.json` does not express; the chart's
`templates/validate.yaml` and the agent refuse them at install time instead (cilium/cilium PR
#32641 "Formally define and validate the cluster name format", strict from 1.17 by PR #32819;
PR #27520 "Extended Clustermesh" for `maxConnectedClusters` 255 or 511):
- `cluster.name`: at most 32 characters, lower-case letters, digits and '-', starting and ending
  with a letter or digit; `default` only with `cluster.id` 0;
- `cluster.id`: 0-255, or 0-511 with `clustermesh.maxConnectedClusters: 511`; unique in a mesh, and
  0 cannot join one (Documentation/network/clustermesh/clustermesh.rst: "a numeric cluster ID (1-255)").
Both are fixed for the cluster's life: changing either on a meshed cluster is unsupported
(cilium/cilium#36338), and `maxConnectedClusters` "can only be used for brand new clusters" (#27520).
So every stack sets them from its first deploy: joining a fleet later changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

from pydantic import Field, field_validator

from settings.common.base import Section
from settings.common.errors import key_path
from settings.common.problems import Problem

CLUSTER_NAME_MAX = 32
CLUSTER_NAME_PATTERN = r"([a-z0-9][-a-z0-9]*)?[a-z0-9]"
MAX_CONNECTED_CLUSTERS = (255, 511)

CLUSTER_NAME_RULE = (
    f"at most {CLUSTER_NAME_MAX} lower-case letters, digits and '-', starting and ending with a letter or digit,"
    " not 'default' (Cilium Helm chart, templates/validate.yaml)"
)
CHOOSE_IDENTITY = (
    "choose them once, before the first deploy: a name and an id unique among every cluster that may ever join the"
    " same mesh (e.g. the stack name and 1, 2, 3 ... per stack); they cannot change on a running cluster"
)


class CiliumClusterSettings(Section):
    """`aks-cilium:cilium.cluster`: Cilium's `cluster.name` and `cluster.id`, fixed for the cluster's life."""

    name: Optional[str] = Field(default=None, examples=["weu-1"])
    """Cilium cluster name; required (see CHOOSE_IDENTITY)."""
    id: Optional[int] = Field(default=None, examples=[1])
    """Cilium cluster id, 1-255 (or 1-511 with `mesh.maxConnectedClusters: 511`); required."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and (len(value) > CLUSTER_NAME_MAX or not re.fullmatch(CLUSTER_NAME_PATTERN, value)):
            raise ValueError(f"must be {CLUSTER_NAME_RULE}")
        return value


def cluster_identity_problems(cluster: CiliumClusterSettings, max_connected_clusters: int) -> list[Problem]:
    """Missing or out-of-range `cilium.cluster.name` / `.id`: every stack sets both."""
    name_key, id_key = key_path("cilium", "cluster", "name"), key_path("cilium", "cluster", "id")
    problems = []
    for key, value, example in ((name_key, cluster.name, "weu-1"), (id_key, cluster.id, "1")):
        if value is None:
            problems.append(Problem(key, f"required but not set; every stack sets {name_key} and {id_key}", hint=f"{CHOOSE_IDENTITY}: `pulumi config set --path '{key}' {example}`"))
    if cluster.name == "default":
        problems.append(Problem(name_key, "is Cilium's default name, which its chart allows only with cluster id 0, and a cluster with id 0 cannot join a mesh", cluster.name, hint=CHOOSE_IDENTITY))
    if cluster.id is not None and not 1 <= cluster.id <= max_connected_clusters:
        more = "" if max_connected_clusters == 511 else f" (1-511 only with {key_path('mesh', 'maxConnectedClusters')}: 511)"
        problems.append(Problem(id_key, f"must be 1-{max_connected_clusters}{more}: 0 cannot join a mesh, and the chart refuses larger ids", cluster.id))
    return problems


#: The chart's values.yaml defaults: what a release that never set them runs with.
CHART_DEFAULTS = {"cluster.name": "default", "cluster.id": 0, "clustermesh.maxConnectedClusters": 255}


def _value_at(values: Mapping[str, Any], dotted: str) -> Any:
    found: Any = values
    for part in dotted.split("."):
        if not isinstance(found, Mapping) or part not in found:
            return None
        found = found[part]
    return found


def identity_text(values: Mapping[str, Any]) -> str:
    """`name/id/maxConnectedClusters` of a release's Helm values (the chart's defaults where unset):
    what the stack records as deployed and compares with what a run wants."""
    parts = []
    for path, default in CHART_DEFAULTS.items():
        value = _value_at(values, path)
        # Pulumi's wire format has only doubles: an output's 1 arrives as 1.0.
        value = int(value) if isinstance(value, float) and value.is_integer() else value
        parts.append(str(default if value is None else value))
    return "/".join(parts)


def identity_step_problem(deployed: str, wanted: str) -> Optional[Problem]:
    """Why a deployed Cilium may not move from identity `deployed` to `wanted` (`identity_text`), or None.

    The one copy of the rule: the program checks it against the stack's last outputs before the
    release can change (components/deployed_guard.py), the offline preview against an export's
    release (offline/preview/change_checks.py). Fixed for a cluster's life: changing `cluster.name`
    or `cluster.id` of a running, meshed cluster is effectively unsupported (cilium/cilium#36338),
    and `clustermesh.maxConnectedClusters` "can only be used for brand new clusters" (cilium/cilium
    PR #27520). Allowed: the one move away from the chart's `default`/0 (a release deployed before
    the stack set them; id 0 cannot have joined a mesh). Text that cannot be read is not judged.
    """
    old, new = deployed.split("/"), wanted.split("/")
    if len(old) != len(CHART_DEFAULTS) or len(new) != len(CHART_DEFAULTS):
        return None
    for (path, default), before, after in zip(CHART_DEFAULTS.items(), old, new, strict=True):
        if before == after or (before == str(default) and path != "clustermesh.maxConnectedClusters"):
            continue
        return Problem(
            key_path("cilium", "cluster") if path.startswith("cluster.") else key_path("mesh", "maxConnectedClusters"),
            f"Cilium {path} {before!r} -> {after!r} on a deployed cluster: it is fixed for the cluster's life (a meshed cluster"
            " loses its identities and peers; cilium/cilium#36338, cilium/cilium PR #27520)",
            hint=f"keep {before!r}, or build a new cluster (a new stack) with the new value",
        )
    return None
