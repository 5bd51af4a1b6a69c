"""Changes a preview refuses, because `pulumi up` would destroy or break something with them.

1. A replace or delete of a resource that is protected in the deployed state: Pulumi stops
   (https://www.pulumi.com/docs/iac/concepts/options/protect/), and an unprotected stack would
   lose the resource.
2. A Kubernetes object deleted while the program declares the same object (API group, kind,
   namespace, name) under another type or URN. The engine plans the create of the new
   resource and the delete of the old one, and both target one cluster object: the create
   fails with AlreadyExists, or (with `upsertExistingObjects`) succeeds and the trailing
   delete removes the object (pulumi/pulumi-kubernetes#546,
   https://github.com/pulumi/pulumi-kubernetes/issues/546). The fix is an alias naming the old
   type; a CiliumCIDRGroup moving from cilium.io/v2alpha1 to cilium.io/v2 is this case.
3. An AKS change the provider would send but AKS refuses in place (`offline.preview.provider_rules`).
4. A Cilium chart step the upgrade guide forbids: more than one minor version forward, or any
   step back (`settings.cilium.cilium_step_problem`, the rule the program itself enforces).
5. A changed Cilium `cluster.name`, `cluster.id` or `clustermesh.maxConnectedClusters` of a
   deployed release (`settings.mesh.identity.identity_step_problem`, which the program enforces too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from offline.preview.change_preview import CREATE, DELETE, REPLACE, UPDATE, ResourceChange
from offline.preview.provider_rules import (
    MANAGED_CLUSTER_POOLS_SOURCE,
    NEW_POOL_PATHS,
    POOL_FIELDS_UPDATABLE_INLINE,
    POOL_RESIZE_WAY,
)
from offline.preview.value_compare import plain
from offline.run import (
    AGENT_POOL_FIXED_FIELDS,
    AGENT_POOL_TYPE,
    CILIUM_CHART,
    HELM_RELEASE_TYPE,
    MANAGED_CLUSTER_TYPE,
    Registration,
    covers,
    urn_name,
)
from settings.cilium import cilium_step_problem
from settings.common.problems import Problem
from settings.mesh.identity import identity_step_problem, identity_text


@dataclass(frozen=True)
class _Compared:
    """A change with both sides' inputs normalised once (`comparable`); {} for a missing side."""

    change: ResourceChange
    old: Mapping[str, Any]
    new: Mapping[str, Any]

    @classmethod
    def of(cls, change: ResourceChange) -> _Compared:
        old = plain(change.old.inputs) if change.old is not None else {}
        new = plain(change.new.inputs) if change.new is not None else {}
        return cls(change, old, new)


def change_problems(changes: list[ResourceChange]) -> list[Problem]:
    """Every refused change, one problem each (at the resource's type and name), in URN order."""
    compared = [_Compared.of(c) for c in changes]
    declared = _declared_objects([(c.change.new, c.new) for c in compared if c.change.new is not None])
    problems: list[Problem] = []
    for c in compared:
        problems += _protected(c.change)
        problems += _deleted_but_declared(c, declared)
        problems += _managed_cluster_pools(c)
        problems += _agent_pool_fields(c.change)
        problems += _cilium_step(c)
        problems += [Problem(c.change.label, refused) for refused in c.change.refused if c.change.op == UPDATE]
        problems += _cluster_identity(c)
    return problems + _cluster_created_under_recorded_objects(changes)


def _cluster_created_under_recorded_objects(changes: list[ResourceChange]) -> list[Problem]:
    """A cluster to be created while objects on it are still recorded: nothing would install them again.

    No input known at preview tells two incarnations of a same-name cluster apart (only
    `resourceUID`, an output). When the state lost the cluster but kept what is on it (a refresh of
    the cluster alone), the engine creates the cluster and keeps the Kubernetes objects as they are
    recorded: Cilium, the CIDR groups and the policies are never installed on the new cluster.
    """
    clusters = [c for c in changes if c.type == MANAGED_CLUSTER_TYPE and c.op == CREATE]
    on_cluster = [c for c in changes if c.old is not None and c.op not in (CREATE, REPLACE, DELETE) and _on_kubernetes(c)]
    if not clusters or not on_cluster:
        return []
    names = ", ".join(urn_name(c.urn) for c in on_cluster[:4]) + (f" and {len(on_cluster) - 4} more" if len(on_cluster) > 4 else "")
    return [
        Problem(
            cluster.label,
            f"is to be created while {len(on_cluster)} resources on it are still recorded in the state ({names}): Pulumi would"
            " keep them as recorded and never install Cilium, the CIDR groups or the policies on the new cluster. Refresh the"
            " whole stack, not the cluster alone, so that what went with the old cluster leaves the state too:"
            " `PULUMI_K8S_DELETE_UNREACHABLE=true pulumi refresh` (docs/day-2.md, a cluster re-created outside Pulumi)",
        )
        for cluster in clusters
    ]


def _on_kubernetes(change: ResourceChange) -> bool:
    return change.type.startswith("kubernetes:")


def _protected(change: ResourceChange) -> list[Problem]:
    if change.op not in (REPLACE, DELETE) or change.old is None or not change.old.protect:
        return []
    what = f"replaced (forced by {', '.join(change.paths)})" if change.op == REPLACE else "deleted"
    return [
        Problem(
            change.label,
            f"would be {what}, but it is protected in the deployed state; Pulumi refuses to"
            f" {change.op} a protected resource (https://www.pulumi.com/docs/iac/concepts/options/protect/)",
        )
    ]


# --- the same Kubernetes object under two resources -------------------------------------


def _object_key(type_: str, inputs: Mapping[str, Any]) -> Optional[tuple[str, str, str, str]]:
    """(API group, kind, namespace, name) of a Kubernetes object resource; the version does not count."""
    if not type_.startswith("kubernetes:") or type_ == HELM_RELEASE_TYPE:
        return None
    api_version, kind, metadata = inputs.get("apiVersion"), inputs.get("kind"), inputs.get("metadata")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not isinstance(metadata, Mapping):
        return None
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    return group, kind, str(metadata.get("namespace") or ""), str(metadata.get("name") or "")


def _declared_objects(registrations: list[tuple[Registration, Mapping[str, Any]]]) -> dict[tuple[str, str, str, str], Registration]:
    found = {}
    for r, inputs in registrations:
        key = _object_key(r.type, inputs)
        if key is not None:
            found[key] = r
    return found


def _deleted_but_declared(compared: _Compared, declared: Mapping[tuple[str, str, str, str], Registration]) -> list[Problem]:
    change = compared.change
    if change.op != DELETE or change.old is None:
        return []
    key = _object_key(change.old.type, compared.old)
    other = declared.get(key) if key is not None else None
    if other is None:
        return []
    group, kind, namespace, name = key  # type: ignore[misc]
    where = f"{namespace}/{name}" if namespace else name
    if change.old.delete:
        return [
            Problem(
                change.label,
                f"the copy an interrupted replace left (`delete: true`) is the cluster object {kind} {where} ({group or 'core'}),"
                f" which {other.type} {other.name} manages now: the engine deletes the copy, and with it that object."
                " Remove the entry marked `delete: true` from the state first (`pulumi stack export`, delete it, `pulumi stack import`)",
            )
        ]
    return [
        Problem(
            change.label,
            f"deleted while declared under another type/URN ({other.type} {other.name}):"
            f" both are the cluster object {kind} {where} ({group or 'core'}); Pulumi creates the new resource and then"
        " deletes the old one, which removes the object from the cluster (pulumi/pulumi-kubernetes#546)."
            f' Give the new resource aliases=[pulumi.Alias(type_="{change.old.type}")] so it is updated in place',
        )
    ]


# --- AKS ----------------------------------------------------------------------------------


def _pools(inputs: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    pools = inputs.get("agentPoolProfiles") or []
    return {str(p.get("name")): p for p in pools if isinstance(p, Mapping)} if isinstance(pools, list) else {}


def _managed_cluster_pools(compared: _Compared) -> list[Problem]:
    change = compared.change
    # A replaced cluster is created anew with its pools; only an update goes through AKS's PUT.
    if change.type != MANAGED_CLUSTER_TYPE or change.op != UPDATE or change.old is None or change.new is None:
        return []
    if not any(covers("agentPoolProfiles", p) for p in change.changed):
        return []  # nothing left after ignoreChanges (e.g. the autoscaler's counts)
    old, new = _pools(compared.old), _pools(compared.new)
    problems = []
    refused = f"AKS refuses to add or remove node pools through the cluster's agentPoolProfiles ({MANAGED_CLUSTER_POOLS_SOURCE})"
    for name in sorted(set(new) - set(old)):
        problems.append(Problem(change.label, f"node pool '{name}' added to agentPoolProfiles: {refused}; declare it as a containerservice.AgentPool resource"))
    for name in sorted(set(old) - set(new)):
        problems.append(Problem(change.label, f"node pool '{name}' removed from agentPoolProfiles: {refused}; manage it as a containerservice.AgentPool resource"))
    for name in sorted(set(old) & set(new)):
        fields = sorted(k for k in set(old[name]) | set(new[name]) if k not in POOL_FIELDS_UPDATABLE_INLINE and old[name].get(k) != new[name].get(k))
        if fields:
            problems.append(
                Problem(
                    change.label,
                    f"node pool '{name}': {', '.join(fields)} cannot be updated in agentPoolProfiles"
                    f" (only {', '.join(sorted(POOL_FIELDS_UPDATABLE_INLINE))} can; {MANAGED_CLUSTER_POOLS_SOURCE}); {POOL_RESIZE_WAY}",
                )
            )
    return problems


def _agent_pool_fields(change: ResourceChange) -> list[Problem]:
    if change.type != AGENT_POOL_TYPE or change.op not in (UPDATE, REPLACE):
        return []
    if any(covers(moved, p) for moved in NEW_POOL_PATHS for p in change.paths):
        return []  # a pool under a new name or in another cluster: the documented way already
    fields = [f for f in AGENT_POOL_FIXED_FIELDS if any(covers(f, p) for p in change.changed)]
    if not fields:
        return []
    return [Problem(change.label, f"{', '.join(fields)} of a node pool cannot change in place: {POOL_RESIZE_WAY}")]


# --- Cilium -------------------------------------------------------------------------------


def _cilium_step(compared: _Compared) -> list[Problem]:
    change = compared.change
    if change.type != HELM_RELEASE_TYPE or change.old is None or change.new is None:
        return []
    if compared.new.get("chart") != CILIUM_CHART:
        return []
    old, new = change.old.inputs.get("version"), compared.new.get("version")
    if not isinstance(old, str) or not isinstance(new, str):
        return []
    problem = cilium_step_problem(old, new)
    return [] if problem is None else [Problem(change.label, problem.message)]


def _cluster_identity(compared: _Compared) -> list[Problem]:
    """A changed Cilium cluster identity of the deployed release (`identity_step_problem`, the one copy of the rule)."""
    change = compared.change
    if change.type != HELM_RELEASE_TYPE or change.old is None or change.new is None or compared.new.get("chart") != CILIUM_CHART:
        return []
    old_values, new_values = compared.old.get("values"), compared.new.get("values")
    if not isinstance(old_values, Mapping) or not isinstance(new_values, Mapping):
        return []  # a values map stored as one secret cannot be compared offline
    problem = identity_step_problem(identity_text(old_values), identity_text(new_values))
    return [] if problem is None else [Problem(change.label, problem.message, hint=problem.hint)]
