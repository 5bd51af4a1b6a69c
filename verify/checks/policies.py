"""Every declared CiliumClusterwideNetworkPolicy is present, as sent, and valid.

Valid means cilium-operator's condition `Valid` is `True` (cilium/cilium
`operator/pkg/networkpolicy/validator.go`: "Policy validation succeeded", or `False` with the
error). Without that condition the operator has not judged the policy: inconclusive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from verify import commands, kube
from verify.context import Context, result
from verify.model import CheckResult, Verdict

PREFIX = "policy:"


def first_difference(expected: Any, found: Any, path: str = "spec") -> Optional[str]:
    """Where `found` lacks or changes a value of `expected`; fields the server adds are allowed."""
    if isinstance(expected, Mapping):
        if not isinstance(found, Mapping):
            return f"{path} is {found!r}"
        for key, value in expected.items():
            if key not in found:
                return f"{path}.{key} is missing"
            difference = first_difference(value, found[key], f"{path}.{key}")
            if difference:
                return difference
        return None
    if isinstance(expected, list):
        if not isinstance(found, list) or len(found) != len(expected):
            return f"{path} is {found!r}, not {expected!r}"
        for i, (e, f) in enumerate(zip(expected, found, strict=True)):
            difference = first_difference(e, f, f"{path}[{i}]")
            if difference:
                return difference
        return None
    return None if expected == found else f"{path} is {found!r}, not {expected!r}"


def policies(ctx: Context) -> list[CheckResult]:
    expected = ctx.expect.policies
    command = commands.get_policies(ctx.tools)
    if not expected:
        return [result(PREFIX.rstrip(":"), "Egress policies", Verdict.SKIP, f"{ctx.expect.source} declares no restricted egress rule", command)]
    output = ctx.run(command)
    live: dict[str, dict] = {}
    problem = None
    if not output.ok:
        problem = kube.failure(output, "Cilium's CiliumClusterwideNetworkPolicy CRD is missing")
    else:
        try:
            live = {item["metadata"]["name"]: item for item in kube.items(output, "ciliumclusterwidenetworkpolicies")}
        except kube.ParseError as exc:
            problem = (Verdict.INCONCLUSIVE, str(exc))
    results = []
    for policy in expected:
        check, see = f"{PREFIX}{policy.name}", f"kubectl get ciliumclusterwidenetworkpolicy {policy.name} -o yaml"
        title = f"Policy {policy.name} (egress rule for {policy.group}) is present and valid"
        item = live.get(policy.name)
        if problem or item is None:
            results.append(result(check, title, *(problem or (Verdict.FAIL, "not in the cluster")), see))
            continue
        difference = first_difference(policy.spec, item.get("spec"))
        try:
            valid = kube.condition(item, "Valid", f"policy {policy.name}")
        except kube.ParseError as exc:
            results.append(result(check, title, Verdict.INCONCLUSIVE, str(exc), see))
            continue
        if difference:
            results.append(result(check, title, Verdict.FAIL, f"differs from what the stack sent: {difference}", see))
        elif valid is None:
            results.append(result(check, title, Verdict.INCONCLUSIVE, "present, but cilium-operator has not set its Valid condition", see))
        elif valid["status"] != "True":
            results.append(result(check, title, Verdict.FAIL, f"Valid is {valid['status']}: {valid.get('message', '')}", see))
        else:
            results.append(result(check, title, Verdict.PASS, f"present as sent; Valid: {valid.get('message', 'True')}", see))
    return results
