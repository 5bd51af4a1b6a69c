"""`cilium_step_problem`: the one copy of Cilium's one-minor-at-a-time rule, which `pulumi up`
(components/deployed_guard.py) and the offline preview both apply."""

from __future__ import annotations

from typing import Optional

import pytest

from settings.cilium import CILIUM_UPGRADE_GUIDE, cilium_step_problem


@pytest.mark.parametrize(
    ("deployed", "wanted", "refused"),
    [
        ("1.19.6", "1.20.0", None),  # the next minor
        ("1.20.0", "1.20.3", None),  # a patch bump
        ("1.20.3", "1.20.3", None),  # unchanged
        ("v1.19.6", "1.20.0", None),  # a deployed state may write a leading 'v'
        ("1.19.6", "1.20.0-rc.1", None),  # a pre-release counts as its release, as version_in_state reads it
        ("1.20.0-rc.1", "1.20.0", None),
        ("1.18.4", "1.20.0", "skips a minor version"),
        ("1.18.4", "1.20.0-rc.1", "skips a minor version"),
        ("1.20.0", "2.0.0", "skips a minor version"),  # another major is never one step
        ("1.20.0", "1.19.6", "is a downgrade"),
        ("1.20.1", "1.20.0", "is a downgrade"),  # a patch back is a downgrade too
        ("not-a-version", "1.20.0", None),  # unreadable: not judged
    ],
)
def test_cilium_steps(deployed: str, wanted: str, refused: Optional[str]) -> None:
    problem = cilium_step_problem(deployed, wanted)
    if refused is None:
        assert problem is None
        return
    assert problem is not None
    assert refused in problem.message
    assert problem.path == "aks-cilium:cilium.version" and problem.value == wanted
    assert CILIUM_UPGRADE_GUIDE in problem.message


def test_a_skip_names_the_minor_to_deploy_first() -> None:
    problem = cilium_step_problem("1.18.4", "1.20.0")
    assert str(problem) == (
        "aks-cilium:cilium.version = '1.20.0': Cilium 1.18.4 -> 1.20.0 skips a minor version: Cilium upgrades one minor"
        f" version at a time, each after the pre-flight check ({CILIUM_UPGRADE_GUIDE}); deploy 1.19.x first"
    )
