"""settings/mesh/member.py: one member's mesh section, its CA key, and the identity and mesh through load_settings."""

from __future__ import annotations

import base64
import ipaddress
import json

import pytest
from pydantic import ValidationError

from offline.run.stack_files.stack_config import read_stack_config
from settings.common.errors import ConfigError
from settings.mesh.member import (
    CA_KEY,
    MeshSettings,
    ca_key_problems,
    is_placeholder_certificate,
    managed_value_problems,
    mesh_problems,
    subnet_usable,
)
from settings.network import NetworkSettings
from settings.stack import load_settings
from tests.fleet_data import member_config
from tests.harness import DELETE, PROJECT_DIR, problems_for


def _network(index: int = 1) -> NetworkSettings:
    return NetworkSettings.model_validate(member_config("mesh-a", index)["aks-cilium:network"])


def _mesh(**changes) -> MeshSettings:
    return MeshSettings.model_validate({**member_config("mesh-a", 1)["aks-cilium:mesh"], **changes})


def test_max_connected_clusters_is_255_or_511() -> None:
    assert _mesh(maxConnectedClusters=511).max_connected_clusters == 511
    with pytest.raises(ValidationError, match="255 or 511"):
        _mesh(maxConnectedClusters=300)


def test_members_unique_and_at_least_two() -> None:
    with pytest.raises(ValidationError, match="more than once"):
        _mesh(members=["mesh-a", "mesh-a"])
    with pytest.raises(ValidationError, match="at least two"):
        _mesh(members=["mesh-a"])


def test_ca_cert_must_be_a_certificate_not_a_key() -> None:
    with pytest.raises(ValidationError, match="not its key"):
        _mesh(caCert="-----BEGIN PRIVATE KEY-----\nMIIBabc=\n-----END PRIVATE KEY-----")
    with pytest.raises(ValidationError, match="must decode to DER"):
        _mesh(caCert="-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----")


def test_placeholder_certificate_is_accepted_but_recognised() -> None:
    placeholder = "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(b"PLACEHOLDER: the fleet CA").decode() + "\n-----END CERTIFICATE-----"
    assert is_placeholder_certificate(_mesh(caCert=placeholder).ca_cert)
    assert not is_placeholder_certificate(_mesh().ca_cert)


def test_clean_member_has_no_problems() -> None:
    assert mesh_problems(_mesh(), _network(), "mesh-a") == []


def test_member_must_list_itself() -> None:
    problems = mesh_problems(_mesh(members=["mesh-b", "mesh-c"]), _network(), "mesh-a")
    assert [p.path for p in problems] == ["aks-cilium:mesh.members"]


def test_api_server_ip_must_be_in_the_ilb_subnet() -> None:
    problems = mesh_problems(_mesh(apiServerIp="10.40.0.20"), _network(), "mesh-a")
    assert [p.path for p in problems] == ["aks-cilium:mesh.apiServerIp"]
    assert "aks-cilium:mesh.ilbSubnetCidr = '10.40.255.0/28'" in problems[0].message


def test_without_ilb_subnet_the_ip_is_in_the_node_subnet() -> None:
    mesh = _mesh(ilbSubnetCidr=None, apiServerIp="10.40.3.250")
    assert mesh_problems(mesh, _network(), "mesh-a") == []
    problems = mesh_problems(_mesh(ilbSubnetCidr=None), _network(), "mesh-a")
    assert "aks-cilium:network.nodeSubnetCidr" in problems[0].message


@pytest.mark.parametrize("ip", ["10.40.255.0", "10.40.255.1", "10.40.255.2", "10.40.255.3", "10.40.255.15"])
def test_azure_reserved_addresses_are_refused(ip: str) -> None:
    problems = mesh_problems(_mesh(apiServerIp=ip), _network(), "mesh-a")
    assert [p.path for p in problems] == ["aks-cilium:mesh.apiServerIp"]
    assert "five addresses Azure keeps" in problems[0].message and "10.40.255.4" in problems[0].hint


def test_subnet_usable_bounds() -> None:
    subnet = ipaddress.ip_network("10.0.0.0/29")
    assert [str(a) for a in subnet if subnet_usable(subnet, a)] == ["10.0.0.4", "10.0.0.5", "10.0.0.6"]


def test_ilb_subnet_inside_vnet_apart_from_nodes_and_big_enough() -> None:
    outside = mesh_problems(_mesh(ilbSubnetCidr="10.99.0.0/28", apiServerIp="10.99.0.4"), _network(), "mesh-a")
    assert "must lie inside aks-cilium:network.vnetCidr" in outside[0].message
    nodes = mesh_problems(_mesh(ilbSubnetCidr="10.40.0.0/28", apiServerIp="10.40.0.4"), _network(), "mesh-a")
    assert "overlaps aks-cilium:network.nodeSubnetCidr" in nodes[0].message
    tiny = mesh_problems(_mesh(ilbSubnetCidr="10.40.255.0/30", apiServerIp="10.40.255.4"), _network(), "mesh-a")
    assert any("smallest subnet is a /29" in p.message for p in tiny)


def test_extra_values_may_not_touch_identity_mesh_or_ca() -> None:
    flat = {"cluster.name": "x", "clustermesh.useAPIServer": False, "tls.ca.key": "k", "tls.secretsNamespace.name": "ok", "clusterHealthPort": 1}
    assert [p.path for p in managed_value_problems(flat)] == [
        "aks-cilium:cilium.values.cluster.name",
        "aks-cilium:cilium.values.clustermesh.useAPIServer",
        "aks-cilium:cilium.values.tls.ca.key",
    ]


def test_ca_key_secret_exactly_for_members_and_never_shown() -> None:
    secret_value = "-----BEGIN EC PRIVATE KEY-----not-a-real-key"
    assert ca_key_problems({CA_KEY: secret_value}, {CA_KEY}, mesh_set=True) == []
    plain = ca_key_problems({CA_KEY: secret_value}, set(), mesh_set=True)
    assert "must be a secret" in str(plain[0]) and "--secret" in str(plain[0])
    missing = ca_key_problems({}, set(), mesh_set=True)
    assert "required for a mesh member" in str(missing[0])
    stray = ca_key_problems({CA_KEY: secret_value}, {CA_KEY}, mesh_set=False)
    assert "only mesh members" in str(stray[0])
    assert ca_key_problems({}, set(), mesh_set=False) == []
    for problem in plain + stray:
        assert "not-a-real-key" not in str(problem)


# --- through load_settings: the real stack files ------------------------------------------


def test_a_stack_without_identity_is_refused_naming_both_keys() -> None:
    problems = problems_for({"aks-cilium:cilium": {"cluster": DELETE}})
    assert [p.split(":")[1].split(" ")[0] for p in problems] == ["cilium.cluster.name", "cilium.cluster.id"]
    assert "pulumi config set --path 'aks-cilium:cilium.cluster.id' 1" in problems[1]


def test_cilium_values_may_not_set_the_identity() -> None:
    problems = problems_for({"aks-cilium:cilium": {"values": {"cluster": {"id": 9}}}})
    assert problems == ["aks-cilium:cilium.values.cluster.id: is set by the stack (set from aks-cilium:cilium.cluster.id); remove it"]


def _mesh_settings(raw_changes: dict, secret_keys=(CA_KEY,)):
    config = read_stack_config(PROJECT_DIR, "mesh-weu")
    raw = {**config.raw, **raw_changes}
    return load_settings({k: v for k, v in raw.items() if v is not None}, project=config.project, stack="mesh-weu", secret_keys=secret_keys)


def test_the_example_member_loads_with_its_peer_and_its_ca_key_secret() -> None:
    settings = _mesh_settings({})
    assert [p.stack for p in settings.peers] == ["mesh-neu"]
    # Offline the CLI's placeholder stands for the decrypted key; pydantic never shows it.
    assert settings.mesh_ca_key is not None and settings.mesh_ca_key.get_secret_value() == "[secret]"
    assert "[secret]" not in repr(settings.mesh_ca_key)
    assert [p.path for p in settings.placeholders] == ["aks-cilium:mesh.caCert"]


def test_the_ca_key_must_be_secret_and_set() -> None:
    with pytest.raises(ConfigError) as plain:
        _mesh_settings({CA_KEY: "-----BEGIN EC PRIVATE KEY-----leak"}, secret_keys=())
    assert "must be a secret" in str(plain.value) and "leak" not in str(plain.value)
    with pytest.raises(ConfigError) as missing:
        _mesh_settings({CA_KEY: None})
    assert "aks-cilium:meshCaKey: required for a mesh member" in str(missing.value)


def test_any_other_secret_key_is_still_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        _mesh_settings({"aks-cilium:tags": '{"a": "b"}'}, secret_keys=(CA_KEY, "aks-cilium:tags"))
    assert "aks-cilium:tags" in str(caught.value) and "meshCaKey" not in str(caught.value)


def test_a_missing_peer_file_is_a_config_error_naming_file_and_key(tmp_path) -> None:
    config = read_stack_config(PROJECT_DIR, "mesh-weu")
    mesh = json.loads(config.raw["aks-cilium:mesh"])
    mesh["members"] = ["mesh-weu", "mesh-gone"]
    with pytest.raises(ConfigError) as caught:
        load_settings({**config.raw, "aks-cilium:mesh": json.dumps(mesh)}, project=config.project, stack="mesh-weu", secret_keys=(CA_KEY,))
    assert "Pulumi.mesh-gone.yaml: does not exist beside Pulumi.yaml" in str(caught.value)
    assert "(a peer named in aks-cilium:mesh.members)" in str(caught.value)


def test_a_pair_rule_runs_at_load_for_the_pairs_of_this_member() -> None:
    with pytest.raises(ConfigError) as caught:
        _mesh_settings({"aks-cilium:cilium": json.dumps({"version": "1.20.0", "cluster": {"name": "mesh-neu", "id": 11}})})
    assert "Pulumi.mesh-weu.yaml and Pulumi.mesh-neu.yaml: aks-cilium:cilium.cluster.name = 'mesh-neu': both members use this Cilium cluster name" in str(caught.value)
