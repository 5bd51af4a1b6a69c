"""kubectl's JSON (`-o json`) read strictly into the few facts the checks judge.

Shapes are Kubernetes' own: a `get` of a kind returns `{"kind": "List", "items": [...]}`, a named
get returns the object; Node and Pod conditions are `{type, status: "True"|"False"|"Unknown"}`
(k8s.io/api `core/v1/types.go`). Cilium's objects follow its CRDs: CiliumCIDRGroup
`spec.externalCIDRs`, CiliumNode `spec.ipam.podCIDRs` (cilium/cilium `pkg/ipam/types/types.go`,
IPAMSpec), and a policy's `status.conditions` entry of type `Valid` that cilium-operator sets
("Policy validation succeeded", cilium/cilium `operator/pkg/networkpolicy/validator.go`).

kubectl's errors read `Error from server (<Reason>): ...` (kubernetes
`staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go`, StandardErrorMessage).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from verify.model import Verdict
from verify.runner import Output

CONDITION_STATUSES = ("True", "False", "Unknown")
_SERVER_ERROR = re.compile(r"Error from server \((\w+)\)")


class ParseError(Exception):
    """Output that is not what the command prints; the message says what is wrong and where."""


def document(output: Output, what: str) -> Any:
    try:
        return json.loads(output.stdout)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{what}: not JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


def items(output: Output, what: str) -> list[dict[str, Any]]:
    doc = document(output, what)
    if not isinstance(doc, dict) or doc.get("kind") != "List" or not isinstance(doc.get("items"), list):
        raise ParseError(f'{what}: expected kubectl\'s list, {{"kind": "List", "items": [...]}}')
    for i, item in enumerate(doc["items"]):
        if not isinstance(item, dict) or not isinstance(item.get("metadata", {}).get("name"), str):
            raise ParseError(f"{what}: items[{i}] has no metadata.name")
    return doc["items"]


def field(obj: Mapping[str, Any], path: str, kind: type, what: str) -> Any:
    """`obj` at dotted `path`, which must exist and be of `kind`."""
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise ParseError(f"{what}: {path} is missing")
        value = value[part]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ParseError(f"{what}: {path} must be {kind.__name__}, found {value!r}")
    return value


def condition(obj: Mapping[str, Any], kind: str, what: str) -> Optional[dict[str, Any]]:
    """The `status.conditions` entry of `kind`; its `status` must be one Kubernetes allows."""
    for entry in obj.get("status", {}).get("conditions", None) or []:
        if entry.get("type") == kind:
            if entry.get("status") not in CONDITION_STATUSES:
                raise ParseError(f"{what}: condition {kind} has status {entry.get('status')!r}, not one of {', '.join(CONDITION_STATUSES)}")
            return entry
    return None


def failure(output: Output, missing_is_fail: str = "") -> tuple[Verdict, str]:
    """The verdict and reason for a kubectl command that failed.

    No permission or no cluster is inconclusive. NotFound is a failure when the caller says
    what is missing (`missing_is_fail`): the object the stack promises does not exist.
    """
    text = (output.stderr or output.stdout).strip()
    first = text.splitlines()[0] if text else f"exit code {output.rc}"
    reason = _SERVER_ERROR.search(text)
    if missing_is_fail and (
        (reason and reason.group(1) == "NotFound") or "the server doesn't have a resource type" in text
    ):
        return Verdict.FAIL, f"{missing_is_fail}: {first}"
    if reason and reason.group(1) == "Forbidden":
        return Verdict.INCONCLUSIVE, f"no permission: {first}"
    return Verdict.INCONCLUSIVE, f"could not ask the cluster: {first}"


@dataclass(frozen=True)
class Pod:
    name: str
    node: str
    ready: bool
    phase: str
    restarts: int


def agent_pods(output: Output, container: str) -> list[Pod]:
    pods = []
    for item in items(output, "cilium agent pods"):
        name = item["metadata"]["name"]
        what = f"pod {name}"
        statuses = [s for s in item.get("status", {}).get("containerStatuses", []) if s.get("name") == container]
        ready = condition(item, "Ready", what)
        pods.append(
            Pod(
                name=name,
                node=item.get("spec", {}).get("nodeName", ""),
                ready=bool(ready and ready["status"] == "True" and statuses and statuses[0].get("ready") is True),
                phase=field(item, "status.phase", str, what),
                restarts=sum(int(s.get("restartCount", 0)) for s in statuses),
            )
        )
    return pods
