"""A `pulumi stack export` file as the engine reads it: encoding, versions 3 and 4, features, state flags.

Format: pulumi `sdk/go/common/apitype/core.go` (`UntypedDeployment`, `DeploymentV3`, `ResourceV3`,
`OperationV2`) and `pkg/resource/stack/deployment.go` (`DeserializeUntypedDeployment`,
`supportedFeatures`): https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/core.go.

- Version 3 is written unless some resource uses a feature, then version 4 with `features`
  (`deployment.go` `ApplyFeatures`); a program with `replace_with` always exports version 4 with
  `replaceWith`. A feature this file does not know is refused, as the CLI refuses it.
- Windows PowerShell 5.1 writes `pulumi stack export > state.json` as UTF-16LE with a byte-order mark;
  that and a UTF-8 BOM are read. Bytes that are no text at all are refused with the conversion command.
- Every resource keeps what the preview needs of the engine's bookkeeping: `id` and `outputs` (the engine
  reuses them for resources it does not replace), `taint`, `pendingReplacement`, `delete`, `external`,
  `refreshBeforeUpdate`, `deletedWith`, `replaceWith`; `pending_operations` are kept apart.
Anything wrong is one `ExportFileError` naming the file and the problem, never a traceback.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from offline.preview.state.state_format import ROOT_STACK_TYPE, SECRET_SIG, SIG_KEY
from offline.run import SECRET_PLACEHOLDER

#: `pkg/resource/stack/deployment.go` `supportedFeatures` (pulumi 3.259; the pinned 3.272 CLI writes no others).
SUPPORTED_FEATURES = frozenset(
    {"refreshBeforeUpdate", "views", "hooks", "taint", "replaceWith", "snippets-prototype", "extensionParameterization", "byteString"}
)
VERSIONS = (3, 4)
CONVERT_TO_UTF8 = (
    "export it again with `pulumi stack export --file state.json` (always UTF-8), or convert it in PowerShell:"
    " `Get-Content state.json | Set-Content -Encoding utf8 state8.json`"
)


class ExportFileError(Exception):
    """An export that cannot be previewed against; the message is all the user needs."""


@dataclass(frozen=True)
class ExportedResource:
    """One entry of `deployment.resources` (`ResourceV3`), with the fields the preview uses."""

    urn: str
    type: str
    custom: bool = True
    id: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    provider: str = ""
    """`<provider urn>::<provider id>`."""
    protect: bool = False
    taint: bool = False
    pending_replacement: bool = False
    delete: bool = False
    external: bool = False
    refresh_before_update: bool = False
    deleted_with: str = ""
    replace_with: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.urn.split("::", 3)[-1]

    @property
    def provider_urn(self) -> str:
        return self.provider.rsplit("::", 1)[0] if self.provider else ""


@dataclass(frozen=True)
class PendingOperation:
    """An operation the CLI was interrupted in (`OperationV2`): `creating`, `updating`, `deleting` or `reading`."""

    operation: str
    resource: ExportedResource


@dataclass(frozen=True)
class Export:
    source: str
    version: int
    features: tuple[str, ...]
    resources: tuple[ExportedResource, ...]
    """Every entry of `deployment.resources`, in file order, `delete: true` leftovers included."""
    pending_operations: tuple[PendingOperation, ...] = ()

    @property
    def live(self) -> list[ExportedResource]:
        """The entries the engine compares the program with: not `delete: true`."""
        return [r for r in self.resources if not r.delete]

    @property
    def leftovers(self) -> list[ExportedResource]:
        """`delete: true` entries an interrupted replace left: the engine deletes them."""
        return [r for r in self.resources if r.delete]


def decode(raw: bytes, source: str) -> str:
    """The text of an export: UTF-8 (with or without a BOM) or UTF-16 with a BOM (PowerShell 5.1 `>`)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ExportFileError(f"{source}: starts with a {encoding.upper()} byte-order mark but is not {encoding.upper()} text ({exc.reason}); {CONVERT_TO_UTF8}") from None
    if b"\x00" in raw[:4]:  # JSON text starts with ASCII: NUL bytes there are UTF-16 or UTF-32 without a BOM
        raise ExportFileError(f"{source}: is not UTF-8 text (it looks like UTF-16 without a byte-order mark); {CONVERT_TO_UTF8}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExportFileError(f"{source}: is not UTF-8 text: byte {raw[exc.start]:#x} at offset {exc.start}; {CONVERT_TO_UTF8}") from None


def read_export(path: Path) -> Export:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    text = decode(raw, str(path))
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportFileError(f"{path}: is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return parse_export(document, str(path))


def parse_export(document: Any, source: str) -> Export:
    expected = 'a `pulumi stack export` file ({"version": 3 or 4, "deployment": {"resources": [...]}})'
    if not isinstance(document, dict) or "deployment" not in document:
        raise ExportFileError(f"{source}: is not {expected}")
    version = document.get("version")
    if version not in VERSIONS:
        raise ExportFileError(f"{source}: deployment version {version!r} is not supported; expected {expected}")
    features = document.get("features") or []
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise ExportFileError(f"{source}: `features` must be a list of names")
    unknown = [f for f in features if f not in SUPPORTED_FEATURES]
    if unknown:
        # The CLI's own words (deployment.go ErrDeploymentUnsupportedFeatures).
        raise ExportFileError(f"{source}: this stack's deployment needs support for the following features: {', '.join(unknown)}")
    deployment = document["deployment"]
    if not isinstance(deployment, dict):
        raise ExportFileError(f"{source}: `deployment` must be an object; expected {expected}")
    entries = _list(deployment.get("resources"), f"{source}: `deployment.resources`")
    resources = tuple(_resource(e, f"{source}: deployment.resources[{i}]") for i, e in enumerate(entries))
    pending = []
    for index, entry in enumerate(_list(deployment.get("pending_operations"), f"{source}: `deployment.pending_operations`")):
        where = f"{source}: deployment.pending_operations[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise ExportFileError(f"{where}: must be an object with `resource` and `type`")
        pending.append(PendingOperation(entry["type"], _resource(entry.get("resource"), f"{where}.resource")))
    return Export(source, version, tuple(features), resources, tuple(pending))


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []  # a stack with nothing deployed has none
    if not isinstance(value, list):
        raise ExportFileError(f"{what} must be a list")
    return value


def _resource(entry: Any, where: str) -> ExportedResource:
    if not isinstance(entry, dict):
        raise ExportFileError(f"{where}: must be an object")
    urn, type_ = entry.get("urn"), entry.get("type")
    if not isinstance(urn, str) or not urn.startswith("urn:pulumi:") or urn.count("::") < 3:
        raise ExportFileError(f"{where}: `urn` must be a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>), found {urn!r}")
    if not isinstance(type_, str) or not type_:
        raise ExportFileError(f"{where} ({urn}): `type` must be a non-empty string")
    for key in ("inputs", "outputs"):
        if not isinstance(entry.get(key) or {}, dict):
            raise ExportFileError(f"{where} ({urn}): `{key}` must be an object")
    return ExportedResource(
        urn=urn,
        type=type_,
        custom=bool(entry.get("custom", True)),
        id=str(entry.get("id") or ""),
        inputs=entry.get("inputs") or {},
        outputs=entry.get("outputs") or {},
        parent=str(entry.get("parent") or ""),
        dependencies=tuple(entry.get("dependencies") or ()),
        provider=str(entry.get("provider") or ""),
        protect=entry.get("protect") is True,
        taint=entry.get("taint") is True,
        pending_replacement=entry.get("pendingReplacement") is True,
        delete=entry.get("delete") is True,
        external=entry.get("external") is True,
        refresh_before_update=entry.get("refreshBeforeUpdate") is True,
        deleted_with=str(entry.get("deletedWith") or ""),
        replace_with=tuple(entry.get("replaceWith") or ()),
    )


def subscription_and_tenant(export: Export) -> tuple[Optional[str], Optional[str]]:
    """The subscription and tenant the stack was deployed into, as its ARM ids and identities record them."""
    subscription = tenant = None
    for resource in export.live:
        if subscription is None and resource.id.lower().startswith("/subscriptions/"):
            subscription = resource.id.split("/")[2]
        found = resource.outputs.get("tenantId") if resource.type.startswith("azure-native:") else None
        if tenant is None and isinstance(found, str):
            tenant = found
    return subscription, tenant


@dataclass(frozen=True)
class StackOutputs:
    """The root stack's outputs: what a StackReference to the stack reads (pulumi
    pkg/resource/stack/checkpoint.go `GetRootStackResource`: type pulumi:pulumi:Stack, no parent)."""

    values: Mapping[str, Any] = field(default_factory=dict)
    """Each output; a secret's value is `[secret]`, never its plaintext, even from `--show-secrets`."""
    secret_names: frozenset[str] = frozenset()


def stack_outputs(export: Export) -> StackOutputs:
    """The root stack's outputs; none when there is no root stack (nothing deployed)."""
    root = next((r for r in export.live if r.type == ROOT_STACK_TYPE and not r.parent), None)
    if root is None:
        return StackOutputs()
    secrets = frozenset(k for k, v in root.outputs.items() if isinstance(v, Mapping) and v.get(SIG_KEY) == SECRET_SIG)
    return StackOutputs({k: SECRET_PLACEHOLDER if k in secrets else v for k, v in root.outputs.items()}, secrets)
