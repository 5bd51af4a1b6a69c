"""Hubble's jsonpb lines and kubectl's JSON and errors, read strictly: a typo is caught, not passed."""

from __future__ import annotations

import json

import pytest

from tests.verify.conftest import FIXTURES
from verify import flows, kube
from verify.model import Verdict
from verify.runner import Output

#: The shape of Hubble's own jsonpb test case (cilium/cilium hubble/pkg/printer/printer_test.go,
#: case "jsonpb"), rewritten for a drop to IMDS; field names and enum spellings as there.
UPSTREAM_SHAPED = {
    "flow": {
        "time": "1970-01-01T00:20:34.567800Z",
        "verdict": "DROPPED",
        "IP": {"source": "10.245.4.24", "destination": "169.254.169.254"},
        "l4": {"TCP": {"source_port": 31793, "destination_port": 80}},
        "source": {"identity": 40711, "namespace": "default", "pod_name": "web-0"},
        "destination": {"identity": 16777217, "labels": ["cidrgroup:io.cilium.policy.cidrgroupname/azure-imds", "reserved:world"]},
        "Type": "L3_L4",
        "node_name": "k8s1",
        "event_type": {"type": 1, "sub_type": 181},
        "drop_reason": 181,
        "drop_reason_desc": "POLICY_DENY",
        "is_reply": False,
        "Summary": "TCP Flags: SYN",
    }
}


def lines(*objects) -> Output:
    return Output(0, "".join(json.dumps(o) + "\n" for o in objects))


def with_flow(**changes) -> dict:
    return {"flow": {**UPSTREAM_SHAPED["flow"], **changes}}


def test_an_upstream_shaped_drop_is_read_with_its_reason():
    [flow] = flows.parse(lines(UPSTREAM_SHAPED), "x")
    assert (flow.verdict, flow.drop_reason, flow.source_namespace, flow.destination_ip) == ("DROPPED", "POLICY_DENY", "default", "169.254.169.254")
    assert flow.destination_labels == {"cidrgroup:io.cilium.policy.cidrgroupname/azure-imds", "reserved:world"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"verdict": "DROPED"}, "'DROPED' is not one of"),
        ({"drop_reason": 133}, "drop_reason 133 does not match drop_reason_desc POLICY_DENY (181)"),
        ({"drop_reason_desc": "policy_deny"}, "is not a DropReason name"),
        ({"traffic_direction": "OUTBOUND"}, "traffic_direction: 'OUTBOUND'"),
        ({"destination": {"labels": ["reserved:wrold"]}}, "'reserved:wrold' names no reserved identity"),
        ({"destination": {"labels": ["cidrgroup k8s-app=azure-imds"]}}, "is not <source>:<key>[=<value>]"),
        ({"IP": {"source": "10.0.0.1"}}, "IP must hold source and destination"),
        ({"is_reply": "no"}, "is_reply must be true or false"),
    ],
)
def test_a_typo_in_a_flow_is_a_parse_error_naming_it(changes, message):
    with pytest.raises(kube.ParseError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")):
        flows.parse(lines(with_flow(**changes)), "x")


def test_compact_output_is_refused_with_a_hint():
    compact = "Jan  1 00:20:34.567: 1.1.1.1:31793 (health) -> 2.2.2.2:8080 (ID:12345) Policy denied DROPPED (TCP Flags: SYN)\n"
    with pytest.raises(kube.ParseError, match="jsonpb"):
        flows.parse(Output(0, compact), "x")


def test_legacy_json_output_without_the_response_wrapper_is_refused():
    with pytest.raises(kube.ParseError, match="not a GetFlowsResponse"):
        flows.parse(lines(UPSTREAM_SHAPED["flow"]), "x")


def test_node_status_and_lost_event_lines_are_left_out():
    assert flows.parse(lines({"node_status": {"state_change": "NODE_CONNECTED"}}, {"lost_events": {"num_events_lost": "3"}}), "x") == []


def test_group_labels_are_the_name_label_and_one_per_metadata_label():
    assert flows.group_labels("azure-imds", {"k8s-app": "azure-imds"}) == {
        "cidrgroup:io.cilium.policy.cidrgroupname/azure-imds",
        "cidrgroup:k8s-app=azure-imds",
    }


def test_every_shipped_hubble_file_parses():
    files = sorted(FIXTURES.glob("*/hubble-observe-*.out"))
    assert files
    for path in files:
        if '"FORWADED"' in path.read_text():  # the one typo shipped on purpose
            with pytest.raises(kube.ParseError):
                flows.parse(Output(0, path.read_text()), path.name)
            continue
        flows.parse(Output(0, path.read_text()), path.name)


@pytest.mark.parametrize(
    ("stderr", "missing", "verdict", "start"),
    [
        ('Error from server (Forbidden): nodes is forbidden: User "u" cannot list resource "nodes"', "", Verdict.INCONCLUSIVE, "no permission"),
        ('Error from server (NotFound): deployments.apps "hubble-relay" not found', "Relay missing", Verdict.FAIL, "Relay missing"),
        ('Error from server (NotFound): deployments.apps "hubble-relay" not found', "", Verdict.INCONCLUSIVE, "could not ask"),
        ('error: the server doesn\'t have a resource type "ciliumcidrgroups"', "CRD missing", Verdict.FAIL, "CRD missing"),
        ("Unable to connect to the server: dial tcp 10.1.2.3:443: i/o timeout", "CRD missing", Verdict.INCONCLUSIVE, "could not ask"),
        ("error: You must be logged in to the server (Unauthorized)", "x", Verdict.INCONCLUSIVE, "could not ask"),
    ],
)
def test_kubectl_failures_are_classified(stderr, missing, verdict, start):
    found, reason = kube.failure(Output(1, "", stderr + "\n"), missing)
    assert found is verdict and reason.startswith(start)


def test_a_kubectl_list_must_be_a_list_with_named_items():
    with pytest.raises(kube.ParseError, match="expected kubectl's list"):
        kube.items(Output(0, '{"kind": "Node", "metadata": {"name": "a"}}'), "nodes")
    with pytest.raises(kube.ParseError, match=r"items\[0\] has no metadata.name"):
        kube.items(Output(0, '{"kind": "List", "items": [{"metadata": {}}]}'), "nodes")


def test_a_condition_status_outside_kubernetes_values_is_caught():
    node = {"status": {"conditions": [{"type": "Ready", "status": "true"}]}}
    with pytest.raises(kube.ParseError, match="not one of True, False, Unknown"):
        kube.condition(node, "Ready", "node a")
