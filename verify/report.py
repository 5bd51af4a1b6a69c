"""The run's results for people (a table), for scripts (--json) and for CI (--junit FILE).

JUnit has no "inconclusive": an inconclusive check is written as `<skipped>` whose message starts
with `inconclusive:`, or, under --strict, as `<failure type="inconclusive">`. A skip is
`<skipped message="skip: ...">`. Every test case's `<system-out>` holds the command to see it.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence

from verify.model import CheckResult, Verdict

WIDTH = 100


def summary(results: Sequence[CheckResult]) -> dict[str, int]:
    counts = Counter(r.verdict for r in results)
    return {v.value: counts.get(v, 0) for v in Verdict}


def table(results: Sequence[CheckResult], *, stack: str, source: str, code: int) -> str:
    lines = [f"aks-cilium verify: stack {stack}, promises read from {source}", ""]
    for r in results:
        head = f"{r.verdict.value.upper():<13} {r.check}"
        lines.append(head)
        body = textwrap.wrap(r.reason, WIDTH - 14) or [""]
        lines += [" " * 14 + line for line in body]
        if r.see:
            lines.append(" " * 14 + "see: " + r.see)
    counts = summary(results)
    lines += ["", ", ".join(f"{n} {v}" for v, n in counts.items()) + f"; exit {code}"]
    loud = [r for r in results if r.verdict is Verdict.FAIL and r.check.startswith("probe:imds-outside")]
    if loud:
        lines += ["", "!!! " + loud[0].reason + " !!!"]
    return "\n".join(lines) + "\n"


def as_json(results: Sequence[CheckResult], *, stack: str, source: str, code: int, strict: bool) -> str:
    return json.dumps(
        {
            "stack": stack,
            "source": source,
            "strict": strict,
            "exitCode": code,
            "summary": summary(results),
            "results": [
                {"check": r.check, "title": r.title, "verdict": r.verdict.value, "reason": r.reason, "see": r.see} for r in results
            ],
        },
        indent=2,
    )


def junit(results: Sequence[CheckResult], *, stack: str, strict: bool) -> str:
    failed = [r for r in results if r.verdict is Verdict.FAIL or (strict and r.verdict is Verdict.INCONCLUSIVE)]
    skipped = [r for r in results if r.verdict is Verdict.SKIP or (not strict and r.verdict is Verdict.INCONCLUSIVE)]
    suite = ET.Element(
        "testsuite",
        name=f"aks-cilium-verify.{stack}",
        tests=str(len(results)),
        failures=str(len(failed)),
        errors="0",
        skipped=str(len(skipped)),
    )
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"verify.{stack}", name=r.check)
        if r in failed:
            ET.SubElement(case, "failure", type=r.verdict.value, message=r.reason)
        elif r in skipped:
            ET.SubElement(case, "skipped", message=f"{r.verdict.value}: {r.reason}")
        ET.SubElement(case, "system-out").text = f"{r.title}\n{r.reason}\nsee: {r.see}"
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
