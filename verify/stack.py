"""What the stack promises, read through today's settings and export APIs (the one adapter).

Two sources, one shape (`Expectations`):

- the stack's settings (`Pulumi.<stack>.yaml`), built with the components' own pure builders
  (`groups_from_settings`, `policy_manifests`), so every group, label and policy name is derived
  by the one copy of its rule;
- a `pulumi stack export` (or a plan's state.json): what was deployed, so an edit not applied
  yet is not reported as a failure.

The import paths of these APIs are expected to move (offline/ into wings, settings/ into
sub-packages); this module is the one place to follow them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.cidr_groups import CidrGroupSpec, groups_from_settings
from components.cilium import RELEASE_NAME
from components.egress_policies import NAMESPACE_LABEL, policy_manifests
from offline.preview.state.export_file import ExportFileError, read_export
from offline.run import StackFileError, read_stack_config
from settings.cidr_groups import BUILTIN_CIDR_GROUPS
from settings.common.errors import ConfigError
from settings.egress_rules import egress_policy_names
from settings.stack import load_settings

__all__ = ["CidrGroupSpec", "ExpectedPolicy", "Expectations", "Restriction", "StackError", "from_export", "from_settings"]

#: The Pulumi types of what the checks compare (pulumi-kubernetes types a custom resource
#: `kubernetes:<apiVersion>:<kind>`; the CIDR group under either apiVersion, components/cidr_groups.py).
CIDR_GROUP_TYPES = ("kubernetes:cilium.io/v2:CiliumCIDRGroup", "kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup")
POLICY_TYPE = "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy"
RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
#: How the engine marks a secret value in state (pulumi `sdk/go/common/resource/sig/sig.go`, `Key`).
SECRET_SIG = "4dabf18193072939515e22adb298388d"


class StackError(Exception):
    """The stack's settings or export cannot be read; the message says which file and why."""


@dataclass(frozen=True)
class ExpectedPolicy:
    name: str
    group: str
    spec: Mapping[str, Any]
    """The spec as sent; the live object must hold at least these fields with these values."""


@dataclass(frozen=True)
class Restriction:
    """A `restricted` egress rule as the checks see it."""

    group: str
    allow_namespaces: tuple[str, ...]
    narrowed: bool
    """Allowlisted pods are limited further (ports or HTTP paths), so a drop for them can be right."""


@dataclass(frozen=True)
class Expectations:
    stack: str
    source: str
    """Where the promises were read: `Pulumi.<stack>.yaml` or the export's path."""
    pod_cidrs: tuple[str, ...]
    cidr_groups: tuple[CidrGroupSpec, ...]
    policies: tuple[ExpectedPolicy, ...]
    restrictions: Mapping[str, Restriction] = field(default_factory=dict)
    mesh: bool = False
    """A ClusterMesh is declared. No setting declares one yet, so always False for now."""

    @property
    def builtin_addresses(self) -> dict[str, str]:
        """Built-in group name -> its one address, for the groups these promises include."""
        return {g.name: g.cidrs[0].split("/")[0] for g in self.cidr_groups if g.name in BUILTIN_CIDR_GROUPS and len(g.cidrs) == 1}


def _restriction(group: str, allow: tuple[str, ...], narrowed: bool) -> Restriction:
    return Restriction(group, tuple(sorted(allow)), narrowed)


def from_settings(project_dir: Path, stack: str) -> Expectations:
    try:
        config = read_stack_config(project_dir, stack)
        settings = load_settings(config.raw, project=config.project, stack=stack, secret_keys=config.secret_keys)
    except (StackFileError, ConfigError) as exc:
        raise StackError(str(exc)) from None
    policies = [
        ExpectedPolicy(manifest["metadata"]["name"], group, manifest["spec"])
        for group, rule in settings.egress_rules.items()
        for manifest in policy_manifests(group, rule).values()
    ]
    restrictions = {
        group: _restriction(group, tuple(rule.allow_namespaces), bool(rule.ports or rule.http_get_paths))
        for group, rule in settings.egress_rules.items()
        if rule.mode == "restricted"
    }
    return Expectations(
        stack=stack,
        source=settings.stack_file,
        pod_cidrs=(str(settings.network.pod_cidr),),
        cidr_groups=tuple(groups_from_settings(settings.cidr_groups, settings.service_tags)),
        policies=tuple(policies),
        restrictions=restrictions,
        mesh=bool(getattr(settings, "cluster_mesh", None)),
    )


def _plain(value: Any, where: str) -> Any:
    """A state value with secrets opened when the export holds them in plaintext (`--show-secrets`)."""
    if isinstance(value, dict) and value.get(SECRET_SIG) is not None:
        if "plaintext" not in value:
            raise StackError(f"{where} is encrypted in the export; export with `pulumi stack export --show-secrets`")
        return json.loads(value["plaintext"])
    return value


def _group_of(spec: Mapping[str, Any]) -> str:
    for rule in [*spec.get("egressDeny", []), *spec.get("egress", [])]:
        for target in rule.get("toCIDRSet", []):
            if "cidrGroupRef" in target:
                return str(target["cidrGroupRef"])
    return ""


def _allowlist(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """Namespaces an outside-allowlist policy leaves out (`NotIn`); none when it selects every pod."""
    for expression in spec.get("endpointSelector", {}).get("matchExpressions", []):
        if expression.get("key") == NAMESPACE_LABEL and expression.get("operator") == "NotIn":
            return tuple(expression.get("values", []))
    return ()


def from_export(path: Path, stack: str) -> Expectations:
    try:
        resources = [r for r in read_export(path).live if not r.external]
    except ExportFileError as exc:
        raise StackError(str(exc)) from None
    stacks = {r.urn.split("::", 1)[0].rsplit(":", 1)[-1] for r in resources}
    if stacks and stacks != {stack}:
        raise StackError(f"{path}: is the state of stack {', '.join(sorted(stacks))}, not {stack!r}")
    try:
        return _from_resources(path, stack, resources)
    except (KeyError, TypeError, AttributeError) as exc:
        raise StackError(f"{path}: a CIDR group, policy or Cilium release lacks a field the checks need ({exc!r})") from None


def _from_resources(path: Path, stack: str, resources: list) -> Expectations:
    groups, policies, pod_cidrs = [], [], None
    for r in resources:
        if r.type not in (*CIDR_GROUP_TYPES, POLICY_TYPE, RELEASE_TYPE):
            continue  # other resources' secrets (the kubeconfig) stay closed
        inputs = {k: _plain(v, f"{path}: {r.urn} input {k!r}") for k, v in r.inputs.items()}
        meta = inputs.get("metadata", {})
        if r.type in CIDR_GROUP_TYPES:
            groups.append(CidrGroupSpec(meta["name"], tuple(inputs["spec"]["externalCIDRs"]), dict(meta.get("labels") or {})))
        elif r.type == POLICY_TYPE:
            policies.append(ExpectedPolicy(meta["name"], _group_of(inputs["spec"]), inputs["spec"]))
        elif r.type == RELEASE_TYPE and inputs.get("name") == RELEASE_NAME:
            values = inputs.get("values", {})
            pod_cidrs = tuple(values.get("ipam", {}).get("operator", {}).get("clusterPoolIPv4PodCIDRList", ()))
    if pod_cidrs is None:
        raise StackError(f"{path}: holds no Cilium Helm release ({RELEASE_TYPE} named {RELEASE_NAME!r}): has `pulumi up` run?")
    names = {p.name for p in policies}
    restrictions = {
        p.group: _restriction(p.group, _allowlist(p.spec), egress_policy_names(p.group)[1] in names)
        for p in policies
        if p.name == egress_policy_names(p.group)[0]
    }
    return Expectations(stack, str(path), pod_cidrs, tuple(groups), tuple(policies), restrictions)
