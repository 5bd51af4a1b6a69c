"""The plan's validation section, end to end: where it finds schemas, what it names, when it warns.

Each test plans a copy of the program (`--project-dir`) whose schema cache holds the hand-made
fixtures of tests/fixtures/cilium, so none of them needs the shared reference folder or the network.
The plans run in this process (`tests.harness.plan`), with the environment variables the search
reads passed to the command (`env`) rather than set on the process; tests/offline/test_plan.py
runs the real command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.run.stack_files.stack_config import copy_program
from offline.schemas.fetch import main as fetch_main
from tests.harness import PROJECT_DIR, PlanResult, plan, project_copy
from tests.schema_server import fill_cache, schema_server

NO_REFERENCE = {"AKS_CILIUM_REFERENCE": "/nonexistent"}


def validation_section(result: PlanResult) -> list[str]:
    return result.stdout.split("\nValidation: ", 1)[1].split("\n\n", 1)[0].splitlines()


def dev_copy(tmp_path: Path) -> Path:
    project = copy_program(PROJECT_DIR, tmp_path / "project")
    (project / "Pulumi.dev.yaml").write_bytes((PROJECT_DIR / "Pulumi.dev.yaml").read_bytes())
    return project


def test_schemas_of_exactly_the_stack_s_version_give_no_notice(tmp_path: Path) -> None:
    project = dev_copy(tmp_path)
    fill_cache(project / ".schemas" / "cilium", "1.20.0")
    result = plan("dev", tmp_path / "out", project=project, env=NO_REFERENCE)
    assert result.exit_code == 0, result.stderr
    assert validation_section(result) == [
        "Cilium 1.20.0, schemas from .schemas/cilium",
        "  ok    CiliumCIDRGroup/azure-imds (cilium.io/v2) against 1.20.0",
        "  ok    CiliumCIDRGroup/azure-internal-dns (cilium.io/v2) against 1.20.0",
        "  ok    Helm values of cilium (chart cilium 1.20.0) against 1.20.0",
        "Verdict: valid: all 3 checked",
    ]
    assert str(tmp_path) not in result.stdout.replace(str(tmp_path / "out"), "")  # only the --out folder given


def test_make_schemas_output_is_what_the_plan_reads(tmp_path: Path) -> None:
    project = dev_copy(tmp_path)
    with schema_server() as server:
        server.publish("1.20.0")
        assert fetch_main(["--project-dir", str(project), "--base-url", server.base_url]) == 0
    result = plan("dev", tmp_path / "out", project=project, env=NO_REFERENCE)
    assert "  ok    CiliumCIDRGroup/azure-imds (cilium.io/v2) against 1.20.0" in result.stdout
    assert "NOTICE" not in result.stdout


def test_the_cache_comes_before_the_reference_folder_and_a_stand_in_is_a_notice(tmp_path: Path) -> None:
    project = dev_copy(tmp_path)
    reference = fill_cache(tmp_path / "reference" / "cilium", "1.20.0", stand_in="v1.20-branchpoint-abc123")
    (reference / "README.md").write_text("# provenance\n", encoding="utf-8")
    env = {"AKS_CILIUM_REFERENCE": str(tmp_path / "reference")}

    stand_in = plan("dev", tmp_path / "out", project=project, env=env)
    section = validation_section(stand_in)
    assert section[0] == "Cilium 1.20.0, schemas from $AKS_CILIUM_REFERENCE/cilium"
    assert "  ok    CiliumCIDRGroup/azure-imds (cilium.io/v2) against v1.20 branch point abc123" in section
    assert section[-2:] == [
        "  NOTICE: stand-in schemas, not from exactly 1.20.0: CiliumCIDRGroup CRD and the Helm values schema from"
        " v1.20 branch point abc123 (how far they match: see $AKS_CILIUM_REFERENCE/cilium/README.md);"
        " `make schemas` fetches 1.20.0's own",
        "Verdict: valid: all 3 checked",
    ]

    fill_cache(project / ".schemas" / "cilium", "1.20.0")
    exact = plan("dev", tmp_path / "out", project=project, env=env)
    assert "  ok    CiliumCIDRGroup/azure-imds (cilium.io/v2) against 1.20.0" in exact.stdout
    assert "NOTICE" not in exact.stdout


def test_no_schemas_at_all_is_one_notice_naming_the_command_that_fixes_it(tmp_path: Path) -> None:
    result = plan("dev", tmp_path / "out", project=dev_copy(tmp_path), env=NO_REFERENCE)
    assert result.exit_code == 0, result.stderr
    assert validation_section(result) == [
        # A new user's first plan: only the folder `make schemas` fills, and the verdict names the command.
        "Cilium 1.20.0: no schemas for the 1.20 line in .schemas/cilium (not there yet; `make schemas` fills it)",
        "  NOTICE: NOT validated: CiliumCIDRGroup/azure-imds, CiliumCIDRGroup/azure-internal-dns,"
        " Helm values of cilium (chart cilium 1.20.0); run `make schemas` to fetch Cilium 1.20.0's schemas",
        "Verdict: NOT validated: 3 of 3; run `make schemas` to fetch Cilium 1.20.0's schemas",
    ]


def test_a_cilium_version_without_schemas_is_planned_with_a_notice(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.cilium-1-18.yaml")
    fill_cache(project / ".schemas" / "cilium", "1.20.0")
    result = plan("cilium-1-18", tmp_path / "out", project=project, env=NO_REFERENCE)
    assert result.exit_code == 0, result.stderr
    section = validation_section(result)
    assert section[0] == "Cilium 1.18.5: no schemas for the 1.18 line in .schemas/cilium"
    assert section[1].endswith("; run `make schemas` to fetch Cilium 1.18.5's schemas")
    assert (tmp_path / "out" / "kubernetes" / "ciliumcidrgroup-azure-imds.yaml").is_file()


def test_a_missing_schema_folder_is_a_notice_not_a_pass(tmp_path: Path) -> None:
    result = plan("dev", tmp_path / "out", env={"AKS_CILIUM_SCHEMAS": str(tmp_path / "nowhere")})
    assert result.exit_code == 0, result.stderr
    section = validation_section(result)
    assert section[0] == "Cilium 1.20.0: no schemas for the 1.20 line in $AKS_CILIUM_SCHEMAS (not there yet; `make schemas` fills it)"
    assert section[1].startswith("  NOTICE: NOT validated: CiliumCIDRGroup/azure-imds")
    assert "  ok    " not in result.stdout


def test_a_schemas_option_is_shown_as_given_with_its_own_fetch_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_DIR)  # the relative folder is the user's, from the project folder
    result = plan("dev", tmp_path / "out", "--schemas", "plan-out/no-such-folder")
    assert validation_section(result)[0] == "Cilium 1.20.0: no schemas for the 1.20 line in plan-out/no-such-folder (not there yet; `make schemas SCHEMAS_DIR=plan-out/no-such-folder` fills it)"
    assert "run `make schemas SCHEMAS_DIR=plan-out/no-such-folder` to fetch" in result.stdout


# --- failures -------------------------------------------------------------------------------


def test_a_custom_resource_that_breaks_the_crd_fails_naming_object_field_and_rule(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.bad-cidr-group.yaml", append_to_main="bad_custom_resource.py")
    fill_cache(project / ".schemas" / "cilium", "1.20.0")
    result = plan("bad-cidr-group", tmp_path / "out", project=project, env=NO_REFERENCE)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.splitlines() == [
        "plan: 2 schema violations:",
        "  CiliumCIDRGroup/corp-proxies: spec.description: unknown field (strict field validation);"
        " fields defined here: externalCIDRs [rule: additionalProperties: false]",
        '  CiliumCIDRGroup/corp-proxies: spec.externalCIDRs[0]: "203.0.113.7/24" is not a valid cidr:'
        " 203.0.113.7/24 has host bits set [rule: format: cidr]",
    ]
    assert "  FAIL  CiliumCIDRGroup/corp-proxies (cilium.io/v2) against 1.20.0" in result.stdout
    assert validation_section(result)[-1] == "Verdict: INVALID: 2 schema violations in 1 of 4"
    # Still written, so the reviewer can look at what failed.
    assert "203.0.113.7/24" in result.file("kubernetes/ciliumcidrgroup-corp-proxies.yaml")


def test_a_helm_value_that_breaks_the_chart_schema_fails(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.helm-typo.yaml")
    fill_cache(project / ".schemas" / "cilium", "1.20.0")
    result = plan("helm-typo", tmp_path / "out", project=project, env=NO_REFERENCE)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.splitlines() == [
        "plan: 1 schema violation:",
        "  helm values: operator.replicas: 'two' is not of type 'integer' [rule: type]",
    ]
