"""The checks, in the order they run: probes before the flow checks, so the flows they cause are seen."""

from __future__ import annotations

from collections.abc import Callable

from verify.checks import cidr_groups, cluster, egress, flows, ipam, mesh, policies, probes
from verify.context import Context
from verify.model import CheckResult

Check = Callable[[Context], list[CheckResult]]

CHECKS: tuple[Check, ...] = (
    cluster.nodes_ready,
    cluster.agents,
    ipam.cluster_pool,
    cluster.relay,
    cidr_groups.groups,
    policies.policies,
    probes.dns_probe,
    probes.imds_probes,
    flows.group_labels,
    egress.denied_in_flows,
    mesh.clustermesh,
)


def run_all(ctx: Context) -> list[CheckResult]:
    return [result for check in CHECKS for result in check(ctx)]
