"""The real `__main__.py` under the Pulumi SDK's mock engine, with every registration recorded.

`MockResourceArgs` carries no parent, dependencies, ignore_changes or protect (see
`MockMonitor.RegisterResource` in the SDK,
https://github.com/pulumi/pulumi/blob/master/sdk/python/lib/pulumi/runtime/mocks.py), so
`RecordingMonitor` reads them off the raw `RegisterResource` request.
`OfflineMocks` answers like Azure and Kubernetes would, with fixed fake values (no secrets,
nothing random): the same config always yields the same registrations.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import runpy
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.stack import wait_for_rpcs

from offline.stack_config import StackConfig, read_stack_config
from offline.urns import Resolved, alias_specs, alias_urns, resource_urn

FAKE_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
FAKE_TENANT_ID = "11111111-1111-1111-1111-111111111111"
FAKE_DEPLOYER_OBJECT_ID = "22222222-2222-2222-2222-222222222222"
FAKE_DEPLOYER_CLIENT_ID = "33333333-3333-3333-3333-333333333333"
_FAKE_NAMESPACE = uuid.UUID("9b1a3f0e-64e4-4d7c-8f1e-5c2d7a9e0b13")

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

# Input property that carries each azure-native resource's Azure name.
_AZURE_NAME_INPUT = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:network:VirtualNetwork": "virtualNetworkName",
    "azure-native:network:Subnet": "subnetName",
    "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
    "azure-native:containerservice:ManagedCluster": "resourceName",
    "azure-native:containerservice:AgentPool": "agentPoolName",
    "azure-native:authorization:RoleAssignment": "roleAssignmentName",
}


def fake_guid(*parts: str) -> str:
    return str(uuid.uuid5(_FAKE_NAMESPACE, "/".join(parts)))


@dataclass
class Registration:
    """One `RegisterResource` call as the engine saw it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    dependencies: list[str]
    provider: str
    ignore_changes: list[str]
    protect: bool
    inputs: dict[str, Any]
    """Inputs as sent, secrets still wrapped (see `rpc.is_rpc_secret`)."""
    id: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    """Other URNs this resource answers to (its `aliases` option, see `offline.urns`)."""
    delete_before_replace: bool = False

    @property
    def provider_urn(self) -> str:
        # A provider reference is "<urn>::<id>".
        return self.provider.rsplit("::", 1)[0] if self.provider else ""


class _KeepLogs(logging.Handler):
    def __init__(self, sink: list[tuple[str, str]]):
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append((record.levelname.lower(), record.getMessage()))


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that keeps every registration, in order, with its options, and the program's log."""

    def __init__(self, mocks: pulumi_mocks.Mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.log: list[tuple[str, str]] = []
        """(level, message) of each `pulumi.log` call, in order."""
        # The mock engine hands `pulumi.log.*` to this logger (MockEngine.Log in the SDK's mocks.py);
        # a private logger keeps the messages off the root logger and in this run's record.
        self.logger = logging.Logger(f"offline-engine-{id(self)}", logging.DEBUG)
        self.logger.addHandler(_KeepLogs(self.log))
        self._aliases: dict[str, list[str]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine's URN, with the parent's whole type chain (the SDK's mock keeps only its
        # last type), so the plan's URNs match a real `pulumi stack export` (offline/urns.py).
        return resource_urn(pulumi.get_stack(), pulumi.get_project(), parent, type_, name)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        at = Resolved(pulumi.get_stack(), pulumi.get_project(), request.parent, request.type, request.name)
        aliases = alias_urns(alias_specs(request), at, self._aliases.get(request.parent, ()))
        self._aliases[response.urn] = aliases
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    custom=request.custom,
                    parent=request.parent,
                    dependencies=list(request.dependencies),
                    provider=request.provider,
                    ignore_changes=list(request.ignoreChanges),
                    protect=bool(request.protect),
                    inputs=rpc.deserialize_properties(request.object, keep_unknowns=True)
                    if request.object
                    else {},
                    id=response.id,
                    state=dict(self.resources.get(response.urn, (None, None, {}))[2] or {}),
                    aliases=tuple(aliases),
                    delete_before_replace=bool(request.deleteBeforeReplace),
                )
            )
        return response


def reveal_secrets(value: Any) -> Any:
    """Inputs without their secret markers (the mocks' answers, and tests, need plain values)."""
    if rpc.is_rpc_secret(value):
        return reveal_secrets(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: reveal_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal_secrets(v) for v in value]
    return value


class OfflineMocks(pulumi_mocks.Mocks):
    """Answers resource registrations and invokes like Azure and Kubernetes would."""

    def __init__(self, principal: str = FAKE_DEPLOYER_OBJECT_ID) -> None:
        self.clusters: dict[str, dict[str, Any]] = {}
        self.principal = principal
        """Object id `getClientConfig` answers with: who runs `pulumi up` (`--principal`)."""

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[Optional[str], dict]:
        inputs = reveal_secrets(dict(args.inputs))
        state = dict(inputs)
        if args.typ.startswith("azure-native:"):
            azure_name = inputs.get(_AZURE_NAME_INPUT.get(args.typ, ""), args.name)
            # The mock's state is the resource's outputs (https://www.pulumi.com/docs/iac/concepts/testing/unit/):
            # dependants read `name` from it, or they lose resourceGroupName.
            state["name"] = azure_name
            resource_id = self._azure_id(args.typ, inputs, azure_name)
            state["id"] = resource_id
            if args.typ == "azure-native:managedidentity:UserAssignedIdentity":
                state["principalId"] = fake_guid("principal", azure_name)
                state["clientId"] = fake_guid("client", azure_name)
                state["tenantId"] = FAKE_TENANT_ID
            if args.typ == "azure-native:containerservice:ManagedCluster":
                self._cluster_state(state, inputs, azure_name)
            return resource_id, state
        if args.typ == "kubernetes:helm.sh/v3:Release":
            state["status"] = {
                "name": inputs.get("name", args.name),
                "namespace": inputs.get("namespace", "default"),
                "chart": inputs.get("chart"),
                "version": inputs.get("version"),
                "status": "deployed",
                "revision": 1,
            }
        return f"{args.name}-id", state

    @staticmethod
    def _azure_id(typ: str, inputs: dict[str, Any], azure_name: str) -> str:
        base = f"/subscriptions/{FAKE_SUBSCRIPTION_ID}"
        group = inputs.get("resourceGroupName", "")
        if typ == "azure-native:resources:ResourceGroup":
            return f"{base}/resourceGroups/{azure_name}"
        if typ == "azure-native:network:Subnet":
            return (
                f"{base}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/"
                f"{inputs.get('virtualNetworkName')}/subnets/{azure_name}"
            )
        if typ == "azure-native:containerservice:AgentPool":
            return (
                f"{base}/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/"
                f"{inputs.get('resourceName')}/agentPools/{azure_name}"
            )
        if typ == "azure-native:authorization:RoleAssignment":
            return f"{inputs.get('scope', base)}/providers/Microsoft.Authorization/roleAssignments/{azure_name}"
        provider_type = {
            "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks",
            "azure-native:managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "azure-native:containerservice:ManagedCluster": "Microsoft.ContainerService/managedClusters",
        }.get(typ, "Microsoft.Unknown/" + typ.rsplit(":", 1)[-1])
        return f"{base}/resourceGroups/{group}/providers/{provider_type}/{azure_name}"

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
                "issuerURL": f"https://{location}.oic.prod-aks.azure.com/{FAKE_TENANT_ID}/{fake_guid('oidc', azure_name)}/",
            }
        state["fqdn"] = f"{inputs.get('dnsPrefix', azure_name)}.hcp.{location}.azmk8s.io"
        # Azure gives each incarnation of a cluster a new resourceUID; one per id here.
        state["resourceUID"] = fake_guid("resourceUID", state["id"])
        state["provisioningState"] = "Succeeded"
        self.clusters[azure_name] = {"location": location, "resource_group": inputs.get("resourceGroupName", "")}

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict:
        if args.token == "azure-native:authorization:getClientConfig":
            return {
                "clientId": FAKE_DEPLOYER_CLIENT_ID,
                "objectId": self.principal,
                "subscriptionId": FAKE_SUBSCRIPTION_ID,
                "tenantId": FAKE_TENANT_ID,
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
                tenant=FAKE_TENANT_ID,
            )
            return {"kubeconfigs": [{"name": kind, "value": base64.b64encode(text.encode()).decode()}]}
        raise NotImplementedError(f"offline mocks have no answer for invoke {args.token}")


@dataclass
class StackOutput:
    value: Any
    secret: bool


@dataclass
class ProgramRun:
    """What one offline run of the program declared."""

    config: StackConfig
    registrations: list[Registration]
    outputs: dict[str, StackOutput]
    log: list[tuple[str, str]] = field(default_factory=list)
    """(level, message) of each `pulumi.log` call of the program."""

    @property
    def warnings(self) -> list[str]:
        return [message for level, message in self.log if level in ("warning", "error")]

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str) -> Registration:
        found = self.by_type(type_)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_}, found {len(found)}: {[r.urn for r in found]}")
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registrations if r.urn == urn)


def start_mocks(config: StackConfig, preview: bool = True, principal: str = FAKE_DEPLOYER_OBJECT_ID) -> RecordingMonitor:
    """Install the mock engine and the stack's config in the current context.

    `preview=True` (the default) runs the program as `pulumi preview` does
    (`pulumi.runtime.is_dry_run()` is true): what the offline plan and the tests model.
    `preview=False` is a real `pulumi up`, e.g. to show what it refuses. `principal` is the
    object id the client-config call reports: who runs `pulumi up` (`--principal`).
    """
    monitor = RecordingMonitor(OfflineMocks(principal))
    # The SDK keeps pending output tasks in a context property that MockSettings does not
    # reset; a run that stopped early (a config error) would leave tasks of a closed event
    # loop behind for the next run to wait on.
    pulumi.runtime.settings.SETTINGS.outputs = set()
    pulumi.runtime.set_mocks(
        monitor.mocks, project=config.project, stack=config.stack, preview=preview, logger=monitor.logger, monitor=monitor
    )
    pulumi.runtime.set_all_config(dict(config.raw), list(config.secret_keys))
    return monitor


async def run_program(project_dir: Path, config: StackConfig, monitor: RecordingMonitor) -> ProgramRun:
    """Run `__main__.py` once under the installed mocks and wait for every registration."""
    project = str(project_dir.resolve())
    if project not in sys.path:
        sys.path.insert(0, project)
    runpy.run_path(str(Path(project) / "__main__.py"), run_name="__main__")
    await wait_for_rpcs()
    outputs: dict[str, StackOutput] = {}
    root = pulumi.runtime.settings.get_root_resource()
    for name, value in sorted(getattr(root, "outputs", {}).items()):
        output = pulumi.Output.from_input(value)
        outputs[name] = StackOutput(await output.future(), bool(await output.is_secret()))
    return ProgramRun(config, list(monitor.registrations), outputs, list(monitor.log))


def run_stack(project_dir: Path, stack: str, raw_overrides: Optional[dict[str, str]] = None) -> ProgramRun:
    """Synchronous entry point: read the stack files, run the program, return the record."""
    config = read_stack_config(project_dir, stack)
    if raw_overrides:
        config = StackConfig(config.project, config.stack, config.stack_file, {**config.raw, **raw_overrides}, config.secret_keys)

    async def main() -> ProgramRun:
        return await run_program(project_dir, config, start_mocks(config))

    return asyncio.run(main())
