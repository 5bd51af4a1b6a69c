"""Problems in the words of a stack file: suggestions and pydantic's shape errors (settings/common/errors.py)."""

from __future__ import annotations

import pytest

from settings.common.errors import ConfigError, close_matches, did_you_mean, fold
from tests.harness import DELETE, load_stack_settings, problems_for


def test_suggestions_compare_without_case_and_accents():
    assert fold("Wéstëurope") == "westeurope"
    assert close_matches("wéstëurope", ["westeurope", "northeurope"]) == ["westeurope"]
    assert did_you_mean("Hübble", ["hubble", "hostPort"]) == "did you mean 'hubble'?"


def test_an_accented_region_suggests_the_region_without_accents():
    problems = problems_for({"azure-native:location": "wéstëurope"})
    assert problems == ["azure-native:location = 'wéstëurope': must be an Azure region name such as 'westeurope' (lowercase, no spaces); did you mean 'westeurope'?"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"aks-cilium:cluster": "small"}, "aks-cilium:cluster = 'small': must be a mapping of keys to values (keys: admins, authorizedIpRanges,"),
        ({"aks-cilium:cidrGroups": {"name": "x"}}, 'aks-cilium:cidrGroups = {"name": "x"}: must be a list'),
        ({"aks-cilium:protect": "maybe"}, "aks-cilium:protect = 'maybe': must be true or false"),
        ({"aks-cilium:tags": {"a": 1.5}}, "aks-cilium:tags.a = 1.5: must be text, not a number: YAML reads an unquoted 1.5 as a number; quote it"),
        ({"aks-cilium:cluster": {"nodePools": [{"name": "a", "mode": "System", "count": 2.5}]}}, "aks-cilium:cluster.nodePools[0].count = 2.5: must be a whole number"),
        ({"aks-cilium:egressRules": {"azure-imds": {"mode": "restricted", "allowNamespaces": ["kube-system"], "ports": list(range(1, 42))}}}, "ports = [1, 2,"),
    ],
)
def test_shape_problems_use_the_stack_files_words_never_python_types(changes, expected):
    problems = problems_for(changes)
    assert any(expected in p for p in problems), problems
    for word in ("instance of", "Settings", "dict", "tuple", "Tuple", "valid string", "valid integer"):
        assert all(word not in p for p in problems), problems


def test_too_many_ports_says_how_many_are_allowed():
    rule = {"mode": "restricted", "allowNamespaces": ["kube-system"], "ports": list(range(1, 42))}
    assert any(p.endswith(": must list at most 40 entries, not 41") for p in problems_for({"aks-cilium:egressRules": {"azure-imds": rule}}))



def test_a_missing_key_is_marked_missing_and_a_bad_value_is_not():
    with pytest.raises(ConfigError) as caught:
        load_stack_settings("dev", {"aks-cilium:network": {"podCidr": DELETE, "serviceCidr": "10.0.0.0/33"}})
    by_path = {p.path: p for p in caught.value.problems}
    assert by_path["aks-cilium:network.podCidr"].missing
    assert str(by_path["aks-cilium:network.podCidr"]).startswith("aks-cilium:network.podCidr: required but not set")
    assert not by_path["aks-cilium:network.serviceCidr"].missing
