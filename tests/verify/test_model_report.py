"""Exit codes, the table, --json and JUnit: how each verdict comes out."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from verify import report
from verify.model import EXIT_ALL_INCONCLUSIVE, EXIT_FAILED, CheckResult, Verdict, exit_code


def r(verdict: Verdict, check: str = "c") -> CheckResult:
    return CheckResult(check, "title", verdict, f"because {verdict.value}", "kubectl get x")


@pytest.mark.parametrize(
    ("verdicts", "strict", "code"),
    [
        ([Verdict.PASS, Verdict.SKIP], False, 0),
        ([Verdict.PASS, Verdict.INCONCLUSIVE], False, 0),
        ([Verdict.PASS, Verdict.INCONCLUSIVE], True, EXIT_FAILED),
        ([Verdict.INCONCLUSIVE, Verdict.SKIP], False, EXIT_ALL_INCONCLUSIVE),
        ([Verdict.INCONCLUSIVE, Verdict.SKIP], True, EXIT_FAILED),
        ([Verdict.FAIL, Verdict.INCONCLUSIVE], False, EXIT_FAILED),
        ([Verdict.SKIP], False, 0),
    ],
)
def test_exit_codes(verdicts, strict, code):
    assert exit_code([r(v) for v in verdicts], strict=strict) == code


def cases(xml: str) -> dict[str, ET.Element]:
    return {c.get("name"): c for c in ET.fromstring(xml).iter("testcase")}


def test_junit_maps_inconclusive_to_skipped_and_under_strict_to_failure():
    results = [r(Verdict.PASS, "a"), r(Verdict.FAIL, "b"), r(Verdict.INCONCLUSIVE, "c"), r(Verdict.SKIP, "d")]
    loose = cases(report.junit(results, stack="dev", strict=False))
    assert loose["a"].find("failure") is None and loose["a"].find("skipped") is None
    assert loose["b"].find("failure").get("message") == "because fail"
    assert loose["c"].find("skipped").get("message") == "inconclusive: because inconclusive"
    assert loose["d"].find("skipped").get("message") == "skip: because skip"
    assert "see: kubectl get x" in loose["b"].find("system-out").text
    strict = cases(report.junit(results, stack="dev", strict=True))
    assert strict["c"].find("failure").get("type") == "inconclusive"
    suite = ET.fromstring(report.junit(results, stack="dev", strict=True)).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")


def test_json_carries_every_result_and_the_exit_code():
    doc = json.loads(report.as_json([r(Verdict.FAIL, "b")], stack="prod", source="Pulumi.prod.yaml", code=1, strict=False))
    assert doc["exitCode"] == 1 and doc["summary"]["fail"] == 1
    assert doc["results"] == [{"check": "b", "title": "title", "verdict": "fail", "reason": "because fail", "see": "kubectl get x"}]


def test_the_table_names_the_verdict_reason_and_command():
    text = report.table([r(Verdict.INCONCLUSIVE, "flows:x")], stack="dev", source="Pulumi.dev.yaml", code=3)
    assert "INCONCLUSIVE  flows:x" in text and "because inconclusive" in text and "see: kubectl get x" in text
    assert text.rstrip().endswith("0 pass, 0 fail, 1 inconclusive, 0 skip; exit 3")
