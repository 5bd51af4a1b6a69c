"""Verdicts, one check's result, and the exit code a run ends with (docs/verify.md#exit-codes)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class Verdict(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    """The cluster could not show the claim either way: no permission, no flows in the window."""
    SKIP = "skip"
    """The claim does not apply to this stack (e.g. no egress rule, no mesh) or was not asked for."""


@dataclass(frozen=True)
class CheckResult:
    check: str
    """Stable id, e.g. `cidr-group:azure-imds`: the JUnit test name and the key in --json."""
    title: str
    verdict: Verdict
    reason: str
    see: str
    """The command that shows the evidence, for a person to run."""


#: Something failed (or, with --strict, something was inconclusive).
EXIT_FAILED = 1
#: The command line or the stack's settings could not be used; nothing was checked.
EXIT_USAGE = 2
#: Nothing failed and nothing passed: every check that ran was inconclusive.
EXIT_ALL_INCONCLUSIVE = 3


def exit_code(results: Sequence[CheckResult], *, strict: bool = False) -> int:
    verdicts = [r.verdict for r in results]
    if Verdict.FAIL in verdicts or (strict and Verdict.INCONCLUSIVE in verdicts):
        return EXIT_FAILED
    ran = [v for v in verdicts if v is not Verdict.SKIP]
    if ran and all(v is Verdict.INCONCLUSIVE for v in ran):
        return EXIT_ALL_INCONCLUSIVE
    return 0
