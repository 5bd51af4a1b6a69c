"""Address and CIDR value types, parsed strictly with `ipaddress`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Optional, Union

from pydantic import BeforeValidator

IpNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def parse_network(value: Any, version: Optional[int] = None) -> IpNetwork:
    """A CIDR whose host bits are all zero, in any spelling `ipaddress` reads (`2001:DB8::/32`)."""
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return value
    if not isinstance(value, str) or "/" not in value:
        raise ValueError("must be a CIDR such as 10.0.0.0/16 (address/prefix length)")
    text = value.strip()
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError("is not a valid CIDR (expected address/prefix length, e.g. 10.0.0.0/16)") from None
    if version is not None and loose.version != version:
        raise ValueError(f"must be an IPv{version} CIDR")
    if loose.network_address != ipaddress.ip_interface(text).ip:
        raise ValueError(f"has host bits set; the network it lies in is {loose}")
    return loose


def _ipv4_address(value: Any) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(str(value).strip())
    except ValueError:
        raise ValueError("is not a valid IPv4 address (e.g. 10.0.0.10)") from None


Ipv4Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(lambda v: parse_network(v, 4))]
AnyCidr = Annotated[IpNetwork, BeforeValidator(parse_network)]
Ipv4Address = Annotated[ipaddress.IPv4Address, BeforeValidator(_ipv4_address)]


def overlapping_pairs(named: list[tuple[str, IpNetwork]]) -> Iterator[tuple[str, IpNetwork, str, IpNetwork]]:
    """Every pair of same-family ranges that share an address, as (key, range, key, range)."""
    for i, (name_a, net_a) in enumerate(named):
        for name_b, net_b in named[i + 1 :]:
            if net_a.version == net_b.version and net_a.overlaps(net_b):
                yield name_a, net_a, name_b, net_b


def overlaps_with(cidrs: Iterable[IpNetwork], ranges: list[tuple[str, IpNetwork]]) -> Iterator[tuple[int, IpNetwork, str, IpNetwork]]:
    """(index, CIDR, key, range) for each of `cidrs` that overlaps one of the named `ranges`."""
    for j, cidr in enumerate(cidrs):
        for name, net in ranges:
            if cidr.version == net.version and cidr.overlaps(net):
                yield j, cidr, name, net
