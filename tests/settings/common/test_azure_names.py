"""Azure names: every name the stack derives is valid for its resource type, the same config always
gives the same names, and the components use exactly these names."""

from __future__ import annotations

import pytest

from offline.run.engine import run_program, start_mocks
from offline.run.stack_files.stack_config import StackConfig, read_stack_config
from settings.common.azure_names import MAX_CLUSTER_NAME, RULES, azure_names, default_cluster_name, dns_prefix_for, name_problem
from settings.stack import load_settings
from tests.harness import PROJECT_DIR, ProgramTestCase, problems_for

PROJECT = "aks-cilium"
LONG_STACK = "s" * 59  # `aks-cilium-<stack>` would have 70 characters


def settings_for_stack(stack: str):
    """The dev stack file's values, loaded as if the stack had another name."""
    config = read_stack_config(PROJECT_DIR, "dev")
    return load_settings(config.raw, project=config.project, stack=stack)


def invalid_names(names) -> dict[str, str]:
    return {field: problem for field in RULES if (problem := name_problem(field, getattr(names, field)))}


def test_the_rules_refuse_what_azure_refuses():
    assert name_problem("cluster", "aks-cilium-team.dev") == (
        "AKS cluster names allow only letters, digits, '_' and '-', starting and ending with a letter or digit"
    )
    assert name_problem("vnet", "vnet-" + "a" * 63) == "VNet names have 2-64 characters, this one has 68"
    assert name_problem("dns_prefix", "a" * 53 + "-") is not None
    assert name_problem("resource_group", "rg-x.") is not None
    assert name_problem("identity", "id") is not None  # 3-128 characters
    assert name_problem("node_resource_group", "rg-" + "a" * 72 + "-nodes") is not None  # 81 > 80


def test_a_short_valid_stack_name_is_used_as_it_is():
    assert default_cluster_name(PROJECT, "prod") == "aks-cilium-prod"
    assert settings_for_stack("prod").names.vnet == "vnet-aks-cilium-prod"


def test_a_stack_name_with_a_period_derives_a_valid_cluster_name_with_a_stable_hash():
    names = settings_for_stack("team.dev").names
    assert names.cluster.startswith("aks-cilium-team-dev-") and len(names.cluster) == len("aks-cilium-team-dev-") + 6
    assert invalid_names(names) == {}
    assert settings_for_stack("team.dev").names == names  # same config, same names
    # `team-dev` is valid as it is, so the two stacks cannot collide.
    assert settings_for_stack("team-dev").names.cluster == "aks-cilium-team-dev"


def test_a_59_character_stack_name_derives_names_that_all_fit():
    names = settings_for_stack(LONG_STACK).names
    assert len(f"{PROJECT}-{LONG_STACK}") == 70
    assert len(names.cluster) == MAX_CLUSTER_NAME == 59
    assert len(names.vnet) == 64
    assert invalid_names(names) == {}
    assert names.cluster != default_cluster_name(PROJECT, LONG_STACK + "x")


def test_a_63_character_cluster_name_is_refused_because_its_vnet_name_would_have_68():
    [problem] = problems_for({"aks-cilium:clusterName": "a" * 63})
    assert problem.startswith(f"aks-cilium:clusterName = '{'a' * 63}': gives the VNet name 'vnet-{'a' * 63}'")
    assert "VNet names have 2-64 characters, this one has 68" in problem
    assert "resource-name-rules" in problem and "at most 59" in problem


def test_a_cluster_name_with_a_hyphen_at_position_54_gets_a_dns_prefix_without_a_trailing_hyphen():
    name = "a" * 53 + "-" + "b" * 5
    assert name[53] == "-"
    names = azure_names(PROJECT, "dev", name)
    assert names.dns_prefix == "a" * 53
    assert invalid_names(names) == {}
    assert dns_prefix_for("my_cluster") == "my-cluster"


def test_an_explicit_cluster_name_is_used_for_every_derived_name():
    names = azure_names(PROJECT, "dev", "corp-aks")
    assert (names.resource_group, names.vnet, names.subnet, names.identity, names.node_resource_group) == (
        "rg-corp-aks", "vnet-corp-aks", "snet-nodes", "id-corp-aks", "rg-corp-aks-nodes",
    )


@pytest.mark.parametrize("stack", ["dev", "prod", "team.dev", "x", LONG_STACK, "Team_Dev.eu-west.2"])
def test_every_derived_name_is_valid_for_any_stack_name(stack):
    assert invalid_names(azure_names(PROJECT, stack, None)) == {}


AZURE_NAME_INPUTS = {
    "azure-native:resources:ResourceGroup": ("resourceGroupName", "resource_group"),
    "azure-native:network:VirtualNetwork": ("virtualNetworkName", "vnet"),
    "azure-native:network:Subnet": ("subnetName", "subnet"),
    "azure-native:managedidentity:UserAssignedIdentity": ("resourceName", "identity"),
    "azure-native:containerservice:ManagedCluster": ("resourceName", "cluster"),
}


class TeamDevStack(ProgramTestCase):
    async def test_the_components_declare_exactly_the_derived_names(self):
        dev = read_stack_config(PROJECT_DIR, "dev")
        config = StackConfig(dev.project, "team.dev", dev.stack_file, dev.raw, dev.secret_keys)
        run = await run_program(PROJECT_DIR, config, start_mocks(config))
        names = settings_for_stack("team.dev").names
        for type_, (input_name, field) in AZURE_NAME_INPUTS.items():
            registration = run.one(type_)
            self.assertEqual(registration.inputs[input_name], getattr(names, field), registration.urn)
        cluster = run.one("azure-native:containerservice:ManagedCluster")
        self.assertEqual(cluster.inputs["dnsPrefix"], names.dns_prefix)
        self.assertEqual(cluster.inputs["nodeResourceGroup"], names.node_resource_group)


def test_an_invalid_explicit_cluster_name_is_refused_with_the_rule():
    [problem] = problems_for({"aks-cilium:clusterName": "team.dev"})
    assert problem == (
        "aks-cilium:clusterName = 'team.dev': is not a valid AKS cluster name: AKS cluster names allow only letters, digits,"
        " '_' and '-', starting and ending with a letter or digit"
        " (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules)"
    )
