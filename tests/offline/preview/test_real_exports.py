"""Previews against exports shaped like the real engine's (tests/fixtures/exports): one test per problem of issue 17.

Each test names the problem it guards; each fails when its fix is taken away (the ids and outputs
from the export, Check's normalisation, the state flags, the unknowns and the two runs, the
secrets' recorded source, the providers' own tables, the cluster identity and the refresh flow).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pulumi_kubernetes as k8s
import pytest

from tests.harness import PROJECT_DIR, PlanResult, plan, variant
from tests.offline.preview.exports import EXPORTS, entry, export_document

K8S_OBJECTS = ("aks-cilium-cilium-release", "aks-cilium-cidr-groups-azure-imds", "aks-cilium-cidr-groups-azure-internal-dns")


def against(tmp_path: Path, stack: str, export: str | Path, config: dict[str, Any] | None = None, project: Path | None = None) -> PlanResult:
    project = project or (variant(tmp_path / "project", stack, config) if config else PROJECT_DIR)
    return plan(stack, tmp_path / "out", "--against", str(EXPORTS / export if isinstance(export, str) else export), project=project)


def by_name(result: PlanResult) -> dict[str, dict[str, Any]]:
    return {c["urn"].rsplit("::", 1)[-1]: c for c in result.changes() if "note" not in c or c["op"] != "delete"}


def written(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


# --- 1. ids and outputs come from the export ----------------------------------------------------


@pytest.mark.parametrize(("stack", "count"), [("dev", 19), ("prod", 22)])
def test_1_an_unchanged_config_previews_all_same_against_its_deployed_export(tmp_path: Path, stack: str, count: int) -> None:
    result = against(tmp_path, stack, f"{stack}-deployed.json")
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {} and len(result.changes()) == count
    assert all("preview" not in c for c in result.changes())
    # The run is seeded: the subscription, tenant and principal ids are the export's, not the mock's.
    state = result.state.read_text(encoding="utf-8")
    assert "8f3c2a1e-5b7d-4c9e-a6f0-2d4b8e1c7a39" in state and "c5a1e7d3-9b2f-4e6a-8d0c-3f7b1a5e9d24" in state
    assert "00000000-0000-0000-0000-000000000000/" not in state and "11111111-1111-1111-1111-111111111111" not in state


def test_1_arm_ids_in_either_casing_are_one_id(tmp_path: Path) -> None:
    document = export_document("dev-deployed.json")
    subnet = entry(document, "aks-cilium-network-nodes")
    subnet["id"] = subnet["outputs"]["id"] = subnet["id"].replace("/resourceGroups/", "/resourcegroups/")  # as a refresh may record it
    result = against(tmp_path, "dev", written(tmp_path, "lower.json", document))
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {}


# --- 2. new inputs normalised as the providers' Check does ----------------------------------------


def test_2_a_plugin_upgrade_still_shows_as_the_update_it_is(tmp_path: Path) -> None:
    # An export written by an older azure-native plugin records that plugin's API version.
    document = export_document("dev-deployed.json")
    cluster = entry(document, "aks-cilium-cluster-aks")
    cluster["inputs"]["azureApiVersion"] = "2025-07-01"
    result = against(tmp_path, "dev", written(tmp_path, "older-plugin.json", document))
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {"aks-cilium-cluster-aks": ("update", ["azureApiVersion"])}


def test_2_the_release_struct_and_the_providers_bookkeeping_are_no_changes(tmp_path: Path) -> None:
    document = export_document("dev-deployed.json")
    release, provider = entry(document, "aks-cilium-cilium-release"), entry(document, "aks-cilium-k8s")
    assert release["inputs"]["waitForJobs"] is False and "compat" not in release["inputs"]
    assert provider["inputs"]["version"] == "4.34.2" and provider["inputs"]["__internal"] == {}
    release["inputs"]["waitForJobs"] = True  # a struct field the program does not set, changed in the state
    result = against(tmp_path, "dev", written(tmp_path, "struct.json", document))
    assert result.changed() == {"aks-cilium-cilium-release": ("update", ["waitForJobs"])}


# --- 3. engine state flags -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("export", "name", "op", "paths"),
    [
        ("dev-tainted.json", "aks-cilium-cidr-groups-azure-imds", "replace", ["taint"]),
        ("dev-pending-replacement.json", "aks-cilium-cluster-subnet-network-contributor", "replace", ["pendingReplacement"]),
        ("dev-pending-operations.json", "aks-cilium-cidr-groups-azure-internal-dns", "create", []),
    ],
)
def test_3_state_flags_are_what_the_engine_makes_of_them(tmp_path: Path, export: str, name: str, op: str, paths: list[str]) -> None:
    result = against(tmp_path, "dev", export)
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {name: (op, paths)}


def test_3_a_leftover_is_deleted_and_pending_operations_are_warned_about(tmp_path: Path) -> None:
    leftover = against(tmp_path / "a", "dev", "dev-delete-leftover.json")
    assert leftover.exit_code == 0, leftover.stderr
    deletes = [c for c in leftover.changes() if c["op"] == "delete"]
    assert [(c["urn"].rsplit("::", 1)[-1], c["note"]) for c in deletes] == [("aks-cilium-k8s", "left by an interrupted replace (`delete: true`)")]
    pending = against(tmp_path / "b", "dev", "dev-pending-operations.json")
    assert "plan: notice: `pulumi up` will warn: Attempting to deploy or update resources with 2 pending operations" in pending.stderr
    assert "aks-cilium-cilium-release, interrupted while updating" in pending.stderr and "`pulumi refresh`" in pending.stderr


def test_3_a_utf16_export_from_windows_powershell_is_read(tmp_path: Path) -> None:
    utf16 = tmp_path / "state.json"
    utf16.write_bytes(b"\xff\xfe" + (EXPORTS / "dev-deployed.json").read_text(encoding="utf-8").encode("utf-16-le"))
    result = against(tmp_path, "dev", utf16)
    assert result.exit_code == 0, result.stderr
    assert result.changed() == {}


# --- 4. unknowns, and the two columns ------------------------------------------------------------


@pytest.fixture
def resource_uid_identifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """The program as it was before this issue: the cluster's resourceUID as the provider's identifier."""
    real = k8s.Provider

    def provider(name: str, **kwargs: Any) -> k8s.Provider:
        (cluster,) = kwargs["opts"].replace_with
        return real(name, **{**kwargs, "cluster_identifier": cluster.resource_uid})

    monkeypatch.setattr(k8s, "Provider", provider)


@pytest.mark.usefixtures("resource_uid_identifier")
def test_4_with_an_output_only_identifier_a_cluster_update_previews_a_reinstall_that_up_does_not_do(tmp_path: Path) -> None:
    result = against(tmp_path, "dev", "dev-deployed-resource-uid.json", {"aks-cilium:tags": {"environment": "staging"}})
    assert result.exit_code == 0, result.stderr
    changes = by_name(result)
    assert changes["aks-cilium-k8s"]["op"] == "same"
    assert changes["aks-cilium-k8s"]["preview"] == {"op": "replace", "paths": ["clusterIdentifier"]}
    for name in K8S_OBJECTS:
        assert changes[name]["op"] == "same" and changes[name]["preview"]["op"] == "replace", name
    assert "  replace         same       pulumi:providers:kubernetes  aks-cilium-k8s" in result.stdout


def test_4_with_the_identifier_from_config_a_cluster_update_leaves_the_provider_alone_in_both_columns(tmp_path: Path) -> None:
    result = against(tmp_path, "dev", "dev-deployed.json", {"aks-cilium:tags": {"environment": "staging"}})
    assert result.exit_code == 0, result.stderr
    changes = by_name(result)
    assert (changes["aks-cilium-cluster-aks"]["op"], changes["aks-cilium-cluster-aks"]["paths"]) == ("update", ["tags.environment"])
    for name in ("aks-cilium-k8s", *K8S_OBJECTS):
        assert changes[name]["op"] == "same" and "preview" not in changes[name], name


def test_4_a_cluster_replaced_by_pulumi_replaces_the_provider_and_everything_on_it(tmp_path: Path) -> None:
    result = against(tmp_path, "dev", "dev-deployed.json", {"aks-cilium:network": {"podCidr": "10.250.0.0/16"}})
    assert result.exit_code == 0, result.stderr
    changes = by_name(result)
    assert (changes["aks-cilium-cluster-aks"]["op"], changes["aks-cilium-cluster-aks"]["paths"]) == ("replace", ["networkProfile.podCidr"])
    assert (changes["aks-cilium-k8s"]["op"], changes["aks-cilium-k8s"]["paths"]) == ("replace", ["replaceWith"])
    for name in K8S_OBJECTS:
        change = changes[name]
        assert (change["op"], change["paths"]) == ("replace", ["deletedWith"]), name
        assert "not deleted on its own" in change["note"] and "preview" not in change, name


# --- 5. secrets ------------------------------------------------------------------------------------


def test_5_a_changed_login_is_an_update_of_the_secret_kubeconfig_and_an_unchanged_one_is_not(tmp_path: Path) -> None:
    result = against(tmp_path / "msi", "prod", "prod-deployed.json", {"aks-cilium:cluster": {"kubelogin": {"mode": "msi"}}})
    assert result.exit_code == 0, result.stderr
    change = by_name(result)["aks-cilium-k8s"]
    assert (change["op"], change["paths"]) == ("update", ["kubeconfig"])
    assert change["note"] == 'kubeconfig: secret, not comparable; `kubeconfigLogin` changed from "kubelogin --login azurecli" to "kubelogin --login msi"'
    same = against(tmp_path / "same", "prod", "prod-deployed.json")
    assert by_name(same)["aks-cilium-k8s"]["op"] == "same"


def test_5_a_show_secrets_export_is_compared_by_its_plaintext(tmp_path: Path) -> None:
    first = plan("dev", tmp_path / "first", "--against", str(EXPORTS / "dev-deployed.json"))
    document = export_document("dev-deployed.json")
    provider = entry(document, "aks-cilium-k8s")
    kubeconfig = next(r for r in first.changes() if r["urn"].endswith("::aks-cilium-k8s"))
    assert kubeconfig["op"] == "same"
    from offline.run.mocks import FAKE_ADMIN_KUBECONFIG  # what the offline engine's credentials call answers

    shown = FAKE_ADMIN_KUBECONFIG.format(cluster="aks-cilium-dev", location="westeurope", resource_group="rg-aks-cilium-dev",
                                         tenant="c5a1e7d3-9b2f-4e6a-8d0c-3f7b1a5e9d24")
    provider["inputs"]["kubeconfig"] = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": json.dumps(shown)}
    assert against(tmp_path / "same", "dev", written(tmp_path, "shown.json", document)).changed() == {}
    provider["inputs"]["kubeconfig"]["plaintext"] = json.dumps(shown.replace("token: fake-offline-token", "token: another"))
    assert against(tmp_path / "other", "dev", written(tmp_path, "other.json", document)).changed() == {"aks-cilium-k8s": ("update", ["kubeconfig"])}


# --- 6. the providers' own rules ----------------------------------------------------------------------


def test_6_an_admins_principal_type_change_replaces_its_assignment_and_nothing_else(tmp_path: Path) -> None:
    # principalType is no force-new field (forceNewMap: principalId, scope): an update Azure applies.
    admin = {"objectId": "00000000-0000-0000-0000-000000000000", "principalType": "User"}
    result = against(tmp_path, "prod", "prod-deployed.json", {"aks-cilium:cluster": {"admins": [admin]}})
    assert result.changed() == {"aks-cilium-cluster-admins-00000000-0000-0000-0000-000000000000": ("update", ["principalType"])}


# --- 7. a cluster re-created outside Pulumi, and the refresh flow ------------------------------------


def test_7_after_the_full_refresh_the_cluster_cilium_and_the_groups_are_created_again(tmp_path: Path) -> None:
    result = against(tmp_path, "dev", "dev-refreshed-cluster-gone.json")
    assert result.exit_code == 0, result.stderr
    changed = result.changed()
    assert changed["aks-cilium-cluster-aks"] == ("create", [])
    for name in K8S_OBJECTS:
        assert changed[name] == ("create", []), name
    assert changed["aks-cilium-k8s"] == ("update", ["kubeconfig"])  # same identifier: an update, not a replace


def test_7_a_cluster_to_be_created_under_recorded_kubernetes_objects_is_refused_with_the_refresh_flow(tmp_path: Path) -> None:
    result = against(tmp_path, "dev", "dev-cluster-gone-objects-kept.json")
    assert result.exit_code == 1
    assert result.changed()["aks-cilium-cluster-aks"] == ("create", [])
    assert re.search(r"ManagedCluster aks-cilium-cluster-aks: is to be created while 3 resources on it are still recorded", result.stderr)
    assert "`PULUMI_K8S_DELETE_UNREACHABLE=true pulumi refresh`" in result.stderr


def test_7_the_identifier_change_of_a_deployed_stack_is_a_replace_unless_done_in_two_steps(tmp_path: Path) -> None:
    # Against a stack deployed with the resourceUID identifier, the new identifier replaces the provider and all on it.
    direct = against(tmp_path / "direct", "dev", "dev-deployed-resource-uid.json")
    assert direct.changed()["aks-cilium-k8s"] == ("replace", ["clusterIdentifier"])
    # Step 1 removes the identifier, step 2 sets the new one: each an add or a delete, which DiffConfig never replaces on.
    document = export_document("dev-deployed-resource-uid.json")
    provider = entry(document, "aks-cilium-k8s")
    del provider["inputs"]["clusterIdentifier"], provider["outputs"]["clusterIdentifier"]
    second = against(tmp_path / "second", "dev", written(tmp_path, "step-1-done.json", document))
    assert second.changed()["aks-cilium-k8s"] == ("update", ["clusterIdentifier"])
    assert all(op == "same" for name, (op, _) in second.changed().items() if name in K8S_OBJECTS)
