"""`aks-cilium:egressRules.<group>`: who may send traffic to one declared CIDR group.

The policies these rules become are built in components/egress_policies.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import re2
from pydantic import BeforeValidator, Field
from pydantic.alias_generators import to_camel

from settings.cilium import CiliumSettings
from settings.common import kubernetes_names
from settings.common.base import Section
from settings.common.errors import did_you_mean, key_path
from settings.common.problems import Problem

#: Ports a restriction may name; 0 is not one: Cilium reads port "0" as "every port".
PORT_RANGE = (1, 65535)

#: First Cilium release line in which an L7 rule in a policy with `enableDefaultDeny` off no
#: longer 403s every other HTTP request on that port (cilium/cilium#38676, fixed by #38841 in
#: April 2025, so in 1.18.0; backported to late 1.16/1.17 patches we do not pin down).
MIN_CILIUM_FOR_HTTP_RULES = (1, 18, 0)

#: Groups whose restriction must keep one namespace able to reach them, and why.
REQUIRED_EGRESS_NAMESPACES: dict[str, tuple[str, str]] = {
    "azure-internal-dns": (
        "kube-system",
        "CoreDNS runs there and forwards every non-cluster lookup to 168.63.129.16 (the VNet's"
        " Azure-provided DNS), so without it no pod can resolve external names",
    ),
}


def _namespace_name(value: Any) -> str:
    if not kubernetes_names.is_dns1123_label(value):
        raise ValueError(f"is not a valid namespace name: use {kubernetes_names.DNS_LABEL_RULE}")
    return value


def _port_entry(value: Any) -> Any:
    # `ports: [80]` is shorthand for `ports: [{port: 80}]` (TCP); checked here so that an error
    # names `ports[0]` and shows the value.
    if isinstance(value, Mapping):
        return value
    return {"port": _port_number(value)}


def _port_number(value: Any) -> int:
    low, high = PORT_RANGE
    number = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if isinstance(value, float) and value.is_integer():
        number = int(value)  # numbers may arrive as floats
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        raise ValueError(f"must be a port number from {low} to {high}")
    return number


#: Perl constructs RE2 refuses, by the start of RE2's error message, in the words of a user.
#: (RE2 syntax: https://github.com/google/re2/wiki/Syntax)
_PERL_ONLY = {
    "invalid perl operator: (?!": "a negative lookahead (?!...)",
    "invalid perl operator: (?=": "a lookahead (?=...)",
    "invalid perl operator: (?<!": "a negative lookbehind (?<!...)",
    "invalid perl operator: (?<=": "a lookbehind (?<=...)",
    "invalid perl operator: (?>": "an atomic group (?>...)",
    "bad repetition operator: ++": "a possessive quantifier ++",
    "bad repetition operator: *+": "a possessive quantifier *+",
    "bad repetition operator: ?+": "a possessive quantifier ?+",
    "invalid escape sequence: \\Z": "\\Z (use $ or \\z)",
}


def re2_problem(pattern: str) -> str:
    """Why RE2 refuses `pattern`, naming the construct; '' when it compiles.

    Cilium hands HTTP path rules to Envoy, whose regex engine is RE2
    (https://www.envoyproxy.io/docs/envoy/latest/api-v3/type/matcher/v3/regex.proto), so a
    pattern that only Python's or Perl's regexes know is refused by the proxy, not by Kubernetes.
    """
    options = re2.Options()
    options.log_errors = False  # RE2 would otherwise print its own message on stderr
    try:
        re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        construct = next((name for start, name in _PERL_ONLY.items() if reason.startswith(start)), None)
        if construct is None and reason.startswith("invalid escape sequence: \\") and reason[-1:].isdigit():
            construct = f"a backreference {reason.rsplit(' ', 1)[-1]}"
        if construct is not None:
            return f"uses {construct}, which Cilium's proxy (Envoy, RE2 syntax) does not support"
        return f"is not a valid RE2 regular expression, the syntax Cilium's proxy (Envoy) uses: {reason}"
    return ""


def _http_path(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise ValueError("must be a URL path regular expression starting with '/', e.g. '/metadata/.*'")
    problem = re2_problem(value)
    if problem:
        raise ValueError(problem)
    return value


NamespaceName = Annotated[str, BeforeValidator(_namespace_name)]
HttpPath = Annotated[str, BeforeValidator(_http_path)]


class EgressPortSettings(Section):
    """One entry of `aks-cilium:egressRules.<group>.ports`; a bare number means that TCP port."""

    port: Annotated[int, BeforeValidator(_port_number)]
    """Destination port, 1-65535."""
    protocol: Literal["TCP", "UDP", "SCTP", "ANY"] = "TCP"
    """Transport protocol; ANY means TCP, UDP and SCTP (Cilium's meaning)."""


EgressPort = Annotated[EgressPortSettings, BeforeValidator(_port_entry)]


class EgressRuleSettings(Section):
    """`aks-cilium:egressRules.<group>`: who may send traffic to one declared CIDR group."""

    mode: Literal["open", "restricted"] = "open"
    """`open`: no policy, the group only labels flows. `restricted`: pods outside
    `allowNamespaces` are denied egress to the group."""
    allow_namespaces: tuple[NamespaceName, ...] = ()
    """Namespaces whose pods may still reach the group (restricted only); default none, which
    is an error unless `allowNobody` is true."""
    allow_nobody: bool = False
    """Say so explicitly to restrict the group with an empty allowlist (every pod denied)."""
    ports: tuple[EgressPort, ...] = Field(default=(), max_length=40)
    """If set, allowlisted pods may reach the group on these ports only; default every port.
    At most 40: Cilium's limit of ports in one rule."""
    http_get_paths: tuple[HttpPath, ...] = ()
    """If set, allowlisted pods may send only HTTP GET requests whose path fully matches one of
    these regular expressions (e.g. '/metadata/.*') on `ports`, which must then be TCP."""


def egress_policy_names(group: str) -> tuple[str, str]:
    """CiliumClusterwideNetworkPolicy names for (pods outside, pods inside) a group's allowlist."""
    return f"aks-cilium-egress-{group}", f"aks-cilium-egress-{group}-allowlisted"


def egress_rule_problems(rules: Mapping[str, EgressRuleSettings], declared: Sequence[str], cilium: CiliumSettings) -> list[Problem]:
    """`declared`: every CIDR group the stack declares, which is what a rule may name."""
    problems: list[Problem] = []
    for group, rule in rules.items():
        at = key_path("egressRules", group)
        if group not in declared:
            hint = did_you_mean(group, declared)
            problems.append(
                Problem(
                    at,
                    f"no CIDR group named {group!r} is declared; the declared groups are"
                    f" {', '.join(declared)} (built-in, {key_path('cidrGroups')} and {key_path('serviceTags')})"
                    + (f"; {hint}" if hint else ""),
                )
            )
            continue
        problems += _one_rule_problems(at, group, rule, cilium)
    return problems


def _one_rule_problems(at: str, group: str, rule: EgressRuleSettings, cilium: CiliumSettings) -> list[Problem]:
    set_keys = [to_camel(name) for name in rule.model_fields_set if name != "mode"]
    if rule.mode == "open":
        return [Problem(f"{at}.{key}", f"can be set only when {at}.mode is 'restricted'; an open group has no policy") for key in sorted(set_keys)]
    problems = _allowlist_problems(at, group, rule)
    problems += _port_problems(at, rule)
    if rule.http_get_paths:
        problems += _http_problems(at, rule, cilium)
    longest = max(egress_policy_names(group), key=len)
    if len(longest) > kubernetes_names.SUBDOMAIN_MAX:
        problems.append(Problem(at, f"the policy name {longest[:40]!r}... would exceed Kubernetes' 253 characters; use a shorter group name"))
    return problems


def _allowlist_problems(at: str, group: str, rule: EgressRuleSettings) -> list[Problem]:
    namespaces = rule.allow_namespaces
    problems: list[Problem] = []
    if not namespaces and not rule.allow_nobody:
        example = "[kube-system]" if group == "azure-imds" else "[my-namespace]"
        problems.append(
            Problem(
                f"{at}.allowNamespaces",
                f"restricted with an empty allowlist would deny {group!r} to every pod; list the namespaces that need it"
                f" (e.g. {example}), or set {at}.allowNobody to true to mean exactly that",
            )
        )
    if namespaces and rule.allow_nobody:
        problems.append(Problem(f"{at}.allowNobody", f"can be true only when {at}.allowNamespaces is empty", True))
    if rule.allow_nobody and (rule.ports or rule.http_get_paths):
        problems.append(Problem(at, "ports and httpGetPaths narrow what allowlisted namespaces may send; with allowNobody there are none"))
    for i, namespace in enumerate(namespaces):
        if namespace in namespaces[:i]:
            problems.append(Problem(f"{at}.allowNamespaces[{i}]", "listed twice", namespace))
    required, why = REQUIRED_EGRESS_NAMESPACES.get(group, (None, ""))
    if required is not None and required not in namespaces:
        problems.append(Problem(f"{at}.allowNamespaces", f"must include '{required}' when {group!r} is restricted: {why}"))
    return problems


def _port_problems(at: str, rule: EgressRuleSettings) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for i, entry in enumerate(rule.ports):
        key = (entry.port, entry.protocol)
        if key in seen:
            problems.append(Problem(f"{at}.ports[{i}]", f"{entry.port}/{entry.protocol} is listed twice"))
        seen.add(key)
    return problems


def _http_problems(at: str, rule: EgressRuleSettings, cilium: CiliumSettings) -> list[Problem]:
    problems: list[Problem] = []
    if not rule.ports:
        problems.append(
            Problem(
                f"{at}.httpGetPaths",
                f"can be set only when {at}.ports names the TCP ports the HTTP traffic uses"
                f" (e.g. `pulumi config set --path '{at}.ports[0]' 80` for IMDS)",
            )
        )
    for i, entry in enumerate(rule.ports):
        if entry.protocol != "TCP":
            problems.append(
                Problem(f"{at}.ports[{i}].protocol", "must be TCP when httpGetPaths is set; HTTP rules apply to TCP only", entry.protocol)
            )
    if cilium.version_tuple < MIN_CILIUM_FOR_HTTP_RULES:
        needed = ".".join(map(str, MIN_CILIUM_FOR_HTTP_RULES))
        problems.append(
            Problem(
                key_path("cilium", "version"),
                f"{at}.httpGetPaths needs Cilium {needed} or newer; older releases make an HTTP rule in a policy with"
                " enableDefaultDeny off reject every other HTTP request on that port (cilium/cilium#38676)",
                cilium.version,
            )
        )
    if cilium.flat_values.get("l7Proxy") is False:
        problems.append(
            Problem(key_path("cilium", "values", "l7Proxy"), f"{at}.httpGetPaths needs Cilium's L7 proxy; remove l7Proxy or httpGetPaths", False)
        )
    return problems
