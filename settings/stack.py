"""The whole stack's settings: top-level keys, every section, and `load_settings`.

`load_settings` turns the stack's raw config bag (the strings the Pulumi CLI hands the
program, or that `offline.stack_config` reads from `Pulumi.<stack>.yaml`) into one frozen
`StackSettings`. Components receive these typed objects and never read `pulumi.Config`.

Validation happens in two passes, both before any resource is declared:
1. shape: pydantic checks types, enums, unknown keys and per-value rules (in each section's module);
2. cross-field rules (overlaps, containment, capacity, unique names), each in its section's
   module, run once every section parsed, because they need typed values to compare.
All problems of a pass are reported together in one `ConfigError`.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import Field, ValidationError, field_validator

from settings.access import cluster_access_problems
from settings.azure_limits import azure_limit_problems
from settings.cidr_groups import BUILTIN_CIDR_GROUPS, CidrGroupSettings, cidr_group_problems
from settings.cilium import CiliumSettings, cilium_problems
from settings.cluster import ClusterSettings, node_pool_problems
from settings.common import raw_config
from settings.common.azure_names import NAMING_RULES_URL, AzureNames, azure_name_problems, azure_names, name_problem
from settings.common.base import Section
from settings.common.errors import LOCATION_KEY, PROJECT, ConfigError, describe_error, fold
from settings.common.placeholders import Placeholder, find_placeholders
from settings.egress_rules import EgressRuleSettings, egress_rule_problems
from settings.network import NetworkSettings, network_problems
from settings.service_tags import ServiceTagsSettings, service_tag_problems
from settings.upgrades import upgrade_problems


class ProjectConfig(Section):
    """Every key of the `aks-cilium:` namespace, plus `azure-native:location`."""

    location: str = Field(examples=["westeurope"])
    """`azure-native:location`: Azure region of every resource, e.g. `westeurope`."""
    network: NetworkSettings
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    cilium: CiliumSettings = Field(default_factory=CiliumSettings)
    cidr_groups: tuple[CidrGroupSettings, ...] = ()
    egress_rules: dict[str, EgressRuleSettings] = Field(default_factory=dict)
    """Egress rule per declared CIDR group name; a group without one is `open`."""
    service_tags: Optional[ServiceTagsSettings] = None
    """Azure service tags to declare as CIDR groups; none when unset."""
    cluster_name: Optional[str] = None
    """AKS cluster name; default `<project>-<stack>`. Other Azure names derive from it."""
    protect: bool = False
    """Set Pulumi's `protect` on the resource group and the cluster (prod)."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Azure tags on every Azure resource the stack creates."""

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


@dataclass(frozen=True)
class StackSettings:
    """The whole stack's settings: what `__main__.py` hands to the platform component."""

    project: str
    stack: str
    stack_file: str
    """`Pulumi.<stack>.yaml`, named in every config error."""
    location: str
    network: NetworkSettings
    cluster: ClusterSettings
    cilium: CiliumSettings
    cidr_groups: tuple[CidrGroupSettings, ...]
    egress_rules: Mapping[str, EgressRuleSettings]
    service_tags: Optional[ServiceTagsSettings]
    protect: bool
    tags: Mapping[str, str]
    cluster_name: str
    """`aks-cilium:clusterName`, or `<project>-<stack>` when unset (made valid: settings/common/azure_names.py)."""
    names: AzureNames
    """Every Azure name the stack uses, derived from the cluster name."""
    placeholders: tuple[Placeholder, ...] = ()
    """Documentation addresses and zero GUIDs in the config: a preview warns, `pulumi up` refuses."""

    @property
    def declared_cidr_group_names(self) -> list[str]:
        """Every CiliumCIDRGroup the stack declares: what an egress rule may name."""
        tagged = self.service_tags.groups if self.service_tags is not None else ()
        return [*BUILTIN_CIDR_GROUPS, *(g.name for g in self.cidr_groups), *(g.name for g in tagged)]


def cross_field_problems(s: StackSettings) -> list[str]:
    """Rules that compare several settings; each problem names the keys it involves."""
    return (
        network_problems(s.network)
        + node_pool_problems(s.cluster, s.network, s.cilium)
        + upgrade_problems(s.cluster)
        + cluster_access_problems(s.cluster.admins, s.cluster.disable_local_accounts)
        + cilium_problems(s.cilium)
        + cidr_group_problems(s.cidr_groups, s.network)
        + egress_rule_problems(s.egress_rules, s.declared_cidr_group_names, s.cilium)
        + service_tag_problems(s.service_tags, s.network, s.cidr_groups)
        + azure_name_problems(s.names)
        + azure_limit_problems(s.network, s.cluster, s.cilium, s.tags)
    )


def _text_fields() -> set[str]:
    """Top-level keys (as spelled in config) whose value is text: the CLI passes those verbatim."""
    return {
        field.alias or name
        for name, field in ProjectConfig.model_fields.items()
        if field.annotation is str or set(typing.get_args(field.annotation)) == {str, type(None)}
    }


def _config_data(raw: Mapping[str, str], secret_keys: Collection[str] = ()) -> tuple[dict[str, Any], list[str], set[str]]:
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
        value = raw_config.decode(raw[key], name in text_fields)
        if key in secret_keys or next(raw_config.secret_placeholders(value), None) is not None:
            problems.append(raw_config.secret_problem(key, value))
            explained.add(name)
            continue
        data[name] = value
    if LOCATION_KEY not in raw:
        hint = raw_config.location_hint(raw)
        if hint:
            problems.append(hint)
            explained.add("location")
        if "location" in data:
            problems.append(f"{PROJECT}:location: unknown key; the region is set as '{LOCATION_KEY}'")
            del data["location"]
    return data, problems, explained


def load_settings(raw: Mapping[str, str], *, project: str, stack: str, secret_keys: Collection[str] = ()) -> StackSettings:
    """Parse and validate the raw config bag; raise `ConfigError` listing every problem.

    `secret_keys`: the config keys whose value the stack file encrypts (`secure:`).
    """
    stack_file = f"Pulumi.{stack}.yaml"
    data, problems, explained = _config_data(raw, secret_keys)
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        errors = [e for e in exc.errors(include_url=False) if not (e["loc"] and e["loc"][0] in explained)]
        problems += [describe_error(ProjectConfig, e, data) for e in errors]
        raise ConfigError(stack_file, problems) from None
    if problems:
        raise ConfigError(stack_file, problems)
    names = azure_names(project, stack, config.cluster_name)
    settings = StackSettings(
        project=project,
        stack=stack,
        stack_file=stack_file,
        cluster_name=names.cluster,
        names=names,
        placeholders=find_placeholders(data),
        **{name: getattr(config, name) for name in ProjectConfig.model_fields if name != "cluster_name"},
    )
    problems = cross_field_problems(settings)
    if problems:
        raise ConfigError(stack_file, problems)
    return settings
