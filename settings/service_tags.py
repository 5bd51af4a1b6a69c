"""`aks-cilium:serviceTags`: Azure service tags declared as CiliumCIDRGroups.

The file is read and its groups built while the settings load (azure_service_tags/), so a bad
file or tag is a config error before any resource is declared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

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
from settings.network import IN_CLUSTER_WHY, NetworkSettings, in_cluster_overlaps


def _layout_problem(path: Path, exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if errors and errors[0]["type"] == "json_invalid":
        return f"{path.name} is not valid JSON: {errors[0]['ctx']['error']}"
    shown = [f"{json_path(e['loc']) or '<root>'}: {e['msg'][0].lower()}{e['msg'][1:]}" for e in errors[:3]]
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{path.name} is not an Azure service-tags file ({LAYOUT}): {'; '.join(shown)}{more}"


def _service_tags_file(value: Any) -> ServiceTagsFile:
    if isinstance(value, ServiceTagsFile):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be the path of an Azure service-tags JSON file, relative to the project or absolute")
    try:
        return read_service_tags_file(value.strip())
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
        raise ValueError(_layout_problem(Path(value.strip()), exc)) from None


def _unknown_tag_message(exc: UnknownServiceTag) -> str:
    hint = did_you_mean(exc.name, exc.known, n=3, cutoff=0.75)
    example = "tag names are the `name` of each entry of `values`, e.g. 'Storage.WestEurope' or 'AzureActiveDirectory'"
    return f"not in {exc.file_name}; {hint or example}"


def _service_tag_name(value: str, info: ValidationInfo) -> str:
    file = info.data.get("file")
    if file is None:
        return value  # the file itself failed; that problem is reported on its own
    try:
        tag = file.tag(value)
    except UnknownServiceTag as exc:
        raise ValueError(_unknown_tag_message(exc)) from None
    file.networks(value)
    name = tag_groups.base_name(tag.name)
    try:
        check_object_name(name)
    except ValueError as exc:
        raise ValueError(f"gives the CIDR group name {name!r}, which {exc}") from None
    check_labels(tag_groups.tag_labels(tag))
    return value


class ServiceTagsSettings(Section):
    """`aks-cilium:serviceTags`: Azure service tags declared as CiliumCIDRGroups."""

    # `file` holds the loaded file (a plain object, checked by isinstance only).
    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: Annotated[ServiceTagsFile, BeforeValidator(_service_tags_file)] = Field(
        examples=["service-tags/ServiceTags_Public.json"]
    )
    """Path of the weekly `ServiceTags_<Cloud>_<date>.json`, relative to the project directory or absolute."""
    tags: tuple[Annotated[str, AfterValidator(_service_tag_name)], ...]
    """Tag names as in the file (`Storage.WestEurope`, `AzureActiveDirectory`); each becomes one
    or more groups labelled `azure-service-tag: <name>`."""
    ipv4_only: bool = False
    """Leave out IPv6 prefixes (for IPv4-only clusters)."""
    _groups: tuple[ServiceTagGroup, ...] = PrivateAttr(default=())

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

    @model_validator(mode="after")
    def _build_groups(self) -> ServiceTagsSettings:
        self._groups = tag_groups.service_tag_groups(self.file, self.tags, ipv4_only=self.ipv4_only)
        return self

    @property
    def groups(self) -> tuple[ServiceTagGroup, ...]:
        """Collapsed, split, named and labelled groups, in the order of `tags`."""
        return self._groups

    @property
    def source(self) -> dict[str, Any]:
        """The file's name, cloud and changeNumber: a stack output, not an annotation, because it
        changes every week and would otherwise update every group (docs/service-tags.md)."""
        document = self.file.document
        return {"file": self.file.name, "cloud": document.cloud, "changeNumber": document.change_number}


def service_tag_problems(
    section: Optional[ServiceTagsSettings], network: NetworkSettings, cidr_groups: tuple[CidrGroupSettings, ...]
) -> list[str]:
    if section is None:
        return []
    key = key_path("serviceTags")
    owners = {name: "a built-in group" for name in BUILTIN_CIDR_GROUPS}
    owners.update({g.name: key_path("cidrGroups", i) for i, g in enumerate(cidr_groups)})
    by_tag: dict[str, list[str]] = {}
    for group in section.groups:
        by_tag.setdefault(group.tag, []).append(group.name)
    problems: list[str] = []
    for i, tag in enumerate(section.tags):
        at = f"{key}.tags[{i}] = {tag!r}"
        names = by_tag.get(tag, [])
        if not names:
            what = "IPv4 prefixes" if section.ipv4_only else "address prefixes"
            why = f" and {key}.ipv4Only is true" if section.ipv4_only else ""
            problems.append(f"{at}: has no {what} in {section.file.name}{why}, so it would declare no CIDR group")
        for name in names:
            if name in owners:
                problems.append(f"{at}: its CIDR group name '{name}' is already used by {owners[name]}; names must be unique")
            owners.setdefault(name, f"{key}.tags[{i}]")
        overlaps = list(in_cluster_overlaps(network, section.file.networks(tag)))
        for _, cidr, name, net in overlaps[:3]:
            problems.append(f"{at}: its prefix '{cidr}' in {section.file.name} overlaps {name} = '{net}'; {IN_CLUSTER_WHY}")
        if len(overlaps) > 3:
            problems.append(f"{at}: {len(overlaps) - 3} more of its prefixes overlap the pod or service range")
    return problems
