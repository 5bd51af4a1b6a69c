"""Flows to each built-in group's address carry the group's labels, not only `reserved:world`."""

from __future__ import annotations

from dataclasses import dataclass

from verify import commands, kube
from verify import flows as hubble
from verify.context import Context, result
from verify.model import CheckResult, Verdict
from verify.runner import Command

PREFIX = "flows:"
#: Why DNS flows can be missing with nothing wrong: kubectl cannot see the VNet's DNS servers.
NO_FLOW_HINTS = {
    "azure-internal-dns": "a VNet with a custom DNS server sends no DNS to 168.63.129.16, and kubectl cannot tell",
    "azure-imds": "no pod called IMDS in the window",
}


@dataclass(frozen=True)
class Observation:
    flows: list[hubble.Flow]
    failures: list[str]
    commands: list[Command]

    @property
    def see(self) -> str:
        more = f"  # and the same on the other {len(self.commands) - 1} agents" if len(self.commands) > 1 else ""
        return (self.commands[0].text + more) if self.commands else ""


def observe(ctx: Context, group: str, address: str) -> Observation:
    """Flows to `address` from Relay, or from every agent; each failure is kept with its cause."""
    if ctx.tools.relay:
        cmds = [commands.observe(ctx.tools, group, address, None)]
    else:
        pods, problem = ctx.agents()
        if problem or not pods:
            reason = problem[1] if problem else "no Cilium agent pods to read flows from"
            return Observation([], [reason], [commands.observe(ctx.tools, group, address, "<agent-pod>")])
        cmds = [commands.observe(ctx.tools, group, address, pod.name) for pod in pods]
    flows, failures = [], []
    for command in cmds:
        output = ctx.run(command)
        if not output.ok:
            failures.append(f"{command.key}: {kube.failure(output)[1]}")
            continue
        try:
            found = hubble.parse(output, command.key)
        except kube.ParseError as exc:
            failures.append(str(exc))
            continue
        stray = [f for f in found if f.destination_ip != address]
        if stray:
            failures.append(f"{command.key}: a flow to {stray[0].destination_ip} answered --to-ip {address}")
            continue
        flows += found
    return Observation(flows, failures, cmds)


def _nothing_seen(ctx: Context, group: str, address: str, seen: Observation) -> tuple[Verdict, str]:
    if seen.failures:
        return Verdict.INCONCLUSIVE, f"could not read flows from {len(seen.failures)} of {len(seen.commands)} agents: {seen.failures[0]}"
    notes = [n for n in (NO_FLOW_HINTS.get(group, ""), "" if ctx.options.probes else "--probes sends traffic there") if n]
    return Verdict.INCONCLUSIVE, f"no flows to {address} in the last {ctx.tools.window}" + (f" ({'; '.join(notes)})" if notes else "")


def group_labels(ctx: Context) -> list[CheckResult]:
    results = []
    for group in ctx.expect.cidr_groups:
        address = ctx.expect.builtin_addresses.get(group.name)
        if address is None:
            continue
        check, title = f"{PREFIX}{group.name}", f"Flows to {address} carry CIDR group {group.name}'s labels"
        seen = observe(ctx, group.name, address)
        want = hubble.group_labels(group.name, group.labels)
        if not seen.flows:
            results.append(result(check, title, *_nothing_seen(ctx, group.name, address, seen), seen.see))
            continue
        world_only = [f for f in seen.flows if not any(label.startswith("cidrgroup:") for label in f.destination_labels)]
        mislabelled = [f for f in seen.flows if f not in world_only and not want <= f.destination_labels]
        partial = f"; {len(seen.failures)} agents not read: {seen.failures[0]}" if seen.failures else ""
        if world_only:
            found = ", ".join(sorted(world_only[0].destination_labels)) or "no labels"
            reason = f"{len(world_only)} of {len(seen.flows)} flows carry no CIDR group label, only {found}"
            results.append(result(check, title, Verdict.FAIL, reason + partial, seen.see))
        elif mislabelled:
            found = sorted(label for label in mislabelled[0].destination_labels if label.startswith("cidrgroup:"))
            reason = f"{len(mislabelled)} of {len(seen.flows)} flows carry {found}, not all of {sorted(want)}"
            results.append(result(check, title, Verdict.FAIL, reason + partial, seen.see))
        else:
            reason = f"{len(seen.flows)} flows, all labelled {', '.join(sorted(want))}"
            results.append(result(check, title, Verdict.PASS, reason + partial, seen.see))
    return results
