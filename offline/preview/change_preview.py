"""What `pulumi preview` will show and what `pulumi up` will do to a deployed state, resource by resource.

The program runs twice against the export (`offline.preview.export_answers`): once as `pulumi preview`
sees it, with unknowns wherever the real engine has them, and once as `pulumi up` runs it, where a
resource that is only updated keeps its output-only values. The two differ exactly where an unknown in
the preview changes a decision, e.g. a provider whose `clusterIdentifier` is unknown in the preview of
a cluster update. `op` is what `up` does, and the exit code judges it; `preview` says what the preview
shows where that differs.

A secret the export holds only as ciphertext cannot be compared. Where the program records what feeds
it (the `kubeconfigLogin` stack output feeds the Kubernetes provider's `kubeconfig`), a change of that
record is an update of the secret; otherwise the secret counts as unchanged and the line says so.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Optional

from offline.preview.export_answers import CREATE, DELETE, REPLACE, SAME, UPDATE, ExportAnswers, Step
from offline.preview.state.export_file import Export, ExportedResource
from offline.run import KUBERNETES_PROVIDER_TYPE, Registration, StackOutput, urn_name

OPS = (CREATE, UPDATE, REPLACE, DELETE, SAME)
#: Secret inputs whose plaintext an export lacks, and the stack output that records what feeds them.
SECRET_SOURCES = {(KUBERNETES_PROVIDER_TYPE, "kubeconfig"): "kubeconfigLogin"}
SECRET_NOT_COMPARABLE = "secret, not comparable"


@dataclass(frozen=True)
class ResourceChange:
    op: str
    """What `pulumi up` does."""
    paths: tuple[str, ...]
    """update: the changed input paths; replace: what forces it."""
    old: Optional[ExportedResource] = None
    new: Optional[Registration] = None
    changed: tuple[str, ...] = ()
    """Every changed input path (for a replace, also those that do not force it)."""
    preview_op: str = ""
    """What `pulumi preview` shows, where it differs from `op`."""
    preview_paths: tuple[str, ...] = ()
    note: str = ""
    """Why, where the inputs alone do not say: taint, a replaced provider, deletedWith, a secret."""
    refused: tuple[str, ...] = ()
    """What Azure refuses although the provider sends it (from the provider's own rules)."""

    @property
    def urn(self) -> str:
        return self.new.urn if self.new is not None else self.old.urn  # type: ignore[union-attr]

    @property
    def type(self) -> str:
        return self.new.type if self.new is not None else self.old.type  # type: ignore[union-attr]

    @property
    def label(self) -> str:
        return f"{self.type} {urn_name(self.urn)}"

    @property
    def shown(self) -> str:
        """What `pulumi preview` shows."""
        return self.preview_op or self.op

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"urn": self.urn, "type": self.type, "op": self.op, "paths": list(self.paths)}
        if self.preview_op:
            found["preview"] = {"op": self.preview_op, "paths": list(self.preview_paths)}
        if self.note:
            found["note"] = self.note
        return found


def _change(step: Step, shown: Optional[Step], new: Optional[Registration]) -> ResourceChange:
    change = ResourceChange(step.op, step.paths, step.old, new, step.changed, note=step.reason, refused=step.refused)
    if shown is not None and (shown.op, shown.paths) != (step.op, step.paths):
        change = replace(change, preview_op=shown.op, preview_paths=shown.paths)
    return change


def compute_changes(export: Export, preview: ExportAnswers, up: ExportAnswers, registrations: list[Registration],
                    outputs: Mapping[str, StackOutput]) -> list[ResourceChange]:
    """One change per resource of either side, sorted by URN (the new URN for a matched pair).

    `preview` and `up` answered the two runs; `registrations` and `outputs` are the up run's."""
    by_urn = {r.urn: r for r in registrations}
    changes = [_change(step, preview.steps.get(urn), by_urn.get(urn)) for urn, step in up.steps.items()]
    shown_deletes = {s.urn: s for s in preview.deletes()}
    changes += [_change(step, shown_deletes.get(step.urn), None) for step in up.deletes()]
    changes = _secrets(changes, export, outputs)
    return sorted(changes, key=lambda c: (c.urn, c.op != DELETE))


def _secrets(changes: list[ResourceChange], export: Export, outputs: Mapping[str, StackOutput]) -> list[ResourceChange]:
    root = next((r for r in export.live if r.type == "pulumi:pulumi:Stack"), None)
    recorded = root.outputs if root is not None else {}
    result = []
    for change in changes:
        for (type_, path), source in SECRET_SOURCES.items():
            if change.type != type_ or change.op != SAME or change.old is None or not _is_ciphertext(change.old.inputs.get(path)):
                continue
            new_source = outputs[source].value if source in outputs else None
            if source not in recorded:
                change = replace(change, note=f"{path}: {SECRET_NOT_COMPARABLE} (the export has no `{source}` output to compare with)")
            elif recorded[source] != new_source:
                note = f"{path}: {SECRET_NOT_COMPARABLE}; `{source}` changed from {json.dumps(recorded[source])} to {json.dumps(new_source)}"
                change = replace(change, op=UPDATE, paths=(path,), changed=(path,), note=note, preview_op="", preview_paths=())
        result.append(change)
    return result


def _is_ciphertext(value: Any) -> bool:
    return isinstance(value, Mapping) and "ciphertext" in value


# --- output ----------------------------------------------------------------------------------


def changes_json(changes: list[ResourceChange]) -> str:
    """`changes.json`: every resource as {urn, type, op, paths} (`op`: what `pulumi up` does), plus
    `preview` where `pulumi preview` shows something else and `note` where a reason is not an input; sorted by URN."""
    return json.dumps([c.as_json() for c in changes], sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def summary(ops: list[str]) -> str:
    counts = Counter(ops)
    words = {CREATE: "to create", UPDATE: "to update", REPLACE: "to replace", DELETE: "to delete", SAME: "unchanged"}
    return ", ".join(f"{counts[op]} {words[op]}" for op in OPS)


def _detail(op: str, paths: tuple[str, ...], change: ResourceChange) -> str:
    if op == UPDATE:
        return ", ".join(paths)
    if op == REPLACE:
        others = [p for p in change.changed if p not in paths]
        return f"forced by: {', '.join(paths)}" + (f"; also changes: {', '.join(others)}" if others else "")
    return ""


def render_changes(changes: list[ResourceChange], against: str, notices: tuple[str, ...] = ()) -> str:
    lines = [
        f"Changes against {against}",
        f"  `pulumi up` will do:       {summary([c.op for c in changes])}",
        f"  `pulumi preview` will show: {summary([c.shown for c in changes])}",
        f"  {'pulumi preview':<15} {'pulumi up':<10} resource",
    ]
    for change in sorted(changes, key=lambda c: (c.op == SAME and c.shown == SAME, c.urn)):  # what changes first
        detail = _detail(change.op, change.paths, change)
        if change.preview_op:
            shown = _detail(change.preview_op, change.preview_paths, change)
            detail = f"{detail}; preview: {shown}" if detail and shown else detail or (f"preview: {shown}" if shown else "")
        note = f" ({change.note})" if change.note else ""
        tail = f"  {detail}" if detail else ""
        lines.append(f"  {change.shown:<15} {change.op:<10} {change.type}  {urn_name(change.urn)}{tail}{note}")
    lines += [f"  NOTE: {n}" for n in notices]
    return "\n".join(lines) + "\n"
