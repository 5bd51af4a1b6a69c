"""`plan-out/<stack>/state.json`: what one offline run declared, as `pulumi stack export` writes it.

A later plan can preview its changes against this file (`--against`), just as against an export
of the real stack (format: `offline.preview.state.state_format`). The file is deterministic: keys sorted,
resources in deploy order (parents and dependencies first, as `pulumi stack import` expects),
dependency lists sorted, a fixed manifest time. It never holds a secret: each secret is the
signature object with `[secret]` for its ciphertext. Inputs are stored as the providers' Check and
the engine store them (`offline.preview.check_inputs`), so a later preview compares like with like.
Resources' outputs and aliases are left out: under the mock engine outputs are only echoed inputs
and fakes, and a preview matches the NEW program's aliases against the old URNs, never the other
way round. The root stack keeps its outputs (secrets as placeholders; what the program's
StackReference to itself reads next time, components/deployed_guard.py), and reads are
`external: true` entries, as the engine records them. `deletedWith` and `replaceWith` are kept,
and a `replaceWith` makes the file version 4 with that feature, as the engine writes it (pulumi
pkg/resource/stack/deployment.go `ApplyFeatures`).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from pulumi.output import Unknown
from pulumi.runtime import rpc

from offline.preview.check_inputs import checked_inputs
from offline.preview.state.state_format import DEPLOYMENT_VERSION, FIXED_MANIFEST, ROOT_STACK_TYPE, secret_object
from offline.run import UNKNOWN_PLACEHOLDER, ProgramRun, Read, Registration, build_graph, plain_numbers, resource_urn


def state_value(value: Any) -> Any:
    """An input as the checkpoint stores it: secrets as placeholders, numbers as JSON numbers."""
    return plain_numbers(value, _placeholder)


def _placeholder(value: Any) -> Optional[Any]:
    if rpc.is_rpc_secret(value):
        return secret_object()
    if value == rpc.UNKNOWN or isinstance(value, Unknown):  # an input's wire form, or a stack output's
        return UNKNOWN_PLACEHOLDER
    return None


def stack_urn(run: ProgramRun) -> str:
    return resource_urn(run.config.stack, run.config.project, "", ROOT_STACK_TYPE, f"{run.config.project}-{run.config.stack}")


def _resource(r: Registration, root: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "urn": r.urn,
        "custom": r.custom,
        "type": r.type,
        "inputs": state_value(checked_inputs(r.type, r.inputs)) if r.custom else {},
        "parent": r.parent or root,
        "dependencies": sorted(set(r.dependencies)),
        "protect": r.protect,
    }
    if r.custom and r.id:
        entry["id"] = r.id
    if r.provider:
        entry["provider"] = r.provider
    if r.deleted_with:
        entry["deletedWith"] = r.deleted_with
    if r.replace_with:
        entry["replaceWith"] = sorted(r.replace_with)
    return entry


def _read(r: Read, root: str) -> dict[str, Any]:
    return {"urn": r.urn, "custom": True, "type": r.type, "id": r.id, "inputs": state_value(r.inputs), "parent": r.parent or root, "dependencies": [], "protect": False, "external": True}


def _stack_outputs(run: ProgramRun) -> dict[str, Any]:
    return {name: secret_object() if output.secret else state_value(output.value) for name, output in run.outputs.items()}


def state_document(run: ProgramRun) -> dict[str, Any]:
    """The run as a deployment: the root stack first, its reads, then every resource in deploy order."""
    root = stack_urn(run)
    order = build_graph(run.registrations).order
    by_urn = {r.urn: r for r in run.registrations}
    resources = [{"urn": root, "custom": False, "type": ROOT_STACK_TYPE, "inputs": {}, "outputs": _stack_outputs(run), "dependencies": [], "protect": False}]
    resources += [_resource(by_urn[urn], root) for urn in order]
    for read in run.reads:  # right after its parent, before whatever uses what it read
        parent = next(i for i, entry in enumerate(resources) if entry["urn"] == (read.parent or root))
        resources.insert(parent + 1, _read(read, root))
    document: dict[str, Any] = {"version": DEPLOYMENT_VERSION, "deployment": {"manifest": dict(FIXED_MANIFEST), "resources": resources}}
    if any(r.replace_with for r in run.registrations):
        document.update(version=4, features=["replaceWith"])
    return document


def to_json(document: Any) -> str:
    """Sorted keys, two-space indent, one trailing newline: the same value gives the same bytes."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
