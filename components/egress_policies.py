"""Egress rules for CIDR groups, as CiliumClusterwideNetworkPolicies (CCNPs).

A group in `restricted` mode gets up to two policies whose endpoint selectors split all pods by
namespace, so every pod gets exactly one behaviour towards the group:

- `aks-cilium-egress-<group>` selects pods OUTSIDE the allowlist and denies all egress to the
  group (`egressDeny`). Deny wins over every allow, from any policy (Cilium docs,
  security/policy/deny: "Deny policies take precedence over allow policies").
- `aks-cilium-egress-<group>-allowlisted` (only when `ports` or `httpGetPaths` is set) selects
  pods INSIDE the allowlist: it denies the group on every port outside `ports`, and with
  `httpGetPaths` allows only those HTTP GETs on `ports`. The deny never covers a port the HTTP
  rule allows, because a deny on that port would win over the L7 allow and cut the pods off.

Every policy sets `enableDefaultDeny: {egress: false, ingress: false}`. Without it, a policy
with egress or egressDeny rules switches the pods it selects into default-deny for egress,
i.e. an IMDS rule would drop all their other traffic (CRD field description of
`enableDefaultDeny` in ciliumclusterwidenetworkpolicies v1.19.4 / v1.20; Cilium docs
security/policy/intro, "Endpoint default policy").

Host-network pods (cilium-agent, kube-proxy, CSI node plugins, kubelet itself) are not Cilium
endpoints: only a `nodeSelector` host policy with the host firewall could reach them, so none of
these policies touches them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s

from components.kinds import POLICY_API_VERSION, POLICY_KIND
from components.options import deleted_with
from settings.egress_rules import PORT_RANGE, EgressPortSettings, EgressRuleSettings, egress_policy_names

API_VERSION = POLICY_API_VERSION
KIND = POLICY_KIND

#: The label every pod's identity carries for its namespace; `k8s:` limits the match to labels
#: that came from Kubernetes (Cilium docs, policy/language "Endpoints based").
NAMESPACE_LABEL = "k8s:io.kubernetes.pod.namespace"

#: Keeps each policy from switching the pods it selects into default-deny (module docstring).
NO_DEFAULT_DENY: dict[str, bool] = {"egress": False, "ingress": False}

#: Transport protocols that have ports; Cilium's "ANY" means exactly these three.
PORT_PROTOCOLS = ("TCP", "UDP", "SCTP")

POLICY_LABELS: dict[str, str] = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "aks-cilium",
}


def namespace_selector(operator: str, namespaces: Sequence[str]) -> dict[str, Any]:
    """Pods whose namespace is (`In`) or is not (`NotIn`) one of `namespaces`; `{}` is every pod."""
    if not namespaces:
        return {}
    return {"matchExpressions": [{"key": NAMESPACE_LABEL, "operator": operator, "values": sorted(namespaces)}]}


def to_group(group: str) -> list[dict[str, str]]:
    """`toCIDRSet` naming a CiliumCIDRGroup, so the CIDRs live in one object only."""
    return [{"cidrGroupRef": group}]


def complement_ranges(allowed: Iterable[int]) -> list[tuple[int, int]]:
    """Port ranges within 1-65535 that hold none of `allowed`, as (first, last) pairs."""
    low, high = PORT_RANGE
    ranges: list[tuple[int, int]] = []
    start = low
    for port in sorted(set(allowed)):
        if port > start:
            ranges.append((start, port - 1))
        start = max(start, port + 1)
    if start <= high:
        ranges.append((start, high))
    return ranges


def _port_protocol(first: int, last: int, protocol: str) -> dict[str, Any]:
    # Cilium reads port "0" as every port, so ranges start at 1; a one-port range has no endPort.
    entry: dict[str, Any] = {"port": str(first), "protocol": protocol}
    if last != first:
        entry["endPort"] = last
    return entry


def denied_port_entries(ports: Sequence[EgressPortSettings]) -> list[dict[str, Any]]:
    """`toPorts.ports` for every transport port NOT in `ports`, per protocol.

    When TCP, UDP and SCTP end up with the same ranges they are written once as ANY.
    """
    ranges = {
        protocol: complement_ranges(p.port for p in ports if p.protocol in (protocol, "ANY"))
        for protocol in PORT_PROTOCOLS
    }
    if len({tuple(r) for r in ranges.values()}) == 1:
        return [_port_protocol(first, last, "ANY") for first, last in ranges["TCP"]]
    return [_port_protocol(first, last, protocol) for protocol in PORT_PROTOCOLS for first, last in ranges[protocol]]


def allowed_port_entries(ports: Sequence[EgressPortSettings]) -> list[dict[str, str]]:
    return [{"port": str(p.port), "protocol": p.protocol} for p in ports]


def _manifest(name: str, description: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, "labels": dict(POLICY_LABELS)},
        "spec": {"description": description, **spec, "enableDefaultDeny": dict(NO_DEFAULT_DENY)},
    }


def outside_allowlist_policy(group: str, rule: EgressRuleSettings) -> dict[str, Any]:
    """Deny every pod outside `allowNamespaces` all egress to the group."""
    namespaces = list(rule.allow_namespaces)
    who = f"pods outside {', '.join(sorted(namespaces))}" if namespaces else "every pod"
    return _manifest(
        egress_policy_names(group)[0],
        f"aks-cilium egressRules.{group}: deny {who} egress to CIDR group {group}; leaves all other traffic alone",
        {
            "endpointSelector": namespace_selector("NotIn", namespaces),
            "egressDeny": [{"toCIDRSet": to_group(group)}],
        },
    )


def allowlisted_policy(group: str, rule: EgressRuleSettings) -> dict[str, Any]:
    """Narrow what allowlisted pods may send to the group: other ports denied, HTTP filtered."""
    spec: dict[str, Any] = {"endpointSelector": namespace_selector("In", rule.allow_namespaces)}
    limits = []
    if rule.ports:
        spec["egressDeny"] = [{"toCIDRSet": to_group(group), "toPorts": [{"ports": denied_port_entries(rule.ports)}]}]
        limits.append("ports " + ", ".join(f"{p.port}/{p.protocol}" for p in rule.ports) + " only")
    if rule.http_get_paths:
        # Only these requests pass Cilium's proxy on `ports`; others get HTTP 403 (security/policy/layer7).
        spec["egress"] = [
            {
                "toCIDRSet": to_group(group),
                "toPorts": [
                    {
                        "ports": allowed_port_entries(rule.ports),
                        "rules": {"http": [{"method": "GET", "path": path} for path in rule.http_get_paths]},
                    }
                ],
            }
        ]
        limits.append("HTTP GET " + ", ".join(rule.http_get_paths) + " only")
    return _manifest(
        egress_policy_names(group)[1],
        f"aks-cilium egressRules.{group}: pods in {', '.join(sorted(rule.allow_namespaces))} may reach CIDR group"
        f" {group} on {'; '.join(limits)}",
        spec,
    )


def policy_manifests(group: str, rule: EgressRuleSettings) -> dict[str, dict[str, Any]]:
    """The CCNPs one group's rule needs, by role (`outside`, `allowlisted`): none when open."""
    if rule.mode == "open":
        return {}
    manifests = {"outside": outside_allowlist_policy(group, rule)}
    if rule.allow_namespaces and (rule.ports or rule.http_get_paths):
        manifests["allowlisted"] = allowlisted_policy(group, rule)
    return manifests


@dataclass(frozen=True)
class EgressPoliciesArgs:
    rules: Mapping[str, EgressRuleSettings]
    """Rule per CIDR group name, from `aks-cilium:egressRules`; default none (every group open).
    The settings guarantee each name is a declared group and each rule is consistent."""
    groups: Mapping[str, pulumi.Resource]
    """Every declared CiliumCIDRGroup resource by group name; a policy waits for the group it names."""
    cilium_release: pulumi.Resource
    """The Cilium release; its readiness means the operator has registered the CCNP CRD."""


class EgressPolicies(pulumi.ComponentResource):
    """The CCNPs that enforce the stack's egress rules, each created after its group and Cilium.

    Children use the Kubernetes provider the caller passes in `opts` (inherited through parent).
    """

    policy_names: list[str]

    def __init__(self, name: str, args: EgressPoliciesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-cilium:egresspolicies:EgressPolicies", name, None, opts)
        self.resources: dict[str, k8s.apiextensions.CustomResource] = {}
        for group, rule in args.rules.items():
            if rule.mode == "open":
                continue
            for role, manifest in policy_manifests(group, rule).items():
                child = f"{name}-{group}" if role == "outside" else f"{name}-{group}-{role}"
                self._policy(child, manifest, [args.groups[group], args.cilium_release], deleted_with(opts))
        self.policy_names = list(self.resources)
        self.register_outputs({"policyNames": self.policy_names})

    def _policy(self, child: str, manifest: dict[str, Any], after: list[pulumi.Resource], gone_with: Optional[pulumi.Resource]) -> None:
        self.resources[manifest["metadata"]["name"]] = k8s.apiextensions.CustomResource(
            child,
            api_version=manifest["apiVersion"],
            kind=manifest["kind"],
            metadata=manifest["metadata"],
            spec=manifest["spec"],
            opts=pulumi.ResourceOptions(parent=self, depends_on=after, deleted_with=gone_with),
        )
