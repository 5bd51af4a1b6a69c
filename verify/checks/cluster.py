"""Nodes Ready, one ready Cilium agent per node, Hubble Relay up."""

from __future__ import annotations

from collections import defaultdict

from verify import commands, kube
from verify.context import Context, result
from verify.model import CheckResult, Verdict

NODES = "nodes-ready"
AGENTS = "cilium-agents"
RELAY = "hubble-relay"


def node_names(ctx: Context) -> tuple[dict[str, bool] | None, tuple[Verdict, str] | None]:
    """Node name -> Ready, or why the nodes cannot be read."""
    output = ctx.run(commands.get_nodes(ctx.tools))
    if not output.ok:
        return None, kube.failure(output)
    try:
        nodes = {}
        for item in kube.items(output, "nodes"):
            ready = kube.condition(item, "Ready", f"node {item['metadata']['name']}")
            nodes[item["metadata"]["name"]] = bool(ready and ready["status"] == "True")
        return nodes, None
    except kube.ParseError as exc:
        return None, (Verdict.INCONCLUSIVE, f"cannot read the nodes: {exc}")


def nodes_ready(ctx: Context) -> list[CheckResult]:
    command = commands.get_nodes(ctx.tools)
    title = "Every node is Ready (a BYOCNI node is NotReady until Cilium runs on it)"
    nodes, problem = node_names(ctx)
    if problem:
        return [result(NODES, title, *problem, command)]
    assert nodes is not None
    not_ready = sorted(n for n, ready in nodes.items() if not ready)
    if not nodes:
        return [result(NODES, title, Verdict.FAIL, "the cluster has no nodes", command)]
    if not_ready:
        return [result(NODES, title, Verdict.FAIL, f"{len(not_ready)} of {len(nodes)} nodes not Ready: {', '.join(not_ready)}", command)]
    return [result(NODES, title, Verdict.PASS, f"{len(nodes)} nodes, all Ready", command)]


def agents(ctx: Context) -> list[CheckResult]:
    title = "One ready Cilium agent on every node"
    see = f"{commands.get_agents(ctx.tools).text} && kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg status --brief"
    nodes, problem = node_names(ctx)
    pods, agent_problem = ctx.agents()
    if problem or agent_problem:
        return [result(AGENTS, title, *(agent_problem or problem), see)]
    assert nodes is not None and pods is not None
    by_node = defaultdict(list)
    for pod in pods:
        by_node[pod.node].append(pod)
    problems = [f"no agent on {n}" for n in sorted(nodes) if n not in by_node]
    problems += [f"{len(p)} agents on {n}: {', '.join(x.name for x in p)}" for n, p in sorted(by_node.items()) if len(p) > 1]
    problems += [f"{p.name} on {p.node} is not ready ({p.phase})" for p in pods if not p.ready]
    if problems:
        return [result(AGENTS, title, Verdict.FAIL, "; ".join(problems), see)]
    restarts = sum(p.restarts for p in pods)
    note = f"; {restarts} restarts in total" if restarts else ""
    return [result(AGENTS, title, Verdict.PASS, f"{len(pods)} agents on {len(nodes)} nodes, all ready{note}", see)]


def relay(ctx: Context) -> list[CheckResult]:
    command = commands.get_relay(ctx.tools)
    title = "Hubble Relay is up (the stack always enables it)"
    output = ctx.run(command)
    if not output.ok:
        return [result(RELAY, title, *kube.failure(output, "Hubble Relay is not deployed"), command)]
    try:
        deployment = kube.document(output, "hubble-relay deployment")
        wanted = kube.field(deployment, "spec.replicas", int, "hubble-relay")
        ready = deployment.get("status", {}).get("readyReplicas", 0)
        if not isinstance(ready, int):
            raise kube.ParseError(f"hubble-relay: status.readyReplicas must be int, found {ready!r}")
    except kube.ParseError as exc:
        return [result(RELAY, title, Verdict.INCONCLUSIVE, str(exc), command)]
    if wanted < 1 or ready < wanted:
        return [result(RELAY, title, Verdict.FAIL, f"{ready} of {wanted} replicas ready", command)]
    return [result(RELAY, title, Verdict.PASS, f"{ready} of {wanted} replicas ready", command)]
