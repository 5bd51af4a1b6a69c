"""offline/run/resource_types.py: every resource type the program declares has its one row, and a
type without one is an error that says so, never a silent default."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.run.engine import run_stack
from offline.run.resource_types import RESOURCE_TYPES, UnknownResourceType, resource_type, types_without_row
from tests.harness import PROJECT_DIR, assert_clean_failure, plan, project_copy


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_type_the_program_registers_has_a_row(stack: str) -> None:
    registered = {r.type for r in run_stack(PROJECT_DIR, stack).registrations if r.custom}
    assert len(registered) >= 8, registered
    assert types_without_row(registered) == []
    for type_ in registered:
        row = resource_type(type_)
        assert row.type == type_
        if type_.startswith("azure-native:"):
            # The mock engine names the resource and builds its ARM id from these; no fallback.
            assert row.azure_name_input and row.arm_id.startswith(("/subscriptions/", "{scope}/")), type_


def test_an_unknown_type_is_an_error_naming_the_table() -> None:
    with pytest.raises(UnknownResourceType) as caught:
        resource_type("azure-native:network:PublicIPAddress")
    assert str(caught.value) == (
        "azure-native:network:PublicIPAddress: no row in offline/run/resource_types.py RESOURCE_TYPES; add one for the new type"
    )
    assert "azure-native:network:PublicIPAddress" not in RESOURCE_TYPES


def test_types_without_a_row_are_listed_once_and_sorted() -> None:
    known = next(iter(RESOURCE_TYPES))
    assert types_without_row(["b:x:Y", known, "a:x:Y", "b:x:Y"]) == ["a:x:Y", "b:x:Y"]


def test_a_plan_of_a_program_with_new_kubernetes_types_stops_with_one_message_naming_them(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.bad-cidr-group.yaml", append_to_main="unknown_kubernetes_types.py")
    result = plan("bad-cidr-group", tmp_path / "out", project=project)
    assert_clean_failure(result, one_line=True)
    assert result.stderr == (
        "plan: kubernetes:core/v1:ConfigMap, kubernetes:core/v1:Namespace: no row in offline/run/resource_types.py"
        " RESOURCE_TYPES; add one for the new type\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_new_azure_type_stops_the_run_itself_because_the_mock_engine_names_it_from_its_row(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.bad-cidr-group.yaml", append_to_main="unknown_azure_type.py")
    result = plan("bad-cidr-group", tmp_path / "out", project=project)
    assert_clean_failure(result, one_line=True)
    assert result.stderr == (
        "plan: the program failed: UnknownResourceType: azure-native:network:PublicIPAddress: no row in"
        " offline/run/resource_types.py RESOURCE_TYPES; add one for the new type\n"
    )
