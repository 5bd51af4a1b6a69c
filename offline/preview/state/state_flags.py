"""What the engine does with the state flags of an export, before any input is compared.

- `taint: true` (`pulumi state taint`): replaced, and untainted (pulumi
  `pkg/resource/deploy/step_generator.go` `isTargetedReplace`: the diff blames `id`).
- `pendingReplacement: true`: the old resource was deleted by a delete-before-replace that stopped
  before the create; the engine replaces it (`step_generator.go`: `diff.Changes == DiffSome ||
  old.PendingReplacement`), skipping the delete that already happened.
- `delete: true`: a copy an interrupted replace left behind; the engine deletes it.
- `refreshBeforeUpdate: true`: the engine reads the resource from its provider before it updates it,
  in a preview too (`pkg/resource/deploy/deployment_executor.go`); offline there is no provider to
  read, so the preview compares with the recorded state and says so.
- `pending_operations`: `pulumi up` (never `pulumi preview`) warns and goes on
  (`deployment_executor.go` `printPendingOperationsWarning`); an interrupted create is not in
  `resources`, so it is planned as a create again.
"""

from __future__ import annotations

from typing import Optional

from offline.preview.state.export_file import Export, ExportedResource, PendingOperation

STEP_GENERATOR = "pulumi pkg/resource/deploy/step_generator.go"
EXECUTOR = "pulumi pkg/resource/deploy/deployment_executor.go"

#: What each interrupted operation may have left behind, for the warning.
LEFT_BEHIND = {
    "creating": "it may exist in Azure or on the cluster without being in the state, so the create `pulumi up` plans again can fail"
    " with \"already exists\"; if it exists, import it (`pulumi import`) or delete it, then run `pulumi refresh`",
    "updating": "it may have some of the new settings and not others; the state still has the old ones",
    "deleting": "it may be gone already although the state still has it",
    "reading": "the state may not have its latest settings",
}


def forced_replace(resource: ExportedResource) -> Optional[str]:
    """Why the engine replaces `resource` whatever its inputs, or None."""
    if resource.taint:
        return f"`pulumi state taint` marked it: the engine replaces it ({STEP_GENERATOR} isTargetedReplace)"
    if resource.pending_replacement:
        return (
            "a delete-before-replace deleted it and stopped before the create;"
            f" the engine creates it again ({STEP_GENERATOR})"
        )
    return None


def refresh_notices(export: Export) -> list[str]:
    return [
        f"{r.type} {r.name}: refreshBeforeUpdate: the engine reads it from its provider before updating it ({EXECUTOR});"
        " this preview has no provider to read, so it compares with the recorded state"
        for r in export.live
        if r.refresh_before_update
    ]


def pending_operations_warning(operations: tuple[PendingOperation, ...] | list[PendingOperation]) -> Optional[str]:
    """The warning `pulumi up` prints for an export with pending operations, and what each may have left."""
    if not operations:
        return None
    lines = [f"`pulumi up` will warn: Attempting to deploy or update resources with {len(operations)} pending operations from previous deployment."]
    for op in operations:
        left = LEFT_BEHIND.get(op.operation, "its state is unknown")
        lines.append(f"  * {op.resource.urn}, interrupted while {op.operation}: {left}")
    lines.append(
        "These resources are in an unknown state because the Pulumi CLI was interrupted. Check them in Azure"
        " (`az resource show --ids <id>`) or on the cluster (`kubectl get`), then run `pulumi refresh`, which reads"
        " them again and clears the pending operations; it must run interactively to clear pending creates."
        f" `pulumi up` goes on without it ({EXECUTOR} printPendingOperationsWarning)."
    )
    return "\n".join(lines)
