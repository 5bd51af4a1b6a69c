"""A fleet's members as their stack files describe them, and the rules across members.

A member learns its peers from their stack files in the same project (`Pulumi.<peer>.yaml` beside
`Pulumi.yaml`), not from their deployed outputs: every fact a peer needs (cluster identity, mesh API
server address, ranges, VNet name) is fixed in config before anything is deployed, so no stack
waits on another's `pulumi up` and no `StackReference` is needed. Only plain keys are read:
a peer's `secure:` values (its copy of the CA key) are never touched, so reading peers needs
neither the peers' secrets provider nor any decryption. A peer file that cannot be read, or whose
facts are invalid, is a config error naming that file and key.

`fleet_problems` are the rules across members; each names both stacks and the key. `pulumi up` of
one member checks the pairs it is part of; `python -m offline.fleet` checks every pair.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import yaml
from pydantic import BaseModel, ValidationError

from settings.cilium import CiliumSettings
from settings.common.azure_names import azure_names
from settings.common.errors import LOCATION_KEY, PROJECT, key_path
from settings.common.problems import Problem
from settings.common.versions import release_version
from settings.mesh.identity import CiliumClusterSettings
from settings.mesh.member import MeshSettings
from settings.network import NetworkSettings

SUBSCRIPTION_KEY = "azure-native:subscriptionId"
DEFAULT_CILIUM_VERSION = CiliumSettings.model_fields["version"].default
#: Stack-file keys a peer's facts come from; nothing else of a peer's file is read.
MEMBER_KEYS = (f"{PROJECT}:clusterName", f"{PROJECT}:network", f"{PROJECT}:cilium", f"{PROJECT}:mesh", SUBSCRIPTION_KEY, LOCATION_KEY)


@dataclass(frozen=True)
class MemberFacts:
    """What the fleet knows of one member, from its stack file alone."""

    stack: str
    stack_file: str
    location: str
    azure_cluster: str
    resource_group: str
    vnet: str
    subscription_id: Optional[str]
    """`azure-native:subscriptionId` of the member's stack file; None: the subscription `pulumi up` runs in."""
    network: NetworkSettings
    cilium_version: str
    identity: CiliumClusterSettings
    mesh: Optional[MeshSettings]

    def vnet_id(self, default_subscription: str) -> str:
        """The VNet's ARM id; a member in another subscription names it in its stack file."""
        subscription = self.subscription_id or default_subscription
        return f"/subscriptions/{subscription}/resourceGroups/{self.resource_group}/providers/Microsoft.Network/virtualNetworks/{self.vnet}"

    @property
    def ranges(self) -> list[tuple[str, ipaddress.IPv4Network]]:
        n = self.network
        return [(key_path("network", "vnetCidr"), n.vnet_cidr), (key_path("network", "podCidr"), n.pod_cidr), (key_path("network", "serviceCidr"), n.service_cidr)]


class MemberFileError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    return isinstance(value, list) and any(_has_secure(v) for v in value)


def read_member_config(project_dir: Path, project: str, stack: str) -> dict[str, Any]:
    """The plain member keys of `Pulumi.<stack>.yaml`; raises `MemberFileError`."""
    file = f"Pulumi.{stack}.yaml"
    path = project_dir / file
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MemberFileError([Problem(file, f"does not exist beside Pulumi.yaml in {project_dir}: every member of a fleet is a stack of this project")]) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MemberFileError([Problem(file, f"cannot be read as a stack file: {str(exc).splitlines()[0]}")]) from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise MemberFileError([Problem(file, "must be a mapping with a `config:` mapping")])
    found = {_qualify(str(k), project): v for k, v in config.items()}
    secure = [k for k in MEMBER_KEYS if _has_secure(found.get(k))]
    if secure:
        raise MemberFileError([Problem(f"{file}: {k}", "holds an encrypted (secure:) value; a fleet member's network and mesh facts are read by its peers and must be plain") for k in secure])
    return {k: found[k] for k in MEMBER_KEYS if k in found}


def _section(file: str, name: str, model: type[BaseModel], value: Any, problems: list[Problem]) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            message = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
            problems.append(Problem(f"{file}: {key_path(name, *error['loc'])}", message))
        return None


def member_facts(project: str, stack: str, config: dict[str, Any]) -> MemberFacts:
    """Facts of one member from its plain keys (`read_member_config`); raises `MemberFileError`."""
    file = f"Pulumi.{stack}.yaml"
    problems: list[Problem] = []
    cilium = config.get(f"{PROJECT}:cilium") or {}
    cilium = cilium if isinstance(cilium, dict) else {}
    version = str(cilium.get("version", DEFAULT_CILIUM_VERSION))
    try:
        release_version(version)
    except ValueError as exc:
        problems.append(Problem(f"{file}: {key_path('cilium', 'version')}", str(exc), version))
    network = _section(file, "network", NetworkSettings, config.get(f"{PROJECT}:network"), problems)
    identity = _section(file, "cilium", _IdentityOnly, {"cluster": cilium.get("cluster") or {}}, problems)
    mesh_value = config.get(f"{PROJECT}:mesh")
    mesh = _section(file, "mesh", MeshSettings, mesh_value, problems) if mesh_value is not None else None
    if problems:
        raise MemberFileError(problems)
    cluster_name = config.get(f"{PROJECT}:clusterName")
    names = azure_names(project, stack, str(cluster_name) if cluster_name is not None else None)
    subscription = config.get(SUBSCRIPTION_KEY)
    return MemberFacts(
        stack, file, str(config.get(LOCATION_KEY, "")), names.cluster, names.resource_group, names.vnet,
        str(subscription) if subscription else None, network, version, identity.cluster, mesh,
    )


class _IdentityOnly(BaseModel):
    cluster: CiliumClusterSettings


def read_member(project_dir: Path, project: str, stack: str) -> MemberFacts:
    return member_facts(project, stack, read_member_config(project_dir, project, stack))


# --- rules across members -----------------------------------------------------------------

Rule = Callable[[MemberFacts, MemberFacts], list[Problem]]


def _both(a: MemberFacts, b: MemberFacts, key: str, message: str, value: Any = None) -> Problem:
    shown = f"{a.stack_file} and {b.stack_file}: {key}"
    return Problem(shown, message) if value is None else Problem(shown, message, value)


def unique_identity(a: MemberFacts, b: MemberFacts) -> list[Problem]:
    problems = []
    if a.identity.name is not None and a.identity.name == b.identity.name:
        problems.append(_both(a, b, key_path("cilium", "cluster", "name"), "both members use this Cilium cluster name; it must be unique in the mesh", a.identity.name))
    if a.identity.id is not None and a.identity.id == b.identity.id:
        problems.append(_both(a, b, key_path("cilium", "cluster", "id"), "both members use this Cilium cluster id; it must be unique in the mesh", a.identity.id))
    return problems


def id_in_range(a: MemberFacts, b: MemberFacts) -> list[Problem]:
    """Each id must fit the fleet's `maxConnectedClusters`, whichever member sets it."""
    if a.mesh is None or b.identity.id is None or b.identity.id <= a.mesh.max_connected_clusters:
        return []
    key = f"{key_path('cilium', 'cluster', 'id')} of {b.stack}"
    return [_both(a, b, key, f"is above {a.stack}'s {key_path('mesh', 'maxConnectedClusters')} = {a.mesh.max_connected_clusters}", b.identity.id)]


def same_mesh_settings(a: MemberFacts, b: MemberFacts) -> list[Problem]:
    """One fleet name, one `maxConnectedClusters` and one CA certificate."""
    if a.mesh is None or b.mesh is None:
        return []
    problems = []
    if a.mesh.fleet != b.mesh.fleet:
        problems.append(_both(a, b, key_path("mesh", "fleet"), f"differs: {a.mesh.fleet!r} and {b.mesh.fleet!r}; members name the same fleet"))
    if a.mesh.max_connected_clusters != b.mesh.max_connected_clusters:
        problems.append(_both(a, b, key_path("mesh", "maxConnectedClusters"), f"differs: {a.mesh.max_connected_clusters} and {b.mesh.max_connected_clusters}; Cilium requires one value in the whole mesh"))
    if a.mesh.ca_cert != b.mesh.ca_cert:
        problems.append(_both(a, b, key_path("mesh", "caCert"), "differs: every member installs the fleet's one CA, or the members cannot trust each other's certificates"))
    return problems


def disjoint_ranges(a: MemberFacts, b: MemberFacts) -> list[Problem]:
    problems = []
    for key_a, net_a in a.ranges:
        for key_b, net_b in b.ranges:
            if net_a.overlaps(net_b):
                problems.append(
                    _both(a, b, f"{key_a} of {a.stack} and {key_b} of {b.stack}", f"'{net_a}' overlaps '{net_b}': VNet, pod and service ranges must be disjoint across the fleet, or cross-cluster traffic is routed to the wrong place")
                )
    return problems


def mesh_ip_outside_peer(a: MemberFacts, b: MemberFacts) -> list[Problem]:
    """`a`'s mesh API server address in none of `b`'s ranges (and outside `b`'s VNet, which a peering would route to `b`)."""
    if a.mesh is None:
        return []
    return [
        _both(a, b, f"{key_path('mesh', 'apiServerIp')} of {a.stack}", f"lies in {key} = '{net}' of {b.stack}; it must be an address of {a.stack}'s own VNet", str(a.mesh.api_server_ip))
        for key, net in b.ranges
        if a.mesh.api_server_ip in net
    ]


def versions_close(a: MemberFacts, b: MemberFacts) -> list[Problem]:
    va, vb = release_version(a.cilium_version), release_version(b.cilium_version)
    if va[0] == vb[0] and abs(va[1] - vb[1]) <= 1:
        return []
    return [_both(a, b, key_path("cilium", "version"), f"{a.cilium_version} and {b.cilium_version} are more than one minor version apart; Cilium supports a mesh of versions at most one minor apart (Documentation/network/clustermesh/clustermesh.rst)")]


def same_subscription_rule(a: MemberFacts, b: MemberFacts) -> list[Problem]:
    """Either both name their subscription or neither: otherwise a peer's VNet id depends on who runs `pulumi up`."""
    if (a.subscription_id is None) == (b.subscription_id is None):
        return []
    return [_both(a, b, SUBSCRIPTION_KEY, "is set in one file only: a member in another subscription names it, so set it in every member's stack file")]


PAIR_RULES: tuple[Rule, ...] = (unique_identity, id_in_range, same_mesh_settings, disjoint_ranges, mesh_ip_outside_peer, versions_close, same_subscription_rule)
#: Rules whose check depends on the order of the pair, so each order is checked.
ORDERED_RULES = (id_in_range, mesh_ip_outside_peer)


def pair_problems(a: MemberFacts, b: MemberFacts) -> list[Problem]:
    problems = []
    for rule in PAIR_RULES:
        problems += rule(a, b)
        if rule in ORDERED_RULES:
            problems += rule(b, a)
    return problems


def member_list_problems(members: list[MemberFacts], fleet_stacks: list[str]) -> list[Problem]:
    """Every member lists exactly the stacks of the fleet (identical, complete peer lists)."""
    expected = sorted(fleet_stacks)
    problems = []
    for m in members:
        listed = sorted(m.mesh.members) if m.mesh is not None else []
        if listed != expected:
            missing, extra = sorted(set(expected) - set(listed)), sorted(set(listed) - set(expected))
            detail = "; ".join(filter(None, [f"misses {', '.join(missing)}" if missing else "", f"lists {', '.join(extra)}, not in fleet" if extra else ""]))
            problems.append(Problem(f"{m.stack_file}: {key_path('mesh', 'members')}", f"must list every member of the fleet ({', '.join(expected)}): {detail}", list(m.mesh.members) if m.mesh else []))
    return problems


def fleet_problems(members: list[MemberFacts], focus: Optional[str] = None) -> list[Problem]:
    """Every rule across members; with `focus`, only the pairs that stack is part of."""
    problems = []
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            if focus is None or focus in (a.stack, b.stack):
                problems += pair_problems(a, b)
    return problems

