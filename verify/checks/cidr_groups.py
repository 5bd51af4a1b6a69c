"""Every declared CiliumCIDRGroup is present with exactly its CIDRs and labels."""

from __future__ import annotations

import ipaddress

from verify import commands, kube
from verify.context import Context, result
from verify.model import CheckResult, Verdict

PREFIX = "cidr-group:"


def _normal(cidrs) -> list[str]:
    return sorted(str(ipaddress.ip_network(c, strict=False)) for c in cidrs)


def groups(ctx: Context) -> list[CheckResult]:
    command = commands.get_cidr_groups(ctx.tools)
    output = ctx.run(command)
    expected = ctx.expect.cidr_groups
    live: dict[str, dict] = {}
    problem = None
    if not output.ok:
        problem = kube.failure(output, "Cilium's CiliumCIDRGroup CRD is missing")
    else:
        try:
            live = {item["metadata"]["name"]: item for item in kube.items(output, "ciliumcidrgroups")}
        except kube.ParseError as exc:
            problem = (Verdict.INCONCLUSIVE, str(exc))
    results = []
    for group in expected:
        check, see = f"{PREFIX}{group.name}", f"kubectl get ciliumcidrgroup {group.name} -o yaml"
        title = f"CIDR group {group.name}: {', '.join(group.cidrs)}, labels {dict(group.labels)}"
        if problem:
            results.append(result(check, title, *problem, see))
            continue
        item = live.get(group.name)
        if item is None:
            results.append(result(check, title, Verdict.FAIL, "not in the cluster", see))
            continue
        found_cidrs = item.get("spec", {}).get("externalCIDRs")
        found_labels = item["metadata"].get("labels") or {}
        problems = []
        try:
            if not isinstance(found_cidrs, list) or _normal(found_cidrs) != _normal(group.cidrs):
                problems.append(f"externalCIDRs are {found_cidrs}, not {list(group.cidrs)}")
        except ValueError as exc:
            problems.append(f"externalCIDRs hold a value that is not a CIDR: {exc}")
        if found_labels != dict(group.labels):
            problems.append(f"labels are {found_labels}, not {dict(group.labels)}")
        if problems:
            results.append(result(check, title, Verdict.FAIL, "; ".join(problems), see))
        else:
            results.append(result(check, title, Verdict.PASS, "present with exactly these CIDRs and labels", see))
    return results
