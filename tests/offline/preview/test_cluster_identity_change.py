"""offline/preview/change_checks.py `_cluster_identity`: the preview refuses a changed Cilium cluster identity."""

from __future__ import annotations

import pytest

from offline.preview.change_checks import change_problems
from offline.preview.state.state_format import secret_object
from offline.run import HELM_RELEASE_TYPE
from tests.offline.preview.changes import compute, deployed, registration


def _release(values: dict) -> dict:
    return {"chart": "cilium", "version": "1.20.0", "name": "cilium", "values": values}


def _problems(old_values: dict, new_values: dict) -> list[str]:
    old = deployed(HELM_RELEASE_TYPE, "cilium", _release(old_values))
    new = registration(HELM_RELEASE_TYPE, "cilium", _release(new_values))
    return [str(p) for p in change_problems(compute([old], [new]))]


IDENTITY = {"cluster": {"name": "weu-1", "id": 1}}


def test_unchanged_identity_passes() -> None:
    assert _problems(IDENTITY, {**IDENTITY, "hubble": {"enabled": True}}) == []


@pytest.mark.parametrize(("new", "path"), [({"cluster": {"name": "weu-2", "id": 1}}, "cluster.name"), ({"cluster": {"name": "weu-1", "id": 7}}, "cluster.id")])
def test_changed_name_or_id_is_refused(new: dict, path: str) -> None:
    (problem,) = _problems(IDENTITY, new)
    assert f"Cilium {path}" in problem and "fixed for the cluster's life" in problem


def test_removing_the_identity_is_a_change_back_to_the_defaults() -> None:
    (problem,) = _problems(IDENTITY, {})
    assert "Cilium cluster.name 'weu-1' -> 'default'" in problem


def test_the_one_time_move_from_the_chart_defaults_is_allowed() -> None:
    assert _problems({}, IDENTITY) == []
    assert _problems({"cluster": {"name": "default", "id": 0}}, IDENTITY) == []


def test_max_connected_clusters_never_changes() -> None:
    (problem,) = _problems(IDENTITY, {**IDENTITY, "clustermesh": {"maxConnectedClusters": 511}})
    assert "clustermesh.maxConnectedClusters '255' -> '511'" in problem


def test_secret_values_cannot_be_compared() -> None:
    old = deployed(HELM_RELEASE_TYPE, "cilium", {**_release({}), "values": secret_object()})
    assert change_problems(compute([old], [registration(HELM_RELEASE_TYPE, "cilium", _release(IDENTITY))])) == []


def test_other_charts_are_not_checked() -> None:
    old = deployed(HELM_RELEASE_TYPE, "cilium", {**_release(IDENTITY), "chart": "other"})
    assert change_problems(compute([old], [registration(HELM_RELEASE_TYPE, "cilium", {**_release({}), "chart": "other"})])) == []
