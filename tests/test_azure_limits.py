"""Azure's and AKS's limits, refused before anything is declared: tags, authorized ranges, VM size
shape, pods per node against Cilium's per-node block, and Azure's platform addresses."""

from __future__ import annotations

import pytest

from settings.azure_limits import vm_size_problem
from tests.harness import DELETE, load_stack_settings, problems_for

POOL = {"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 2}


def pools(**changes) -> dict:
    return {"aks-cilium:cluster": {"nodePools": [{**POOL, **changes}]}}


def test_more_than_50_tags_are_refused():
    # 50 new tags beside the dev stack's `environment`
    [problem] = problems_for({"aks-cilium:tags": {f"t{i}": "x" for i in range(50)}})
    assert problem.startswith("aks-cilium:tags: has 51 tags, but an Azure resource takes at most 50")


def test_50_tags_are_accepted():
    assert len(load_stack_settings("dev", {"aks-cilium:tags": {f"t{i}": "x" for i in range(49)}}).tags) == 50


def test_tag_names_with_forbidden_characters_or_too_long_and_long_values_are_refused():
    problems = problems_for({"aks-cilium:tags": {"cost/center": "1", "n" * 513: "x", "owner": "v" * 257}})
    assert problems == [
        "aks-cilium:tags.cost/center: tag names may not contain < > % & \\ ? /; this one has /"
        " (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations)",
        f"aks-cilium:tags.{'n' * 513}: tag names have at most 512 characters, this one has 513"
        " (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations)",
        "aks-cilium:tags.owner: tag values have at most 256 characters, this one has 257"
        " (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations)",
    ]


def test_more_than_200_authorized_ranges_are_refused():
    ranges = [f"10.{i // 256}.{i % 256}.0/24" for i in range(201)]
    [problem] = problems_for({"aks-cilium:cluster": {"authorizedIpRanges": ranges}})
    assert problem.startswith("aks-cilium:cluster.authorizedIpRanges: lists 201 ranges, but AKS takes at most 200")


@pytest.mark.parametrize("size", ["Standard_D4ds_v5", "Standard_E64-32s_v5", "Standard_NC24ads_A100_v4", "Standard_B2s"])
def test_real_vm_sizes_are_accepted(size):
    assert vm_size_problem(size) == ""


@pytest.mark.parametrize(
    ("size", "hint"),
    [
        ("Standard D4ds v5", "did you mean 'Standard_D4ds_v5'?"),
        ("standard_d4ds_v5", "did you mean 'Standard_d4ds_v5'?"),
        ("D4ds_v5", ""),
        ("", ""),
        ("Standard_", ""),
    ],
)
def test_a_vm_size_not_shaped_like_standard_underscore_size_is_refused(size, hint):
    [problem] = problems_for(pools(vmSize=size))
    assert problem.startswith(f"aks-cilium:cluster.nodePools[0].vmSize = {size!r}: is not an Azure VM size")
    assert "vm-naming-conventions" in problem and hint in problem


def test_max_pods_beyond_ciliums_per_node_block_is_refused():
    [problem] = problems_for(
        {**pools(maxPods=110), "aks-cilium:cilium": {"values": {"ipam": {"operator": {"clusterPoolIPv4MaskSize": 28}}}}}
    )
    assert problem.startswith("aks-cilium:cluster.nodePools[0].maxPods = 110: Cilium gives each node a /28 (16 addresses")
    assert "set maxPods to at most 14" in problem and "clusterPoolIPv4MaskSize" in problem


def test_an_unset_max_pods_is_checked_at_akss_maximum_of_250():
    [problem] = problems_for({"aks-cilium:cilium": {"values": {"ipam": {"operator": {"clusterPoolIPv4MaskSize": 25}}}}})
    assert problem.startswith("aks-cilium:cluster.nodePools[0].maxPods (unset: AKS may allow up to 250)")
    assert "room for 126 pods" in problem


def test_the_default_block_holds_250_pods_per_node():
    assert load_stack_settings("dev", pools(maxPods=250)).cluster.node_pools[0].max_pods == 250
    load_stack_settings("prod")


def test_a_pod_range_that_swallows_azures_dns_address_is_refused():
    [problem] = problems_for({"aks-cilium:network": {"podCidr": "168.63.0.0/16"}})
    assert problem.startswith("aks-cilium:network.podCidr = '168.63.0.0/16': contains 168.63.129.16, Azure's DNS resolver")
    assert "CoreDNS" in problem


def test_a_service_range_that_swallows_azures_dns_address_is_refused():
    [problem] = problems_for({"aks-cilium:network": {"serviceCidr": "168.63.128.0/20", "dnsServiceIp": "168.63.128.10"}})
    assert problem.startswith("aks-cilium:network.serviceCidr = '168.63.128.0/20': contains 168.63.129.16")


def test_imds_inside_the_pod_range_is_reported_once_as_aks_reserved():
    problems = problems_for({"aks-cilium:network": {"podCidr": "169.254.0.0/16"}})
    assert [p for p in problems if "169.254.169.254" in p] == []
    assert any("which AKS reserves" in p for p in problems)


def test_the_default_tags_are_kept():
    assert load_stack_settings("dev", {"aks-cilium:tags": DELETE}).tags == {}
