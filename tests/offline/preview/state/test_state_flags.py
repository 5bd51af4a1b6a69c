"""What the engine does with taint, pendingReplacement, refreshBeforeUpdate and pending operations."""

from __future__ import annotations

from offline.preview.state.export_file import ExportedResource, read_export
from offline.preview.state.state_flags import forced_replace, pending_operations_warning, refresh_notices
from tests.offline.preview.exports import export_path


def test_taint_and_pending_replacement_force_a_replace_and_nothing_else_does() -> None:
    assert "`pulumi state taint`" in (forced_replace(ExportedResource("urn:pulumi:s::p::t::n", "t", taint=True)) or "")
    assert "delete-before-replace" in (forced_replace(ExportedResource("urn:pulumi:s::p::t::n", "t", pending_replacement=True)) or "")
    assert forced_replace(ExportedResource("urn:pulumi:s::p::t::n", "t", protect=True, refresh_before_update=True)) is None


def test_pending_operations_get_the_clis_warning_with_what_may_be_left_and_the_refresh() -> None:
    export = read_export(export_path("dev-pending-operations.json"))
    warning = pending_operations_warning(export.pending_operations) or ""
    assert warning.startswith("`pulumi up` will warn: Attempting to deploy or update resources with 2 pending operations from previous deployment.")
    lines = warning.splitlines()
    assert lines[1].startswith(
        "  * urn:pulumi:dev::aks-cilium::aks-cilium:platform:AksCiliumPlatform$aks-cilium:cidrgroups:CidrGroups"
        "$kubernetes:cilium.io/v2:CiliumCIDRGroup::aks-cilium-cidr-groups-azure-internal-dns, interrupted while creating: "
    )
    assert "already exists" in lines[1] and "interrupted while updating: it may have some of the new settings" in lines[2]
    assert "`pulumi refresh`" in warning and "interactively to clear pending creates" in warning
    assert pending_operations_warning(()) is None


def test_refresh_before_update_is_named() -> None:
    (notice,) = refresh_notices(read_export(export_path("dev-refresh-before-update.json")))
    assert notice.startswith("kubernetes:cilium.io/v2:CiliumCIDRGroup aks-cilium-cidr-groups-azure-imds: refreshBeforeUpdate")
    assert refresh_notices(read_export(export_path("dev-deployed.json"))) == []
