"""Azure service tags as CiliumCIDRGroups: read the weekly file, collapse, split, name, label.

Azure publishes the address ranges of its services weekly as "Azure IP Ranges and Service
Tags" (`ServiceTags_<Cloud>_<YYYYMMDD>.json`). Each selected tag becomes one or more groups,
so Hubble names traffic to, say, Storage in West Europe instead of showing `world`.

Pure functions only: `components.settings` calls them while the stack's settings load, so
every problem is a config error before any resource is declared, and the components receive
the finished, frozen `ServiceTagGroup`s.
"""

from __future__ import annotations

import bisect
import difflib
import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

#: The directory holding `Pulumi.yaml` and `__main__.py` (this module lives in its
#: `components/`). A relative `file` resolves against it rather than the working directory,
#: so `pulumi up`, the offline engine and the tests all read the same file wherever they run.
PROJECT_DIR = Path(__file__).resolve().parent.parent

#: Most prefixes one CiliumCIDRGroup holds. A prefix is at most 43 characters
#: (a full IPv6 address plus "/128"), 46 bytes with JSON quotes and comma, so a full group is
#: under 48 KB: about 3% of etcd's 1.5 MiB request limit, and under the 256 KiB annotation
#: limit even if a tool ever copies the object into kubectl's last-applied annotation
#: (Pulumi uses server-side apply, which does not). Smaller groups also keep a weekly change
#: small: only the groups whose address range changed are sent again.
MAX_PREFIXES_PER_GROUP = 1000

NAME_PREFIX = "azure-service-tag"
#: Label keys; Hubble shows each as `cidrgroup:<key>=<value>`.
TAG_LABEL = "azure-service-tag"
REGION_LABEL = "azure-service-tag-region"
SYSTEM_SERVICE_LABEL = "azure-service-tag-system-service"
#: The tag's own revision: it changes only when that tag changes, unlike the file's.
CHANGE_NUMBER_ANNOTATION = "azure-service-tag/change-number"
CLOUD_ANNOTATION = "azure-service-tag/cloud"

LAYOUT = "top-level cloud, changeNumber and values[] of {name, id, properties: {changeNumber, region, systemService, addressPrefixes[]}}"


# --- the file's layout ----------------------------------------------------------------------


class _Layout(BaseModel):
    # Unknown fields are ignored: Microsoft adds fields over time, and the REST API /
    # `az network list-service-tags` output carries extra ones (state, serviceTagChangeNumber).
    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True)


class ServiceTagProperties(_Layout):
    change_number: int
    """The tag's revision (a number in the download, a numeric string from the REST API)."""
    region: str
    """Lowercase region name; empty for a global tag."""
    system_service: str
    """Service family, e.g. `AzureStorage`; empty for `AzureCloud.<region>`."""
    address_prefixes: tuple[str, ...]
    """CIDRs, IPv4 first, then IPv6."""
    region_id: Optional[int] = None
    """Present in the download, absent from the REST API output."""
    platform: Optional[str] = None
    network_features: Optional[tuple[str, ...]] = None


class ServiceTag(_Layout):
    name: str
    id: str
    properties: ServiceTagProperties


class ServiceTagsDocument(_Layout):
    change_number: int
    cloud: str
    values: tuple[ServiceTag, ...]


class ServiceTagsFile:
    """One loaded service-tags file, with its tags parsed on demand and remembered.

    A plain class rather than a settings model: it is data read from disk, not config keys.
    """

    __slots__ = ("path", "document", "_index", "_networks")

    def __init__(self, path: Path, document: ServiceTagsDocument):
        self.path = path
        """Absolute path of the file."""
        self.document = document
        self._index = {tag.name: i for i, tag in enumerate(document.values)}
        self._networks: dict[str, tuple[Network, ...]] = {}

    def __repr__(self) -> str:
        return f"ServiceTagsFile({str(self.path)!r}, cloud={self.document.cloud!r}, changeNumber={self.document.change_number})"

    @property
    def name(self) -> str:
        return self.path.name

    def tag(self, name: str) -> ServiceTag:
        """The tag called `name`; `ValueError` suggesting close names when there is none."""
        if name not in self._index:
            raise ValueError(f"not in {self.name}; {_suggestion(name, list(self._index))}")
        return self.document.values[self._index[name]]

    def networks(self, name: str) -> tuple[Network, ...]:
        """The tag's prefixes as networks; `ValueError` naming the first that does not parse."""
        if name not in self._networks:
            self._networks[name] = self._parse(name)
        return self._networks[name]

    def _parse(self, name: str) -> tuple[Network, ...]:
        tag = self.tag(name)
        networks = []
        for j, text in enumerate(tag.properties.address_prefixes):
            try:
                networks.append(ipaddress.ip_network(text))
            except ValueError as exc:
                at = f"values[{self._index[name]}].properties.addressPrefixes[{j}]"
                raise ValueError(f"{self.name} has an invalid prefix at {at}: {text!r} ({exc})") from None
        return tuple(networks)


def _suggestion(name: str, known: list[str]) -> str:
    same_case = [k for k in known if k.lower() == name.lower()]
    close = same_case or difflib.get_close_matches(name, known, n=3, cutoff=0.75)
    if not close:
        return "tag names are the `name` of each entry of `values`, e.g. 'Storage.WestEurope' or 'AzureActiveDirectory'"
    return "did you mean " + " or ".join(repr(c) for c in close) + "?"


def resolve_path(configured: str, project_dir: Path = PROJECT_DIR) -> Path:
    path = Path(configured).expanduser()
    return path if path.is_absolute() else (project_dir / path)


def read_service_tags_file(configured: str, project_dir: Path = PROJECT_DIR) -> ServiceTagsFile:
    """Read and check the file's layout; `ValueError` with a message that names the file."""
    path = resolve_path(configured, project_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(
            f"{path} does not exist (a relative path is resolved against the project directory {project_dir})"
        ) from None
    except OSError as exc:
        raise ValueError(f"{path} cannot be read: {exc.strerror or exc}") from None
    try:
        document = ServiceTagsDocument.model_validate_json(raw)
    except ValidationError as exc:
        raise ValueError(_layout_problem(path, exc)) from None
    return ServiceTagsFile(path.resolve(), document)


def _layout_problem(path: Path, exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if errors and errors[0]["type"] == "json_invalid":
        return f"{path.name} is not valid JSON: {errors[0]['ctx']['error']}"
    shown = []
    for error in errors[:3]:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".") or "<root>"
        shown.append(f"{where}: {error['msg'][0].lower()}{error['msg'][1:]}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{path.name} is not an Azure service-tags file ({LAYOUT}): {'; '.join(shown)}{more}"


# --- collapse and split -----------------------------------------------------------------------


def collapse(networks: Sequence[Network], *, ipv4_only: bool = False) -> tuple[Network, ...]:
    """Adjacent and contained prefixes merged; IPv4 first, each family in address order."""
    v4 = [n for n in networks if n.version == 4]
    v6 = [] if ipv4_only else [n for n in networks if n.version == 6]
    return tuple(ipaddress.collapse_addresses(v4)) + tuple(ipaddress.collapse_addresses(v6))


#: A chunk's address range: None for the whole tag, else the block its prefixes lie in.
Bucket = Optional[Network]


def split(prefixes: Sequence[Network], limit: int = MAX_PREFIXES_PER_GROUP) -> list[tuple[Bucket, tuple[Network, ...]]]:
    """Disjoint, sorted prefixes in chunks of at most `limit`, each an aligned address block.

    Chunks are cut by address space, not by position: an over-full block is halved until
    each half fits. A prefix added or removed therefore changes only the chunk whose block
    holds it (or splits that one block), instead of shifting every later chunk.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(prefixes) <= limit:
        return [(None, tuple(prefixes))] if prefixes else []
    chunks: list[tuple[Bucket, tuple[Network, ...]]] = []
    for root in (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")):
        family = [p for p in prefixes if p.version == root.version]
        starts = [int(p.network_address) for p in family]
        _split_block(root, family, starts, 0, len(family), limit, chunks)
    return chunks


def _split_block(
    block: Network,
    family: Sequence[Network],
    starts: Sequence[int],
    lo: int,
    hi: int,
    limit: int,
    out: list[tuple[Bucket, tuple[Network, ...]]],
) -> None:
    if hi == lo:
        return
    if hi - lo <= limit:
        out.append((block, tuple(family[lo:hi])))
        return
    # Over `limit` disjoint prefixes, so every one is smaller than the block: each lies in
    # exactly one half, and the halves split the sorted list at the upper half's start.
    lower, upper = block.subnets()
    cut = bisect.bisect_left(starts, int(upper.network_address), lo, hi)
    _split_block(lower, family, starts, lo, cut, limit, out)
    _split_block(upper, family, starts, cut, hi, limit, out)


# --- names, labels, annotations ---------------------------------------------------------------


def base_name(tag_name: str) -> str:
    """`Storage.WestEurope` -> `azure-service-tag-storage.westeurope` (dots are valid in names)."""
    return f"{NAME_PREFIX}-{tag_name.lower()}"


def group_name(tag_name: str, bucket: Bucket) -> str:
    """Stable across refreshes: derived from the tag name and the chunk's address block only.

    One chunk: the base name. Several: `<base>-ipv4` / `<base>-ipv6` for a whole family, or
    `<base>-ipv4-20.0.0.0-8` / `<base>-ipv6-2603.1000-24` for a block (IPv6 as the hex groups
    the block's length covers, since ':' is not allowed in Kubernetes names).
    """
    base = base_name(tag_name)
    if bucket is None:
        return base
    family = f"{base}-ipv{bucket.version}"
    if bucket.prefixlen == 0:
        return family
    return f"{family}-{_block_label(bucket)}-{bucket.prefixlen}"


def _block_label(block: Network) -> str:
    if block.version == 4:
        return str(block.network_address)
    groups = block.network_address.exploded.split(":")[: math.ceil(block.prefixlen / 16)]
    return ".".join(f"{int(g, 16):x}" for g in groups)


def tag_labels(tag: ServiceTag) -> dict[str, str]:
    """The tag's name, and its region and system service when it has them."""
    labels = {TAG_LABEL: tag.name}
    if tag.properties.region:
        labels[REGION_LABEL] = tag.properties.region
    if tag.properties.system_service:
        labels[SYSTEM_SERVICE_LABEL] = tag.properties.system_service
    return labels


def tag_annotations(tag: ServiceTag, cloud: str) -> dict[str, str]:
    # The file's changeNumber rises every week, so it is not put on the objects: it would
    # update every group weekly even when no tag changed. It is a stack output instead.
    return {CHANGE_NUMBER_ANNOTATION: str(tag.properties.change_number), CLOUD_ANNOTATION: cloud}


# --- groups -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTagGroup:
    """One CiliumCIDRGroup made from (part of) a service tag."""

    name: str
    tag: str
    """The service tag it comes from, as written in the file."""
    cidrs: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


def tag_groups(
    file: ServiceTagsFile, tag_name: str, *, ipv4_only: bool, limit: int = MAX_PREFIXES_PER_GROUP
) -> list[ServiceTagGroup]:
    tag = file.tag(tag_name)
    prefixes = collapse(file.networks(tag_name), ipv4_only=ipv4_only)
    labels = tag_labels(tag)
    annotations = tag_annotations(tag, file.document.cloud)
    return [
        ServiceTagGroup(group_name(tag.name, bucket), tag.name, tuple(str(p) for p in chunk), labels, annotations)
        for bucket, chunk in split(prefixes, limit)
    ]


def service_tag_groups(
    file: ServiceTagsFile, tags: Sequence[str], *, ipv4_only: bool, limit: int = MAX_PREFIXES_PER_GROUP
) -> tuple[ServiceTagGroup, ...]:
    """Every selected tag's groups, in config order."""
    return tuple(g for name in tags for g in tag_groups(file, name, ipv4_only=ipv4_only, limit=limit))
