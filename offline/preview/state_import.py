"""Read the deployed state a preview compares against: `pulumi stack export` or a plan's state.json.

Read tolerantly: fields a real export has and the preview does not need (`id`, `outputs`,
`created`, `modified`, `propertyDependencies`, `secrets_providers`, `pending_operations`, ...)
are ignored, and so are the resources the engine adds on its own (the root stack, default
providers) and entries that are not live (`delete: true` left by an interrupted replace,
`external: true` read-only lookups). Everything else that is wrong is one `StateFileError`
whose message names the file and what is wrong, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from offline.preview.state_format import DEPLOYMENT_VERSION, ROOT_STACK_TYPE, is_engine_resource, is_secret_object
from offline.run import SECRET_PLACEHOLDER, urn_name


class StateFileError(Exception):
    """A state file that cannot be compared against; the message is all the user needs."""


@dataclass(frozen=True)
class DeployedResource:
    urn: str
    type: str
    custom: bool
    inputs: Mapping[str, Any] = field(default_factory=dict)
    protect: bool = False
    provider: str = ""
    """Its provider reference, `<urn>::<id>`; '' for components."""
    provider_inputs: Mapping[str, Any] = field(default_factory=dict)
    """That provider's inputs, default providers included (`offline.preview.provider_moves`)."""

    @property
    def name(self) -> str:
        return urn_name(self.urn)


@dataclass(frozen=True)
class DeployedOutputs:
    """The root stack's outputs: what a StackReference to the stack reads (pulumi
    pkg/resource/stack/checkpoint.go `GetRootStackResource`: type pulumi:pulumi:Stack, no parent)."""

    values: Mapping[str, Any] = field(default_factory=dict)
    """Each output; a secret's value is `[secret]`, never its plaintext, even from `--show-secrets`."""
    secret_names: frozenset[str] = frozenset()


def read_state(path: Path) -> list[DeployedResource]:
    """The live resources of a version-3 deployment file, sorted by URN."""
    return parse_state(_read_document(path), str(path))


def read_stack_outputs(path: Path) -> DeployedOutputs:
    """The root stack's outputs of a deployment file; none when it has no root stack (nothing deployed)."""
    document = _read_document(path)
    parse_state(document, str(path))  # the same checks, the same messages
    entries = document["deployment"].get("resources") or []
    root = next((e for e in entries if e.get("type") == ROOT_STACK_TYPE and not e.get("parent")), None)
    outputs = root.get("outputs") if root is not None else None
    if not isinstance(outputs, dict):
        return DeployedOutputs()
    secrets = frozenset(k for k, v in outputs.items() if is_secret_object(v))
    return DeployedOutputs({k: SECRET_PLACEHOLDER if k in secrets else v for k, v in outputs.items()}, secrets)


def _read_document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StateFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise StateFileError(f"{path}: cannot be read: not UTF-8 text (byte {exc.object[exc.start]:#x} at offset {exc.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateFileError(f"{path}: is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return document


def parse_state(document: Any, source: str) -> list[DeployedResource]:
    expected = f'a `pulumi stack export` file ({{"version": {DEPLOYMENT_VERSION}, "deployment": {{"resources": [...]}}}})'
    if not isinstance(document, dict) or "deployment" not in document:
        raise StateFileError(f"{source}: is not {expected}")
    version = document.get("version")
    if version != DEPLOYMENT_VERSION:
        raise StateFileError(f"{source}: deployment version {version!r} is not supported; expected {expected}")
    deployment = document["deployment"]
    if not isinstance(deployment, dict):
        raise StateFileError(f"{source}: `deployment` must be an object; expected {expected}")
    entries = deployment.get("resources")
    if entries is None:
        entries = []  # a stack with nothing deployed has none
    if not isinstance(entries, list):
        raise StateFileError(f"{source}: `deployment.resources` must be a list")
    found: dict[str, DeployedResource] = {}
    providers = {e.get("urn"): e.get("inputs") for e in entries if isinstance(e, dict) and str(e.get("type")).startswith("pulumi:providers:")}
    for index, entry in enumerate(entries):
        resource = _resource(entry, f"{source}: deployment.resources[{index}]", providers)
        if resource is not None:
            found[resource.urn] = resource
    return [found[urn] for urn in sorted(found)]


def _resource(entry: Any, where: str, providers: Mapping[Any, Any]) -> DeployedResource | None:
    if not isinstance(entry, dict):
        raise StateFileError(f"{where}: must be an object")
    urn, type_ = entry.get("urn"), entry.get("type")
    if not isinstance(urn, str) or not urn.startswith("urn:pulumi:") or urn.count("::") < 3:
        raise StateFileError(f"{where}: `urn` must be a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>), found {urn!r}")
    if not isinstance(type_, str) or not type_:
        raise StateFileError(f"{where} ({urn}): `type` must be a non-empty string")
    inputs = entry.get("inputs")
    if inputs is None:
        inputs = {}  # components and the root stack have none
    if not isinstance(inputs, dict):
        raise StateFileError(f"{where} ({urn}): `inputs` must be an object")
    if entry.get("delete") is True or entry.get("external") is True or is_engine_resource(type_, urn_name(urn)):
        return None
    provider = entry.get("provider") if isinstance(entry.get("provider"), str) else ""
    provider_inputs = providers.get(provider.rsplit("::", 1)[0]) if provider else None
    return DeployedResource(
        urn, type_, bool(entry.get("custom", True)), inputs, entry.get("protect") is True, provider, provider_inputs if isinstance(provider_inputs, dict) else {}
    )
