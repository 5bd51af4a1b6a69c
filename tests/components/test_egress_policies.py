"""Egress rules for CIDR groups: the settings that describe them, the CiliumClusterwideNetworkPolicy
manifests they become, and the policies the real program declares for dev and prod.

The behaviours that matter: pods outside an allowlist are denied the group; allowlisted pods get
exactly one behaviour per port (never a deny on a port an HTTP rule allows); no policy switches
its pods into default-deny; policies name only declared groups, wait for them and for Cilium,
and validate against the pinned Cilium release's own CRD schema.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

from components.egress_policies import (
    NAMESPACE_LABEL,
    complement_ranges,
    denied_port_entries,
    policy_manifests,
)
from offline.schemas.schema_set import SchemaSet
from settings.common.errors import ConfigError
from settings.egress_rules import EgressPortSettings, EgressRuleSettings
from tests.harness import ProgramTestCase, cilium_schemas, load_stack_settings, problems_for, schemas_missing

CCNP = "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy"
CIDR_GROUP = "kubernetes:cilium.io/v2:CiliumCIDRGroup"
RELEASE = "kubernetes:helm.sh/v3:Release"
COMPONENT = "aks-cilium:egresspolicies:EgressPolicies"
RULES = "aks-cilium:egressRules"
NO_DEFAULT_DENY = {"egress": False, "ingress": False}

#: Reference CRDs for these releases ship beside the project (../shared/reference/cilium).
SCHEMA_RELEASES = ("1.19.4", "1.20.0")

#: A service-tags file in the published layout with one small tag, and the group it becomes.
SERVICE_TAGS_DOCUMENT = {
    "changeNumber": 1,
    "cloud": "Public",
    "values": [
        {
            "name": "AzureActiveDirectory",
            "id": "AzureActiveDirectory",
            "properties": {
                "changeNumber": 1,
                "region": "",
                "regionId": 0,
                "platform": "Azure",
                "systemService": "AzureAD",
                "addressPrefixes": ["20.190.128.0/18", "40.126.0.0/18"],
                "networkFeatures": ["API", "NSG"],
            },
        }
    ],
}
AAD_GROUP = "azure-service-tag-azureactivedirectory"

IMDS_HTTP = {"mode": "restricted", "allowNamespaces": ["kube-system"], "ports": [80], "httpGetPaths": ["/metadata/.*"]}


def rule(**fields: Any) -> EgressRuleSettings:
    return EgressRuleSettings.model_validate({"mode": "restricted", **fields})


def schema_sets() -> list[tuple[str, SchemaSet]]:
    found = [(v, cilium_schemas(v)) for v in SCHEMA_RELEASES]
    missing = [v for v, s in found if s is None or not s.covers("CiliumClusterwideNetworkPolicy")]
    if missing:
        pytest.skip(schemas_missing(f"CiliumClusterwideNetworkPolicy CRD for {missing}"))
    return found  # type: ignore[return-value]


def denied_ports_for(entries: list[dict[str, Any]], protocol: str) -> set[int]:
    ports: set[int] = set()
    for entry in entries:
        if entry["protocol"] in (protocol, "ANY"):
            first = int(entry["port"])
            ports.update(range(first, entry.get("endPort", first) + 1))
    return ports


# --- port arithmetic ---------------------------------------------------------------------


def test_complement_ranges_hold_every_port_but_the_allowed_ones():
    ranges = complement_ranges([80, 1, 65535, 81, 443])
    assert ranges == [(2, 79), (82, 442), (444, 65534)]


def test_complement_of_no_ports_is_the_whole_range_without_port_zero():
    # Port "0" would mean "every port" to Cilium, so it must never appear.
    assert complement_ranges([]) == [(1, 65535)]


def test_denied_ports_are_written_once_as_any_when_every_protocol_allows_the_same_ports():
    entries = denied_port_entries((EgressPortSettings(port=53, protocol="ANY"),))
    assert entries == [
        {"port": "1", "endPort": 52, "protocol": "ANY"},
        {"port": "54", "endPort": 65535, "protocol": "ANY"},
    ]


def test_a_tcp_port_leaves_udp_and_sctp_fully_denied():
    entries = denied_port_entries((EgressPortSettings(port=80),))
    assert denied_ports_for(entries, "TCP") == set(range(1, 65536)) - {80}
    assert denied_ports_for(entries, "UDP") == set(range(1, 65536))
    assert denied_ports_for(entries, "SCTP") == set(range(1, 65536))


# --- manifests -----------------------------------------------------------------------------


def test_an_open_group_gets_no_policy():
    assert policy_manifests("azure-imds", EgressRuleSettings()) == {}


def test_pods_outside_the_allowlist_are_denied_the_group_on_every_port():
    manifests = policy_manifests("azure-imds", rule(allowNamespaces=["kube-system", "monitoring"]))
    assert list(manifests) == ["outside"]
    spec = manifests["outside"]["spec"]
    assert spec["endpointSelector"] == {
        "matchExpressions": [{"key": NAMESPACE_LABEL, "operator": "NotIn", "values": ["kube-system", "monitoring"]}]
    }
    assert spec["egressDeny"] == [{"toCIDRSet": [{"cidrGroupRef": "azure-imds"}]}]
    assert "egress" not in spec


def test_every_policy_keeps_its_pods_out_of_default_deny():
    variants = [rule(allowNamespaces=["kube-system"]), rule(allowNobody=True), EgressRuleSettings.model_validate(IMDS_HTTP)]
    for variant in variants:
        for manifest in policy_manifests("azure-imds", variant).values():
            assert manifest["spec"]["enableDefaultDeny"] == NO_DEFAULT_DENY, manifest["metadata"]["name"]


def test_allow_nobody_denies_the_group_to_every_pod():
    manifests = policy_manifests("azure-imds", rule(allowNobody=True))
    assert list(manifests) == ["outside"]
    assert manifests["outside"]["spec"]["endpointSelector"] == {}


def test_allowlisted_and_outside_policies_select_complementary_namespaces():
    manifests = policy_manifests("azure-imds", EgressRuleSettings.model_validate(IMDS_HTTP))
    outside = manifests["outside"]["spec"]["endpointSelector"]["matchExpressions"]
    inside = manifests["allowlisted"]["spec"]["endpointSelector"]["matchExpressions"]
    assert [(e["key"], e["operator"], e["values"]) for e in outside] == [(NAMESPACE_LABEL, "NotIn", ["kube-system"])]
    assert [(e["key"], e["operator"], e["values"]) for e in inside] == [(NAMESPACE_LABEL, "In", ["kube-system"])]


def test_allowlisted_pods_may_send_only_http_get_on_metadata_paths_to_imds_port_80():
    spec = policy_manifests("azure-imds", EgressRuleSettings.model_validate(IMDS_HTTP))["allowlisted"]["spec"]
    assert spec["egress"] == [
        {
            "toCIDRSet": [{"cidrGroupRef": "azure-imds"}],
            "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}], "rules": {"http": [{"method": "GET", "path": "/metadata/.*"}]}}],
        }
    ]


def test_the_port_deny_never_covers_a_port_the_http_rule_allows():
    # A deny on the HTTP port would win over the L7 allow and cut the allowlisted pods off.
    spec = policy_manifests("azure-imds", EgressRuleSettings.model_validate(IMDS_HTTP))["allowlisted"]["spec"]
    [deny] = spec["egressDeny"]
    assert deny["toCIDRSet"] == [{"cidrGroupRef": "azure-imds"}]
    denied_tcp = denied_ports_for(deny["toPorts"][0]["ports"], "TCP")
    allowed_tcp = {int(p["port"]) for p in spec["egress"][0]["toPorts"][0]["ports"]}
    assert allowed_tcp == {80}
    assert denied_tcp == set(range(1, 65536)) - allowed_tcp


def test_a_port_restriction_without_http_rules_only_takes_traffic_away():
    manifests = policy_manifests("corp-db", rule(allowNamespaces=["payments"], ports=[{"port": 5432}]))
    spec = manifests["allowlisted"]["spec"]
    assert "egress" not in spec
    assert denied_ports_for(spec["egressDeny"][0]["toPorts"][0]["ports"], "TCP") == set(range(1, 65536)) - {5432}


def test_every_rendered_policy_validates_against_the_cilium_crd_schemas():
    variants = {
        "namespaces": rule(allowNamespaces=["kube-system"]),
        "nobody": rule(allowNobody=True),
        "http": EgressRuleSettings.model_validate(IMDS_HTTP),
        "ports": rule(allowNamespaces=["a", "b"], ports=[53, {"port": 53, "protocol": "UDP"}, {"port": 9000, "protocol": "ANY"}]),
    }
    for version, schemas in schema_sets():
        for label, variant in variants.items():
            for manifest in policy_manifests("azure-imds", variant).values():
                assert schemas.validate_manifest(manifest) == [], (version, label)


def test_the_schema_check_would_catch_a_field_the_crd_does_not_define():
    manifest = copy.deepcopy(policy_manifests("azure-imds", rule(allowNamespaces=["kube-system"]))["outside"])
    manifest["spec"]["enableDefaultDeny"]["egres"] = False
    for version, schemas in schema_sets():
        errors = schemas.validate_manifest(manifest)
        assert any("spec.enableDefaultDeny.egres" in e for e in errors), (version, errors)


# --- settings: bad input -------------------------------------------------------------------


def test_a_rule_for_an_undeclared_group_is_refused_with_the_declared_names():
    assert problems_for({RULES: {"azure-imsd": {"mode": "restricted", "allowNamespaces": ["kube-system"]}}}) == [
        "aks-cilium:egressRules.azure-imsd: no CIDR group named 'azure-imsd' is declared; the declared groups are"
        " azure-imds, azure-internal-dns (built-in, aks-cilium:cidrGroups and aks-cilium:serviceTags); did you mean 'azure-imds'?"
    ]


def test_restricted_with_an_empty_allowlist_is_refused_unless_allow_nobody_says_so():
    assert problems_for({RULES: {"azure-imds": {"mode": "restricted"}}}) == [
        "aks-cilium:egressRules.azure-imds.allowNamespaces: restricted with an empty allowlist would deny"
        " 'azure-imds' to every pod; list the namespaces that need it (e.g. [kube-system]), or set"
        " aks-cilium:egressRules.azure-imds.allowNobody to true to mean exactly that"
    ]


def test_allow_nobody_is_accepted_as_the_explicit_empty_allowlist():
    settings = load_stack_settings("dev", {RULES: {"azure-imds": {"mode": "restricted", "allowNobody": True}}})
    assert settings.egress_rules["azure-imds"].allow_nobody is True


def test_an_invalid_namespace_name_is_refused_with_its_key_path():
    found = problems_for({RULES: {"azure-imds": {"mode": "restricted", "allowNamespaces": ["Bad_NS"]}}})
    assert found == [
        "aks-cilium:egressRules.azure-imds.allowNamespaces[0] = 'Bad_NS': is not a valid namespace name: use at most"
        " 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
    ]


@pytest.mark.parametrize("entry, path, shown", [(0, "ports[0]", "0"), ({"port": 65536}, "ports[0].port", "65536")])
def test_a_port_outside_1_to_65535_is_refused(entry, path, shown):
    found = problems_for({RULES: {"azure-imds": {"mode": "restricted", "allowNamespaces": ["kube-system"], "ports": [entry]}}})
    assert found == [f"aks-cilium:egressRules.azure-imds.{path} = {shown}: must be a port number from 1 to 65535"]


def test_settings_of_a_restriction_are_refused_on_an_open_group():
    assert problems_for({RULES: {"azure-imds": {"allowNamespaces": ["kube-system"]}}}) == [
        "aks-cilium:egressRules.azure-imds.allowNamespaces: can be set only when aks-cilium:egressRules.azure-imds.mode"
        " is 'restricted'; an open group has no policy"
    ]


def test_http_paths_need_the_tcp_ports_they_apply_to():
    found = problems_for({RULES: {"azure-imds": {"mode": "restricted", "allowNamespaces": ["kube-system"], "httpGetPaths": ["/metadata/.*"]}}})
    assert found == [
        "aks-cilium:egressRules.azure-imds.httpGetPaths: can be set only when aks-cilium:egressRules.azure-imds.ports"
        " names the TCP ports the HTTP traffic uses (e.g. `pulumi config set --path"
        " 'aks-cilium:egressRules.azure-imds.ports[0]' 80` for IMDS)"
    ]


def test_http_paths_are_refused_on_cilium_releases_whose_l7_rules_ignore_enable_default_deny():
    found = problems_for({RULES: {"azure-imds": IMDS_HTTP}, "aks-cilium:cilium": {"version": "1.17.6"}})
    assert found == [
        "aks-cilium:cilium.version = '1.17.6': aks-cilium:egressRules.azure-imds.httpGetPaths needs Cilium 1.18.0 or"
        " newer; older releases make an HTTP rule in a policy with enableDefaultDeny off reject every other HTTP"
        " request on that port (cilium/cilium#38676)"
    ]


def test_restricting_platform_dns_must_keep_kube_system_for_coredns():
    found = problems_for({RULES: {"azure-internal-dns": {"mode": "restricted", "allowNamespaces": ["default"]}}})
    assert len(found) == 1 and found[0].startswith(
        "aks-cilium:egressRules.azure-internal-dns.allowNamespaces: must include 'kube-system'"
    ), found


def test_a_misspelt_rule_key_is_refused_with_the_known_keys():
    found = problems_for({RULES: {"azure-imds": {"mode": "restricted", "allowNamespace": ["kube-system"]}}})
    assert "aks-cilium:egressRules.azure-imds.allowNamespace: unknown key; did you mean 'allowNamespaces'?" in found[0]
    assert "allowNobody, httpGetPaths, mode, ports" in found[0]


# --- the program, dev ----------------------------------------------------------------------


def policies(run) -> dict[str, Any]:
    return {r.inputs["metadata"]["name"]: r for r in run.by_type(CCNP)}


class DevEgressPolicies(ProgramTestCase):
    stack = "dev"

    async def test_dev_declares_no_egress_policy_so_every_group_only_labels_flows(self):
        run = await self.run_program()
        self.assertEqual(run.by_type(CCNP), [])
        self.assertEqual(len(run.by_type(COMPONENT)), 1)

    async def test_a_restricted_rule_in_dev_declares_the_deny_and_allowlisted_policies(self):
        run = await self.run_program({RULES: {"azure-imds": IMDS_HTTP}})
        self.assertEqual(sorted(policies(run)), ["aks-cilium-egress-azure-imds", "aks-cilium-egress-azure-imds-allowlisted"])

    async def test_policies_are_children_of_the_component_on_the_cluster_provider(self):
        run = await self.run_program({RULES: {"azure-imds": IMDS_HTTP}})
        component = run.one(COMPONENT)
        provider = run.one("pulumi:providers:kubernetes")
        for policy in run.by_type(CCNP):
            self.assertEqual(policy.parent, component.urn, policy.urn)
            self.assertEqual(policy.provider_urn, provider.urn, policy.urn)

    async def test_each_policy_waits_for_the_group_it_names_and_the_cilium_release(self):
        run = await self.run_program({RULES: {"azure-imds": IMDS_HTTP}})
        release = run.one(RELEASE)
        group = next(r for r in run.by_type(CIDR_GROUP) if r.inputs["metadata"]["name"] == "azure-imds")
        for policy in run.by_type(CCNP):
            self.assertIn(release.urn, policy.dependencies, policy.urn)
            self.assertIn(group.urn, policy.dependencies, policy.urn)

    async def test_a_rule_may_name_a_group_from_cidr_groups(self):
        run = await self.run_program(
            {
                "aks-cilium:cidrGroups": [{"name": "corp-db", "cidrs": ["192.0.2.0/28"]}],
                RULES: {"corp-db": {"mode": "restricted", "allowNamespaces": ["payments"], "ports": [5432]}},
            }
        )
        group = next(r for r in run.by_type(CIDR_GROUP) if r.inputs["metadata"]["name"] == "corp-db")
        found = policies(run)
        self.assertEqual(sorted(found), ["aks-cilium-egress-corp-db", "aks-cilium-egress-corp-db-allowlisted"])
        for policy in found.values():
            self.assertIn(group.urn, policy.dependencies, policy.urn)

    async def test_a_rule_may_name_a_group_from_service_tags(self):
        with tempfile.TemporaryDirectory() as folder:
            tags_file = Path(folder) / "ServiceTags_Public_20260101.json"
            tags_file.write_text(json.dumps(SERVICE_TAGS_DOCUMENT), encoding="utf-8")
            run = await self.run_program(
                {
                    "aks-cilium:serviceTags": {"file": str(tags_file), "tags": ["AzureActiveDirectory"]},
                    RULES: {AAD_GROUP: {"mode": "restricted", "allowNamespaces": ["identity"], "ports": [443]}},
                }
            )
        group = next(r for r in run.by_type(CIDR_GROUP) if r.inputs["metadata"]["name"] == AAD_GROUP)
        policy = policies(run)[f"aks-cilium-egress-{AAD_GROUP}"]
        self.assertEqual(policy.inputs["spec"]["egressDeny"], [{"toCIDRSet": [{"cidrGroupRef": AAD_GROUP}]}])
        self.assertIn(group.urn, policy.dependencies, policy.urn)

    async def test_bad_egress_rules_stop_the_program_before_any_resource_is_declared(self):
        with self.assertRaises(ConfigError) as caught:
            await self.run_program({RULES: {"azure-imds": {"mode": "restricted", "allowNamespaces": ["Bad_NS"], "ports": [70000]}}})
        self.assertEqual(
            [str(p) for p in caught.exception.problems],
            [
                "aks-cilium:egressRules.azure-imds.allowNamespaces[0] = 'Bad_NS': is not a valid namespace name: use at"
                " most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
                "aks-cilium:egressRules.azure-imds.ports[0] = 70000: must be a port number from 1 to 65535",
            ],
        )
        self.assertEqual(self.monitor.registrations, [])


# --- the program, prod ---------------------------------------------------------------------


class ProdEgressPolicies(ProgramTestCase):
    stack = "prod"

    async def test_prod_denies_imds_to_every_pod_outside_kube_system_and_nothing_else(self):
        run = await self.run_program()
        found = policies(run)
        self.assertEqual(list(found), ["aks-cilium-egress-azure-imds"])
        spec = found["aks-cilium-egress-azure-imds"].inputs["spec"]
        self.assertEqual(
            spec["endpointSelector"],
            {"matchExpressions": [{"key": NAMESPACE_LABEL, "operator": "NotIn", "values": ["kube-system"]}]},
        )
        self.assertEqual(spec["egressDeny"], [{"toCIDRSet": [{"cidrGroupRef": "azure-imds"}]}])
        self.assertNotIn("egress", spec, "prod grants nothing; it only takes IMDS away")

    async def test_prod_policies_keep_every_selected_pod_out_of_default_deny(self):
        run = await self.run_program()
        self.assertTrue(run.by_type(CCNP))
        for policy in run.by_type(CCNP):
            self.assertEqual(policy.inputs["spec"]["enableDefaultDeny"], NO_DEFAULT_DENY, policy.urn)

    async def test_prod_policy_references_resolve_to_declared_groups(self):
        run = await self.run_program()
        declared = {r.inputs["metadata"]["name"] for r in run.by_type(CIDR_GROUP)}
        for policy in run.by_type(CCNP):
            spec = policy.inputs["spec"]
            refs = {
                peer["cidrGroupRef"]
                for section in ("egress", "egressDeny")
                for item in spec.get(section, [])
                for peer in item.get("toCIDRSet", [])
            }
            self.assertTrue(refs, policy.urn)
            self.assertLessEqual(refs, declared, policy.urn)

    async def test_prod_policies_wait_for_their_group_and_the_cilium_release(self):
        run = await self.run_program()
        release = run.one(RELEASE)
        imds = next(r for r in run.by_type(CIDR_GROUP) if r.inputs["metadata"]["name"] == "azure-imds")
        policy = run.one(CCNP)
        self.assertEqual(set(policy.dependencies), {release.urn, imds.urn}, policy.urn)

    async def test_prod_policies_validate_against_the_pinned_cilium_release_crd(self):
        run = await self.run_program()
        version = load_stack_settings("prod").cilium.version
        schemas = cilium_schemas(version)
        if schemas is None or not schemas.covers("CiliumClusterwideNetworkPolicy"):
            self.skipTest(schemas_missing(f"CiliumClusterwideNetworkPolicy CRD for Cilium {version}"))
        for policy in run.by_type(CCNP):
            manifest = {k: policy.inputs[k] for k in ("apiVersion", "kind", "metadata", "spec")}
            self.assertEqual(schemas.validate_manifest(manifest), [], policy.urn)

    async def test_prod_http_restriction_for_kube_system_keeps_both_behaviours_disjoint(self):
        run = await self.run_program({RULES: {"azure-imds": {"ports": [80], "httpGetPaths": ["/metadata/.*"]}}})
        found = policies(run)
        outside = found["aks-cilium-egress-azure-imds"].inputs["spec"]["endpointSelector"]["matchExpressions"]
        inside = found["aks-cilium-egress-azure-imds-allowlisted"].inputs["spec"]["endpointSelector"]["matchExpressions"]
        self.assertEqual(outside[0]["values"], inside[0]["values"])
        self.assertEqual({outside[0]["operator"], inside[0]["operator"]}, {"NotIn", "In"})
