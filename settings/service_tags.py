"""`aks-cilium:serviceTags`: Azure service tags declared as CiliumCIDRGroups.

Three steps, as for every section: the keys' shape (`ServiceTagsConfig`), then the file is read
and each tag's groups built (`load_service_tags`, a step of `load_settings` of its own, so no
validator reads a file), then the rules that compare the groups with other sections
(`service_tag_problems`). A bad file or tag is a config error before any resource is declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import BeforeValidator, Field, ValidationError, field_validator

from azure_service_tags import groups as tag_groups
from azure_service_tags.file import (
    LAYOUT,
    DuplicateServiceTags,
    NotUtf8,
    ServiceTagsFile,
    UnknownServiceTag,
    read_service_tags_file,
)
from azure_service_tags.groups import ServiceTagGroup
from settings.cidr_groups import BUILTIN_CIDR_GROUPS, CidrGroupSettings, check_labels, check_object_name
from settings.common.base import Section
from settings.common.errors import did_you_mean, json_path, key_path
from settings.common.problems import Problem
from settings.network import IN_CLUSTER_WHY, NetworkSettings, in_cluster_overlaps

KEY = key_path("serviceTags")


def _file_path(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be the path of an Azure service-tags JSON file, relative to the project or absolute")
    return value


class ServiceTagsConfig(Section):
    """`aks-cilium:serviceTags` as the stack file writes it: which file, which tags."""

    file: Annotated[str, BeforeValidator(_file_path)] = Field(examples=["service-tags/ServiceTags_Public.json"])
    """Path of the weekly `ServiceTags_<Cloud>_<date>.json`, relative to the project directory or absolute."""
    tags: tuple[str, ...]
    """Tag names as in the file (`Storage.WestEurope`, `AzureActiveDirectory`); each becomes one
    or more groups labelled `azure-service-tag: <name>`."""
    ipv4_only: bool = False
    """Leave out IPv6 prefixes (for IPv4-only clusters)."""

    @field_validator("tags")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Checked here, not with min_length, which would also fire when one listed tag is bad.
        if not value:
            raise ValueError(f"must list at least one tag, e.g. `pulumi config set --path '{key_path('serviceTags', 'tags', 0)}' Storage.WestEurope`")
        seen: set[str] = set()
        twice = sorted({t for t in value if t in seen or seen.add(t)})
        if twice:
            raise ValueError(f"lists {', '.join(repr(t) for t in twice)} more than once")
        return value


@dataclass(frozen=True)
class ServiceTagsSettings:
    """`aks-cilium:serviceTags` with its file read and its groups built: what components receive."""

    config: ServiceTagsConfig
    file: ServiceTagsFile
    groups: tuple[ServiceTagGroup, ...]
    """Collapsed, split, named and labelled groups, in the order of `config.tags`."""

    @property
    def source(self) -> dict[str, Any]:
        """The file's name, cloud and changeNumber: a stack output, not an annotation, because it
        changes every week and would otherwise update every group (docs/service-tags.md)."""
        document = self.file.document
        return {"file": self.file.name, "cloud": document.cloud, "changeNumber": document.change_number}


def _layout_problem(path: Path, exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if errors and errors[0]["type"] == "json_invalid":
        return f"{path.name} is not valid JSON: {errors[0]['ctx']['error']}"
    shown = [f"{json_path(e['loc']) or '<root>'}: {e['msg'][0].lower()}{e['msg'][1:]}" for e in errors[:3]]
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{path.name} is not an Azure service-tags file ({LAYOUT}): {'; '.join(shown)}{more}"


def _read_file(configured: str) -> ServiceTagsFile:
    """The file, or `ValueError` saying what is wrong with it in the words of a stack file."""
    try:
        return read_service_tags_file(configured.strip())
    except NotUtf8 as exc:
        # PowerShell 5's `>` and `Out-File` write UTF-16; Azure publishes UTF-8 JSON.
        raise ValueError(
            f"{exc.file_name} is {exc.encoding} text, not the UTF-8 JSON Azure publishes (PowerShell's `>` writes UTF-16);"
            f" convert it: `iconv -f UTF-16 -t UTF-8 {exc.file_name} > {Path(exc.file_name).stem}.utf8.json`, or in PowerShell"
            f" `Get-Content {exc.file_name} | Set-Content -Encoding utf8 {Path(exc.file_name).stem}.utf8.json`"
        ) from None
    except DuplicateServiceTags as exc:
        places = "; ".join(f"{name!r} at {', '.join(f'values[{i}]' for i in where)}" for name, where in exc.places.items())
        raise ValueError(f"{exc.file_name} lists a tag more than once ({places}); Azure's files list each tag once: download the file again") from None
    except ValidationError as exc:
        raise ValueError(_layout_problem(Path(configured.strip()), exc)) from None


def _unknown_tag_message(exc: UnknownServiceTag) -> str:
    hint = did_you_mean(exc.name, exc.known, n=3, cutoff=0.75)
    example = "tag names are the `name` of each entry of `values`, e.g. 'Storage.WestEurope' or 'AzureActiveDirectory'"
    return f"not in {exc.file_name}; {hint or example}"


def _tag_problem(file: ServiceTagsFile, name: str) -> str:
    """Why tag `name` of `file` cannot become CIDR groups, or ''."""
    try:
        tag = file.tag(name)
        file.networks(name)
        group = tag_groups.base_name(tag.name)
        try:
            check_object_name(group)
        except ValueError as exc:
            return f"gives the CIDR group name {group!r}, which {exc}"
        check_labels(tag_groups.tag_labels(tag))
    except UnknownServiceTag as exc:
        return _unknown_tag_message(exc)
    except ValueError as exc:
        return str(exc)
    return ""


def load_service_tags(config: Optional[ServiceTagsConfig]) -> tuple[Optional[ServiceTagsSettings], list[Problem]]:
    """Read the file and build the groups of every tag; the problems name `serviceTags.file` or the tag's key."""
    if config is None:
        return None, []
    try:
        file = _read_file(config.file)
    except ValueError as exc:
        return None, [Problem(f"{KEY}.file", str(exc), config.file)]
    problems = []
    for i, name in enumerate(config.tags):
        problem = _tag_problem(file, name)
        if problem:
            problems.append(Problem(f"{KEY}.tags[{i}]", problem, name))
    if problems:
        return None, problems
    groups = tag_groups.service_tag_groups(file, config.tags, ipv4_only=config.ipv4_only)
    return ServiceTagsSettings(config, file, groups), []


def service_tag_problems(
    section: Optional[ServiceTagsSettings], network: NetworkSettings, cidr_groups: tuple[CidrGroupSettings, ...]
) -> list[Problem]:
    if section is None:
        return []
    owners = {name: "a built-in group" for name in BUILTIN_CIDR_GROUPS}
    owners.update({g.name: key_path("cidrGroups", i) for i, g in enumerate(cidr_groups)})
    by_tag: dict[str, list[str]] = {}
    for group in section.groups:
        by_tag.setdefault(group.tag, []).append(group.name)
    problems: list[Problem] = []
    ipv4_only = section.config.ipv4_only
    for i, tag in enumerate(section.config.tags):
        at = f"{KEY}.tags[{i}]"
        names = by_tag.get(tag, [])
        if not names:
            what = "IPv4 prefixes" if ipv4_only else "address prefixes"
            why = f" and {KEY}.ipv4Only is true" if ipv4_only else ""
            problems.append(Problem(at, f"has no {what} in {section.file.name}{why}, so it would declare no CIDR group", tag))
        for name in names:
            if name in owners:
                problems.append(Problem(at, f"its CIDR group name '{name}' is already used by {owners[name]}; names must be unique", tag))
            owners.setdefault(name, at)
        overlaps = list(in_cluster_overlaps(network, section.file.networks(tag)))
        for _, cidr, name, net in overlaps[:3]:
            problems.append(Problem(at, f"its prefix '{cidr}' in {section.file.name} overlaps {name} = '{net}'; {IN_CLUSTER_WHY}", tag))
        if len(overlaps) > 3:
            problems.append(Problem(at, f"{len(overlaps) - 3} more of its prefixes overlap the pod or service range", tag))
    return problems
