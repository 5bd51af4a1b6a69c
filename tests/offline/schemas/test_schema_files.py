"""offline.schemas.schema_files: which upstream schema files stand for a Cilium version (through
`SchemaSet.for_version`, the way the plan asks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from offline.schemas.schema_files import parse_schema_file_name
from offline.schemas.schema_set import SchemaSet


def test_schema_file_names_carry_the_release_they_come_from() -> None:
    release = parse_schema_file_name(Path("ciliumcidrgroups-v1.19.4.yaml"))
    branch = parse_schema_file_name(Path("ciliumcidrgroups-v1.20-branchpoint-3ab8efdd3b.yaml"))
    assert release and (release.stem, release.line, release.patch) == ("ciliumcidrgroups", (1, 19), 4)
    assert branch and (branch.line, branch.patch, branch.commit) == ((1, 20), None, "3ab8efdd3b")
    assert parse_schema_file_name(Path("README.md")) is None


@pytest.fixture
def schema_names(tmp_path: Path) -> Path:
    # Only names matter for choosing: files are read when a kind is first validated.
    for name in (
        "ciliumcidrgroups-v1.19.2.yaml",
        "ciliumcidrgroups-v1.19.6.yaml",
        "ciliumcidrgroups-v1.20-branchpoint-abc123.yaml",
        "ciliumcidrgroups-v1.20.1.yaml",
        "cilium-helm-values.schema-v1.20.0.json",
        "README.md",
    ):
        (tmp_path / name).write_text("", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("version", "chosen"),
    [
        ("1.20.1", "ciliumcidrgroups-v1.20.1.yaml"),  # the exact release wins
        ("1.20.0", "ciliumcidrgroups-v1.20-branchpoint-abc123.yaml"),  # then the line's branch point
        ("1.20.7", "ciliumcidrgroups-v1.20-branchpoint-abc123.yaml"),
        ("1.19.5", "ciliumcidrgroups-v1.19.6.yaml"),  # then the nearest patch of the line
        ("1.19.3", "ciliumcidrgroups-v1.19.2.yaml"),
    ],
)
def test_the_schema_of_the_same_minor_line_stands_for_a_version(schema_names: Path, version: str, chosen: str) -> None:
    schemas = SchemaSet.for_version(schema_names, version)
    assert schemas is not None
    assert [s.path.name for s in schemas.crd_sources] == [chosen]


def test_a_cilium_version_may_start_with_v(schema_names: Path) -> None:
    schemas = SchemaSet.for_version(schema_names, "v1.20.1")
    assert schemas is not None and [s.path.name for s in schemas.crd_sources] == ["ciliumcidrgroups-v1.20.1.yaml"]


@pytest.mark.parametrize("version", ["1.20", "1.20.0-rc.1", "latest"])
def test_a_cilium_version_that_is_not_a_release_is_refused(schema_names: Path, version: str) -> None:
    with pytest.raises(ValueError, match=rf"Cilium version '{re.escape(version)}' must be a release version MAJOR.MINOR.PATCH"):
        SchemaSet.for_version(schema_names, version)


def test_no_schema_set_for_a_version_line_without_files(schema_names: Path) -> None:
    assert SchemaSet.for_version(schema_names, "1.18.3") is None
    assert SchemaSet.for_version(schema_names / "missing", "1.20.0") is None


def test_exactness_is_reported(schema_names: Path) -> None:
    assert SchemaSet.for_version(schema_names, "1.20.1").approximate is True  # helm values are 1.20.0
    assert SchemaSet.for_version(schema_names, "1.19.6").approximate is False


def test_helm_values_are_not_validated_without_a_values_schema(schema_names: Path) -> None:
    assert SchemaSet.for_version(schema_names, "1.19.6").validate_helm_values({"debug": {"enabled": True}}) is None
