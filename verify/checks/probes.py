"""Opt-in probes: a DNS lookup of a unique name, and IMDS requests from outside and inside the allowlist.

The DNS name is unique per run so CoreDNS's cache cannot answer it: CoreDNS forwards it to the
node's resolver, Azure's 168.63.129.16 unless the VNet names a custom DNS server, and that flow is
what the `flows:azure-internal-dns` check reads. The IMDS request is the one Azure documents
(`Metadata: true` header, `/metadata/instance?api-version=...`; Microsoft Learn, "Azure Instance
Metadata Service"). A deny policy drops the packets, so curl times out (exit 28) and prints
HTTP code 000 (curl's `--max-time` and `%{http_code}`, curl.se/docs/manpage.html).
"""

from __future__ import annotations

import re

from verify.context import Context, result
from verify.model import CheckResult, Verdict
from verify.probe_pods import ProbeRun, lifecycle, run_probe

IMDS_GROUP = "azure-imds"
IMDS_URL = "http://169.254.169.254/metadata/instance?api-version=2021-02-01"
CURL_TIMEOUT_SECONDS = 5
#: curl exit codes that mean no connection: 7 could not connect, 28 timed out (curl's man page, EXIT CODES).
NO_CONNECTION = {7, 28}
OUTSIDE_NAMESPACE = "default"
_CURL = re.compile(r"^curl_exit=(\d+) http_code=(\d{3})$")
_NSLOOKUP = re.compile(r"^nslookup_exit=(\d+)$")
OPT_IN = "probes create pods, so they run only with --probes"


def opt_in(ctx: Context) -> str:
    return f"python -m verify {ctx.expect.stack} --probes"


def dns_name(ctx: Context) -> str:
    return f"aks-cilium-verify-{ctx.options.probe_suffix}.example.com."


def _last_line(probe: ProbeRun) -> str:
    lines = [line.strip() for line in (probe.logs or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _cleanup(probe: ProbeRun) -> list[CheckResult]:
    if probe.cleanup is None:
        return []
    return [
        result(f"probe-cleanup:{probe.namespace}/{probe.pod}", "A probe pod is left behind", Verdict.FAIL,
               f"deleting {probe.namespace}/{probe.pod} failed; delete it by hand", probe.cleanup),
    ]  # fmt: skip


def dns_probe(ctx: Context) -> list[CheckResult]:
    check, title = "probe:dns", f"A pod's DNS lookup of a unique name ({dns_name(ctx)}) is sent"
    script = f'nslookup {dns_name(ctx)} >/dev/null 2>&1; echo "nslookup_exit=$?"'
    see = lifecycle(ctx, "dns", OUTSIDE_NAMESPACE, script)[0]
    if not ctx.options.probes:
        return [result(check, title, Verdict.SKIP, OPT_IN, opt_in(ctx))]
    probe = run_probe(ctx, "dns", OUTSIDE_NAMESPACE, script)
    if probe.logs is None:
        return [result(check, title, Verdict.INCONCLUSIVE, probe.problem, see), *_cleanup(probe)]
    if not _NSLOOKUP.match(_last_line(probe)):
        return [result(check, title, Verdict.INCONCLUSIVE, f"unexpected output {_last_line(probe)!r}", see), *_cleanup(probe)]
    return [result(check, title, Verdict.PASS, f"looked up from {probe.namespace}/{probe.pod}", see), *_cleanup(probe)]


def _curl_script() -> str:
    return (
        f"code=$(curl -s -o /dev/null -m {CURL_TIMEOUT_SECONDS} -H Metadata:true -w '%{{http_code}}' '{IMDS_URL}');"
        ' echo "curl_exit=$? http_code=$code"'
    )


def _imds(ctx: Context, namespace: str, allowed: bool | None) -> list[CheckResult]:
    """`allowed`: True inside the allowlist, False outside it, None when the group is open.

    With the group open the request only makes a flow for `flows:azure-imds` to read; no answer
    means something else blocks IMDS, which this stack does not explain: inconclusive.
    """
    where = {True: "inside", False: "outside", None: "open"}[allowed]
    check = f"probe:imds-{where}"
    if allowed is None:
        title = f"A pod in {namespace} reaches IMDS ({IMDS_GROUP} is open in {ctx.expect.source})"
    else:
        title = f"IMDS {'answers' if allowed else 'is denied to'} a pod in {namespace} ({where} the allowlist)"
    see = lifecycle(ctx, "imds", namespace, _curl_script())[0]
    if not ctx.options.probes:
        return [result(check, title, Verdict.SKIP, OPT_IN, opt_in(ctx))]
    probe = run_probe(ctx, "imds", namespace, _curl_script())
    match = _CURL.match(_last_line(probe))
    if probe.logs is None or not match:
        reason = probe.problem or f"unexpected output {_last_line(probe)!r}"
        return [result(check, title, Verdict.INCONCLUSIVE, reason, see), *_cleanup(probe)]
    curl_exit, http = int(match.group(1)), match.group(2)
    answered = http != "000"
    if allowed is None:
        verdict = Verdict.PASS if answered else Verdict.INCONCLUSIVE
        reason = f"IMDS answered HTTP {http}" if answered else f"no answer (curl exit {curl_exit}), though no policy of this stack denies it"
    elif allowed:
        verdict = Verdict.PASS if answered else Verdict.FAIL
        reason = f"IMDS answered HTTP {http}" if answered else f"no answer (curl exit {curl_exit}): the allowlisted namespace is cut off"
    elif answered:
        verdict = Verdict.FAIL
        reason = (
            f"IMDS ANSWERED HTTP {http} TO A POD IN {namespace.upper()}: any pod there can take the node's"
            " managed-identity tokens; the deny policy is not enforced"
        )
    elif curl_exit in NO_CONNECTION:
        verdict, reason = Verdict.PASS, f"no answer within {CURL_TIMEOUT_SECONDS} s (curl exit {curl_exit}): denied"
    else:
        verdict, reason = Verdict.INCONCLUSIVE, f"curl failed with exit {curl_exit} before reaching the network"
    return [result(check, title, verdict, reason, see), *_cleanup(probe)]


def imds_probes(ctx: Context) -> list[CheckResult]:
    rule = ctx.expect.restrictions.get(IMDS_GROUP)
    if rule is None:
        return _imds(ctx, OUTSIDE_NAMESPACE, allowed=None)
    results = []
    if OUTSIDE_NAMESPACE in rule.allow_namespaces:
        results.append(result("probe:imds-outside", "IMDS is denied outside the allowlist", Verdict.SKIP,
                              f"{OUTSIDE_NAMESPACE} is allowlisted, so no namespace to probe from is known", ""))  # fmt: skip
    else:
        results += _imds(ctx, OUTSIDE_NAMESPACE, allowed=False)
    if not rule.allow_namespaces:
        results.append(result("probe:imds-inside", "IMDS answers the allowlist", Verdict.SKIP, "the allowlist is empty", ""))
    elif rule.narrowed:
        results.append(result("probe:imds-inside", "IMDS answers the allowlist", Verdict.SKIP,
                              "allowlisted pods are limited to some ports or HTTP paths; probe those by hand", ""))  # fmt: skip
    else:
        results += _imds(ctx, rule.allow_namespaces[0], allowed=True)
    return results
