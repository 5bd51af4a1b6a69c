"""Answers from a deployed state: the step the engine plans for each registration, and the outputs it hands on."""

from __future__ import annotations

import copy
from typing import Any

from offline.preview.export_answers import CREATE, PREVIEW, REPLACE, SAME, UP, UPDATE, ExportAnswers
from offline.preview.state.export_file import parse_export
from offline.run.answers import UNKNOWN, Answer, ResourceRequest
from tests.offline.preview.exports import entry, export_document

CHECK_ADDED = ("azureApiVersion", "version", "__internal")


def declared(resource: dict[str, Any], **changes: Any) -> ResourceRequest:
    """The registration the program makes for a recorded resource: its inputs without what Check added."""
    inputs = {k: v for k, v in copy.deepcopy(resource.get("inputs", {})).items() if k not in CHECK_ADDED}
    inputs.update(changes)
    return ResourceRequest(resource["urn"], resource["type"], resource["urn"].rsplit("::", 1)[-1], resource["custom"], inputs,
                           provider=resource.get("provider", ""), ignore_changes=tuple(resource.get("ignoreChanges", ())))


def answers(name: str = "dev-deployed.json", mode: str = PREVIEW) -> tuple[ExportAnswers, dict[str, Any]]:
    document = export_document(name)
    return ExportAnswers(parse_export(document, name), mode), document


FAKE = Answer("fake-id", {"name": "fake", "id": "fake-id", "resourceUID": "fake-uid", "tags": {"environment": "dev"}})


def test_an_unchanged_resource_gets_its_recorded_id_and_outputs() -> None:
    seeded, document = answers()
    cluster = entry(document, "aks-cilium-cluster-aks")
    answer = seeded.resource(declared(cluster), FAKE)
    assert seeded.steps[cluster["urn"]].op == SAME
    assert answer.id == cluster["id"] and answer.outputs["resourceUID"] == cluster["outputs"]["resourceUID"]


def test_an_update_previews_unknown_output_only_values_but_up_keeps_them() -> None:
    for mode, uid in ((PREVIEW, UNKNOWN), (UP, "6904c1e2a9b3d70001f8e2c4")):
        seeded, document = answers(mode=mode)
        cluster = entry(document, "aks-cilium-cluster-aks")
        answer = seeded.resource(declared(cluster, tags={"environment": "staging"}), FAKE)
        step = seeded.steps[cluster["urn"]]
        assert (step.op, step.paths) == (UPDATE, ("tags.environment",))
        assert answer.id == cluster["id"] and answer.outputs["resourceUID"] == uid
        assert answer.outputs["name"] == "aks-cilium-dev" and answer.outputs["tags"] == {"environment": "staging"}
        # A list of identity ids is no map of identities: never handed on in the input's shape.
        assert not isinstance(answer.outputs["identity"], dict) or isinstance(answer.outputs["identity"]["userAssignedIdentities"], dict)


def test_a_replace_has_an_unknown_id_in_a_preview() -> None:
    seeded, document = answers()
    cluster = entry(document, "aks-cilium-cluster-aks")
    request = declared(cluster)
    request.inputs["networkProfile"]["podCidr"] = "10.250.0.0/16"
    answer = seeded.resource(request, FAKE)
    assert seeded.steps[cluster["urn"]].op == REPLACE and answer.id == ""
    assert answer.outputs["resourceUID"] == UNKNOWN and answer.outputs["tags"] == {"environment": "dev"}
    assert cluster["urn"] in seeded.replaced


def test_in_an_up_a_new_arm_resource_keeps_the_id_and_name_its_path_fixes() -> None:
    seeded, document = answers(mode=UP)
    cluster = entry(document, "aks-cilium-cluster-aks")
    request = declared(cluster)
    request.inputs["networkProfile"]["podCidr"] = "10.250.0.0/16"
    answer = seeded.resource(request, FAKE)
    assert answer.id == "fake-id" and answer.outputs["name"] == "fake" and answer.outputs["resourceUID"] == UNKNOWN


def test_unknown_identifier_replaces_the_provider_and_what_is_on_it() -> None:
    seeded, document = answers()
    provider = entry(document, "aks-cilium-k8s")
    seeded.resource(declared(provider, clusterIdentifier=UNKNOWN), FAKE)
    assert seeded.steps[provider["urn"]].op == REPLACE and seeded.steps[provider["urn"]].config_replace
    release = entry(document, "aks-cilium-cilium-release")
    moved = declared(release)
    moved = ResourceRequest(**{**moved.__dict__, "provider": f"{provider['urn']}::{UNKNOWN}"})
    seeded.resource(moved, FAKE)
    assert (seeded.steps[release["urn"]].op, seeded.steps[release["urn"]].paths) == (REPLACE, ("provider",))


def test_a_provider_replaced_only_with_the_cluster_does_not_replace_through_diff_config() -> None:
    # replace_with makes the provider a new one, but its DiffConfig sees the same identifier:
    # what is on it is replaced only through its own deletedWith (step_generator.go).
    seeded, document = answers()
    cluster, provider, group = (entry(document, n) for n in ("aks-cilium-cluster-aks", "aks-cilium-k8s", "aks-cilium-cidr-groups-azure-imds"))
    request = declared(cluster)
    request.inputs["dnsPrefix"] = "other"
    seeded.resource(request, FAKE)
    on_provider = ResourceRequest(**{**declared(provider).__dict__, "replace_with": (cluster["urn"],)})
    seeded.resource(on_provider, FAKE)
    assert seeded.steps[provider["urn"]].op == REPLACE and not seeded.steps[provider["urn"]].config_replace
    moved = ResourceRequest(**{**declared(group).__dict__, "provider": f"{provider['urn']}::{UNKNOWN}"})
    seeded.resource(moved, FAKE)
    assert seeded.steps[group["urn"]].op == SAME
    with_cluster = ResourceRequest(**{**moved.__dict__, "urn": moved.urn, "deleted_with": cluster["urn"]})
    seeded.matched.discard(group["urn"])
    seeded.resource(with_cluster, FAKE)
    assert (seeded.steps[group["urn"]].op, seeded.steps[group["urn"]].paths) == (REPLACE, ("deletedWith",))


def test_state_flags_replace_and_leftovers_are_deleted() -> None:
    seeded, document = answers("dev-tainted.json")
    group = entry(document, "aks-cilium-cidr-groups-azure-imds")
    seeded.resource(declared(group), FAKE)
    assert (seeded.steps[group["urn"]].op, seeded.steps[group["urn"]].paths) == (REPLACE, ("taint",))
    leftover, document = answers("dev-delete-leftover.json")
    assert [(s.op, s.urn.rsplit("::", 1)[-1], s.old.id) for s in leftover.deletes() if s.reason] == [
        ("delete", "aks-cilium-k8s", "1f3b5d7f-9a2c-4e6b-8d0f-2a4c6e8b0d15")]


def test_an_interrupted_create_is_planned_as_a_create_again() -> None:
    seeded, document = answers("dev-pending-operations.json")
    creating = document["deployment"]["pending_operations"][0]["resource"]
    seeded.resource(declared(creating), FAKE)
    assert seeded.steps[creating["urn"]].op == CREATE


def test_recorded_ciphertext_outputs_are_not_handed_to_the_program() -> None:
    seeded, document = answers()
    release = entry(document, "aks-cilium-cilium-release")
    answer = seeded.resource(declared(release), Answer("x", {"__inputs": "fake"}))
    assert answer.outputs["__inputs"]["value"] == "fake" and "ciphertext" not in str(answer.outputs)
