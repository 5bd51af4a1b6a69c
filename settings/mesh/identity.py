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
from typing import Optional

from pydantic import Field, field_validator

from settings.common.base import Section
from settings.common.errors import key_path
from settings.problems import Problem

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
