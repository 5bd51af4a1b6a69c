"""Node pools' rules (settings/node_pools.py), here the limits Azure and AKS enforce only at creation:
VM size shape, pods per node against Cilium's per-node block."""

from __future__ import annotations

import pytest

from settings.node_pools import vm_size_problem
from tests.harness import load_stack_settings, problems_for

POOL = {"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 2}


def pools(**changes) -> dict:
    return {"aks-cilium:cluster": {"nodePools": [{**POOL, **changes}]}}










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
    assert problem.startswith("aks-cilium:cluster.nodePools[0].maxPods: unset, so AKS may allow up to 250; Cilium gives each node a /25")
    assert "room for 126 pods" in problem


def test_the_default_block_holds_250_pods_per_node():
    assert load_stack_settings("dev", pools(maxPods=250)).cluster.node_pools[0].max_pods == 250
    load_stack_settings("prod")








