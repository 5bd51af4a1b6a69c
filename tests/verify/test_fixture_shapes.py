"""The replay folders' Cilium objects against Cilium's own CRDs (../shared/reference/cilium).

Fixtures written from the formats only prove the parser agrees with itself; these hold the
CiliumCIDRGroup and CiliumClusterwideNetworkPolicy objects to the upstream schemas, the same way
the offline plan validates what the stack sends.
"""

from __future__ import annotations

import copy
import json
import os

import pytest

from offline.schemas.schema_set import SchemaSet
from tests.verify.conftest import CILIUM_REFERENCE, FIXTURES


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    found = SchemaSet.for_version([CILIUM_REFERENCE], "1.20.0") if CILIUM_REFERENCE.is_dir() else None
    if found is None:
        why = f"no Cilium 1.20 CRDs in {CILIUM_REFERENCE}; set AKS_CILIUM_REFERENCE to the shared reference folder"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    return found


def cilium_objects():
    for path in sorted(FIXTURES.glob("*/kubectl-get-c*.out")):
        doc = json.loads(path.read_text())
        for item in doc.get("items", []):
            if item.get("kind") in ("CiliumCIDRGroup", "CiliumClusterwideNetworkPolicy"):
                yield f"{path.parent.name}/{path.name}", item


def test_every_cidr_group_and_policy_in_the_replays_is_valid_for_its_crd(schemas):
    checked = 0
    for where, item in cilium_objects():
        assert schemas.covers(item["kind"])
        assert schemas.validate_manifest(item) == [], where
        checked += 1
    assert checked >= 40


def test_the_crd_check_would_catch_a_wrong_shape(schemas):
    _, item = next(o for o in cilium_objects() if o[1]["kind"] == "CiliumCIDRGroup")
    broken = copy.deepcopy(item)
    broken["spec"]["externalCIDRs"] = "169.254.169.254/32"
    assert schemas.validate_manifest(broken)
