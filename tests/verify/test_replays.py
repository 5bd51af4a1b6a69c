"""Every shipped replay folder, run end to end through `python -m verify`'s main, with its verdicts.

Each row names the folder, the stack, the options, the exit code and the verdict of the checks the
folder is about; every check has a passing row and a failing or inconclusive one.
"""

from __future__ import annotations

import json

import pytest

from tests.verify.conftest import EXPORTS, FIXTURES, PROJECT_DIR, SUFFIX
from verify.cli import main

PROBES = ["--probes", "--probe-suffix", SUFFIX]

CASES = [
    # folder, stack, extra args, exit code, {check: verdict}
    ("dev-pass", "dev", [], 0, {"nodes-ready": "pass", "cilium-agents": "pass", "ipam-cluster-pool": "pass", "hubble-relay": "pass",
                                "cidr-group:azure-imds": "pass", "cidr-group:azure-internal-dns": "pass", "flows:azure-imds": "pass",
                                "flows:azure-internal-dns": "pass", "policy": "skip", "egress": "skip", "probe:dns": "skip", "clustermesh": "skip"}),
    ("dev-probes", "dev", PROBES, 0, {"probe:dns": "pass", "probe:imds-open": "pass", "flows:azure-imds": "pass"}),
    ("prod-pass", "prod", [], 0, {"policy:aks-cilium-egress-azure-imds": "pass", "egress:azure-imds": "pass", "flows:azure-imds": "pass",
                                  "probe:imds-outside": "skip", "probe:imds-inside": "skip"}),
    ("prod-probes", "prod", PROBES, 0, {"probe:dns": "pass", "probe:imds-outside": "pass", "probe:imds-inside": "pass", "egress:azure-imds": "pass"}),
    ("fail-node-not-ready", "dev", [], 1, {"nodes-ready": "fail", "cilium-agents": "fail"}),
    ("fail-agent-missing", "dev", [], 1, {"nodes-ready": "pass", "cilium-agents": "fail"}),
    ("fail-ipam-pool", "dev", [], 1, {"ipam-cluster-pool": "fail"}),
    ("fail-relay-down", "dev", [], 1, {"hubble-relay": "fail"}),
    ("fail-relay-missing", "dev", [], 1, {"hubble-relay": "fail"}),
    ("fail-cidr-group-label", "dev", [], 1, {"cidr-group:azure-imds": "pass", "cidr-group:azure-internal-dns": "fail"}),
    ("fail-crd-missing", "dev", [], 1, {"cidr-group:azure-imds": "fail", "cidr-group:azure-internal-dns": "fail"}),
    ("fail-flows-world-only", "dev", [], 1, {"flows:azure-internal-dns": "fail", "flows:azure-imds": "pass"}),
    ("fail-policy-invalid", "prod", [], 1, {"policy:aks-cilium-egress-azure-imds": "fail"}),
    ("fail-imds-forwarded", "prod", [], 1, {"egress:azure-imds": "fail"}),
    ("fail-imds-answered", "prod", PROBES, 1, {"probe:imds-outside": "fail", "probe:imds-inside": "pass", "egress:azure-imds": "fail"}),
    ("fail-probe-cleanup", "prod", PROBES, 1, {"probe:imds-outside": "pass", f"probe-cleanup:default/aks-cilium-verify-imds-{SUFFIX}": "fail"}),
    ("prod-before-egress-rule", "prod", [], 1, {"policy:aks-cilium-egress-azure-imds": "fail", "egress:azure-imds": "fail"}),
    ("inconclusive-forbidden", "dev", [], 3, {"nodes-ready": "inconclusive", "cidr-group:azure-imds": "inconclusive", "flows:azure-imds": "inconclusive"}),
    ("inconclusive-no-flows", "dev", [], 0, {"flows:azure-imds": "inconclusive", "flows:azure-internal-dns": "inconclusive"}),
    ("inconclusive-hubble-typo", "dev", [], 0, {"flows:azure-internal-dns": "inconclusive"}),
    ("inconclusive-policy-unvalidated", "prod", [], 0, {"policy:aks-cilium-egress-azure-imds": "inconclusive"}),
    ("inconclusive-no-deny-seen", "prod", [], 0, {"egress:azure-imds": "inconclusive", "flows:azure-imds": "inconclusive"}),
    ("inconclusive-probe-not-created", "dev", PROBES, 0, {"probe:dns": "inconclusive", "probe:imds-open": "inconclusive"}),
]  # fmt: skip


def run(folder: str, stack: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    code = main([stack, "--project-dir", str(PROJECT_DIR), "--replay", str(FIXTURES / folder), "--json", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


@pytest.mark.parametrize(("folder", "stack", "args", "code", "verdicts"), CASES, ids=[c[0] for c in CASES])
def test_a_replay_folder_gives_its_verdicts_and_exit_code(folder, stack, args, code, verdicts, capsys):
    exit_code, report, stderr = run(folder, stack, args, capsys)
    found = {r["check"]: r["verdict"] for r in report["results"]}
    assert {check: found.get(check) for check in verdicts} == verdicts
    assert exit_code == code == report["exitCode"]
    assert "files no command asked for" not in stderr, stderr
    for r in report["results"]:
        assert r["reason"], f"{r['check']} has no reason"
        assert r["see"] or r["verdict"] == "skip", f"{r['check']} names no command to see it"


def test_every_shipped_folder_is_in_the_table_and_every_check_has_a_pass_and_a_non_pass():
    shipped = {p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "exports"}
    assert shipped == {c[0] for c in CASES}
    passing = {check.split(":")[0] for c in CASES for check, v in c[4].items() if v == "pass"}
    other = {check.split(":")[0] for c in CASES for check, v in c[4].items() if v in ("fail", "inconclusive")}
    kinds = {"nodes-ready", "cilium-agents", "ipam-cluster-pool", "hubble-relay", "cidr-group", "policy", "flows", "egress", "probe"}
    assert kinds <= passing and kinds <= other


def test_the_dev_and_prod_folders_pass_strictly(capsys):
    for folder, stack in (("dev-pass", "dev"), ("prod-pass", "prod")):
        assert run(folder, stack, ["--strict"], capsys)[0] == 0


def test_strict_turns_an_inconclusive_run_into_a_failure(capsys):
    assert run("inconclusive-no-flows", "dev", [], capsys)[0] == 0
    assert run("inconclusive-no-flows", "dev", ["--strict"], capsys)[0] == 1


def test_against_the_export_an_edit_not_applied_yet_is_not_a_failure(capsys):
    code, report, stderr = run("prod-before-egress-rule", "prod", ["--against", str(EXPORTS / "prod-before-egress-rule.json")], capsys)
    found = {r["check"]: r["verdict"] for r in report["results"]}
    assert code == 0
    assert found["policy"] == "skip" and found["egress"] == "skip"
    assert found["flows:azure-imds"] == "pass" and found["cidr-group:azure-imds"] == "pass"
    assert report["source"].endswith("prod-before-egress-rule.json")


def test_the_loud_imds_failure_is_repeated_under_the_table(capsys):
    code = main(["prod", "--project-dir", str(PROJECT_DIR), "--replay", str(FIXTURES / "fail-imds-answered"), *PROBES])
    table = capsys.readouterr().out
    assert code == 1
    assert table.rstrip().splitlines()[-1].startswith("!!! IMDS ANSWERED HTTP 200 TO A POD IN DEFAULT")


def test_a_stack_file_with_an_error_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text("name: aks-cilium\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aks-cilium:network: 12\n")
    code = main(["dev", "--project-dir", str(tmp_path), "--replay", str(FIXTURES / "dev-pass")])
    assert code == 2
    assert "Pulumi.dev.yaml" in capsys.readouterr().err
