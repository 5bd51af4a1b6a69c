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

from offline.preview.state_format import DEPLOYMENT_VERSION, is_engine_resource
from offline.run import urn_name


class StateFileError(Exception):
    """A state file that cannot be compared against; the message is all the user needs."""


@dataclass(frozen=True)
class DeployedResource:
    urn: str
    type: str
    custom: bool
    inputs: Mapping[str, Any] = field(default_factory=dict)
    protect: bool = False

    @property
    def name(self) -> str:
        return urn_name(self.urn)


def read_state(path: Path) -> list[DeployedResource]:
    """The live resources of a version-3 deployment file, sorted by URN."""
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
    return parse_state(document, str(path))


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
    for index, entry in enumerate(entries):
        resource = _resource(entry, f"{source}: deployment.resources[{index}]")
        if resource is not None:
            found[resource.urn] = resource
    return [found[urn] for urn in sorted(found)]


def _resource(entry: Any, where: str) -> DeployedResource | None:
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
    return DeployedResource(urn, type_, bool(entry.get("custom", True)), inputs, entry.get("protect") is True)
