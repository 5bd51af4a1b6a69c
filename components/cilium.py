"""Cilium with Hubble relay and UI, installed by Helm onto the BYOCNI cluster."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kinds import CILIUM_CHART
from components.options import deleted_with

CHART = CILIUM_CHART
RELEASE_NAME = CILIUM_CHART
NAMESPACE = "kube-system"
# Helm's own default (300 s) is tight for a first install: nodes are NotReady until the agent
# runs, and the operator must register the CRDs before the agents turn ready.
RELEASE_TIMEOUT_SECONDS = 900
#: The stack output that records the installed chart version, which the next run checks its
#: step against (components/deployed_guard.py).
CILIUM_VERSION_OUTPUT = "ciliumVersion"


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """`overlay` merged into a copy of `base`; nested mappings merge, anything else replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def cilium_helm_values(pod_cidr: str, extra_values: Mapping[str, Any]) -> dict[str, Any]:
    """The chart values: the AKS BYOCNI recipe, Hubble relay and UI, then the stack's extras.

    The settings refuse extras that touch the keys set here, so the merge order only decides
    where the extras' other keys go (Documentation/installation/k8s-install-helm.rst, AKS tab).
    """
    stack_values = {
        "aksbyocni": {"enabled": True},
        # One config value feeds AKS's podCidr and this list, so they cannot drift apart.
        "ipam": {"operator": {"clusterPoolIPv4PodCIDRList": [pod_cidr]}},
        "hubble": {"relay": {"enabled": True}, "ui": {"enabled": True}},
    }
    return deep_merge(extra_values, stack_values)


@dataclass(frozen=True)
class CiliumArgs:
    version: pulumi.Input[str]
    """Chart version, pinned per stack (settings: MAJOR.MINOR.PATCH, at least 1.17.0), once checked
    against the deployed one (`DeployedGuard.check`): the release waits for that check."""
    chart_repository: str
    """Helm repository URL of the chart."""
    values: Mapping[str, Any]
    """Complete chart values, from `cilium_helm_values`."""
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What must exist before the install, e.g. the admins' cluster role assignments."""


class Cilium(pulumi.ComponentResource):
    """The `cilium` Helm release in kube-system, awaited until its pods are ready.

    `helm.v3.Release` runs a real `helm install` and waits, so resources that depend on the
    release (the CIDR groups) are created only once the operator has registered Cilium's CRDs.
    """

    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: CiliumArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-cilium:cilium:Cilium", name, None, opts)
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name=RELEASE_NAME,
            chart=CHART,
            version=args.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=args.chart_repository),
            namespace=NAMESPACE,
            values=dict(args.values),
            skip_await=False,
            timeout=RELEASE_TIMEOUT_SECONDS,
            # A failed first install would leave nodes without a CNI half-configured; roll back.
            atomic=True,
            cleanup_on_fail=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on), deleted_with=deleted_with(opts)),
        )
        self.register_outputs({"status": self.release.status})
