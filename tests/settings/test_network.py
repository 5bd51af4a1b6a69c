"""Property-based tests of the address-range rules: whatever ranges a user types, the
settings accept exactly the layouts that AKS and Cilium can run with."""

from __future__ import annotations

import ipaddress
import math

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from offline.run.stack_files.stack_config import read_stack_config
from settings.common.errors import ConfigError
from settings.network import FORBIDDEN_RANGES
from settings.stack import load_settings
from tests.harness import PROJECT_DIR, changed_config

#: Azure's DNS, DHCP and health-probe address (settings/cidr_groups.py): no pod or service range may hold it.
AZURE_PLATFORM_ADDRESS = ipaddress.ip_address("168.63.129.16")

DEV = read_stack_config(PROJECT_DIR, "dev")
FAST = hypothesis_settings(max_examples=150, deadline=None)


def load(changes: dict):
    config = changed_config(DEV, changes)
    return load_settings(config.raw, project=config.project, stack="dev")


def problems(changes: dict) -> list[str]:
    """Every problem of the dev stack with `changes`; none when it is accepted."""
    try:
        load(changes)
    except ConfigError as error:
        return [str(p) for p in error.problems]
    return []


def test_a_problem_carries_its_key_path_and_the_value_as_written():
    with pytest.raises(ConfigError) as caught:
        load({"aks-cilium:network": {"podCidr": "10.244.0.1/16"}})
    [problem] = caught.value.problems
    assert problem.path == "aks-cilium:network.podCidr"
    assert problem.value == "10.244.0.1/16"
    assert problem.message == "has host bits set; the network it lies in is 10.244.0.0/16"


def test_a_cross_field_problem_carries_its_key_path_and_value_too():
    with pytest.raises(ConfigError) as caught:
        load({"aks-cilium:network": {"podCidr": "172.30.0.0/16"}})
    [problem] = caught.value.problems
    assert (problem.path, problem.value) == ("aks-cilium:network.podCidr", "172.30.0.0/16")
    assert problem.message.startswith("overlaps 172.30.0.0/16, which AKS reserves")


def ipv4_networks(min_prefix: int, max_prefix: int):
    return st.builds(
        lambda address, prefix: ipaddress.ip_network((address, prefix), strict=False),
        st.integers(min_value=0, max_value=2**32 - 1),
        st.integers(min_value=min_prefix, max_value=max_prefix),
    )


@FAST
@given(pod=ipv4_networks(8, 20), service=ipv4_networks(12, 24))
def test_accepted_pod_and_service_ranges_are_disjoint_from_each_other_the_vnet_and_forbidden_ranges(pod, service):
    dns = service[10] if service.num_addresses > 11 else service[-2]
    found = problems(
        {"aks-cilium:network": {"podCidr": str(pod), "serviceCidr": str(service), "dnsServiceIp": str(dns)}}
    )
    vnet = ipaddress.ip_network("10.10.0.0/16")
    legal = (
        not pod.overlaps(service)
        and not pod.overlaps(vnet)
        and not service.overlaps(vnet)
        and not any(pod.overlaps(r.cidr) for r in FORBIDDEN_RANGES["podCidr"])
        and not any(service.overlaps(r.cidr) for r in FORBIDDEN_RANGES["serviceCidr"])
        and not any(AZURE_PLATFORM_ADDRESS in n for n in (pod, service))
        and dns not in (service.network_address, service[1])
    )
    # The pod range also has to hold one /24 per node (3 in dev, surge included).
    legal = legal and pod.prefixlen < 24 and 2 ** (24 - pod.prefixlen) >= 3
    assert (found == []) == legal, found


@FAST
@given(network=ipv4_networks(8, 28), host=st.integers(min_value=1, max_value=2**20))
def test_a_cidr_with_host_bits_is_refused_and_the_message_names_the_network_meant(network, host):
    if host >= network.num_addresses:
        host = network.num_addresses - 1
    address = network[host]
    found = problems({"aks-cilium:network": {"podCidr": f"{address}/{network.prefixlen}"}})
    assert found == [
        f"aks-cilium:network.podCidr = '{address}/{network.prefixlen}': has host bits set;"
        f" the network it lies in is {network}"
    ]


@FAST
@given(prefix=st.integers(min_value=12, max_value=28), offset=st.integers(min_value=0, max_value=2**20))
def test_dns_service_ip_is_accepted_only_inside_the_service_range_and_off_its_reserved_addresses(prefix, offset):
    service = ipaddress.ip_network(f"10.0.0.0/{prefix}")
    dns = ipaddress.ip_address(int(service.network_address) + offset)
    found = problems({"aks-cilium:network": {"serviceCidr": str(service), "dnsServiceIp": str(dns)}})
    reserved = (service.network_address, service[1], service.broadcast_address)
    overlaps_pod = service.overlaps(ipaddress.ip_network("10.244.0.0/16")) or service.overlaps(
        ipaddress.ip_network("10.10.0.0/16")
    )
    if overlaps_pod:
        return  # covered by the overlap property above
    legal = dns in service and dns not in reserved
    assert (found == []) == legal, found
    if not legal:
        assert all(p.startswith("aks-cilium:network.dnsServiceIp") for p in found), found


@FAST
@given(
    subnet_prefix=st.integers(min_value=22, max_value=29),
    max_count=st.integers(min_value=1, max_value=300),
    surge_percent=st.integers(min_value=1, max_value=100),
)
def test_node_subnet_is_accepted_only_when_it_holds_every_node_plus_surge(subnet_prefix, max_count, surge_percent):
    pool = {
        "name": "system",
        "mode": "System",
        "minCount": 1,
        "maxCount": max_count,
        "maxSurge": f"{surge_percent}%",
    }
    found = problems(
        {
            "aks-cilium:network": {"nodeSubnetCidr": f"10.10.0.0/{subnet_prefix}"},
            "aks-cilium:cluster": {"nodePools": [pool]},
        }
    )
    peak = max_count + math.ceil(max_count * surge_percent / 100)
    usable = 2 ** (32 - subnet_prefix) - 5
    pod_blocks = 2 ** (24 - 16)
    assert (found == []) == (peak <= usable and peak <= pod_blocks), found


def ipv6_networks():
    return st.builds(
        lambda address, prefix: ipaddress.ip_network((address, prefix), strict=False),
        st.integers(min_value=0, max_value=2**128 - 1),
        st.integers(min_value=16, max_value=128),
    )


@FAST
@given(group=st.one_of(ipv4_networks(8, 32), ipv6_networks()))
def test_a_cidr_group_is_refused_exactly_when_it_overlaps_the_pod_or_service_range(group):
    found = problems({"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": [str(group)]}]})
    internal = [ipaddress.ip_network("10.244.0.0/16"), ipaddress.ip_network("10.0.0.0/16")]
    assert (found == []) == (not any(group.overlaps(n) for n in internal)), found
