"""Settings: the real stack files parse, and every kind of bad config is refused with a
message that names the stack file, the key path, the value and what is allowed."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from settings.common.errors import ConfigError
from tests.harness import DELETE, load_stack_settings, problems_for


def test_dev_stack_file_parses_into_typed_settings():
    settings = load_stack_settings("dev")
    assert settings.network.pod_cidr == ipaddress.ip_network("10.244.0.0/16")
    assert settings.cluster.node_pools[0].name == "system"
    assert settings.cilium.version == "1.20.0"
    assert settings.cluster_name == "aks-cilium-dev"


def test_prod_stack_file_parses_into_typed_settings():
    settings = load_stack_settings("prod")
    assert settings.protect is True
    assert settings.cluster.disable_local_accounts is True
    assert [p.name for p in settings.cluster.node_pools] == ["system", "apps"]


def test_settings_are_immutable():
    settings = load_stack_settings("dev")
    with pytest.raises(ValidationError, match="frozen"):
        settings.network.pod_cidr = ipaddress.ip_network("10.1.0.0/16")  # type: ignore[misc]


def test_defaults_apply_to_keys_the_stack_file_leaves_out():
    # Every cluster key left out but `admins`, which local accounts being off by default requires.
    admin = {"objectId": "44444444-4444-4444-4444-444444444444", "principalType": "Group"}
    dev_keys = ("skuTier", "upgradeChannel", "nodeOsUpgradeChannel", "disableLocalAccounts", "nodePools")
    cluster = {**{key: DELETE for key in dev_keys}, "admins": [admin]}
    settings = load_stack_settings("dev", {"aks-cilium:cluster": cluster, "aks-cilium:cilium": {"version": DELETE, "chartRepository": DELETE}})
    assert settings.cluster.upgrade_channel == "patch"
    assert settings.cluster.disable_local_accounts is True
    assert settings.cilium.version == "1.20.0"
    assert settings.cilium.chart_repository == "https://helm.cilium.io/"
    assert [(p.name, p.mode, p.count) for p in settings.cluster.node_pools] == [("system", "System", 2)]


# Each row: config changes, and a fragment the one resulting problem must contain.
BAD_CONFIGS = [
    pytest.param(
        {"aks-cilium:network": {"podCidr": "10.244.0.1/16"}},
        "aks-cilium:network.podCidr = '10.244.0.1/16': has host bits set; the network it lies in is 10.244.0.0/16",
        id="host-bits-set",
    ),
    pytest.param(
        {"aks-cilium:network": {"vnetCidr": "10.10.0.0/33"}},
        "aks-cilium:network.vnetCidr = '10.10.0.0/33': is not a valid CIDR",
        id="cidr-does-not-parse",
    ),
    pytest.param(
        {"aks-cilium:network": {"serviceCidr": "fd00::/108"}},
        "aks-cilium:network.serviceCidr = 'fd00::/108': must be an IPv4 CIDR",
        id="ipv6-service-cidr",
    ),
    pytest.param(
        {"aks-cilium:network": {"dnsServiceIp": "10.0.0.300"}},
        "aks-cilium:network.dnsServiceIp = '10.0.0.300': is not a valid IPv4 address",
        id="dns-ip-does-not-parse",
    ),
    pytest.param(
        {"aks-cilium:network": {"nodeSubnetCidr": "10.11.0.0/24"}},
        "aks-cilium:network.nodeSubnetCidr = '10.11.0.0/24': must lie inside aks-cilium:network.vnetCidr = '10.10.0.0/16'",
        id="subnet-outside-vnet",
    ),
    pytest.param(
        {"aks-cilium:network": {"podCidr": "10.10.0.0/16", "nodeSubnetCidr": "10.10.0.0/22"}},
        "aks-cilium:network.podCidr = '10.10.0.0/16': overlaps aks-cilium:network.vnetCidr = '10.10.0.0/16'",
        id="pod-overlaps-vnet",
    ),
    pytest.param(
        {"aks-cilium:network": {"serviceCidr": "10.244.0.0/20", "dnsServiceIp": "10.244.0.10"}},
        "aks-cilium:network.podCidr = '10.244.0.0/16': overlaps aks-cilium:network.serviceCidr = '10.244.0.0/20'",
        id="pod-overlaps-service",
    ),
    pytest.param(
        {"aks-cilium:network": {"serviceCidr": "10.10.128.0/20", "dnsServiceIp": "10.10.128.10"}},
        "aks-cilium:network.serviceCidr = '10.10.128.0/20': overlaps aks-cilium:network.vnetCidr = '10.10.0.0/16'",
        id="service-overlaps-vnet",
    ),
    pytest.param(
        {"aks-cilium:network": {"podCidr": "172.30.0.0/16"}},
        "aks-cilium:network.podCidr = '172.30.0.0/16': overlaps 172.30.0.0/16, which AKS reserves",
        id="pod-in-reserved-range",
    ),
    pytest.param(
        {"aks-cilium:network": {"serviceCidr": "192.0.2.0/24", "dnsServiceIp": "192.0.2.10"}},
        "aks-cilium:network.serviceCidr = '192.0.2.0/24': overlaps 192.0.2.0/24, which AKS reserves",
        id="service-in-reserved-range",
    ),
    pytest.param(
        {"aks-cilium:network": {"dnsServiceIp": "10.5.0.10"}},
        "aks-cilium:network.dnsServiceIp = '10.5.0.10': must lie inside aks-cilium:network.serviceCidr = '10.0.0.0/16'",
        id="dns-outside-service-cidr",
    ),
    pytest.param(
        {"aks-cilium:network": {"dnsServiceIp": "10.0.0.1"}},
        "aks-cilium:network.dnsServiceIp = '10.0.0.1': is the first address of aks-cilium:network.serviceCidr, which Kubernetes gives the API server service",
        id="dns-is-api-server-address",
    ),
    pytest.param(
        {"aks-cilium:network": {"dnsServiceIp": "10.0.0.0"}},
        "aks-cilium:network.dnsServiceIp = '10.0.0.0': is the network address",
        id="dns-is-network-address",
    ),
    pytest.param(
        {"aks-cilium:network": {"serviceCidr": "10.0.0.0/8", "dnsServiceIp": "10.0.0.10", "vnetCidr": "192.168.0.0/16", "nodeSubnetCidr": "192.168.0.0/22", "podCidr": "100.64.0.0/16"}},
        "aks-cilium:network.serviceCidr = '10.0.0.0/8': too large",
        id="service-cidr-too-large",
    ),
    pytest.param(
        {
            "aks-cilium:network": {"nodeSubnetCidr": "10.10.0.0/29"},
            "aks-cilium:cluster": {"nodePools": [{"name": "system", "mode": "System", "count": 3}]},
        },
        "aks-cilium:network.nodeSubnetCidr = '10.10.0.0/29': has 3 usable addresses (Azure keeps 5) but the node pools may grow to 4 nodes including upgrade surge",
        id="subnet-too-small-for-nodes-and-surge",
    ),
    pytest.param(
        {"aks-cilium:network": {"podCidr": "10.244.0.0/24"}},
        "aks-cilium:network.podCidr = '10.244.0.0/24': Cilium gives each node a /24 from it, so it must be larger than /24",
        id="pod-cidr-not-larger-than-node-block",
    ),
    pytest.param(
        {"aks-cilium:network": {"podCIRD": "10.244.0.0/16"}},
        "aks-cilium:network.podCIRD: unknown key; did you mean 'podCidr'?",
        id="unknown-nested-key-with-suggestion",
    ),
    pytest.param(
        {"aks-cilium:clustr": {}},
        "aks-cilium:clustr: unknown key; did you mean 'aks-cilium:cluster'?",
        id="unknown-top-level-key-with-suggestion",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"nodePools": [{"name": "System_1", "mode": "System", "count": 1}]}},
        "aks-cilium:cluster.nodePools[0].name = 'System_1': is not a valid Linux node pool name: use 1-12 lowercase letters and digits, starting with a letter",
        id="pool-name-uppercase",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"nodePools": [{"name": "averylongpoolname", "mode": "System", "count": 1}]}},
        "aks-cilium:cluster.nodePools[0].name = 'averylongpoolname': is not a valid Linux node pool name",
        id="pool-name-too-long",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"nodePools": [{"name": "apps", "mode": "User", "count": 2}]}},
        "aks-cilium:cluster.nodePools: AKS needs at least one pool with mode 'System'",
        id="no-system-pool",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"nodePools": [{"name": "system", "mode": "System", "minCount": 5, "maxCount": 3}]}},
        "aks-cilium:cluster.nodePools[0].minCount = 5: must not exceed maxCount = 3",
        id="min-above-max",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"nodePools": [{"name": "system", "mode": "System", "minCount": 2}]}},
        "aks-cilium:cluster.nodePools[0]: minCount and maxCount turn on the autoscaler together; set both or neither",
        id="autoscaler-half-set",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"nodePools": [{"name": "system", "mode": "System", "count": 0}]}},
        "aks-cilium:cluster.nodePools[0].count = 0: a System pool needs at least 1 node",
        id="system-pool-empty",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"nodePools": [{"name": "system", "mode": "System"}]}},
        "aks-cilium:cluster.nodePools[0]: set count (a fixed node count) or minCount and maxCount (autoscaler)",
        id="pool-without-size",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"nodePools": [{"name": "system", "mode": "System", "count": 1, "zones": [1, 4]}]}},
        "aks-cilium:cluster.nodePools[0].zones[1] = 4: input should be '1', '2' or '3'",
        id="zone-out-of-range",
    ),
    pytest.param(
        {"aks-cilium:cluster": {"upgradeChannel": "weekly"}},
        "aks-cilium:cluster.upgradeChannel = 'weekly': input should be 'none', 'patch', 'stable' or 'rapid'",
        id="unknown-upgrade-channel",
    ),
    pytest.param(
        {"aks-cilium:cilium": {"version": "1.16.9"}},
        "aks-cilium:cilium.version = '1.16.9': is too old",
        id="cilium-too-old",
    ),
    pytest.param(
        {"aks-cilium:cilium": {"version": "v1.20"}},
        "aks-cilium:cilium.version = 'v1.20': must be a release version MAJOR.MINOR.PATCH",
        id="cilium-version-not-semver",
    ),
    pytest.param(
        {"aks-cilium:cilium": {"values": {"ipam": {"operator": {"clusterPoolIPv4PodCIDRList": ["10.0.0.0/8"]}}}}},
        "aks-cilium:cilium.values.ipam.operator.clusterPoolIPv4PodCIDRList: is set by the stack (taken from aks-cilium:network.podCidr",
        id="helm-value-overrides-pod-cidr",
    ),
    pytest.param(
        {"aks-cilium:cilium": {"values": {"routingMode": "native"}}},
        "aks-cilium:cilium.values.routingMode = 'native': may only be 'tunnel' (aksbyocni requires tunnel routing",
        id="helm-value-native-routing",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "Corp_VPN", "cidrs": ["198.51.100.0/24"]}]},
        "aks-cilium:cidrGroups[0].name = 'Corp_VPN': is not a valid Kubernetes object name",
        id="group-name-not-dns1123",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "azure-imds", "cidrs": ["198.51.100.0/24"]}]},
        "aks-cilium:cidrGroups[0].name = 'azure-imds': is a built-in group the stack always declares",
        id="group-name-collides-with-builtin",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.0/24"]}, {"name": "corp", "cidrs": ["203.0.113.0/24"]}]},
        "aks-cilium:cidrGroups[1].name = 'corp': CIDR group names must be unique",
        id="group-name-duplicate",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.7/24"]}]},
        "aks-cilium:cidrGroups[0].cidrs[0] = '198.51.100.7/24': has host bits set; the network it lies in is 198.51.100.0/24",
        id="group-cidr-host-bits",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": []}]},
        "aks-cilium:cidrGroups[0].cidrs = []: must list at least one CIDR",
        id="group-without-cidrs",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.0/24"], "labels": {"team": "net work"}}]},
        "label value 'net work' is invalid",
        id="group-label-value-invalid",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.0/24"], "labels": {"-team": "x"}}]},
        "label key '-team' is invalid",
        id="group-label-key-invalid",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.0/24"], "labels": {"/team": "x"}}]},
        "aks-cilium:cidrGroups[0].labels = {\"/team\": \"x\"}: label key '/team' has an invalid prefix '': it must be a lowercase DNS subdomain",
        id="group-label-key-empty-prefix",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["198.51.100.0/24"], "labels": {"team": "a b", "-x": "c d"}}]},
        "label value 'a b' is invalid: use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or an empty string); label key '-x' is invalid",
        id="group-labels-every-problem-reported",
    ),
    pytest.param(
        {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["10.244.8.0/24"]}]},
        "aks-cilium:cidrGroups[0].cidrs[0] = '10.244.8.0/24': overlaps aks-cilium:network.podCidr = '10.244.0.0/16'",
        id="group-overlaps-pod-cidr",
    ),
    pytest.param(
        {"azure-native:location": "West Europe"},
        "azure-native:location = 'West Europe': must be an Azure region name such as 'westeurope' (lowercase, no spaces); did you mean 'westeurope'?",
        id="location-display-name",
    ),
    pytest.param(
        {"azure-native:location": DELETE},
        "azure-native:location: required but not set; set it with `pulumi config set --path 'azure-native:location' westeurope`",
        id="location-missing",
    ),
    pytest.param(
        {"aks-cilium:network": {"podCidr": DELETE}},
        "aks-cilium:network.podCidr: required but not set; set it with `pulumi config set --path 'aks-cilium:network.podCidr' 10.244.0.0/16`",
        id="required-key-missing",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), BAD_CONFIGS)
def test_bad_config_is_refused_with_an_actionable_message(changes, expected):
    problems = problems_for(changes)
    assert any(expected in p for p in problems), "\n".join(problems)


def test_a_missing_network_section_lists_every_key_to_set():
    problems = problems_for({"aks-cilium:network": DELETE})
    assert len(problems) == 1
    for key, example in [("vnetCidr", "10.10.0.0/16"), ("podCidr", "10.244.0.0/16"), ("dnsServiceIp", "10.0.0.10")]:
        assert f"`pulumi config set --path 'aks-cilium:network.{key}' {example}`" in problems[0]


def test_several_problems_are_reported_together():
    problems = problems_for(
        {
            "aks-cilium:network": {"podCidr": "10.244.0.1/16", "vnetCidr": "nope"},
            "aks-cilium:cilium": {"version": "1.15.0"},
        }
    )
    assert len(problems) == 3, problems
    assert {p.split(" ")[0] for p in problems} == {
        "aks-cilium:network.podCidr",
        "aks-cilium:network.vnetCidr",
        "aks-cilium:cilium.version",
    }


def test_cross_field_problems_are_reported_together():
    problems = problems_for({"aks-cilium:network": {"dnsServiceIp": "10.0.0.1", "nodeSubnetCidr": "10.11.0.0/22"}})
    assert len(problems) == 2, problems


def test_a_key_outside_the_project_namespace_is_left_to_its_owner():
    settings = load_stack_settings("dev", {"azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000"})
    assert settings.location == "westeurope"


def test_zones_written_as_numbers_become_the_strings_azure_expects():
    settings = load_stack_settings(
        "dev", {"aks-cilium:cluster": {"nodePools": [{"name": "system", "mode": "System", "count": 1, "zones": [1, 2]}]}}
    )
    assert settings.cluster.node_pools[0].zones == ("1", "2")


def test_the_error_is_a_pulumi_run_error_so_the_cli_prints_no_traceback():
    import pulumi

    assert issubclass(ConfigError, pulumi.RunError)


@pytest.mark.parametrize("written", ["2001:DB8::/32", "2001:db8:0:0::/64", "2001:0db8::/48", " 198.51.100.0/24 "])
def test_a_cidr_in_any_spelling_ipaddress_reads_is_accepted_when_its_host_bits_are_zero(written):
    settings = load_stack_settings("dev", {"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": [written]}]})
    assert settings.cidr_groups[0].cidrs == (ipaddress.ip_network(written.strip()),)


def test_an_ipv6_cidr_with_host_bits_is_refused_whatever_its_case():
    [problem] = problems_for({"aks-cilium:cidrGroups": [{"name": "corp", "cidrs": ["2001:DB8::1/32"]}]})
    assert problem == "aks-cilium:cidrGroups[0].cidrs[0] = '2001:DB8::1/32': has host bits set; the network it lies in is 2001:db8::/32"


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


def test_the_default_tags_are_kept():
    assert load_stack_settings("dev", {"aks-cilium:tags": DELETE}).tags == {}

