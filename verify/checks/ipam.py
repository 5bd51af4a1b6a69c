"""ClusterPool IPAM with the stack's pod range.

Neither `cilium status` nor `cilium-dbg status` names the mode: the agent reads it from the
`cilium-config` ConfigMap, whose `ipam` is `cluster-pool` and `cluster-pool-ipv4-cidr` the pod
CIDR list joined by spaces (cilium/cilium `install/kubernetes/cilium/templates/cilium-configmap.yaml`;
`aksbyocni.enabled` forces `cluster-pool`). The operator hands each node a block from it, kept in
the node's CiliumNode as `spec.ipam.podCIDRs` (cilium/cilium `pkg/ipam/types/types.go`).
"""

from __future__ import annotations

import ipaddress

from verify import commands, kube
from verify.checks.cluster import node_names
from verify.context import Context, result
from verify.model import CheckResult, Verdict

CHECK = "ipam-cluster-pool"
MODE = "cluster-pool"


def _networks(cidrs, what: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(c) for c in cidrs]
    except ValueError as exc:
        raise kube.ParseError(f"{what}: {exc}") from None


def cluster_pool(ctx: Context) -> list[CheckResult]:
    config_cmd, nodes_cmd = commands.get_cilium_config(ctx.tools), commands.get_cilium_nodes(ctx.tools)
    title = f"ClusterPool IPAM hands out {', '.join(ctx.expect.pod_cidrs)} (the stack's pod range)"
    see = f"{config_cmd.text} && kubectl get ciliumnodes -o custom-columns=NAME:.metadata.name,PODCIDRS:.spec.ipam.podCIDRs"
    config = ctx.run(config_cmd)
    if not config.ok:
        return [result(CHECK, title, *kube.failure(config, "the cilium-config ConfigMap is missing"), see)]
    ciliumnodes = ctx.run(nodes_cmd)
    if not ciliumnodes.ok:
        return [result(CHECK, title, *kube.failure(ciliumnodes, "Cilium's CiliumNode CRD is missing"), see)]
    nodes, _ = node_names(ctx)
    try:
        data = kube.field(kube.document(config, "cilium-config"), "data", dict, "cilium-config")
        mode, pool = data.get("ipam"), data.get("cluster-pool-ipv4-cidr", "")
        problems = []
        if mode != MODE:
            problems.append(f"cilium-config ipam is {mode!r}, not {MODE!r}")
        expected = _networks(ctx.expect.pod_cidrs, ctx.expect.source)
        if sorted(_networks(pool.split(), "cilium-config cluster-pool-ipv4-cidr")) != sorted(expected):
            problems.append(f"cilium-config cluster-pool-ipv4-cidr is {pool!r}, not {' '.join(ctx.expect.pod_cidrs)!r}")
        blocks = {}
        for item in kube.items(ciliumnodes, "ciliumnodes"):
            name = item["metadata"]["name"]
            blocks[name] = _networks(item.get("spec", {}).get("ipam", {}).get("podCIDRs") or [], f"ciliumnode {name}")
    except kube.ParseError as exc:
        return [result(CHECK, title, Verdict.INCONCLUSIVE, str(exc), see)]
    for name, nets in sorted(blocks.items()):
        if not nets:
            problems.append(f"{name} has no spec.ipam.podCIDRs")
        outside = [str(n) for n in nets if not any(n.version == e.version and n.subnet_of(e) for e in expected)]
        if outside:
            problems.append(f"{name} hands out {', '.join(outside)}, outside the pod range")
    problems += [f"node {n} has no CiliumNode" for n in sorted(nodes or {}) if n not in blocks]
    if problems:
        return [result(CHECK, title, Verdict.FAIL, "; ".join(problems), see)]
    return [result(CHECK, title, Verdict.PASS, f"ipam {MODE}, pool {pool}; {len(blocks)} nodes' blocks inside it", see)]
