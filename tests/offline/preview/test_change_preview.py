"""`python -m offline.plan <stack> --against FILE`: a plan previews its changes against a deployed state.

Each scenario plans once to get a state (the plan's own state.json, or a hand-written export),
then plans a changed program or config against it, in-process through `offline.plan.main`, and
reads the exit code, stdout, stderr and changes.json. Changed configs live in a copy of the
program with the same stack name, since the stack name is part of every URN.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Optional

import pytest

from offline.preview.state.state_format import secret_object
from offline.run import EngineOptions
from tests.harness import FIXTURES, PROJECT_DIR, alias_program, assert_clean_failure, plan, variant
from tests.service_tag_data import small_document, tag_entry, write

HAND_WRITTEN_EXPORT = FIXTURES / "change_preview" / "hand-written-export.json"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


# --- state.json --------------------------------------------------------------------------


def test_every_plan_writes_state_json_in_the_export_format_without_secrets(dev_state: Path) -> None:
    text = dev_state.read_text(encoding="utf-8")
    document = json.loads(text)
    # The Kubernetes provider's replace_with makes it version 4, as the engine writes it (deployment.go ApplyFeatures).
    assert (document["version"], document["features"]) == (4, ["replaceWith"]) and set(document["deployment"]) == {"manifest", "resources"}
    resources = document["deployment"]["resources"]
    assert resources[0]["urn"] == "urn:pulumi:dev::aks-cilium::pulumi:pulumi:Stack::aks-cilium-dev"
    assert resources[0]["outputs"]["kubeconfigLogin"] == "admin credentials (local accounts)"
    for resource in resources[1:]:
        assert {"urn", "type", "custom", "inputs", "parent", "dependencies", "protect"} <= set(resource)
    by_type = {r["type"]: r for r in resources}
    # The engine's URN: the parent's whole type chain, the root stack left out.
    assert by_type["kubernetes:cilium.io/v2:CiliumCIDRGroup"]["urn"].startswith(
        "urn:pulumi:dev::aks-cilium::aks-cilium:platform:AksCiliumPlatform$aks-cilium:cidrgroups:CidrGroups$kubernetes:cilium.io/v2:CiliumCIDRGroup::"
    )
    # The kubeconfig is a secret: the signature object with a placeholder, never the value.
    assert by_type["pulumi:providers:kubernetes"]["inputs"]["kubeconfig"] == secret_object("[secret]")
    assert resources[0]["outputs"]["kubeconfig"] == secret_object("[secret]")
    # Inputs as Check stores them: azure-native's API version, the engine's provider version.
    assert by_type["azure-native:containerservice:ManagedCluster"]["inputs"]["azureApiVersion"] == "2025-09-01"
    assert by_type["pulumi:providers:kubernetes"]["inputs"]["version"] == "4.34.2"
    assert "fake-offline-token" not in text and "client-key-data" not in text and "clusterAdmin" not in text


def test_the_plan_lists_state_json_among_the_files_it_wrote(tmp_path: Path) -> None:
    planned = plan("dev", tmp_path / "out")
    files = planned.stdout.split("Files written to ", 1)[1].splitlines()[1:]
    assert "  state.json" in files and "  changes.json" not in files


def test_two_runs_give_byte_identical_state_and_changes(tmp_path: Path, prod_state: Path) -> None:
    first = plan("prod", tmp_path / "first", "--against", str(prod_state))
    second = plan("prod", tmp_path / "second", "--against", str(prod_state))
    assert first.exit_code == second.exit_code == 0
    for name in ("state.json", "changes.json"):
        assert (first.out_dir / name).read_bytes() == (second.out_dir / name).read_bytes()
    assert first.state.read_bytes() == prod_state.read_bytes()


def test_a_run_without_against_removes_a_stale_changes_json(tmp_path: Path, dev_state: Path) -> None:
    plan("dev", tmp_path / "out", "--against", str(dev_state))
    assert (tmp_path / "out" / "changes.json").is_file()
    plan("dev", tmp_path / "out")
    assert not (tmp_path / "out" / "changes.json").exists()


# --- previews of routine changes -----------------------------------------------------------


def test_the_same_config_changes_nothing(tmp_path: Path, dev_state: Path) -> None:
    result = plan("dev", tmp_path / "out", "--against", str(dev_state))
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {}
    entries = json.loads(dev_state.read_text(encoding="utf-8"))["deployment"]["resources"][1:]  # all but the root stack
    declared = len([e for e in entries if not e.get("external")])  # reads (the StackReference) are no change
    assert {c["op"] for c in result.changes()} == {"same"} and len(result.changes()) == declared
    assert f"  `pulumi up` will do:       0 to create, 0 to update, 0 to replace, 0 to delete, {declared} unchanged" in result.stdout
    assert f"  `pulumi preview` will show: 0 to create, 0 to update, 0 to replace, 0 to delete, {declared} unchanged" in result.stdout


def test_a_tag_change_updates_the_resource_group_at_its_path(tmp_path: Path, dev_state: Path) -> None:
    project = variant(tmp_path / "project", "dev", {"aks-cilium:tags": {"environment": "staging"}})
    result = plan("dev", tmp_path / "out", "--against", str(dev_state), project=project)
    assert result.exit_code == 0, result.stderr
    changed = result.changed()
    assert changed["aks-cilium-rg"] == ("update", ["tags.environment"])
    assert {op for op, _ in changed.values()} == {"update"}
    assert "  update          update     azure-native:resources:ResourceGroup  aks-cilium-rg  tags.environment" in result.stdout


def test_a_wider_vnet_is_an_update_of_the_vnet(tmp_path: Path, dev_state: Path) -> None:
    project = variant(tmp_path / "project", "dev", {"aks-cilium:network": {"vnetCidr": "10.10.0.0/15"}})
    result = plan("dev", tmp_path / "out", "--against", str(dev_state), project=project)
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {"aks-cilium-network-vnet": ("update", ["addressSpace.addressPrefixes[0]"])}


def test_renaming_the_protected_prod_cluster_is_refused(tmp_path: Path, prod_state: Path) -> None:
    project = variant(tmp_path / "project", "prod", {"aks-cilium:clusterName": "aks-cilium-prod2"})
    result = plan("prod", tmp_path / "out", "--against", str(prod_state), project=project)
    assert result.exit_code == 1
    changed = result.changed()
    assert changed["aks-cilium-rg"] == ("replace", ["resourceGroupName"])
    assert changed["aks-cilium-cluster-aks"][0] == "replace" and "resourceName" in changed["aks-cilium-cluster-aks"][1]
    assert changed["aks-cilium-cilium-release"] == ("replace", ["deletedWith"])  # replaced with the cluster it runs on
    assert "plan: 3 changes refused against " in result.stderr  # the new cluster gets its inline pool at creation
    assert "azure-native:containerservice:AgentPool aks-cilium-node-pools-apps: would be replaced (forced by deletedWith)" in result.stderr
    assert "azure-native:resources:ResourceGroup aks-cilium-rg: would be replaced (forced by resourceGroupName), but it is protected" in result.stderr
    assert "azure-native:containerservice:ManagedCluster aks-cilium-cluster-aks: would be replaced (forced by " in result.stderr


def test_a_run_by_another_principal_replaces_and_deletes_no_role_assignment(tmp_path: Path, prod_state: Path) -> None:
    # Who gets cluster-admin comes from config, not from whoever runs `pulumi up`.
    result = plan("prod", tmp_path / "out", "--against", str(prod_state), "--principal", "44444444-4444-4444-4444-444444444444")
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {}
    assert any(c["type"] == ROLE_ASSIGNMENT for c in result.changes())


def test_a_principal_that_is_not_a_guid_is_refused(tmp_path: Path) -> None:
    result = plan("dev", tmp_path / "out", "--principal", "alice@example.com")
    assert_clean_failure(result, one_line=True)
    assert "--principal 'alice@example.com': must be the object id (a GUID" in result.stderr
    assert not (tmp_path / "out").exists()


# --- refused changes -----------------------------------------------------------------------


def _without_stack_outputs(state: Path) -> Path:
    """The export of a stack deployed before it recorded `ciliumVersion`: no root stack outputs."""
    document = json.loads(state.read_text(encoding="utf-8"))
    document["deployment"]["resources"][0].pop("outputs")
    state.write_text(json.dumps(document), encoding="utf-8")
    return state


@pytest.mark.parametrize(
    ("old", "new", "exit_code", "words"),
    [
        ("1.18.12", "1.20.0", 1, "Cilium 1.18.12 -> 1.20.0 skips a minor version: Cilium upgrades one minor version at a time, each after the pre-flight check"),
        ("1.19.6", "1.20.0", 0, None),
        ("1.20.0", "1.19.4", 1, "Cilium 1.20.0 -> 1.19.4 is a downgrade"),
    ],
)
def test_cilium_goes_one_minor_version_forward_at_a_time(tmp_path: Path, old: str, new: str, exit_code: int, words: Optional[str]) -> None:
    # Against an export without the `ciliumVersion` output the preview's own rule judges the release's inputs.
    before = plan("dev", tmp_path / "before", project=variant(tmp_path / "old", "dev", {"aks-cilium:cilium": {"version": old}}))
    result = plan("dev", tmp_path / "out", "--against", str(_without_stack_outputs(before.state)), project=variant(tmp_path / "new", "dev", {"aks-cilium:cilium": {"version": new}}))
    assert result.exit_code == exit_code, result.stderr
    assert result.changed()["aks-cilium-cilium-release"] == ("update", ["version"])
    if words:
        assert "kubernetes:helm.sh/v3:Release aks-cilium-cilium-release: " + words in result.stderr
        assert "https://docs.cilium.io/en/stable/operations/upgrade/" in result.stderr
    else:
        assert result.stderr == ""


@pytest.mark.parametrize(("old", "new", "words"), [("1.18.12", "1.20.0", "skips a minor version"), ("1.20.0", "1.19.4", "is a downgrade")])
def test_the_program_itself_refuses_a_cilium_step_against_its_recorded_version(tmp_path: Path, old: str, new: str, words: str) -> None:
    # A plan's state.json records `ciliumVersion` as a real stack's outputs do; the program stops
    # before the release, as `pulumi preview` and `pulumi up` would (components/deployed_guard.py).
    before = plan("dev", tmp_path / "before", project=variant(tmp_path / "old", "dev", {"aks-cilium:cilium": {"version": old}}))
    result = plan("dev", tmp_path / "out", "--against", str(before.state), project=variant(tmp_path / "new", "dev", {"aks-cilium:cilium": {"version": new}}))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"plan: stack organization/aks-cilium/dev: its output ciliumVersion = '{old}' records what is deployed"), result.stderr
    assert f"aks-cilium:cilium.version = '{new}': Cilium {old} -> {new} {words}" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_the_cidr_group_type_change_of_1_17_to_1_18_without_aliases_is_refused(tmp_path: Path) -> None:
    # The real program's groups, with any aliases taken away: what a program without
    # `aliases` does on this upgrade (the fixture-program tests below show the fix).
    no_aliases = EngineOptions(aliases=False)
    before = plan("dev", tmp_path / "before", project=variant(tmp_path / "old", "dev", {"aks-cilium:cilium": {"version": "1.17.18"}}), engine=no_aliases)
    result = plan(
        "dev", tmp_path / "out", "--against", str(before.state),
        project=variant(tmp_path / "new", "dev", {"aks-cilium:cilium": {"version": "1.18.12"}}), engine=no_aliases,
    )
    assert result.exit_code == 1
    for group in ("azure-imds", "azure-internal-dns"):
        ops = [c["op"] for c in result.changes() if c["urn"].endswith(f"::aks-cilium-cidr-groups-{group}")]
        assert sorted(ops) == ["create", "delete"]
        assert (
            f"kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup aks-cilium-cidr-groups-{group}: deleted while declared under another type/URN"
            f" (kubernetes:cilium.io/v2:CiliumCIDRGroup aks-cilium-cidr-groups-{group})"
        ) in result.stderr
    assert 'aliases=[pulumi.Alias(type_="kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup")]' in result.stderr
    assert "pulumi/pulumi-kubernetes#546" in result.stderr


@pytest.mark.parametrize(
    ("pools", "words"),
    [
        (
            [{"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 2, "osSku": "Ubuntu"}],
            "node pool 'system': osSKU cannot be updated in agentPoolProfiles",
        ),
        (
            [{"name": "system", "mode": "System", "vmSize": "Standard_D8ds_v5", "count": 2}],
            "node pool 'system': vmSize cannot be updated in agentPoolProfiles",
        ),
    ],
)
def test_aks_refuses_pool_changes_inside_the_cluster(tmp_path: Path, dev_state: Path, pools: list[dict], words: str) -> None:
    project = variant(tmp_path / "project", "dev", {"aks-cilium:cluster": {"nodePools": pools}})
    result = plan("dev", tmp_path / "out", "--against", str(dev_state), project=project)
    assert result.exit_code == 1
    assert result.changed()["aks-cilium-cluster-aks"][0] == "update"
    assert f"azure-native:containerservice:ManagedCluster aks-cilium-cluster-aks: {words}" in result.stderr
    assert "https://learn.microsoft.com/azure/aks/resize-node-pool" in result.stderr or "containerservice.AgentPool" in result.stderr


def test_a_pool_count_change_is_an_update_aks_applies(tmp_path: Path, dev_state: Path) -> None:
    project = variant(tmp_path / "project", "dev", {"aks-cilium:cluster": {"nodePools": [{"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 3}]}})
    result = plan("dev", tmp_path / "out", "--against", str(dev_state), project=project)
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {"aks-cilium-cluster-aks": ("update", ["agentPoolProfiles[0].count"])}


# --- aliases (a small fixture program, not the real one) -------------------------------------


@pytest.fixture(scope="module")
def v2alpha1_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("alias-state")
    planned = plan("test", where / "out", project=alias_program(where / "project", {"apiVersion": "cilium.io/v2alpha1"}))
    assert planned.exit_code == 0, planned.stderr
    return planned.state


def test_without_an_alias_the_new_api_version_deletes_the_object(tmp_path: Path, v2alpha1_state: Path) -> None:
    project = alias_program(tmp_path / "project", {"apiVersion": "cilium.io/v2"})
    result = plan("test", tmp_path / "out", "--against", str(v2alpha1_state), project=project)
    assert result.exit_code == 1
    assert sorted(c["op"] for c in result.changes()) == ["create", "delete", "same"]
    assert "kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup imds: deleted while declared under another type/URN" in result.stderr


def test_an_alias_naming_the_old_type_makes_it_an_update(tmp_path: Path, v2alpha1_state: Path) -> None:
    project = alias_program(tmp_path / "project", {"apiVersion": "cilium.io/v2", "aliasedFrom": "cilium.io/v2alpha1"})
    result = plan("test", tmp_path / "out", "--against", str(v2alpha1_state), project=project)
    assert result.exit_code == 0, result.stderr
    assert result.changes() == [
        {
            "op": "update",
            "paths": ["apiVersion"],
            "type": "kubernetes:cilium.io/v2:CiliumCIDRGroup",
            "urn": "urn:pulumi:test::alias-fixture::fixture:groups:Groups$kubernetes:cilium.io/v2:CiliumCIDRGroup::imds",
        },
        {"op": "same", "paths": [], "type": "fixture:groups:Groups", "urn": "urn:pulumi:test::alias-fixture::fixture:groups:Groups::groups"},
    ]


def test_a_child_inherits_its_parents_alias(tmp_path: Path, v2alpha1_state: Path) -> None:
    # The component's type changes, so the child's URN does too; the child declares only its
    # own type alias and is still matched through the parent's.
    config = {"apiVersion": "cilium.io/v2", "aliasedFrom": "cilium.io/v2alpha1", "componentType": "fixture:cidr:CidrGroups", "componentTypeWas": "fixture:groups:Groups"}
    result = plan("test", tmp_path / "out", "--against", str(v2alpha1_state), project=alias_program(tmp_path / "project", config))
    assert result.exit_code == 0, result.stderr
    assert [(c["urn"].split("::")[2], c["op"]) for c in result.changes()] == [
        ("fixture:cidr:CidrGroups$kubernetes:cilium.io/v2:CiliumCIDRGroup", "update"),
        ("fixture:cidr:CidrGroups", "same"),
    ]


def test_a_hand_written_export_is_read_tolerantly(tmp_path: Path) -> None:
    # A real export's extras (id, outputs, secrets provider, a default provider) are read as the
    # engine reads them; its secret is read as a secret.
    project = alias_program(tmp_path / "project", {"apiVersion": "cilium.io/v2"})
    result = plan("test", tmp_path / "out", "--against", str(HAND_WRITTEN_EXPORT), project=project)
    assert result.exit_code == 1
    # The `delete: true` copy an interrupted replace left is deleted, as the engine does.
    assert sorted((c["urn"].rsplit("::", 1)[-1], c["op"], c.get("note", "")) for c in result.changes()) == [
        ("groups", "same", ""), ("imds", "delete", "left by an interrupted replace (`delete: true`)"), ("imds", "same", ""), ("token", "delete", "")]
    refused = result.stderr.splitlines()
    assert refused[1].startswith(
        "  kubernetes:cilium.io/v2:CiliumCIDRGroup imds: the copy an interrupted replace left (`delete: true`) is the cluster object"
        " CiliumCIDRGroup azure-imds (cilium.io), which kubernetes:cilium.io/v2:CiliumCIDRGroup imds manages now"
    )
    assert refused[2] == (
        "  kubernetes:core/v1:Secret token: would be deleted, but it is protected in the deployed state;"
        " Pulumi refuses to delete a protected resource (https://www.pulumi.com/docs/iac/concepts/options/protect/)"
    )


# --- service-tag refresh ---------------------------------------------------------------------


def test_a_service_tag_refresh_updates_exactly_the_changed_groups(tmp_path: Path) -> None:
    tags_file = tmp_path / "ServiceTags_Public.json"
    service_tags = {"file": str(tags_file), "tags": ["AzureActiveDirectory", "Storage.WestEurope"]}
    project = variant(tmp_path / "project", "dev", {"aks-cilium:serviceTags": service_tags})
    write(tags_file, small_document(change=100))
    before = plan("dev", tmp_path / "before", project=project)
    assert before.exit_code == 0, before.stderr

    write(tags_file, small_document(change=101))  # re-issued: a new file number, no tag changed
    reissued = plan("dev", tmp_path / "reissued", "--against", str(before.state), project=project)
    assert reissued.exit_code == 0, reissued.stderr
    assert reissued.changed() == {}

    refreshed_tag = tag_entry("AzureActiveDirectory", ["20.190.128.0/18", "40.126.0.0/18", "40.127.0.0/24"], change=27, service="AzureAD")
    write(tags_file, small_document(change=102, AzureActiveDirectory=refreshed_tag))
    refreshed = plan("dev", tmp_path / "refreshed", "--against", str(before.state), project=project)
    assert refreshed.exit_code == 0, refreshed.stderr
    assert refreshed.changed() == {
        "aks-cilium-cidr-groups-azure-service-tag-azureactivedirectory": (
            "update",
            ['metadata.annotations["azure-service-tag/change-number"]', "spec.externalCIDRs[2]"],
        )
    }


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot be read (No such file or directory)"),
        ("{", "is not valid JSON at line 1, column 2"),
        ('{"version": 2, "deployment": {"resources": []}}', "deployment version 2 is not supported"),
        ("[]", 'is not a `pulumi stack export` file ({"version": 3 or 4, "deployment": {"resources": [...]}})'),
        ('{"version": 3, "deployment": {"resources": [{"type": "x"}]}}', "deployment.resources[0]: `urn` must be a Pulumi URN"),
        ('{"version": 3, "deployment": {"resources": {}}}', "`deployment.resources` must be a list"),
    ],
)
def test_a_bad_against_file_is_one_clean_message(tmp_path: Path, content: Optional[str], message: str) -> None:
    against = tmp_path / "state.json"
    if content is not None:
        against.write_text(content, encoding="utf-8")
    result = plan("dev", tmp_path / "out", "--against", str(against))
    assert_clean_failure(result, one_line=True)
    assert result.stderr.startswith(f"plan: {against}: ") and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_make_plan_passes_against_and_principal() -> None:
    dry_run = subprocess.run(
        ["make", "-n", "plan", "AGAINST=old state.json", "PRINCIPAL=44444444-4444-4444-4444-444444444444"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=True,
    ).stdout
    assert "-m offline.plan dev --against 'old state.json' --principal '44444444-4444-4444-4444-444444444444'" in dry_run


def test_the_state_of_another_stack_is_refused_instead_of_previewing_a_rebuild(tmp_path: Path, prod_state: Path) -> None:
    result = plan("dev", tmp_path / "out", "--against", str(prod_state))
    assert_clean_failure(result, one_line=True)
    assert "is the state of stack 'prod' of project 'aks-cilium', not of stack 'dev' of project 'aks-cilium'" in result.stderr
    assert "`pulumi stack export --stack dev`" in result.stderr
    assert not (tmp_path / "out").exists()
