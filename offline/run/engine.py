"""The real `__main__.py` under the Pulumi SDK's mock engine, with every registration recorded.

`MockResourceArgs` carries no parent, dependencies, ignore_changes or protect (see
`MockMonitor.RegisterResource` in the SDK,
https://github.com/pulumi/pulumi/blob/master/sdk/python/lib/pulumi/runtime/mocks.py), so
`RecordingMonitor` reads them off the raw `RegisterResource` request.
`OfflineMocks` (`offline.run.mocks`) answers like Azure and Kubernetes would.
"""

from __future__ import annotations

import asyncio
import logging
import runpy
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Optional

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from offline.run.answers import Answer, ResourceAnswers, ResourceRequest
from offline.run.default_providers import check_provider, disabled_packages
from offline.run.mocks import DIY_ORGANIZATION, FAKE_DEPLOYER_OBJECT_ID, DeployedStack, OfflineMocks
from offline.run.model import ProgramRun, Read, Registration, StackOutput
from offline.run.stack_files.stack_config import StackConfig, read_stack_config
from offline.run.urns import Resolved, alias_specs, alias_urns, resource_urn


@dataclass(frozen=True)
class EngineOptions:
    """How the mock engine answers; the defaults model a first `pulumi preview`."""

    principal: str = FAKE_DEPLOYER_OBJECT_ID
    """Object id the client-config call reports: who runs `pulumi up` (`--principal`)."""
    aliases: bool = True
    """False: record no aliases, as if the program declared none."""
    answers: Optional[ResourceAnswers] = None
    """Who answers for each resource's id and outputs instead of the fakes (`offline.run.answers`)."""
    organization: str = DIY_ORGANIZATION
    """What `pulumi.get_organization()` answers: the diy backends' fixed name, or a Pulumi Cloud org."""
    deployed_stack_outputs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The root stack's outputs of the deployed state (`--against`): what a StackReference to this
    stack reads. Empty: a new stack, as without `--against`."""
    deployed_secret_outputs: frozenset[str] = frozenset()
    """Which of `deployed_stack_outputs` are secrets (their values are placeholders)."""


DEFAULT_ENGINE = EngineOptions()


class _KeepLogs(logging.Handler):
    def __init__(self, sink: list[tuple[str, str]]):
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append((record.levelname.lower(), record.getMessage()))


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that keeps every registration, in order, with its options, and the program's log."""

    def __init__(
        self, mocks: pulumi_mocks.Mocks, aliases: bool = True, disabled_providers: frozenset[str] = frozenset(),
        answers: Optional[ResourceAnswers] = None,
    ):
        super().__init__(mocks)
        self.disabled_providers = disabled_providers
        """Packages whose default provider the stack disables (offline/run/default_providers.py)."""
        self.follow_aliases = aliases
        self.answers = answers
        self.registrations: list[Registration] = []
        self.reads: list[Read] = []
        self.log: list[tuple[str, str]] = []
        """(level, message) of each `pulumi.log` call, in order."""
        # The mock engine hands `pulumi.log.*` to this logger (MockEngine.Log in the SDK's mocks.py);
        # a private logger keeps the messages off the root logger and in this run's record.
        self.logger = logging.Logger(f"offline-engine-{id(self)}", logging.DEBUG)
        self.logger.addHandler(_KeepLogs(self.log))
        self._aliases: dict[str, list[str]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine's URN, with the parent's whole type chain (the SDK's mock keeps only its
        # last type), so the plan's URNs match a real `pulumi stack export` (offline/run/urns.py).
        return resource_urn(pulumi.get_stack(), pulumi.get_project(), parent, type_, name)

    def Invoke(self, request):  # noqa: N802 (gRPC method name)
        check_provider(self.disabled_providers, request.tok, request.provider, "an invoke")
        return super().Invoke(request)

    def ReadResource(self, request):  # noqa: N802 (gRPC method name)
        check_provider(self.disabled_providers, request.type, request.provider, request.name)
        response = super().ReadResource(request)
        inputs = rpc.deserialize_properties(request.properties) if request.properties else {}
        self.reads.append(Read(response.urn, request.type, request.id, request.parent, dict(inputs)))
        return response

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        if request.custom:
            check_provider(self.disabled_providers, request.type, request.provider, request.name)
        response = super().RegisterResource(request)
        at = Resolved(pulumi.get_stack(), pulumi.get_project(), request.parent, request.type, request.name)
        aliases = alias_urns(alias_specs(request), at, self._aliases.get(request.parent, ())) if self.follow_aliases else []
        self._aliases[response.urn] = aliases
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True) if request.object else {}
        asked = ResourceRequest(
            urn=response.urn, type=request.type, name=request.name, custom=request.custom, inputs=inputs,
            provider=request.provider, parent=request.parent, dependencies=tuple(request.dependencies),
            property_dependencies={k: tuple(v.urns) for k, v in request.propertyDependencies.items()},
            aliases=tuple(aliases), ignore_changes=tuple(request.ignoreChanges), protect=bool(request.protect),
            deleted_with=request.deletedWith, replace_with=tuple(request.replace_with),
        )
        if self.answers is not None:
            response = self._answered(asked, response)
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
                inputs=inputs,
                id=response.id,
                state=dict(self.resources.get(response.urn, (None, None, {}))[2] or {}),
                aliases=tuple(aliases),
                delete_before_replace=bool(request.deleteBeforeReplace),
                deleted_with=request.deletedWith,
                replace_with=tuple(request.replace_with),
            )
        )
        return response

    def _answered(self, asked: ResourceRequest, response):  # noqa: ANN202 (a RegisterResourceResponse)
        """The response with the id and outputs `self.answers` gives instead of the mocks' fakes."""
        fake = Answer(response.id, dict(self.resources[response.urn].state or {}))
        answer = self.answers.resource(asked, fake)  # type: ignore[union-attr]
        # Serialised as the SDK's own MockMonitor does it (pulumi/runtime/mocks.py RegisterResource).
        properties = _sync_await(rpc.serialize_properties(dict(answer.outputs), {}))
        self.resources[response.urn] = pulumi_mocks.MockMonitor.ResourceRegistration(response.urn, answer.id, dict(answer.outputs))
        return resource_pb2.RegisterResourceResponse(urn=response.urn, id=answer.id, object=properties)


def start_mocks(config: StackConfig, preview: bool = True, options: EngineOptions = DEFAULT_ENGINE) -> RecordingMonitor:
    """Install the mock engine and the stack's config in the current context.

    `preview=True` (the default) runs the program as `pulumi preview` does
    (`pulumi.runtime.is_dry_run()` is true): what the offline plan and the tests model.
    `preview=False` is a real `pulumi up`, e.g. to show what it refuses.
    `options` says how the mocks answer (`EngineOptions`).
    """
    client = options.answers.client_config() if options.answers is not None else None
    deployed = DeployedStack(options.organization, options.deployed_stack_outputs, options.deployed_secret_outputs)
    monitor = RecordingMonitor(
        OfflineMocks(options.principal, client, deployed), options.aliases, disabled_packages(config.raw), options.answers
    )
    # The SDK keeps pending output tasks in a context property that MockSettings does not
    # reset; a run that stopped early (a config error) would leave tasks of a closed event
    # loop behind for the next run to wait on.
    pulumi.runtime.settings.SETTINGS.outputs = set()
    pulumi.runtime.set_mocks(
        monitor.mocks, project=config.project, stack=config.stack, preview=preview, logger=monitor.logger, monitor=monitor,
        organization=options.organization,
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
    return ProgramRun(config, list(monitor.registrations), outputs, list(monitor.log), list(monitor.reads))


def run_stack(project_dir: Path, stack: str, raw_overrides: Optional[dict[str, str]] = None) -> ProgramRun:
    """Synchronous entry point: read the stack files, run the program, return the record."""
    config = read_stack_config(project_dir, stack)
    if raw_overrides:
        config = StackConfig(config.project, config.stack, config.stack_file, {**config.raw, **raw_overrides}, config.secret_keys)

    async def main() -> ProgramRun:
        return await run_program(project_dir, config, start_mocks(config))

    return asyncio.run(main())
