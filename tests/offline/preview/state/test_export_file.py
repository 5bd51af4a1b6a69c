"""Reading a `pulumi stack export`: versions 3 and 4, features, state flags, encodings."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from offline.preview.state.export_file import (
    CONVERT_TO_UTF8,
    ExportFileError,
    parse_export,
    read_export,
    stack_outputs,
    subscription_and_tenant,
)
from tests.fixtures.exports.export_shapes import SUBSCRIPTION, TENANT
from tests.offline.preview.exports import export_document, export_path


def test_a_deployed_export_reads_with_ids_outputs_and_providers() -> None:
    export = read_export(export_path("dev-deployed-resource-uid.json"))
    assert export.version == 3 and export.features == () and export.pending_operations == ()
    cluster = next(r for r in export.live if r.type == "azure-native:containerservice:ManagedCluster")
    assert cluster.id.endswith("/managedClusters/aks-cilium-dev") and cluster.outputs["resourceUID"] == "6904c1e2a9b3d70001f8e2c4"
    assert cluster.provider_urn == "urn:pulumi:dev::aks-cilium::pulumi:providers:azure-native::default_3_29_0"
    assert subscription_and_tenant(export) == (SUBSCRIPTION, TENANT)


@pytest.mark.parametrize(
    ("name", "flag"),
    [("dev-tainted.json", "taint"), ("dev-refresh-before-update.json", "refresh_before_update")],
)
def test_version_4_with_its_features_is_read(name: str, flag: str) -> None:
    export = read_export(export_path(name))
    assert export.version == 4 and "replaceWith" in export.features and len(export.features) == 2
    assert [r.name for r in export.live if getattr(r, flag)] == ["aks-cilium-cidr-groups-azure-imds"]


def test_state_flags_are_kept() -> None:
    assert [r.name for r in read_export(export_path("dev-pending-replacement.json")).live if r.pending_replacement] == [
        "aks-cilium-cluster-subnet-network-contributor"
    ]
    leftover = read_export(export_path("dev-delete-leftover.json"))
    assert [(r.name, r.id) for r in leftover.leftovers] == [("aks-cilium-k8s", "1f3b5d7f-9a2c-4e6b-8d0f-2a4c6e8b0d15")]
    assert "aks-cilium-k8s" in [r.name for r in leftover.live]
    pending = read_export(export_path("dev-pending-operations.json"))
    assert [(op.operation, op.resource.name) for op in pending.pending_operations] == [
        ("creating", "aks-cilium-cidr-groups-azure-internal-dns"),
        ("updating", "aks-cilium-cilium-release"),
    ]
    assert "aks-cilium-cidr-groups-azure-internal-dns" not in [r.name for r in pending.live]


def test_an_unknown_feature_is_refused_in_the_clis_words() -> None:
    with pytest.raises(ExportFileError) as caught:
        parse_export({"version": 4, "features": ["taint", "teleport"], "deployment": {"resources": []}}, "f")
    assert str(caught.value) == "f: this stack's deployment needs support for the following features: teleport"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": 2, "deployment": {}}, "f: deployment version 2 is not supported"),
        ({"version": 5, "deployment": {}}, "f: deployment version 5 is not supported"),
        ({"version": 3, "deployment": []}, "`deployment` must be an object"),
        ({"version": 3, "deployment": {"resources": [{"urn": "x"}]}}, "`urn` must be a Pulumi URN"),
        ({"version": 3, "deployment": {"pending_operations": [{"resource": {}}]}}, "must be an object with `resource` and `type`"),
    ],
)
def test_a_malformed_export_is_one_error(document: Any, message: str) -> None:
    with pytest.raises(ExportFileError) as caught:
        parse_export(document, "f")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-8", codecs.BOM_UTF8)],
)
def test_an_export_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str, bom: bytes) -> None:
    # Windows PowerShell 5.1 `pulumi stack export > state.json` writes UTF-16LE with a BOM.
    converted = tmp_path / "state.json"
    converted.write_bytes(bom + export_path("dev-deployed.json").read_text(encoding="utf-8").encode(encoding))
    assert read_export(converted).resources == read_export(export_path("dev-deployed.json")).resources


def test_bytes_that_are_no_text_are_refused_with_the_conversion_command(tmp_path: Path) -> None:
    bad = tmp_path / "state.json"
    bad.write_bytes('{"version": 3}'.encode("utf-16-le"))  # UTF-16 without the BOM
    with pytest.raises(ExportFileError) as caught:
        read_export(bad)
    message = str(caught.value)
    assert "is not UTF-8 text (it looks like UTF-16 without a byte-order mark)" in message and CONVERT_TO_UTF8 in message
    assert "Get-Content state.json | Set-Content -Encoding utf8 state8.json" in message


def test_the_fixture_documents_match_what_is_read() -> None:
    document = export_document("prod-deployed.json")
    export = parse_export(document, "prod")
    assert len(export.resources) == len(document["deployment"]["resources"])
    assert [r.name for r in export.live if r.protect] == ["aks-cilium-rg", "aks-cilium-cluster-aks", "aks-cilium-node-pools-apps"]


# --- the root stack's outputs: what the program's StackReference to itself reads -------------------


ROOT = "urn:pulumi:dev::aks-cilium::pulumi:pulumi:Stack::aks-cilium-dev"


def test_the_root_stacks_outputs_with_secrets_as_placeholders() -> None:
    shown = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": '"DEPLOYED-SECRET-TOKEN"'}  # --show-secrets
    root = {"urn": ROOT, "type": "pulumi:pulumi:Stack", "custom": False, "outputs": {"ciliumVersion": "1.19.6", "kubeconfig": shown}}
    outputs = stack_outputs(parse_export({"version": 3, "deployment": {"resources": [root]}}, "f"))
    assert outputs.values == {"ciliumVersion": "1.19.6", "kubeconfig": "[secret]"}
    assert outputs.secret_names == {"kubeconfig"}
    assert stack_outputs(read_export(export_path("prod-deployed.json"))).values["ciliumVersion"] == "1.20.0"


def test_a_stack_never_deployed_has_no_outputs() -> None:
    assert stack_outputs(parse_export({"version": 3, "deployment": {"resources": []}}, "f")).values == {}
    root_only = {"urn": ROOT, "type": "pulumi:pulumi:Stack", "custom": False}
    assert stack_outputs(parse_export({"version": 3, "deployment": {"resources": [root_only]}}, "f")).values == {}
