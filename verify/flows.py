"""Hubble flows from `hubble observe -o jsonpb`, read strictly.

Format: one JSON object per line, a GetFlowsResponse whose `flow` is a Flow marshalled by
protojson with proto field names and enum value names (cilium/cilium `api/v1/flow/flow.proto`,
`api/v1/flow/flow.pb.json.go` `UseProtoNames: true`; `hubble/pkg/printer/printer.go` encodes the
response for jsonpb). Hubble's own printer test shows the shape: `{"flow": {"time": ...,
"verdict": "DROPPED", "IP": {"source": ..., "destination": ...}, "l4": {"TCP": {...}},
"source": {"identity": 4}, "destination": {"identity": 12345}, "Type": "L3_L4", "node_name": ...,
"event_type": {"type": 1, "sub_type": 133}, "is_reply": false, ...}}` (cilium/cilium
`hubble/pkg/printer/printer_test.go`, case "jsonpb").

Endpoint labels are `<source>:<key>[=<value>]`. A CIDR group's address carries
`cidrgroup:io.cilium.policy.cidrgroupname/<name>` (cilium/cilium `pkg/policy/api/cidr.go`,
`LabelPrefixGroupName`), one `cidrgroup:<key>=<value>` per metadata label, and `reserved:world`
(cilium-cli's example of a CIDR-group identity in its `/cidr-identities` client, and cilium/hubble-ui's
label tests, list exactly these three kinds).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from verify.kube import ParseError
from verify.runner import Output

#: `Verdict` in flow.proto.
VERDICTS = ("VERDICT_UNKNOWN", "FORWARDED", "DROPPED", "ERROR", "AUDIT", "REDIRECTED", "TRACED", "TRANSLATED")
TRAFFIC_DIRECTIONS = ("TRAFFIC_DIRECTION_UNKNOWN", "INGRESS", "EGRESS")
#: A deny policy's drop: `DropReason` POLICY_DENY = 181 in flow.proto, "Policy denied by
#: denylist" in cilium/cilium `pkg/monitor/api/drop.go`. 133 POLICY_DENIED ("Policy denied") is
#: the drop of a pod in default-deny that no allow rule matched.
POLICY_DENY = "POLICY_DENY"
POLICY_DENY_CODE = 181
DROP_REASON_CODES = {POLICY_DENY: POLICY_DENY_CODE, "POLICY_DENIED": 133}
#: The keys a GetFlowsResponse line may have (`api/v1/observer/observer.proto`).
RESPONSE_KEYS = {"flow", "node_status", "lost_events", "node_name", "time"}
#: Reserved identities' labels (cilium/cilium `pkg/labels/labels.go`, `IDName*`).
RESERVED_NAMES = {
    "host", "world", "world-ipv4", "world-ipv6", "cluster", "health", "init", "remote-node",
    "kube-apiserver", "overlay-to-encrypt", "ingress", "none", "unmanaged", "unknown",
}  # fmt: skip
WORLD_LABELS = {"reserved:world", "reserved:world-ipv4", "reserved:world-ipv6"}
CIDR_GROUP_NAME_LABEL = "cidrgroup:io.cilium.policy.cidrgroupname/"
_LABEL = re.compile(r"^([a-z0-9][a-z0-9.-]*):([^\s=]+)(=\S*)?$")


def group_labels(name: str, labels: Mapping[str, str]) -> set[str]:
    """The labels Hubble shows on an address of CIDR group `name` with these metadata labels."""
    return {f"{CIDR_GROUP_NAME_LABEL}{name}", *(f"cidrgroup:{k}={v}" for k, v in labels.items())}


@dataclass(frozen=True)
class Flow:
    verdict: str
    source_ip: str
    destination_ip: str
    source_namespace: str
    source_pod: str
    destination_labels: frozenset[str]
    drop_reason: Optional[str]
    is_reply: Optional[bool]
    node: str


def _labels(endpoint: Mapping[str, Any], where: str) -> frozenset[str]:
    labels = endpoint.get("labels", [])
    if not isinstance(labels, list):
        raise ParseError(f"{where}.labels must be a list")
    for label in labels:
        match = _LABEL.match(label) if isinstance(label, str) else None
        if not match:
            raise ParseError(f"{where}.labels: {label!r} is not <source>:<key>[=<value>]")
        if match.group(1) == "reserved" and match.group(2) not in RESERVED_NAMES:
            raise ParseError(f"{where}.labels: {label!r} names no reserved identity ({', '.join(sorted(RESERVED_NAMES))})")
    return frozenset(labels)


def _drop_reason(flow: Mapping[str, Any], where: str) -> Optional[str]:
    desc = flow.get("drop_reason_desc")
    if desc is None:
        return None
    if not isinstance(desc, str) or not re.fullmatch(r"[A-Z0-9_]+", desc):
        raise ParseError(f"{where}.drop_reason_desc: {desc!r} is not a DropReason name")
    code = flow.get("drop_reason")
    if desc in DROP_REASON_CODES and code is not None and code != DROP_REASON_CODES[desc]:
        raise ParseError(f"{where}: drop_reason {code} does not match drop_reason_desc {desc} ({DROP_REASON_CODES[desc]})")
    return desc


def _flow(flow: Any, where: str) -> Flow:
    if not isinstance(flow, dict):
        raise ParseError(f"{where} must be an object")
    verdict = flow.get("verdict")
    if verdict not in VERDICTS:
        raise ParseError(f"{where}.verdict: {verdict!r} is not one of {', '.join(VERDICTS)}")
    if flow.get("traffic_direction", "TRAFFIC_DIRECTION_UNKNOWN") not in TRAFFIC_DIRECTIONS:
        raise ParseError(f"{where}.traffic_direction: {flow['traffic_direction']!r} is not one of {', '.join(TRAFFIC_DIRECTIONS)}")
    ip = flow.get("IP")
    if not isinstance(ip, dict) or not isinstance(ip.get("destination"), str) or not isinstance(ip.get("source"), str):
        raise ParseError(f"{where}.IP must hold source and destination addresses")
    source, destination = flow.get("source", {}), flow.get("destination", {})
    is_reply = flow.get("is_reply")
    if is_reply is not None and not isinstance(is_reply, bool):
        raise ParseError(f"{where}.is_reply must be true or false")
    return Flow(
        verdict=verdict,
        source_ip=ip["source"],
        destination_ip=ip["destination"],
        source_namespace=str(source.get("namespace", "")),
        source_pod=str(source.get("pod_name", "")),
        destination_labels=_labels(destination, f"{where}.destination"),
        drop_reason=_drop_reason(flow, where),
        is_reply=is_reply,
        node=str(flow.get("node_name", "")),
    )


def parse(output: Output, what: str) -> list[Flow]:
    """Every flow in the output; node status and lost-event lines are left out."""
    flows = []
    for number, line in enumerate(output.stdout.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{what}, line {number}"
        try:
            response = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(f"{where}: not JSON ({exc.msg}); was it run with -o jsonpb?") from None
        if not isinstance(response, dict) or not set(response) <= RESPONSE_KEYS:
            keys = sorted(response) if isinstance(response, dict) else type(response).__name__
            raise ParseError(f"{where}: not a GetFlowsResponse (keys {keys}); was it run with -o jsonpb?")
        if "flow" in response:
            flows.append(_flow(response["flow"], f"{where}: flow"))
    return flows
