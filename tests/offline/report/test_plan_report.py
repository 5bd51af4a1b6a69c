"""offline/report/plan_report.py on small hand-made runs: what the plan text shows and in which
order, without running the program (tests/offline/test_plan.py reads whole plans of dev and prod)."""

from __future__ import annotations

from pathlib import Path

from offline.report.plan_report import FLOW_WIDTH, PlanHeader, render_plan
from offline.run import ProgramRun, Registration, StackConfig, StackOutput, Validation, build_graph

STACK = "urn:pulumi:test::aks-cilium::"
POOL = "azure-native:containerservice:AgentPool"
GROUP = "azure-native:resources:ResourceGroup"


def registration(type_: str, name: str, inputs: dict, *, parent: str = "", after: tuple[str, ...] = (), custom: bool = True, **options) -> Registration:
    return Registration(f"{STACK}{type_}::{name}", type_, name, custom, parent, list(after), "", options.get("ignore", []), options.get("protect", False), inputs)


def render(registrations: list[Registration], outputs: dict[str, StackOutput] | None = None, validation: Validation | None = None) -> str:
    config = StackConfig("aks-cilium", "test", Path("Pulumi.test.yaml"), {}, ())
    run = ProgramRun(config, registrations, outputs or {})
    return render_plan(PlanHeader("aks-cilium", "test", "Pulumi.test.yaml"), run, build_graph(registrations), validation or Validation("none"), "out", ["plan.txt"])


def test_a_type_with_key_inputs_shows_only_those_and_one_without_shows_every_input() -> None:
    group = registration(GROUP, "rg", {"resourceGroupName": "rg", "location": "westeurope", "unshown": "x"})
    pool = registration(POOL, "apps", {"agentPoolName": "apps", "count": 3, "vmSize": "Standard_D4ds_v5"}, after=(group.urn,))
    text = render([group, pool])
    assert "resourceGroupName: rg" in text and "location: westeurope" in text and "unshown" not in text
    assert "agentPoolName: apps" in text and "count: 3" in text and "vmSize: Standard_D4ds_v5" in text


def test_a_value_that_fits_is_one_flow_line_and_a_longer_one_is_block_yaml() -> None:
    short = registration(GROUP, "short", {"resourceGroupName": "short", "tags": {"env": "dev"}})
    long_tags = {f"key{i}": "v" * 10 for i in range(8)}
    long = registration(GROUP, "long", {"resourceGroupName": "long", "tags": long_tags})
    lines = render([short, long]).splitlines()
    assert any(line.endswith(" tags: {env: dev}") for line in lines)
    assert len("tags: " + str(long_tags)) > FLOW_WIDTH
    block = next(i for i, line in enumerate(lines) if line.endswith(" tags:"))
    assert [line.rsplit("  ", 1)[-1] for line in lines[block + 1 : block + 9]] == [f"key{i}: vvvvvvvvvv" for i in range(8)]


def test_options_show_order_protection_ignored_changes_and_minutes() -> None:
    group = registration(GROUP, "rg", {"resourceGroupName": "rg"}, protect=True)
    pool = registration(POOL, "apps", {"agentPoolName": "apps"}, after=(group.urn,), ignore=["orchestratorVersion", "count"])
    text = render([group, pool])
    assert "(protect; ~0.2 min)" in text
    assert "(after: rg; ignoreChanges: count, orchestratorVersion; ~4 min)" in text
    assert "Critical path (~4.2 min): rg -> apps" in text


def test_secret_outputs_are_masked_and_others_shown_as_flow_yaml() -> None:
    outputs = {"kubeconfig": StackOutput("apiVersion: v1\nusers: [token]", True), "groups": StackOutput(["azure-imds"], False)}
    text = render([registration(GROUP, "rg", {"resourceGroupName": "rg"})], outputs)
    assert "  kubeconfig: [secret]" in text and "token" not in text
    assert "  groups: [azure-imds]" in text


def test_a_component_sorts_where_its_first_resource_deploys_and_warnings_come_first() -> None:
    late = registration("aks-cilium:test:Late", "late", {}, custom=False)
    early = registration("aks-cilium:test:Early", "early", {}, custom=False)
    group = registration(GROUP, "rg", {"resourceGroupName": "rg"}, parent=early.urn)
    pool = registration(POOL, "apps", {"agentPoolName": "apps"}, parent=late.urn, after=(group.urn,))
    config = StackConfig("aks-cilium", "test", Path("Pulumi.test.yaml"), {}, ())
    run = ProgramRun(config, [late, early, pool, group], {}, [("warning", "PLACEHOLDERS in Pulumi.test.yaml")])
    text = render_plan(PlanHeader("aks-cilium", "test", "Pulumi.test.yaml"), run, build_graph(run.registrations), Validation("none"), "out", [])
    assert text.splitlines()[2] == "WARNING: PLACEHOLDERS in Pulumi.test.yaml"
    assert text.index("aks-cilium:test:Early  early") < text.index("aks-cilium:test:Late  late")
    assert "Resources (2 resources in 2 components; [n] = deploy step):" in text


def test_validation_lists_each_check_then_notices_then_the_verdict() -> None:
    validation = Validation("Cilium 1.20.0", [("CiliumCIDRGroup/a", []), ("CiliumCIDRGroup/b", ["spec: bad [rule: x]"])], ["stand-in schemas"])
    text = render([registration(GROUP, "rg", {"resourceGroupName": "rg"})], validation=validation)
    section = text.split("Validation: ", 1)[1].split("\n\n", 1)[0].splitlines()
    assert section[:5] == ["Cilium 1.20.0", "  ok    CiliumCIDRGroup/a", "  FAIL  CiliumCIDRGroup/b", "        spec: bad [rule: x]", "  NOTICE: stand-in schemas"]
    assert section[5].startswith("Verdict: INVALID")
