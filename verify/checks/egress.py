"""A restricted group is denied outside its allowlist, as Hubble saw it (no probe needed).

A deny policy's drop has `drop_reason_desc` POLICY_DENY, 181, "Policy denied by denylist"
(cilium/cilium `api/v1/flow/flow.proto`, `pkg/monitor/api/drop.go`). Host-network pods are not
Cilium endpoints and no policy of the stack covers them, so flows without a source namespace are
left out.
"""

from __future__ import annotations

from verify import flows as hubble
from verify.checks.flows import observe
from verify.context import Context, result
from verify.model import CheckResult, Verdict

PREFIX = "egress:"


def _who(flow: hubble.Flow) -> str:
    return f"{flow.source_namespace}/{flow.source_pod}" if flow.source_pod else flow.source_namespace


def denied_in_flows(ctx: Context) -> list[CheckResult]:
    if not ctx.expect.restrictions:
        return [result(PREFIX.rstrip(":"), "Egress rules", Verdict.SKIP, f"{ctx.expect.source} restricts no CIDR group", "")]
    results = []
    for group, rule in sorted(ctx.expect.restrictions.items()):
        allowed = ", ".join(rule.allow_namespaces) or "no namespace"
        check, title = f"{PREFIX}{group}", f"{group} is denied outside {allowed} and allowed inside"
        address = ctx.expect.builtin_addresses.get(group)
        if address is None:
            results.append(result(check, title, Verdict.SKIP, "not a built-in group with one address to watch; see its policy check", ""))
            continue
        seen = observe(ctx, group, address)
        pods = [f for f in seen.flows if f.source_namespace and f.is_reply is not True]
        outside = [f for f in pods if f.source_namespace not in rule.allow_namespaces]
        inside = [f for f in pods if f.source_namespace in rule.allow_namespaces]
        leaked = [f for f in outside if f.verdict == "FORWARDED"]
        denied = [f for f in outside if f.verdict == "DROPPED" and f.drop_reason == hubble.POLICY_DENY]
        cut_off = [f for f in inside if f.verdict == "DROPPED" and f.drop_reason == hubble.POLICY_DENY and not rule.narrowed]
        if leaked:
            who = ", ".join(sorted({_who(f) for f in leaked}))
            results.append(result(check, title, Verdict.FAIL, f"{len(leaked)} flows FORWARDED to {address} from outside the allowlist: {who}", seen.see))
        elif cut_off:
            who = ", ".join(sorted({_who(f) for f in cut_off}))
            results.append(result(check, title, Verdict.FAIL, f"allowlisted pods dropped by a deny policy: {who}", seen.see))
        elif denied:
            reason = f"{len(denied)} attempts from outside the allowlist dropped with {hubble.POLICY_DENY} ({hubble.POLICY_DENY_CODE})"
            results.append(result(check, title, Verdict.PASS, reason, seen.see))
        elif seen.failures:
            reason = f"could not read flows from {len(seen.failures)} of {len(seen.commands)} agents: {seen.failures[0]}"
            results.append(result(check, title, Verdict.INCONCLUSIVE, reason, seen.see))
        else:
            other = f"; {len(outside)} other drops" if outside else ""
            probe = "" if ctx.options.probes else "; --probes sends one"
            reason = f"no pod outside the allowlist tried {address} in the last {ctx.tools.window}{other}{probe}"
            results.append(result(check, title, Verdict.INCONCLUSIVE, reason, seen.see))
    return results
