"""The whole stack's settings: top-level keys, every section, and `load_settings`.

`load_settings` turns the stack's raw config bag (the strings the Pulumi CLI hands the
program, or that `offline.stack_config` reads from `Pulumi.<stack>.yaml`) into one frozen
`StackSettings`. Components receive these typed objects and never read `pulumi.Config`.

Validation happens in steps, all before any resource is declared:
1. shape: pydantic checks types, enums, unknown keys and per-value rules (in each section's module);
2. loading: the service-tags file is read and its groups built (settings/service_tags.py);
3. cross-field rules (overlaps, containment, capacity, unique names), each in its section's
   module, run once every section parsed, because they need typed values to compare.
All problems of a step are reported together in one `ConfigError`, as `Problem`s.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from pydantic import ConfigDict, Field, SecretStr, ValidationError, field_validator

from settings.access import cluster_access_problems
from settings.azure_provider import AzureProviderSettings, azure_provider_settings
from settings.cidr_groups import BUILTIN_CIDR_GROUPS, CidrGroupSettings, builtin_address_problems, cidr_group_problems
from settings.cilium import CiliumSettings, cilium_problems
from settings.cluster import ClusterSettings, authorized_range_problems, authorized_range_warnings
from settings.common import raw_config
from settings.common.azure_names import NAMING_RULES_URL, AzureNames, azure_name_problems, azure_names, name_problem
from settings.common.base import Section
from settings.common.errors import LOCATION_KEY, PROJECT, ConfigError, describe_error, fold, key_path
from settings.common.placeholders import find_placeholders
from settings.common.problems import Problem
from settings.egress_rules import EgressRuleSettings, egress_rule_problems
from settings.mesh.fleet import MemberFacts, MemberFileError, fleet_problems, read_member
from settings.mesh.identity import cluster_identity_problems
from settings.mesh.member import CA_KEY, MeshSettings, ca_key_problems, managed_value_problems, mesh_placeholders, mesh_problems
from settings.network import NetworkSettings, network_problems
from settings.node_pools import node_pool_limit_problems, node_pool_problems
from settings.service_tags import ServiceTagsConfig, ServiceTagsSettings, load_service_tags, service_tag_problems
from settings.upgrades import upgrade_problems

# Tags: https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
TAGS_URL = "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"
MAX_TAGS = 50
MAX_TAG_NAME_LENGTH = 512
MAX_TAG_VALUE_LENGTH = 256
TAG_NAME_FORBIDDEN = "<>%&\\?/"
#: The folder of `Pulumi.yaml`: `load_settings` reads fleet members' stack files there (`__main__.py` passes its own folder).
PROJECT_DIR = Path(__file__).resolve().parents[1]


class ProjectConfig(Section):
    """Every key of the `aks-cilium:` namespace, plus `azure-native:location`, as the stack file writes them."""

    location: str = Field(examples=["westeurope"])
    """`azure-native:location`: Azure region of every resource, e.g. `westeurope`."""
    network: NetworkSettings
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    cilium: CiliumSettings = Field(default_factory=CiliumSettings)
    cidr_groups: tuple[CidrGroupSettings, ...] = ()
    egress_rules: dict[str, EgressRuleSettings] = Field(default_factory=dict)
    """Egress rule per declared CIDR group name; a group without one is `open`."""
    service_tags: Optional[ServiceTagsConfig] = None
    """Azure service tags to declare as CIDR groups; none when unset."""
    cluster_name: Optional[str] = None
    """AKS cluster name; default `<project>-<stack>`. Other Azure names derive from it."""
    protect: bool = False
    """Set Pulumi's `protect` on the resource group and the cluster (prod)."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Azure tags on every Azure resource the stack creates."""
    mesh: Optional[MeshSettings] = None
    """Membership of a fleet of clusters joined by Cilium ClusterMesh (docs/fleet.md); none when unset."""
    mesh_ca_key: Optional[SecretStr] = Field(default=None, repr=False)
    """The fleet CA's private key (PEM): the one key that must be `secure:` (settings/mesh/member.py); never shown."""

    @field_validator("location")
    @classmethod
    def _location(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9]+", value):
            hint = re.sub(r"[^a-z0-9]", "", fold(value))
            suggestion = f"; did you mean {hint!r}?" if hint else ""
            raise ValueError(f"must be an Azure region name such as 'westeurope' (lowercase, no spaces){suggestion}")
        return value

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: Optional[str]) -> Optional[str]:
        problem = name_problem("cluster", value) if value is not None else None
        if problem:
            raise ValueError(f"is not a valid AKS cluster name: {problem} ({NAMING_RULES_URL})")
        return value


class StackSettings(ProjectConfig):
    """The whole stack's settings: every key of `ProjectConfig`, the service-tags file loaded, and
    what derives from the stack (names, placeholders). What `__main__.py` hands to the platform component."""

    # Built by `load_settings` from an already validated `ProjectConfig` (`model_construct`), never from raw input.
    model_config = ConfigDict(arbitrary_types_allowed=True)

    project: str
    stack: str
    stack_file: str
    """`Pulumi.<stack>.yaml`, named in every config error."""
    service_tags: Optional[ServiceTagsSettings] = None  # type: ignore[assignment]
    """`aks-cilium:serviceTags` with its file read and its groups built; none when unset."""
    cluster_name: str  # type: ignore[assignment]
    """`aks-cilium:clusterName`, or `<project>-<stack>` when unset (made valid: settings/common/azure_names.py)."""
    names: AzureNames
    """Every Azure name the stack uses, derived from the cluster name."""
    placeholders: tuple[Problem, ...] = ()
    """Documentation addresses and zero GUIDs in the config: a preview warns, `pulumi up` refuses."""
    peers: tuple[MemberFacts, ...] = ()
    """The other members of this stack's fleet, from their stack files (settings/mesh/fleet.py)."""
    azure_provider: AzureProviderSettings = AzureProviderSettings()
    """The explicit azure-native provider's arguments, from every `azure-native:*` key (settings/azure_provider.py)."""
    warnings: tuple[Problem, ...] = ()
    """Valid settings worth a loud word (an API server open to everyone): logged, never refused."""

    @property
    def own_member(self) -> MemberFacts:
        """This stack as its fleet's peers see it from its stack file."""
        n = self.names
        return MemberFacts(
            self.stack, self.stack_file, self.location, n.cluster, n.resource_group, n.vnet,
            self.subscription_id, self.network, self.cilium.version, self.cilium.cluster, self.mesh,
        )

    @property
    def subscription_id(self) -> Optional[str]:
        """`azure-native:subscriptionId` when the stack file sets it: peers derive this VNet's id from it."""
        return self.azure_provider.arguments.get("subscription_id")

    @property
    def declared_cidr_group_names(self) -> list[str]:
        """Every CiliumCIDRGroup the stack declares: what an egress rule may name."""
        tagged = self.service_tags.groups if self.service_tags is not None else ()
        return [*BUILTIN_CIDR_GROUPS, *(g.name for g in self.cidr_groups), *(g.name for g in tagged)]


def tag_problems(tags: Mapping[str, str]) -> list[Problem]:
    """Azure's limits on tags, which it enforces only when a resource is created."""
    key = key_path("tags")
    problems: list[Problem] = []
    if len(tags) > MAX_TAGS:
        problems.append(Problem(key, f"has {len(tags)} tags, but an Azure resource takes at most {MAX_TAGS} ({TAGS_URL})"))
    first_by_folded: dict[str, str] = {}
    for name, value in tags.items():
        at = f"{key}.{name}"
        # "Tag names are case-insensitive for operations" (tag-resources.md, limitations): Azure
        # keeps one of two names that differ only in case, and one value is lost without a word.
        other = first_by_folded.setdefault(name.casefold(), name)
        if other != name:
            problems.append(Problem(at, f"differs from the tag {other!r} only in case, but Azure tag names are case-insensitive, so one of the two values would be lost ({TAGS_URL}); keep one", value))
        bad = sorted({c for c in name if c in TAG_NAME_FORBIDDEN})
        if bad:
            problems.append(Problem(at, f"tag names may not contain {' '.join(TAG_NAME_FORBIDDEN)}; this one has {' '.join(bad)} ({TAGS_URL})"))
        if len(name) > MAX_TAG_NAME_LENGTH:
            problems.append(Problem(at, f"tag names have at most {MAX_TAG_NAME_LENGTH} characters, this one has {len(name)} ({TAGS_URL})"))
        if len(str(value)) > MAX_TAG_VALUE_LENGTH:
            problems.append(Problem(at, f"tag values have at most {MAX_TAG_VALUE_LENGTH} characters, this one has {len(str(value))} ({TAGS_URL})"))
    return problems


def cross_field_problems(s: StackSettings) -> list[Problem]:
    """Rules that compare several settings; each problem names the keys it involves."""
    return (
        network_problems(s.network)
        + node_pool_problems(s.cluster.node_pools, s.network, s.cilium)
        + upgrade_problems(s.cluster)
        + cluster_access_problems(s.cluster.admins, s.cluster.disable_local_accounts)
        + cilium_problems(s.cilium)
        + cidr_group_problems(s.cidr_groups, s.network)
        + egress_rule_problems(s.egress_rules, s.declared_cidr_group_names, s.cilium)
        + service_tag_problems(s.service_tags, s.network, s.cidr_groups)
        + azure_name_problems(s.names)
        + tag_problems(s.tags)
        + authorized_range_problems(s.cluster)
        + node_pool_limit_problems(s.cluster.node_pools, s.cilium)
        + builtin_address_problems(s.network)
        + mesh_settings_problems(s)
    )


def mesh_settings_problems(s: StackSettings) -> list[Problem]:
    """Cilium's cluster identity (every stack), and a member's mesh section with the pairs it is part of."""
    max_connected = s.mesh.max_connected_clusters if s.mesh is not None else 255
    problems = cluster_identity_problems(s.cilium.cluster, max_connected) + managed_value_problems(s.cilium.flat_values)
    if s.mesh is not None:
        problems += mesh_problems(s.mesh, s.network, s.stack)
        problems += fleet_problems([s.own_member, *s.peers], focus=s.stack)
    return problems


def _text_fields() -> set[str]:
    """Top-level keys (as spelled in config) whose value is text: the CLI passes those verbatim."""
    return {
        field.alias or name
        for name, field in ProjectConfig.model_fields.items()
        if field.annotation is str or set(typing.get_args(field.annotation)) == {str, type(None)}
    }


def _config_data(raw: Mapping[str, str], secret_keys: Collection[str]) -> tuple[dict[str, Any], list[Problem], set[str]]:
    """(data, problems, keys whose errors the problems already explain) from the raw bag.

    How keys and values are read is `settings.common.raw_config`'s: namespaces, text or JSON, secrets.
    """
    data: dict[str, Any] = {}
    problems = raw_config.namespace_problems(raw)
    explained: set[str] = set()
    text_fields = _text_fields()
    ours = {f"{PROJECT}:{key}": key for key in (k.split(":", 1)[1] for k in raw if k.startswith(f"{PROJECT}:"))}
    ours[LOCATION_KEY] = "location"
    for key in sorted(raw):
        if key not in ours:
            continue
        name = ours[key]
        if key == CA_KEY:
            data[name] = raw[key]  # the one secret key, checked by `ca_key_problems`; never decoded or shown
            continue
        if key in secret_keys:
            problems.append(raw_config.secret_problem(key))
            explained.add(name)
            continue
        data[name] = raw_config.decode(raw[key], name in text_fields)
    if LOCATION_KEY not in raw:
        missing = raw_config.location_problem(raw)
        if missing:
            problems.append(missing)
            explained.add("location")
        if "location" in data:
            problems.append(raw_config.misplaced_location_problem())
            del data["location"]
    return data, problems, explained


def load_settings(
    raw: Mapping[str, str], *, project: str, stack: str, secret_keys: Collection[str] = (), project_dir: Path = PROJECT_DIR
) -> StackSettings:
    """Parse and validate the raw config bag; raise `ConfigError` listing every problem.

    `secret_keys`: the config keys whose value the stack file encrypts (`secure:`), as the engine lists them.
    `project_dir`: the folder of `Pulumi.yaml`, where a fleet member's peers' stack files are.
    """
    stack_file = f"Pulumi.{stack}.yaml"
    data, problems, explained = _config_data(raw, secret_keys)
    azure_provider, provider_problems = azure_provider_settings(raw, secret_keys)
    problems += provider_problems
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        errors = [e for e in exc.errors(include_url=False) if not (e["loc"] and e["loc"][0] in explained)]
        problems += [describe_error(ProjectConfig, e, data) for e in errors]
        raise ConfigError(stack_file, problems) from None
    problems += ca_key_problems(raw, secret_keys, config.mesh is not None)
    if problems:
        raise ConfigError(stack_file, problems)
    service_tags, problems = load_service_tags(config.service_tags)
    peers, peer_problems = read_peers(config.mesh, project, stack, project_dir)
    problems += peer_problems
    if problems:
        raise ConfigError(stack_file, problems)
    names = azure_names(project, stack, config.cluster_name)
    derived = {
        "project": project,
        "stack": stack,
        "stack_file": stack_file,
        "service_tags": service_tags,
        "cluster_name": names.cluster,
        "names": names,
        "placeholders": (*find_placeholders({k: v for k, v in data.items() if k != "meshCaKey"}), *mesh_placeholders(config.mesh)),
        "peers": peers,
        "warnings": tuple(authorized_range_warnings(config.cluster)),
        "azure_provider": azure_provider,
    }
    settings = StackSettings.model_construct(**{**dict(config), **derived})
    problems = cross_field_problems(settings)
    if problems:
        raise ConfigError(stack_file, problems)
    return settings


def read_peers(mesh: Optional[MeshSettings], project: str, stack: str, project_dir: Path) -> tuple[tuple[MemberFacts, ...], list[Problem]]:
    """The other members' facts from their stack files beside this one's; problems name the peer's file and key."""
    if mesh is None:
        return (), []
    peers, problems = [], []
    for member in mesh.members:
        if member == stack:
            continue
        try:
            peers.append(read_member(project_dir, project, member))
        except MemberFileError as exc:
            problems += [replace(p, message=f"{p.message} (a peer named in {key_path('mesh', 'members')})") for p in exc.problems]
    return tuple(peers), problems
