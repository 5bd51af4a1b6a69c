"""The change preview's pure parts: URNs and aliases, input paths, matching and refused changes.
End to end through the plan: test_change_preview.py; the providers' own rules: test_provider_diff.py."""

from __future__ import annotations

from typing import Optional

import pytest
from pulumi.runtime import rpc

from offline.preview.change_checks import change_problems as problem_objects
from offline.preview.state.export_file import ExportedResource
from offline.preview.value_compare import compare
from offline.run import HELM_RELEASE_TYPE, covers, resource_type
from offline.run.engine import Registration
from offline.run.urns import AliasSpec, Resolved, alias_urns
from tests.offline.preview.changes import compute, deployed, registration, urn

STACK_URN = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
COMPONENT = "urn:pulumi:dev::proj::my:comp:Groups::groups"
RELEASE = HELM_RELEASE_TYPE
POOL = "azure-native:containerservice:AgentPool"
CLUSTER = "azure-native:containerservice:ManagedCluster"


def change_problems(changes: list) -> list[str]:
    """The refused changes as users read them (`str(problem)`)."""
    return [str(p) for p in problem_objects(changes)]


def one_change(old: ExportedResource, new: Registration) -> tuple[str, tuple[str, ...]]:
    (change,) = compute([old], [new])
    return change.op, change.paths


# --- URNs and aliases ------------------------------------------------------------------------


def test_a_urn_carries_the_parents_whole_type_chain_but_not_the_stack() -> None:
    assert urn("my:comp:Groups", "groups", STACK_URN) == COMPONENT
    child = urn("kubernetes:cilium.io/v2:CiliumCIDRGroup", "imds", COMPONENT)
    assert child == "urn:pulumi:dev::proj::my:comp:Groups$kubernetes:cilium.io/v2:CiliumCIDRGroup::imds"
    assert urn("x:y:Z", "z", child) == "urn:pulumi:dev::proj::my:comp:Groups$kubernetes:cilium.io/v2:CiliumCIDRGroup$x:y:Z::z"


def test_alias_specs_fall_back_to_the_resources_own_fields() -> None:
    at = Resolved("dev", "proj", COMPONENT, "kubernetes:cilium.io/v2:CiliumCIDRGroup", "imds")
    specs = [
        AliasSpec(type="kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup"),  # only the last type changes
        AliasSpec(name="old-imds"),
        AliasSpec(no_parent=True),
        AliasSpec(parent_urn="urn:pulumi:dev::proj::my:comp:Old::old"),
        AliasSpec(urn="urn:pulumi:dev::proj::x:y:Z::given"),
    ]
    assert alias_urns(specs, at) == sorted(
        [
            "urn:pulumi:dev::proj::my:comp:Groups$kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup::imds",
            "urn:pulumi:dev::proj::my:comp:Groups$kubernetes:cilium.io/v2:CiliumCIDRGroup::old-imds",
            "urn:pulumi:dev::proj::kubernetes:cilium.io/v2:CiliumCIDRGroup::imds",
            "urn:pulumi:dev::proj::my:comp:Old$kubernetes:cilium.io/v2:CiliumCIDRGroup::imds",
            "urn:pulumi:dev::proj::x:y:Z::given",
        ]
    )


def test_a_child_answers_to_its_urn_under_each_alias_of_its_parent() -> None:
    at = Resolved("dev", "proj", COMPONENT, "k:v:Kind", "child")
    parent_alias = "urn:pulumi:dev::proj::my:comp:OldGroups::groups"
    assert alias_urns([AliasSpec(type="k:old:Kind")], at, [parent_alias]) == sorted(
        [
            "urn:pulumi:dev::proj::my:comp:Groups$k:old:Kind::child",
            "urn:pulumi:dev::proj::my:comp:OldGroups$k:v:Kind::child",
            "urn:pulumi:dev::proj::my:comp:OldGroups$k:old:Kind::child",
        ]
    )


# --- input paths ------------------------------------------------------------------------------


def test_changed_paths_are_the_deepest_differences_in_pulumi_path_syntax() -> None:
    old = {"tags": {"environment": "dev"}, "metadata": {"annotations": {"a.b/c": "1"}}, "pools": [{"count": 2.0}], "gone": 1}
    new = {"tags": {"environment": "prod"}, "metadata": {"annotations": {"a.b/c": "2"}}, "pools": [{"count": 2}, {"count": 1}], "gone": None}
    assert compare(old, new).changed == ["gone", 'metadata.annotations["a.b/c"]', "pools[1]", "tags.environment"]


def test_values_compare_as_the_engine_compares_them() -> None:
    assert compare({"on": 1}, {"on": True}).changed == ["on"]  # true is not 1
    assert compare({"x": "a"}, {"x": rpc.UNKNOWN}).changed == ["x"]
    secret = {rpc._special_sig_key: rpc._special_secret_sig, "value": "new"}
    shown = {rpc._special_sig_key: rpc._special_secret_sig, "plaintext": '"old"'}
    assert compare({"s": shown}, {"s": secret}).changed == ["s"]  # `--show-secrets`: the value itself
    hidden = {rpc._special_sig_key: rpc._special_secret_sig, "ciphertext": "v1:abc"}
    found = compare({"s": hidden}, {"s": secret})
    assert found.changed == [] and found.secret_paths == ["s"]


def test_ignore_changes_covers_a_path_and_everything_below_it() -> None:
    paths = ["agentPoolProfiles[0].count", "agentPoolProfiles[1].count", "agentPoolProfiles[1].vmSize", "kubernetesVersion", "kubernetesVersionX"]
    ignore = ["agentPoolProfiles[*].count", "kubernetesVersion"]
    assert [p for p in paths if not any(covers(i, p) for i in ignore)] == ["agentPoolProfiles[1].vmSize", "kubernetesVersionX"]


# --- replace rules and matching ------------------------------------------------------------------


def test_rules_per_type_are_the_providers_own() -> None:
    def paths(type_: str) -> set[str]:
        return {p for rule in resource_type(type_).replace_rules for p in rule.paths}

    role = paths("azure-native:authorization:RoleAssignment")
    assert {"principalId", "scope", "roleAssignmentName"} <= role and "roleDefinitionId" not in role
    assert "networkProfile.podCidr" in paths(CLUSTER) and "agentPoolProfiles" not in paths(CLUSTER)
    assert "defaultOutboundAccess" not in paths("azure-native:network:Subnet")
    assert paths(RELEASE) == {"name", "namespace"}  # not the metadata rule of Kubernetes objects
    assert paths("kubernetes:cilium.io/v2:CiliumCIDRGroup") == {"metadata.name", "metadata.namespace"}  # no kind rule
    assert all(rule.source.startswith("https://") for rule in resource_type(CLUSTER).replace_rules)


def test_a_forcing_input_makes_a_replace_and_others_an_update() -> None:
    old = deployed(CLUSTER, "aks", {"resourceName": "a", "networkProfile": {"podCidr": "10.244.0.0/16"}, "tags": {}})
    assert one_change(old, registration(CLUSTER, "aks", {"resourceName": "a", "networkProfile": {"podCidr": "10.245.0.0/16"}, "tags": {}})) == ("replace", ("networkProfile.podCidr",))
    assert one_change(old, registration(CLUSTER, "aks", {"resourceName": "a", "networkProfile": {"podCidr": "10.244.0.0/16"}, "tags": {"a": "b"}})) == ("update", ("tags.a",))


def test_an_ignored_change_is_no_change() -> None:
    old = deployed(CLUSTER, "aks", {"kubernetesVersion": "1.33"})
    assert one_change(old, registration(CLUSTER, "aks", {"kubernetesVersion": "1.34"}, ignore=["kubernetesVersion"])) == ("same", ())


def test_matching_follows_aliases_and_a_replaced_provider_takes_its_resources_along() -> None:
    provider = registration("pulumi:providers:kubernetes", "k8s", {"clusterIdentifier": "new"})
    old_group = deployed("kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup", "imds", {"kind": "CiliumCIDRGroup"}, provider=f"{provider.urn}::k8s-id")
    group = registration("kubernetes:cilium.io/v2:CiliumCIDRGroup", "imds", {"kind": "CiliumCIDRGroup"}, aliases=[old_group.urn], provider=f"{provider.urn}::")
    changes = compute([deployed("pulumi:providers:kubernetes", "k8s", {"clusterIdentifier": "old"}), old_group], [provider, group])
    assert [(c.type, c.op, c.paths) for c in changes] == [
        ("kubernetes:cilium.io/v2:CiliumCIDRGroup", "replace", ("provider",)),
        ("pulumi:providers:kubernetes", "replace", ("clusterIdentifier",)),
    ]


def test_the_engines_own_resources_leftovers_and_reads_are_deleted_as_the_engine_does() -> None:
    live = deployed("a:b:C", "c", {"x": 1})
    olds = [
        ExportedResource(STACK_URN, "pulumi:pulumi:Stack", False),
        ExportedResource(urn("pulumi:providers:azure-native", "default_3_29_0"), "pulumi:providers:azure-native"),
        ExportedResource(live.urn, "a:b:C", True, "old-id", {"x": 0}, delete=True),
        ExportedResource(urn("a:b:C", "read"), "a:b:C", True, "r", external=True),
        live,
    ]
    assert [(c.op, c.urn.rsplit("::", 1)[-1], c.note) for c in compute(olds, [])] == [
        ("delete", "c", ""), ("delete", "c", "left by an interrupted replace (`delete: true`)"),
    ]


# --- refused changes --------------------------------------------------------------------------


def cilium_problems(old: str, new: str) -> list[str]:
    return change_problems(compute([deployed(RELEASE, "cilium", {"chart": "cilium", "version": old})], [registration(RELEASE, "cilium", {"chart": "cilium", "version": new})]))


@pytest.mark.parametrize(
    ("old", "new", "refused"),
    [
        ("1.19.6", "1.19.6", None),
        ("1.19.1", "1.19.6", None),
        ("1.19.6", "1.20.0", None),
        ("1.18.12", "1.19.0", None),
        ("1.17.18", "1.19.6", "skips a minor version"),
        ("1.20.0", "2.0.0", "skips a minor version"),
        ("1.20.1", "1.20.0", "is a downgrade"),
        ("1.20.0", "1.19.6", "is a downgrade"),
    ],
)
def test_cilium_steps(old: str, new: str, refused: Optional[str]) -> None:
    problems = cilium_problems(old, new)
    assert (problems == []) if refused is None else (len(problems) == 1 and refused in problems[0])


def test_another_chart_has_no_cilium_step_rule() -> None:
    old, new = deployed(RELEASE, "x", {"chart": "other", "version": "1.0.0"}), registration(RELEASE, "x", {"chart": "other", "version": "3.0.0"})
    assert change_problems(compute([old], [new])) == []


def test_agent_pool_machines_are_fixed_unless_the_pool_gets_a_new_name() -> None:
    old = deployed(POOL, "apps", {"agentPoolName": "apps", "vmSize": "Standard_D4ds_v5", "osDiskSizeGB": 128, "count": 3})
    resized = registration(POOL, "apps", {"agentPoolName": "apps", "vmSize": "Standard_D8ds_v5", "osDiskSizeGB": 256, "count": 3})
    (problem,) = change_problems(compute([old], [resized]))
    assert problem.startswith(f"{POOL} apps: vmSize, osDiskSizeGB of a node pool cannot change in place: add a pool under a new name")
    renamed = registration(POOL, "apps", {"agentPoolName": "apps2", "vmSize": "Standard_D8ds_v5", "osDiskSizeGB": 128, "count": 3})
    assert change_problems(compute([old], [renamed])) == []
    scaled = registration(POOL, "apps", {"agentPoolName": "apps", "vmSize": "Standard_D4ds_v5", "osDiskSizeGB": 128, "count": 5})
    assert change_problems(compute([old], [scaled])) == []


def test_a_pool_field_azure_native_replaces_on_is_a_replace_and_refused_like_an_update() -> None:
    old = deployed(POOL, "apps", {"agentPoolName": "apps", "vmSize": "Standard_D4ds_v5", "gpuInstanceProfile": "MIG1g", "maxPods": 30})
    gpu = registration(POOL, "apps", {"agentPoolName": "apps", "vmSize": "Standard_D4ds_v5", "gpuInstanceProfile": "MIG2g", "maxPods": 30})
    assert one_change(old, gpu) == ("replace", ("gpuInstanceProfile",))
    (problem,) = change_problems(compute([old], [gpu]))
    assert problem.startswith(f"{POOL} apps: gpuInstanceProfile of a node pool cannot change in place")
    pods = registration(POOL, "apps", {"agentPoolName": "apps", "vmSize": "Standard_D4ds_v5", "gpuInstanceProfile": "MIG1g", "maxPods": 50})
    assert one_change(old, pods) == ("update", ("maxPods",))
    (problem,) = change_problems(compute([old], [pods]))
    assert problem.startswith(f"{POOL} apps: maxPods of a node pool cannot change in place")


def test_inline_pools_may_scale_but_not_come_or_go() -> None:
    old = deployed(CLUSTER, "aks", {"agentPoolProfiles": [{"name": "system", "count": 2, "vmSize": "a"}, {"name": "apps", "count": 1, "vmSize": "b"}]})
    scaled = registration(CLUSTER, "aks", {"agentPoolProfiles": [{"name": "system", "count": 3, "vmSize": "a"}, {"name": "apps", "count": 2, "vmSize": "b"}]})
    assert change_problems(compute([old], [scaled])) == []
    removed = registration(CLUSTER, "aks", {"agentPoolProfiles": [{"name": "system", "count": 2, "vmSize": "a"}]})
    (problem,) = change_problems(compute([old], [removed]))
    assert "node pool 'apps' removed from agentPoolProfiles" in problem


def test_a_kubernetes_object_deleted_while_declared_elsewhere_ignores_the_api_version() -> None:
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "kube-system"}}
    old = deployed("kubernetes:core/v1:ConfigMap", "old-name", manifest)
    new = registration("kubernetes:core/v1:ConfigMap", "new-name", manifest)
    (problem,) = change_problems(compute([old], [new]))
    assert "deleted while declared under another type/URN (kubernetes:core/v1:ConfigMap new-name): both are the cluster object ConfigMap kube-system/c (core)" in problem
    elsewhere = registration("kubernetes:core/v1:ConfigMap", "new-name", {**manifest, "metadata": {"name": "c", "namespace": "default"}})
    assert change_problems(compute([old], [elsewhere])) == []


def test_protected_resources_may_change_but_not_go() -> None:
    old = deployed("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg-a", "tags": {}}, protect=True)
    assert change_problems(compute([old], [registration("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg-a", "tags": {"a": "b"}})])) == []
    (replaced,) = change_problems(compute([old], [registration("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg-b"})]))
    assert "would be replaced (forced by resourceGroupName), but it is protected" in replaced
    (deleted,) = change_problems(compute([old], []))
    assert "would be deleted, but it is protected" in deleted




def test_a_role_change_in_place_is_refused_with_the_fix() -> None:
    role = "azure-native:authorization:RoleAssignment"
    old = deployed(role, "ra", {"roleAssignmentName": "n", "principalId": "p", "scope": "/s", "roleDefinitionId": "/r/a"})
    (problem,) = change_problems(compute([old], [registration(role, "ra", {"roleAssignmentName": "n", "principalId": "p", "scope": "/s", "roleDefinitionId": "/r/b"})]))
    assert "RoleAssignmentUpdateNotPermitted" in problem and "new roleAssignmentName" in problem
