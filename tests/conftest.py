"""Suite-wide settings that change how fast the tests run, never what they check."""

from __future__ import annotations

import gc

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Move everything collection loaded out of the cyclic garbage collector's sight.

    Collection imports the Pulumi SDK (~850 modules) and the whole project: a few hundred
    thousand long-lived objects that every full collection would walk again, and each program
    run under the mock engine creates enough garbage to trigger many. That was over half the
    CPU time of a program test (docs/benchmarks.md, "Test suite"). `gc.freeze` keeps those
    objects as they are (they are never freed in a test process anyway); objects the tests
    create are still collected (https://docs.python.org/3/library/gc.html#gc.freeze).
    """
    gc.collect()
    gc.freeze()
