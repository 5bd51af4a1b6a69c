"""What a `pulumi up` of the program would do to a deployed state: create, update, replace, delete, same.

Old and new resources are matched as the engine matches them: by URN, or by one of the new
resource's aliases (https://www.pulumi.com/docs/iac/concepts/options/aliases/), so an aliased
rename or type change is one resource, not a create and a delete. A matched pair is compared
input by input (`offline.preview.input_diff`), honouring the new registration's `ignoreChanges`; a
change the providers cannot make in place is a replace (`offline.preview.provider_rules`), and so is
every resource deployed through a provider that is replaced (a Kubernetes provider pointed at
another cluster takes everything on it along).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional

from offline.preview.input_diff import changed_paths, comparable_inputs, without_ignored
from offline.preview.state_import import DeployedResource
from offline.run import Registration, covers, resource_type, urn_name

CREATE, UPDATE, REPLACE, DELETE, SAME = "create", "update", "replace", "delete", "same"
OPS = (CREATE, UPDATE, REPLACE, DELETE, SAME)
PROVIDER_REPLACED = "provider"
"""The `paths` of a resource replaced because its provider is: the option, not an input."""


@dataclass(frozen=True)
class ResourceChange:
    op: str
    paths: tuple[str, ...]
    """update: the changed input paths; replace: the paths that force it."""
    old: Optional[DeployedResource] = None
    new: Optional[Registration] = None
    changed: tuple[str, ...] = ()
    """Every changed input path (for a replace, also those that do not force it)."""

    @property
    def urn(self) -> str:
        return self.new.urn if self.new is not None else self.old.urn  # type: ignore[union-attr]

    @property
    def type(self) -> str:
        return self.new.type if self.new is not None else self.old.type  # type: ignore[union-attr]

    @property
    def label(self) -> str:
        return f"{self.type} {urn_name(self.urn)}"

    def as_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "op": self.op, "paths": list(self.paths)}


def _compare(old: DeployedResource, new: Registration) -> ResourceChange:
    if not new.custom:
        return ResourceChange(SAME, (), old, new)
    paths = changed_paths(comparable_inputs(old.type, old.inputs), comparable_inputs(new.type, new.inputs))
    paths = without_ignored(paths, new.ignore_changes)
    rules = resource_type(new.type).replace_rules
    forcing = tuple(p for p in paths if any(covers(rule_path, p) for rule in rules for rule_path in rule.paths))
    if forcing:
        return ResourceChange(REPLACE, forcing, old, new, tuple(paths))
    return ResourceChange(UPDATE if paths else SAME, tuple(paths), old, new, tuple(paths))


def compute_changes(deployed: list[DeployedResource], registrations: list[Registration]) -> list[ResourceChange]:
    """One change per resource of either side, sorted by URN (the new URN for a matched pair)."""
    old_by_urn = {r.urn: r for r in deployed}
    matched: set[str] = set()
    changes: list[ResourceChange] = []
    for new in sorted(registrations, key=lambda r: r.urn):
        old_urn = next((u for u in [new.urn, *new.aliases] if u in old_by_urn and u not in matched), None)
        if old_urn is None:
            changes.append(ResourceChange(CREATE, (), None, new))
            continue
        matched.add(old_urn)
        changes.append(_compare(old_by_urn[old_urn], new))
    changes += [ResourceChange(DELETE, (), old, None) for urn, old in old_by_urn.items() if urn not in matched]
    return _with_replaced_providers(sorted(changes, key=lambda c: c.urn))


def _with_replaced_providers(changes: list[ResourceChange]) -> list[ResourceChange]:
    # pulumi_kubernetes/provider.py (cluster_identifier): a replaced provider means another
    # cluster, so every resource on it is created there anew.
    replaced = {c.urn for c in changes if c.op == REPLACE and c.type.startswith("pulumi:providers:")}
    if not replaced:
        return changes
    result = []
    for change in changes:
        new = change.new
        if change.op in (UPDATE, SAME) and new is not None and new.provider_urn in replaced:
            change = ResourceChange(REPLACE, (PROVIDER_REPLACED,), change.old, new, change.changed)
        result.append(change)
    return result


# --- output ----------------------------------------------------------------------------------


def changes_json(changes: list[ResourceChange]) -> str:
    """`changes.json`: every resource as {urn, type, op, paths}, sorted by URN, keys sorted."""
    return json.dumps([c.as_json() for c in changes], sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def summary(changes: list[ResourceChange]) -> str:
    counts = Counter(c.op for c in changes)
    words = {CREATE: "to create", UPDATE: "to update", REPLACE: "to replace", DELETE: "to delete", SAME: "unchanged"}
    return ", ".join(f"{counts[op]} {words[op]}" for op in OPS)


def render_changes(changes: list[ResourceChange], against: str) -> str:
    lines = [f"Changes against {against} ({summary(changes)}):"]
    for change in sorted(changes, key=lambda c: (c.op == SAME, c.urn)):  # what changes first
        detail = ""
        if change.op == UPDATE:
            detail = f"  {', '.join(change.paths)}"
        elif change.op == REPLACE:
            others = [p for p in change.changed if p not in change.paths]
            detail = f"  forced by: {', '.join(change.paths)}" + (f"; also changes: {', '.join(others)}" if others else "")
        lines.append(f"  {change.op:<8} {change.type}  {urn_name(change.urn)}{detail}")
    return "\n".join(lines) + "\n"
