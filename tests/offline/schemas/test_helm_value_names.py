"""Unknown top-level Helm values, named with their config key (offline/schemas/helm_value_names.py)."""

from __future__ import annotations

from offline.schemas.helm_value_names import unknown_top_level_values


def test_unknown_top_level_helm_values_are_named_with_their_config_key_and_a_suggestion():
    assert unknown_top_level_values({"hubble": {}, "hubbel": {}, "zzz": 1}, ["hubble", "ipam"], "cilium") == [
        "helm values: hubbel: the cilium chart has no such value, so Helm would ignore aks-cilium:cilium.values.hubbel;"
        " did you mean 'hubble'? [rule: top-level properties of the chart's values.schema.json]",
        "helm values: zzz: the cilium chart has no such value, so Helm would ignore aks-cilium:cilium.values.zzz"
        " [rule: top-level properties of the chart's values.schema.json]",
    ]
