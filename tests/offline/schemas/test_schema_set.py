"""offline.schemas.schema_set: picking the schema files for a Cilium version, and validating as the API server does."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from offline.schemas.schema_set import SchemaSet, parse_schema_file_name
from tests.harness import cilium_schemas, needs_schemas

needs_1_20 = needs_schemas("1.20.0")

CIDR_GROUP = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumCIDRGroup",
    "metadata": {"name": "corp-proxies", "labels": {"k8s-app": "corp-proxies"}},
    "spec": {"externalCIDRs": ["203.0.113.0/24", "2001:db8::/32"]},
}

IMDS_POLICY = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumClusterwideNetworkPolicy",
    "metadata": {"name": "deny-imds"},
    "spec": {
        "endpointSelector": {"matchExpressions": [{"key": "k8s:io.kubernetes.pod.namespace", "operator": "NotIn", "values": ["kube-system"]}]},
        "enableDefaultDeny": {"egress": False, "ingress": False},
        "egressDeny": [{"toCIDRSet": [{"cidrGroupRef": "azure-imds"}], "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}]}]}],
    },
}


def with_change(manifest: dict, path: str, value: object) -> dict:
    """A copy of `manifest` with the dotted `path` (list indexes as numbers) set to `value`."""
    changed = copy.deepcopy(manifest)
    *parents, last = path.split(".")
    target = changed
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return changed


@pytest.fixture(scope="module")
def cilium_1_20() -> SchemaSet:
    schemas = cilium_schemas("1.20.0")
    if schemas is None:
        pytest.skip(needs_1_20.kwargs["reason"])
    return schemas


# --- choosing files ---------------------------------------------------------------------


def test_schema_file_names_carry_the_release_they_come_from() -> None:
    release = parse_schema_file_name(Path("ciliumcidrgroups-v1.19.4.yaml"))
    branch = parse_schema_file_name(Path("ciliumcidrgroups-v1.20-branchpoint-3ab8efdd3b.yaml"))
    assert release and (release.stem, release.line, release.patch) == ("ciliumcidrgroups", (1, 19), 4)
    assert branch and (branch.line, branch.patch, branch.commit) == ((1, 20), None, "3ab8efdd3b")
    assert parse_schema_file_name(Path("README.md")) is None


@pytest.fixture
def schema_names(tmp_path: Path) -> Path:
    # Only names matter for choosing: files are read when a kind is first validated.
    for name in (
        "ciliumcidrgroups-v1.19.2.yaml",
        "ciliumcidrgroups-v1.19.6.yaml",
        "ciliumcidrgroups-v1.20-branchpoint-abc123.yaml",
        "ciliumcidrgroups-v1.20.1.yaml",
        "cilium-helm-values.schema-v1.20.0.json",
        "README.md",
    ):
        (tmp_path / name).write_text("", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("version", "chosen"),
    [
        ("1.20.1", "ciliumcidrgroups-v1.20.1.yaml"),  # the exact release wins
        ("1.20.0", "ciliumcidrgroups-v1.20-branchpoint-abc123.yaml"),  # then the line's branch point
        ("1.20.7", "ciliumcidrgroups-v1.20-branchpoint-abc123.yaml"),
        ("1.19.5", "ciliumcidrgroups-v1.19.6.yaml"),  # then the nearest patch of the line
        ("1.19.3", "ciliumcidrgroups-v1.19.2.yaml"),
    ],
)
def test_the_schema_of_the_same_minor_line_stands_for_a_version(schema_names: Path, version: str, chosen: str) -> None:
    schemas = SchemaSet.for_version(schema_names, version)
    assert schemas is not None
    assert [s.path.name for s in schemas.crd_sources] == [chosen]


def test_a_cilium_version_may_start_with_v(schema_names: Path) -> None:
    schemas = SchemaSet.for_version(schema_names, "v1.20.1")
    assert schemas is not None and [s.path.name for s in schemas.crd_sources] == ["ciliumcidrgroups-v1.20.1.yaml"]


@pytest.mark.parametrize("version", ["1.20", "1.20.0-rc.1", "latest"])
def test_a_cilium_version_that_is_not_a_release_is_refused(schema_names: Path, version: str) -> None:
    with pytest.raises(ValueError, match=rf"Cilium version '{re.escape(version)}' must be a release version MAJOR.MINOR.PATCH"):
        SchemaSet.for_version(schema_names, version)


def test_no_schema_set_for_a_version_line_without_files(schema_names: Path) -> None:
    assert SchemaSet.for_version(schema_names, "1.18.3") is None
    assert SchemaSet.for_version(schema_names / "missing", "1.20.0") is None


def test_exactness_is_reported(schema_names: Path) -> None:
    assert SchemaSet.for_version(schema_names, "1.20.1").approximate is True  # helm values are 1.20.0
    assert SchemaSet.for_version(schema_names, "1.19.6").approximate is False


def test_helm_values_are_not_validated_without_a_values_schema(schema_names: Path) -> None:
    assert SchemaSet.for_version(schema_names, "1.19.6").validate_helm_values({"debug": {"enabled": True}}) is None


# --- custom resources ---------------------------------------------------------------------


@needs_1_20
def test_a_valid_cidr_group_has_no_errors(cilium_1_20: SchemaSet) -> None:
    assert cilium_1_20.validate_manifest(CIDR_GROUP) == []


@needs_1_20
@pytest.mark.parametrize(
    ("cidr", "why"),
    [
        ("10.0.0.1/8", "host bits set"),
        ("10.0.0.0", "needs a prefix length"),
        ("300.0.0.0/8", "does not appear to be an IPv4 or IPv6 network"),
        ("10.0.0.0/33", "does not appear to be an IPv4 or IPv6 network"),
    ],
)
def test_format_cidr_is_checked(cilium_1_20: SchemaSet, cidr: str, why: str) -> None:
    errors = cilium_1_20.validate_manifest(with_change(CIDR_GROUP, "spec.externalCIDRs.1", cidr))
    assert len(errors) == 1
    assert errors[0].startswith("CiliumCIDRGroup/corp-proxies: spec.externalCIDRs[1]: ")
    assert why in errors[0] and "[rule: format: cidr]" in errors[0]


@needs_1_20
def test_a_field_the_crd_does_not_define_is_an_error(cilium_1_20: SchemaSet) -> None:
    errors = cilium_1_20.validate_manifest(with_change(CIDR_GROUP, "spec.externalCidrs", ["10.0.0.0/8"]))
    assert errors == [
        "CiliumCIDRGroup/corp-proxies: spec.externalCidrs: unknown field (strict field validation);"
        " fields defined here: externalCIDRs [rule: additionalProperties: false]"
    ]


@needs_1_20
def test_a_required_field_is_named_when_missing(cilium_1_20: SchemaSet) -> None:
    errors = cilium_1_20.validate_manifest(with_change(CIDR_GROUP, "spec", {}))
    assert errors == ["CiliumCIDRGroup/corp-proxies: spec.externalCIDRs: required field is missing [rule: required]"]


@needs_1_20
@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        ("metadata.name", "Corp_Proxies", "metadata.name: \"Corp_Proxies\" is not a DNS-1123 subdomain"),
        ("metadata.labels", {"bad key!": "x"}, 'metadata.labels["bad key!"]: key \'bad key!\''),
        ("metadata.labels", {"team": "-x"}, "metadata.labels.team: '-x' is not a valid label value: at most 63"),
        ("metadata.namespace", "default", "metadata.namespace: not allowed: the kind is cluster-scoped"),
        ("metadata.lables", {"a": "b"}, "metadata.lables: unknown field"),
        ("metadata.annotations", {"note": 1}, "metadata.annotations.note: 1 must be a string [rule: annotation value]"),
        ("metadata.annotations", {"Example.COM/Note": "x", "/note": "x"}, 'metadata.annotations["/note"]: key \'/note\' has an invalid prefix \'\''),
    ],
)
def test_metadata_is_validated_as_object_meta(cilium_1_20: SchemaSet, path: str, value: object, error: str) -> None:
    errors = cilium_1_20.validate_manifest(with_change(CIDR_GROUP, path, value))
    assert any(error in e for e in errors), errors


@needs_1_20
@pytest.mark.parametrize("key", ["/team", "UPPER.example.com/team", "example.com/-team", "example.com/"])
def test_a_label_key_with_an_empty_or_invalid_prefix_or_name_is_refused(cilium_1_20: SchemaSet, key: str) -> None:
    errors = cilium_1_20.validate_manifest(with_change(CIDR_GROUP, "metadata.labels", {key: "x"}))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"CiliumCIDRGroup/corp-proxies: metadata.labels[{json.dumps(key)}]: key {key!r} ")
    assert errors[0].endswith("[rule: label key]")


@needs_1_20
def test_labels_with_a_dns_prefix_and_empty_values_are_accepted(cilium_1_20: SchemaSet) -> None:
    labels = {"app.kubernetes.io/part-of": "aks-cilium", "example.com/empty": ""}
    assert cilium_1_20.validate_manifest(with_change(CIDR_GROUP, "metadata.labels", labels)) == []


@needs_1_20
def test_an_api_version_the_crd_does_not_serve_is_an_error(cilium_1_20: SchemaSet) -> None:
    errors = cilium_1_20.validate_manifest(with_change(CIDR_GROUP, "apiVersion", "cilium.io/v3"))
    assert len(errors) == 1 and "apiVersion: 'cilium.io/v3' is not served" in errors[0]
    assert "cilium.io/v2, cilium.io/v2alpha1" in errors[0]


@needs_1_20
def test_a_deprecated_served_version_validates_and_warns(cilium_1_20: SchemaSet) -> None:
    old = with_change(CIDR_GROUP, "apiVersion", "cilium.io/v2alpha1")
    assert cilium_1_20.validate_manifest(old) == []
    assert "deprecated" in (cilium_1_20.deprecation(old) or "")
    assert cilium_1_20.deprecation(CIDR_GROUP) is None


@needs_1_20
def test_an_unknown_kind_is_an_error(cilium_1_20: SchemaSet) -> None:
    errors = cilium_1_20.validate_manifest(with_change(CIDR_GROUP, "kind", "CiliumCidrGroup"))
    assert len(errors) == 1 and "unknown kind 'CiliumCidrGroup'" in errors[0]
    assert cilium_1_20.covers("CiliumCIDRGroup") and not cilium_1_20.covers("CiliumCidrGroup")


@needs_schemas("1.17.18")
def test_cilium_1_17_serves_cidr_groups_as_v2alpha1_only() -> None:
    schemas = cilium_schemas("1.17.18")
    assert schemas is not None
    assert schemas.validate_manifest(with_change(CIDR_GROUP, "apiVersion", "cilium.io/v2alpha1")) == []
    assert "is not served" in schemas.validate_manifest(CIDR_GROUP)[0]


@needs_1_20
def test_a_valid_clusterwide_policy_has_no_errors(cilium_1_20: SchemaSet) -> None:
    assert cilium_1_20.validate_manifest(IMDS_POLICY) == []


@needs_1_20
@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        ("spec.egressDeny.0.toCIDRSet.0.cidrGroupRefs", "x", "spec.egressDeny[0].toCIDRSet[0].cidrGroupRefs: unknown field"),
        ("spec.egressDeny.0.toCIDRSet.0.cidr", "169.254.169.254", "spec.egressDeny[0].toCIDRSet[0].cidr: \"169.254.169.254\" is not a valid cidr"),
        ("spec.egressDeny.0.toPorts.0.ports.0.protocol", "tcp", "spec.egressDeny[0].toPorts[0].ports[0].protocol: 'tcp' is not one of"),
        ("spec.enableDefaultDeny.egress", "no", "spec.enableDefaultDeny.egress: 'no' is not of type 'boolean'"),
    ],
)
def test_policy_errors_name_the_deep_field_and_rule(cilium_1_20: SchemaSet, path: str, value: object, error: str) -> None:
    errors = cilium_1_20.validate_manifest(with_change(IMDS_POLICY, path, value))
    assert any(e.startswith(f"CiliumClusterwideNetworkPolicy/deny-imds: {error}") and "[rule: " in e for e in errors), errors


@needs_1_20
def test_int_or_string_fields_accept_a_number_or_a_name(cilium_1_20: SchemaSet) -> None:
    icmp = with_change(IMDS_POLICY, "spec.egressDeny.0.icmps", [{"fields": [{"type": 8}, {"type": "EchoRequest"}]}])
    assert cilium_1_20.validate_manifest(icmp) == []
    wrong = with_change(IMDS_POLICY, "spec.egressDeny.0.icmps", [{"fields": [{"type": 8.5}]}])
    assert any("icmps[0].fields[0].type" in e for e in cilium_1_20.validate_manifest(wrong))


@needs_1_20
def test_a_port_is_a_string_not_a_number(cilium_1_20: SchemaSet) -> None:
    numeric = with_change(IMDS_POLICY, "spec.egressDeny.0.toPorts.0.ports.0.port", 80)
    errors = cilium_1_20.validate_manifest(numeric)
    assert errors == ["CiliumClusterwideNetworkPolicy/deny-imds: spec.egressDeny[0].toPorts[0].ports[0].port: 80 is not of type 'string' [rule: type]"]


@needs_1_20
def test_set_lists_reject_duplicates(cilium_1_20: SchemaSet) -> None:
    # serverNames is `x-kubernetes-list-type: set` in the 1.20 CRDs.
    tls_rule = {"toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}], "serverNames": ["a.example.com", "a.example.com"]}]}
    errors = cilium_1_20.validate_manifest(with_change(IMDS_POLICY, "spec.egress", [tls_rule]))
    assert len(errors) == 1 and errors[0].startswith("CiliumClusterwideNetworkPolicy/deny-imds: spec.egress[0].toPorts[0].serverNames: ")
    assert "[rule: uniqueItems: true]" in errors[0]


@needs_1_20
def test_the_crd_rule_spec_or_specs_is_checked(cilium_1_20: SchemaSet) -> None:
    errors = cilium_1_20.validate_manifest({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "p", "namespace": "apps"}})
    assert errors == ["CiliumNetworkPolicy/p: (root): spec or specs must be provided [rule: x-kubernetes-validations]"]


# --- Helm values -------------------------------------------------------------------------


@needs_1_20
def test_the_stack_helm_values_are_valid(cilium_1_20: SchemaSet) -> None:
    values = {
        "aksbyocni": {"enabled": True},
        "hubble": {"relay": {"enabled": True}, "ui": {"enabled": True}},
        "ipam": {"operator": {"clusterPoolIPv4PodCIDRList": ["10.244.0.0/16"], "clusterPoolIPv4MaskSize": 24.0}},
    }
    assert cilium_1_20.validate_helm_values(values) == []


@needs_1_20
def test_a_helm_value_of_the_wrong_type_is_named(cilium_1_20: SchemaSet) -> None:
    errors = cilium_1_20.validate_helm_values({"operator": {"replicas": "two"}})
    assert errors == ["helm values: operator.replicas: 'two' is not of type 'integer' [rule: type]"]
