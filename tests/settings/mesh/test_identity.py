"""settings/mesh/identity.py: Cilium's cluster identity, the chart's rules the values schema lacks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings.mesh.identity import CiliumClusterSettings, cluster_identity_problems


@pytest.mark.parametrize("name", ["a", "weu-1", "x" * 32, "0-a-9"])
def test_cluster_names_the_chart_accepts(name: str) -> None:
    assert CiliumClusterSettings(name=name, id=1).name == name


@pytest.mark.parametrize("name", ["x" * 33, "Weu", "-weu", "weu-", "we_u", "we.u", ""])
def test_cluster_names_the_chart_refuses(name: str) -> None:
    with pytest.raises(ValidationError, match="at most 32 lower-case letters"):
        CiliumClusterSettings(name=name, id=1)


def test_missing_identity_names_both_keys_and_how_to_choose() -> None:
    problems = cluster_identity_problems(CiliumClusterSettings(), 255)
    assert [p.path for p in problems] == ["aks-cilium:cilium.cluster.name", "aks-cilium:cilium.cluster.id"]
    text = str(problems[1])
    assert "aks-cilium:cilium.cluster.name and aks-cilium:cilium.cluster.id" in text
    assert "unique among every cluster" in text and "pulumi config set --path 'aks-cilium:cilium.cluster.id' 1" in text


def test_default_name_is_refused() -> None:
    problems = cluster_identity_problems(CiliumClusterSettings(name="default", id=3), 255)
    assert [p.path for p in problems] == ["aks-cilium:cilium.cluster.name"]
    assert "id 0" in problems[0].message


@pytest.mark.parametrize(("cluster_id", "max_connected", "ok"), [(1, 255, True), (255, 255, True), (0, 255, False), (256, 255, False), (511, 511, True), (512, 511, False)])
def test_cluster_id_range_follows_max_connected_clusters(cluster_id: int, max_connected: int, ok: bool) -> None:
    problems = cluster_identity_problems(CiliumClusterSettings(name="weu", id=cluster_id), max_connected)
    assert (problems == []) is ok
    if not ok:
        assert problems[0].path == "aks-cilium:cilium.cluster.id" and problems[0].value == cluster_id
