"""CIDR groups and the built-in groups' addresses (settings/cidr_groups.py)."""

from __future__ import annotations

from tests.harness import problems_for


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

