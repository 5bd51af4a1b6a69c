"""`python -m offline.plan`, driven end to end as a user runs it: a fresh process per plan.

Each test reads the command's exit code, stdout, stderr and written files. Test-only stacks
live in tests/fixtures/plan and run from a temporary copy of the project (`--project-dir`),
so the project root only ever holds the real stacks.
"""

from __future__ import annotations

from graphlib import CycleError
from pathlib import Path

import pytest
import yaml

from components.cidr_groups import builtin_groups, cidr_group_manifest
from offline.run.engine import Registration
from offline.run.graph import build_graph
from offline.schemas.cache import CACHE_DIR
from tests.harness import PROJECT_DIR, PlanResult, assert_clean_failure, cilium_schemas, needs_schemas, project_copy, run_plan

# --- dev and prod -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    return run_plan("dev", tmp_path_factory.mktemp("dev") / "out")


@pytest.fixture(scope="module")
def prod_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    return run_plan("prod", tmp_path_factory.mktemp("prod") / "out")


def test_dev_plan_prints_the_resource_tree_with_the_inputs_that_matter(dev_plan: PlanResult) -> None:
    assert dev_plan.exit_code == 0, dev_plan.stderr
    out = dev_plan.stdout
    assert "Plan for stack 'dev' of project 'aks-cilium' (Pulumi.dev.yaml" in out
    assert "`- aks-cilium:platform:AksCiliumPlatform  aks-cilium" in out
    assert "|- aks-cilium:cluster:AksCluster  aks-cilium-cluster" in out
    assert "networkPlugin: none" in out and "podCidr: 10.244.0.0/16" in out
    assert "chart: cilium" in out and "version: 1.20.0" in out
    assert "clusterPoolIPv4PodCIDRList:" in out
    assert "spec: {externalCIDRs: [169.254.169.254/32]}" in out


def test_dev_plan_prints_outputs_with_secrets_masked(dev_plan: PlanResult) -> None:
    assert "  kubeconfig: [secret]" in dev_plan.stdout
    assert "  clusterName: aks-cilium-dev" in dev_plan.stdout
    # The kubeconfig (with its admin credentials) appears nowhere: not printed, not written.
    for text in [dev_plan.stdout, *(b.decode() for b in dev_plan.files().values())]:
        assert "fake-offline-token" not in text and "client-key-data" not in text


def test_dev_plan_prints_deploy_order_and_critical_path(dev_plan: PlanResult) -> None:
    out = dev_plan.stdout
    assert out.index("  1. wave 0  pulumi:providers:azure-native  aks-cilium-azure-native") < out.index("  2. wave 1  azure-native:resources:ResourceGroup")
    assert out.index("  2. wave 1  azure-native:resources:ResourceGroup") < out.index("azure-native:containerservice:ManagedCluster  aks-cilium-cluster-aks  ~8 min")
    assert "Critical path (~13.3 min): aks-cilium-rg -> " in out
    assert "-> aks-cilium-cluster-aks -> aks-cilium-k8s -> aks-cilium-cilium-release -> " in out


def test_dev_plan_writes_each_custom_resource_exactly_as_sent(dev_plan: PlanResult) -> None:
    for group in builtin_groups():
        written = yaml.safe_load(dev_plan.file(f"kubernetes/ciliumcidrgroup-{group.name}.yaml"))
        assert written == cidr_group_manifest(group, "cilium.io/v2")


def test_dev_plan_writes_the_cilium_helm_values(dev_plan: PlanResult) -> None:
    values = yaml.safe_load(dev_plan.file("helm/cilium-values.yaml"))
    assert values == {
        "aksbyocni": {"enabled": True},
        "cluster": {"name": "dev", "id": 1},  # explicit on every stack (docs/fleet.md)
        "hubble": {"relay": {"enabled": True}, "ui": {"enabled": True}},
        "ipam": {"operator": {"clusterPoolIPv4PodCIDRList": ["10.244.0.0/16"]}},
    }


def test_dev_plan_shows_the_explicit_cilium_cluster_identity(dev_plan: PlanResult) -> None:
    release = dev_plan.stdout.split("kubernetes:helm.sh/v3:Release", 1)[1].split("|- ", 1)[0]
    assert "cluster:\n" in release and "id: 1\n" in release and "name: dev\n" in release


def test_dev_plan_writes_the_deploy_graph_with_the_critical_path_marked(dev_plan: PlanResult) -> None:
    dot = dev_plan.file("graph.dot")
    assert dot.startswith("// Deploy graph of aks-cilium dev") and 'digraph "aks-cilium dev" {' in dot
    cluster_line = next(line for line in dot.splitlines() if "ManagedCluster\\naks-cilium-cluster-aks" in line)
    assert "#7 ManagedCluster" in cluster_line and 'color="red"' in cluster_line
    identity_line = next(line for line in dot.splitlines() if "aks-cilium-cluster-identity" in line)
    assert 'color="red"' not in identity_line  # off the critical path
    assert '[style="dashed", label="provider"' in dot
    assert dev_plan.file("plan.txt") == dev_plan.stdout


@needs_schemas("1.20.0")
def test_dev_plan_validates_against_cilium_1_20_schemas_naming_the_version_of_each(dev_plan: PlanResult) -> None:
    out = dev_plan.stdout
    schemas = cilium_schemas("1.20.0")
    line = next(line for line in out.splitlines() if line.startswith("Validation: "))
    assert line.startswith("Validation: Cilium 1.20.0, schemas from ")
    # Only folders that exist are named: the cache when `make schemas` has filled it.
    assert (".schemas/cilium" in line) == (PROJECT_DIR / CACHE_DIR).is_dir()
    against = schemas.source_for("CiliumCIDRGroup").label
    assert f"  ok    CiliumCIDRGroup/azure-imds (cilium.io/v2) against {against}" in out
    assert f"  ok    Helm values of cilium (chart cilium 1.20.0) against {schemas.helm_values_source.label}" in out
    # A notice only where a file is not from exactly 1.20.0, just above the verdict.
    notices = [line for line in out.splitlines() if "NOTICE" in line]
    if schemas.approximate:
        assert len(notices) == 1 and notices[0].startswith("  NOTICE: stand-in schemas, not from exactly 1.20.0: ")
    else:
        assert notices == []
    section = out.split("\nValidation: ")[1].split("\n\n")[0].splitlines()
    assert section[-1] == "Verdict: valid: all 3 checked"
    assert str(PROJECT_DIR.parent) not in out  # folders as configured, not the machine's paths


def test_prod_plan_shows_protection_private_access_and_its_policies(prod_plan: PlanResult) -> None:
    assert prod_plan.exit_code == 0, prod_plan.stderr
    out = prod_plan.stdout
    assert "disableLocalAccounts: true" in out
    assert "apiServerAccessProfile: {authorizedIPRanges: [203.0.113.0/24, 198.51.100.0/24]}" in out
    cluster_options = next(line for line in out.splitlines() if "ignoreChanges:" in line and "~8 min" in line)
    assert "protect" in cluster_options and "agentPoolProfiles[0].count" in cluster_options
    assert "agentPoolProfiles[1]" not in cluster_options, "only the inline pool is in agentPoolProfiles"
    pool_options = next(line for line in out.splitlines() if "ignoreChanges:" in line and "~4 min" in line)
    assert "protect" in pool_options and "ignoreChanges: count, orchestratorVersion" in pool_options
    assert "  kubeconfig: [secret]" in out


@needs_schemas("1.20.0")
def test_prod_plan_validates_every_custom_resource_it_writes(prod_plan: PlanResult) -> None:
    written = sorted((prod_plan.out_dir / "kubernetes").glob("*.yaml"))
    assert written, "prod sends no custom resources?"
    schemas = cilium_schemas("1.20.0")
    assert schemas is not None
    for path in written:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
        label = f"{manifest['kind']}/{manifest['metadata']['name']}"
        assert f"  ok    {label} ({manifest['apiVersion']})" in prod_plan.stdout
        assert schemas.validate_manifest(manifest) == []


def test_the_same_inputs_give_byte_identical_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_plan("prod", out)
    first_files = first.files()
    second = run_plan("prod", out)
    assert first.exit_code == second.exit_code == 0
    assert second.files() == first_files  # same bytes
    assert second.stdout == first.stdout


def test_a_rerun_removes_the_files_of_objects_no_longer_declared(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_plan("prod", out).exit_code == 0
    policy = "kubernetes/ciliumclusterwidenetworkpolicy-aks-cilium-egress-azure-imds.yaml"
    assert (out / policy).is_file()
    again = run_plan("dev", out)  # dev restricts no group: no policy
    assert again.exit_code == 0, again.stderr
    assert not (out / policy).exists()
    assert "kubernetes/ciliumcidrgroup-azure-imds.yaml" in again.files()


# --- bad input ------------------------------------------------------------------------------


def test_an_unknown_stack_fails_listing_the_stacks_found(tmp_path: Path) -> None:
    result = run_plan("staging", tmp_path / "out")
    assert_clean_failure(result)
    assert "unknown stack 'staging': there is no Pulumi.staging.yaml (stacks found: " in result.stderr
    assert "dev" in result.stderr and "prod" in result.stderr
    assert not (tmp_path / "out").exists()


def test_invalid_yaml_fails_naming_the_file_and_line(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.broken-yaml.yaml")
    result = run_plan("broken-yaml", tmp_path / "out", project_dir=project)
    assert_clean_failure(result)
    assert result.stderr.startswith("plan: Pulumi.broken-yaml.yaml: is not valid YAML at line ")


def test_a_stack_file_that_is_not_utf8_fails_naming_the_file(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.unknown-key.yaml")
    # Latin-1 bytes, as an editor with the wrong encoding writes them.
    (project / "Pulumi.latin1.yaml").write_bytes('config:\n  aks-cilium:tags:\n    owner: "Jörg"\n'.encode("latin-1"))
    result = run_plan("latin1", tmp_path / "out", project_dir=project)
    assert_clean_failure(result)
    assert result.stderr.strip() == "plan: Pulumi.latin1.yaml: cannot be read: not UTF-8 text (byte 0xf6 at offset 40)"


def test_a_config_error_fails_naming_the_file_and_key(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.unknown-key.yaml")
    result = run_plan("unknown-key", tmp_path / "out", project_dir=project)
    assert_clean_failure(result)
    assert "invalid stack configuration in Pulumi.unknown-key.yaml" in result.stderr
    assert "aks-cilium:cilium.versoin: unknown key; did you mean 'version'?" in result.stderr


def test_a_program_error_inside_an_output_is_one_clean_message(tmp_path: Path) -> None:
    project = project_copy(tmp_path, "Pulumi.bad-cidr-group.yaml", append_to_main="program_bug.py")
    result = run_plan("bad-cidr-group", tmp_path / "out", project_dir=project)
    assert_clean_failure(result)
    assert result.stderr.strip().splitlines() == [
        "plan: the program failed at __main__.py:" + result.stderr.split("__main__.py:")[1].split(":")[0] + ": ZeroDivisionError: division by zero"
    ]


# --- deploy graph -------------------------------------------------------------------------


def registration(name: str, *dependencies: str) -> Registration:
    urn = f"urn:pulumi:test::aks-cilium::azure-native:network:Subnet::{name}"
    prior = [f"urn:pulumi:test::aks-cilium::azure-native:network:Subnet::{d}" for d in dependencies]
    return Registration(urn, "azure-native:network:Subnet", name, True, "", prior, "", [], False, {})


def test_the_deploy_graph_orders_dependencies_first() -> None:
    graph = build_graph([registration("c", "b"), registration("a"), registration("b", "a")])
    assert [graph.nodes[u].name for u in graph.order] == ["a", "b", "c"]
    assert [graph.wave[u] for u in graph.order] == [0, 1, 2]


def test_a_dependency_cycle_is_an_error_that_names_the_cycle() -> None:
    with pytest.raises(CycleError, match=r"dependency cycle: .*::a -> .*::b -> .*::a|dependency cycle: .*::b -> .*::a -> .*::b"):
        build_graph([registration("a", "b"), registration("b", "a"), registration("c")])
