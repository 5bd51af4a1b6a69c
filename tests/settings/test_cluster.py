"""The AKS cluster's own keys and rules (settings/cluster.py)."""

from __future__ import annotations

from tests.harness import problems_for


def test_more_than_200_authorized_ranges_are_refused():
    ranges = [f"10.{i // 256}.{i % 256}.0/24" for i in range(201)]
    [problem] = problems_for({"aks-cilium:cluster": {"authorizedIpRanges": ranges}})
    assert problem.startswith("aks-cilium:cluster.authorizedIpRanges: lists 201 ranges, but AKS takes at most 200")

