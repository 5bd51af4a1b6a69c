"""Answers of the mock engine, like Azure and Kubernetes would give them.

Fixed fake values only (no secrets, nothing random): the same config always yields the same
registrations. Azure names and ARM ids follow `offline.run.resource_types`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from components.deployed_guard import DIY_ORGANIZATION
from offline.run.answers import ClientConfig
from offline.run.resource_types import HELM_RELEASE_TYPE, resource_type

FAKE_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
FAKE_TENANT_ID = "11111111-1111-1111-1111-111111111111"
FAKE_DEPLOYER_OBJECT_ID = "22222222-2222-2222-2222-222222222222"
FAKE_DEPLOYER_CLIENT_ID = "33333333-3333-3333-3333-333333333333"
_FAKE_NAMESPACE = uuid.UUID("9b1a3f0e-64e4-4d7c-8f1e-5c2d7a9e0b13")

STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


@dataclass(frozen=True)
class DeployedStack:
    """The stack as its backend holds it: what a StackReference to it reads."""

    organization: str = DIY_ORGANIZATION
    outputs: Mapping[str, Any] = field(default_factory=dict)
    """The root stack's outputs of the last update (`SnapshotStackOutputs`); empty for a new stack."""
    secret_outputs: frozenset[str] = frozenset()

    def resolves_to_this_stack(self, reference: str) -> bool:
        """Whether the backend's ParseStackReference reads `reference` as this stack.

        diy (pulumi pkg/backend/diy/store.go): `<stack>`, `organization/<stack>` or
        `organization/<project>/<stack>`, the project defaulting to the current one. Pulumi Cloud
        (pkg/backend/httpstate/backend.go): a missing owner is the user's default org, which need
        not be the stack's, so only `<org>/<project>/<stack>` is certain.
        """
        parts = reference.split("/")
        if len(parts) > 3:
            return False
        stack, project, org = parts[-1], (parts[-2] if len(parts) == 3 else None), (parts[0] if len(parts) >= 2 else None)
        if self.organization == DIY_ORGANIZATION:
            org = org or DIY_ORGANIZATION
        return org == self.organization and (project or pulumi.get_project()) == pulumi.get_project() and stack == pulumi.get_stack()

    def reference_state(self, reference: str) -> dict[str, Any]:
        """The builtin provider's answer (pulumi pkg/resource/deploy/builtins.go `readStackReference`):
        `name`, `outputs` with secrets still wrapped, and the sorted `secretOutputNames`."""
        if not self.resolves_to_this_stack(reference):
            # GetStackOutputs in pulumi pkg/backend/backend.go: `unknown stack %q`.
            raise ValueError(f"unknown stack {reference!r} (the offline engine holds only {self.organization}/{pulumi.get_project()}/{pulumi.get_stack()})")
        outputs = {k: rpc.wrap_rpc_secret(v) if k in self.secret_outputs else v for k, v in self.outputs.items()}
        return {"name": reference, "outputs": outputs, "secretOutputNames": sorted(k for k in self.outputs if k in self.secret_outputs)}

# Shapes of AKS's kubeconfigs, with placeholder credentials only. Both name their user
# `<clusterUser|clusterAdmin>_<resource group>_<cluster>`.
_KUBECONFIG_HEAD = """\
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: RkFLRS1DQQ==
    server: https://{cluster}.hcp.{location}.azmk8s.io:443
  name: {cluster}
contexts:
- context:
    cluster: {cluster}
    user: USER_{resource_group}_{cluster}
  name: {cluster}
current-context: {cluster}
users:
- name: USER_{resource_group}_{cluster}
  user:
"""

FAKE_USER_KUBECONFIG = _KUBECONFIG_HEAD.replace("USER_", "clusterUser_") + """\
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args:
      - get-token
      - --login
      - devicecode
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - {tenant}
      - --environment
      - AzurePublicCloud
      interactiveMode: IfAvailable
      provideClusterInfo: false
"""

FAKE_ADMIN_KUBECONFIG = _KUBECONFIG_HEAD.replace("USER_", "clusterAdmin_") + """\
    client-certificate-data: RkFLRS1DRVJU
    client-key-data: RkFLRS1LRVk=
    token: fake-offline-token
"""


def fake_guid(*parts: str) -> str:
    return str(uuid.uuid5(_FAKE_NAMESPACE, "/".join(parts)))


def reveal_secrets(value: Any) -> Any:
    """Inputs without their secret markers (the mocks' answers, and tests, need plain values); a value
    unknown until deploy (possible when answers come from a deployed state) as the wire's sentinel text."""
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if rpc.is_rpc_secret(value):
        return reveal_secrets(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: reveal_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal_secrets(v) for v in value]
    return value


class OfflineMocks(pulumi_mocks.Mocks):
    """Answers resource registrations and invokes like Azure and Kubernetes would."""

    def __init__(self, principal: str = FAKE_DEPLOYER_OBJECT_ID, client: Optional[ClientConfig] = None, deployed: Optional[DeployedStack] = None) -> None:
        self.clusters: dict[str, dict[str, Any]] = {}
        self.principal = principal
        """Object id `getClientConfig` answers with: who runs `pulumi up` (`--principal`)."""
        self.client = client or ClientConfig(FAKE_SUBSCRIPTION_ID, FAKE_TENANT_ID)
        """Subscription and tenant `getClientConfig` answers with, and ARM ids use: a deployed state's, or fakes."""
        self.deployed = deployed or DeployedStack()
        """What a StackReference to this stack reads."""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[Optional[str], dict]:
        if args.typ == STACK_REFERENCE_TYPE:  # a read (`ReadResource`): its id is the stack's name
            return args.resource_id, self.deployed.reference_state(str(args.inputs.get("name")))
        inputs = reveal_secrets(dict(args.inputs))
        state = dict(inputs)
        if args.typ.startswith("azure-native:"):
            row = resource_type(args.typ)
            azure_name = inputs.get(row.azure_name_input, args.name)
            # The mock's state is the resource's outputs (https://www.pulumi.com/docs/iac/concepts/testing/unit/):
            # dependants read `name` from it, or they lose resourceGroupName.
            state["name"] = azure_name
            resource_id = row.azure_id(inputs, azure_name, self.client.subscription_id)
            state["id"] = resource_id
            if args.typ == "azure-native:managedidentity:UserAssignedIdentity":
                state["principalId"] = fake_guid("principal", azure_name)
                state["clientId"] = fake_guid("client", azure_name)
                state["tenantId"] = self.client.tenant_id
            if args.typ == "azure-native:containerservice:ManagedCluster":
                self._cluster_state(state, inputs, azure_name)
            return resource_id, state
        if args.typ == HELM_RELEASE_TYPE:
            state["status"] = {
                "name": inputs.get("name", args.name),
                "namespace": inputs.get("namespace", "default"),
                "chart": inputs.get("chart"),
                "version": inputs.get("version"),
                "status": "deployed",
                "revision": 1,
            }
        return f"{args.name}-id", state

    def _cluster_state(self, state: dict[str, Any], inputs: dict[str, Any], azure_name: str) -> None:
        location = inputs.get("location", "westeurope")
        identity = dict(inputs.get("identity") or {})
        # Input: a list of identity ids; output: a map id -> {principalId, clientId}. Echoing
        # the list would fail deserialization of every output of the cluster (the output type:
        # https://www.pulumi.com/registry/packages/azure-native/api-docs/containerservice/managedcluster/).
        identity["userAssignedIdentities"] = {
            i: {"principalId": fake_guid("principal", i), "clientId": fake_guid("client", i)}
            for i in identity.get("userAssignedIdentities") or []
        }
        state["identity"] = identity
        if (inputs.get("oidcIssuerProfile") or {}).get("enabled"):
            state["oidcIssuerProfile"] = {
                "enabled": True,
                "issuerURL": f"https://{location}.oic.prod-aks.azure.com/{self.client.tenant_id}/{fake_guid('oidc', azure_name)}/",
            }
        state["fqdn"] = f"{inputs.get('dnsPrefix', azure_name)}.hcp.{location}.azmk8s.io"
        state["resourceUID"] = fake_guid("resourceUID", state["id"])
        state["provisioningState"] = "Succeeded"
        self.clusters[azure_name] = {"location": location, "resource_group": inputs.get("resourceGroupName", "")}

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict:
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "clientId": FAKE_DEPLOYER_CLIENT_ID,
                "objectId": self.principal,
                "subscriptionId": self.client.subscription_id,
                "tenantId": self.client.tenant_id,
            }
        credentials = {
            "azure-native:containerservice:listManagedClusterUserCredentials": ("clusterUser", FAKE_USER_KUBECONFIG),
            "azure-native:containerservice:listManagedClusterAdminCredentials": ("clusterAdmin", FAKE_ADMIN_KUBECONFIG),
        }
        if args.token in credentials:
            kind, template = credentials[args.token]
            cluster = args.args.get("resourceName", "cluster")
            known = self.clusters.get(cluster, {})
            text = template.format(
                cluster=cluster,
                location=known.get("location", "westeurope"),
                resource_group=args.args.get("resourceGroupName", known.get("resource_group", "")),
                tenant=self.client.tenant_id,
            )
            return {"kubeconfigs": [{"name": kind, "value": base64.b64encode(text.encode()).decode()}]}
        raise NotImplementedError(f"offline mocks have no answer for invoke {args.token}")
