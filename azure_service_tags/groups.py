"""Service tags as CiliumCIDRGroups: collapse each tag's prefixes, split them, name and label them.

Each selected tag becomes one or more groups, so Hubble names traffic to, say, Storage in West
Europe instead of showing `world`. Pure functions: the settings call them while they load, and
the components receive the finished, frozen `ServiceTagGroup`s.
"""

from __future__ import annotations

import bisect
import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

from azure_service_tags.file import Network, ServiceTag, ServiceTagsFile

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
