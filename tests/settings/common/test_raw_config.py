"""How the raw config bag is read (settings/common/raw_config.py): namespaces, text or JSON, secret
keys. tests/offline/run/stack_files/test_stack_files.py drives the same rules end to end."""

from __future__ import annotations

import pytest

from offline.run.stack_files.stack_config import read_stack_config
from settings.common.errors import ConfigError
from settings.common.problems import UNSET
from settings.common.raw_config import edit_distance, near_miss_namespace
from settings.stack import load_settings
from tests.harness import DELETE, PROJECT_DIR, load_stack_settings, problems_for

# --- namespaces ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("namespace", "ours"),
    [
        ("aks-cillium", "aks-cilium"),
        ("aks-cilum", "aks-cilium"),
        ("AKS-Cilium", "aks-cilium"),
        ("aks_cilium", "aks-cilium"),
        ("akscilium", "aks-cilium"),
        ("aks-cilimu", "aks-cilium"),  # two letters swapped
        ("azure-nativ", "azure-native"),
        ("azurenative", "azure-native"),
        ("aks-cilium", None),
        ("azure-native", None),
        ("azure", None),  # the classic provider: a real namespace
        ("azure-nextgen", None),
        ("kubernetes", None),
        ("pulumi", None),
        ("aks-cilium-dev", None),
    ],
)
def test_a_namespace_is_a_near_miss_of_ours_only_within_two_edits_or_by_case_and_separators(namespace, ours):
    assert near_miss_namespace(namespace) == ours


def test_edit_distance_counts_a_swap_as_one_edit():
    assert edit_distance("aks-cilimu", "aks-cilium") == 1
    assert edit_distance("kitten", "sitting") == 3


def test_a_near_miss_namespace_is_refused_in_settings_so_pulumi_up_refuses_it_too():
    problems = problems_for({"aks-cilum:protect": True})
    assert problems == [
        "aks-cilum:protect: the namespace 'aks-cilum' is not 'aks-cilium', so nothing would read this key; did you mean"
        " 'aks-cilium:protect'? (this stack reads aks-cilium:* and azure-native:location; keys of other namespaces pass untouched)"
    ]


def test_keys_of_other_namespaces_pass_untouched():
    settings = load_stack_settings("dev", {"kubernetes:context": "x", "azure-native:subscriptionId": "0000", "azure:location": "westeurope"})
    assert settings.location == "westeurope"


def test_the_classic_azure_location_is_named_when_azure_native_location_is_missing():
    problems = problems_for({"azure-native:location": DELETE, "azure:location": "westeurope"})
    assert problems == [
        "azure-native:location: required but not set; azure:location is set, but that is the classic azure provider's key"
        " and this stack uses azure-native: rename it to azure-native:location"
    ]


# --- text keys and secrets ----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["20251", "007", "true"])
def test_a_text_key_takes_the_text_the_cli_passes_as_it_is(raw):
    assert load_stack_settings("dev", {"aks-cilium:clusterName": raw}).cluster_name == raw


def test_a_boolean_key_still_reads_the_cli_text_as_json():
    assert load_stack_settings("dev", {"aks-cilium:protect": "true"}).protect is True


def test_a_secret_key_is_refused_with_the_reason_and_nothing_misleading():
    raw = dict(read_stack_config(PROJECT_DIR, "dev").raw)
    with pytest.raises(ConfigError) as caught:
        load_settings(raw, project="aks-cilium", stack="dev", secret_keys={"azure-native:location"})
    [problem] = caught.value.problems
    assert problem.path == "azure-native:location" and problem.value is UNSET
    assert str(problem).startswith("azure-native:location: holds an encrypted value (secure:), but no key of this stack may be secret")
    assert "did you mean" not in str(problem) and "offline" not in str(problem) and "plan" not in str(problem)


def test_a_secret_section_is_refused_at_its_key_whatever_its_value():
    raw = dict(read_stack_config(PROJECT_DIR, "dev").raw)
    with pytest.raises(ConfigError) as caught:
        load_settings(raw, project="aks-cilium", stack="dev", secret_keys={"aks-cilium:network"})
    assert [p.path for p in caught.value.problems] == ["aks-cilium:network"]
    assert "pulumi config set --path 'aks-cilium:network' <value>" in str(caught.value)


def test_secret_ness_comes_only_from_the_engines_list_not_from_a_value():
    # "[secret]" is only text here: the rules about cluster names apply, not the secret rule.
    [problem] = problems_for({"aks-cilium:clusterName": "[secret]"})
    assert problem.startswith("aks-cilium:clusterName = '[secret]': is not a valid AKS cluster name")












# --- RE2 ----------------------------------------------------------------------------------








# --- YAML into config values --------------------------------------------------------------














# --- Helm value names, service-tag file bytes, the output folder --------------------------
