"""components/mesh.py: the mesh Helm values (checked against Cilium's values schema) and the
member's network resources (load balancers' subnet, its role assignment, one peering per peer)."""

from __future__ import annotations

import asyncio
import copy
import json
import unittest
from pathlib import Path

import pulumi
from pulumi.runtime.stack import wait_for_rpcs

from components.mesh import (
    ILB_SUBNET_NAME,
    LB_INTERNAL,
    LB_IPV4,
    LB_SUBNET,
    MeshCa,
    MeshCaArgs,
    MeshNetwork,
    MeshNetworkArgs,
    api_server_annotations,
    cluster_identity_values,
    mesh_helm_values,
    pem_base64,
)
from offline.preview.state.state_export import state_document, to_json
from offline.run import plain
from offline.run.engine import start_mocks
from offline.run.mocks import FAKE_SUBSCRIPTION_ID
from offline.run.stack_files.stack_config import StackConfig
from settings.mesh.fleet import member_facts
from settings.mesh.member import CA_KEY
from tests.fleet_data import CA_CERT, member_config
from tests.harness import ProgramTestCase, cilium_schemas, is_secret, needs_schemas, reveal

A = member_facts("aks-cilium", "mesh-a", member_config("mesh-a", 1))
B = member_facts("aks-cilium", "mesh-b", member_config("mesh-b", 2))


def test_api_server_annotations_fix_the_internal_address() -> None:
    assert api_server_annotations(A.mesh) == {LB_INTERNAL: "true", LB_IPV4: "10.40.255.4", LB_SUBNET: ILB_SUBNET_NAME}
    in_node_subnet = A.mesh.model_copy(update={"ilb_subnet_cidr": None})
    assert LB_SUBNET not in api_server_annotations(in_node_subnet)


def test_every_member_gets_the_same_clusters_list() -> None:
    values_a = mesh_helm_values(A.mesh, [A, B])
    values_b = mesh_helm_values(B.mesh, [B, A])
    clusters = values_a["clustermesh"]["config"]["clusters"]
    assert clusters == values_b["clustermesh"]["config"]["clusters"]
    assert clusters == [{"name": "mesh-a", "ips": ["10.40.255.4"], "port": 2379}, {"name": "mesh-b", "ips": ["10.50.255.4"], "port": 2379}]
    assert values_a["clustermesh"]["useAPIServer"] is True and values_a["clustermesh"]["config"]["enabled"] is True
    assert values_a["clustermesh"]["maxConnectedClusters"] == 255
    assert "tls" not in values_a  # the CA comes from the cilium-ca Secret (MeshCa), so no value is secret


class CaSecret(unittest.IsolatedAsyncioTestCase):
    async def test_cilium_ca_secret_is_secret_and_adoptable_by_helm(self) -> None:
        monitor = start_mocks(StackConfig("aks-cilium", "mesh-a", Path("Pulumi.mesh-a.yaml"), {}, ()))
        MeshCa("aks-cilium-mesh-ca", MeshCaArgs(CA_CERT, "-----BEGIN EC PRIVATE KEY-----\nx\n", "kube-system", "cilium"))
        await wait_for_rpcs()
        secret = next(r for r in monitor.registrations if r.type == "kubernetes:core/v1:Secret")
        self.assertTrue(is_secret(secret.inputs["data"]))
        data = reveal(secret.inputs["data"])
        self.assertEqual(data, {"ca.crt": pem_base64(CA_CERT), "ca.key": pem_base64("-----BEGIN EC PRIVATE KEY-----\nx\n")})
        metadata = reveal(secret.inputs["metadata"])
        self.assertEqual((metadata["name"], metadata["namespace"]), ("cilium-ca", "kube-system"))
        self.assertEqual(metadata["annotations"], {"meta.helm.sh/release-name": "cilium", "meta.helm.sh/release-namespace": "kube-system"})
        self.assertEqual(metadata["labels"], {"app.kubernetes.io/managed-by": "Helm"})


@needs_schemas("1.20.0")
def test_values_validate_against_the_cilium_1_20_values_schema() -> None:
    values = {**cluster_identity_values(A.identity), **mesh_helm_values(A.mesh, [A, B])}
    assert cilium_schemas("1.20.0").validate_helm_values(values) == []
    broken = copy.deepcopy(values)
    broken["clustermesh"]["useAPIServer"] = "yes"
    assert cilium_schemas("1.20.0").validate_helm_values(broken)


class MeshNetworkResources(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        asyncio.get_running_loop().set_debug(False)

    async def _declare(self, facts, peers, own_subscription=None):
        monitor = start_mocks(StackConfig("aks-cilium", facts.stack, Path(f"Pulumi.{facts.stack}.yaml"), {}, ()))
        MeshNetwork(
            "aks-cilium-mesh",
            MeshNetworkArgs(
                resource_group_name=facts.resource_group,
                vnet_name=facts.vnet,
                cluster_name=facts.azure_cluster,
                mesh=facts.mesh,
                peers=peers,
                own_subscription_id=own_subscription,
                cluster_principal_id=pulumi.Output.from_input("principal-1"),
            ),
        )
        await wait_for_rpcs()
        return monitor.registrations

    async def test_one_peering_per_peer_to_its_derived_vnet(self) -> None:
        registrations = await self._declare(A, [B])
        peerings = [r for r in registrations if r.type == "azure-native:network:VirtualNetworkPeering"]
        self.assertEqual(len(peerings), 1)
        inputs = reveal(peerings[0].inputs)
        self.assertEqual(inputs["virtualNetworkPeeringName"], "peer-mesh-b")
        self.assertEqual(inputs["virtualNetworkName"], A.vnet)
        self.assertEqual(inputs["remoteVirtualNetwork"]["id"], B.vnet_id(FAKE_SUBSCRIPTION_ID))
        self.assertTrue(inputs["allowVirtualNetworkAccess"])
        self.assertFalse(inputs["allowGatewayTransit"] or inputs["useRemoteGateways"] or inputs["allowForwardedTraffic"])

    async def test_peer_in_another_subscription_is_named_by_its_stack_file(self) -> None:
        other = member_facts("aks-cilium", "mesh-b", {**member_config("mesh-b", 2), "azure-native:subscriptionId": "99999999-9999-9999-9999-999999999999"})
        registrations = await self._declare(A, [other], own_subscription="88888888-8888-8888-8888-888888888888")
        peering = next(r for r in registrations if r.type == "azure-native:network:VirtualNetworkPeering")
        self.assertTrue(reveal(peering.inputs)["remoteVirtualNetwork"]["id"].startswith("/subscriptions/99999999-9999-9999-9999-999999999999/"))

    async def test_ilb_subnet_and_network_contributor_on_it(self) -> None:
        registrations = await self._declare(A, [B])
        subnet = next(r for r in registrations if r.type == "azure-native:network:Subnet")
        self.assertEqual(reveal(subnet.inputs)["subnetName"], ILB_SUBNET_NAME)
        self.assertEqual(reveal(subnet.inputs)["addressPrefix"], "10.40.255.0/28")
        role = next(r for r in registrations if r.type == "azure-native:authorization:RoleAssignment")
        self.assertTrue(reveal(role.inputs)["roleDefinitionId"].endswith("4d97b98b-1d4f-4787-a291-c67834d212e7"))
        self.assertTrue(role.delete_before_replace)

    async def test_no_ilb_subnet_when_the_ip_is_in_the_node_subnet(self) -> None:
        facts = member_facts("aks-cilium", "mesh-a", member_config("mesh-a", 1, ilbSubnetCidr=None, apiServerIp="10.40.3.250"))
        registrations = await self._declare(facts, [B])
        self.assertEqual([r.type for r in registrations if r.type != "aks-cilium:mesh:MeshNetwork"], ["azure-native:network:VirtualNetworkPeering"])




class MemberProgram(ProgramTestCase):
    """The real program for the example member mesh-weu, with a (fake) decrypted CA key."""

    stack = "mesh-weu"
    KEY = "-----BEGIN EC PRIVATE KEY-----\nTOPSECRETFAKEKEY\n-----END EC PRIVATE KEY-----\n"

    async def test_the_ca_key_stays_secret_in_inputs_plan_view_and_state(self) -> None:
        run = await self.run_program({CA_KEY: self.KEY})
        secret = run.one("kubernetes:core/v1:Secret")
        self.assertTrue(is_secret(secret.inputs["data"]))
        self.assertEqual(reveal(secret.inputs["data"])["ca.key"], pem_base64(self.KEY))
        encoded = pem_base64(self.KEY)
        shown = json.dumps([plain(r.inputs) for r in run.registrations]) + to_json(state_document(run))
        self.assertNotIn(encoded, shown)
        self.assertNotIn("TOPSECRET", shown)

    async def test_cilium_waits_for_the_ca_secret_and_the_ilb_subnet_access(self) -> None:
        run = await self.run_program()
        release = run.one("kubernetes:helm.sh/v3:Release")
        waits_for = {r.type for r in self.dependencies_of(run, release)}
        self.assertTrue({"kubernetes:core/v1:Secret", "azure-native:network:Subnet", "azure-native:authorization:RoleAssignment"} <= waits_for, waits_for)
        values = reveal(release.inputs["values"])
        self.assertEqual(values["cluster"], {"name": "mesh-weu", "id": 11})
        self.assertEqual([c["name"] for c in values["clustermesh"]["config"]["clusters"]], ["mesh-neu", "mesh-weu"])
        self.assertFalse(is_secret(release.inputs["values"]))  # the CA is not in the values, so none of them is secret
