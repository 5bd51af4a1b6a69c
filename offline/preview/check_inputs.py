"""The program's new inputs as the providers' `Check` and the engine store them, so old and new compare alike.

The engine stores what `Check` returned (pulumi `pkg/resource/deploy/step_generator.go`) and diffs
`Check`'s output against it, so before comparing, the new side gets what `Check` adds:

- azure-native v3 adds `azureApiVersion`, the module's default API version in that plugin version
  (pulumi-azure-native `provider/pkg/provider/provider.go` `applyDefaults`). The installed SDK is
  generated from the same metadata and names that version in each resource's docstring ("Uses Azure
  REST API version …"), so the new side follows the installed plugin; an export written by another
  plugin version keeps its own, and the difference shows as the update it is. A missing `location`
  is the old inputs' one (`getDefaultLocation`).
- pulumi-kubernetes re-encodes a `helm.v3.Release` as its `Release` struct (`provider/pkg/provider/
  helm_release.go` `Check`, `setDefaults`): every non-pointer field is written, zero values included,
  because `resource.NewPropertyMap` treats `omitempty` as "optional" only (pulumi
  `sdk/go/common/util/mapper/mapper_encode.go`); `compat` is no field and disappears.
- The engine adds `version` and an `__internal` object to a provider's inputs (pulumi
  `pkg/resource/deploy/providers/registry.go` `SetProviderVersion`; `source_eval.go` for explicit
  providers, `default_providers.go` for default ones).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any, Optional

from pulumi import _types as pulumi_types

AZURE_PREFIX = "azure-native:"
HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
PROVIDER_PREFIX = "pulumi:providers:"
_API_VERSION = re.compile(r"Uses Azure REST API version (\d{4}-\d{2}-\d{2}(?:-preview)?)")
_DEFAULT = re.compile(r"^\s+if (\w+) is None:\n\s+\1 = (True|False|-?\d+(?:\.\d+)?|'[^'\n]*'|\"[^\"\n]*\")$", re.MULTILINE)
_SDK_PACKAGES = {"azure-native": "pulumi_azure_native", "kubernetes": "pulumi_kubernetes"}

#: `Release` fields that are not pointers, with their zero values (helm_release.go `type Release struct`).
RELEASE_ZERO_FIELDS: dict[str, Any] = {
    **dict.fromkeys(
        ("allowNullValues", "atomic", "cleanupOnFail", "createNamespace", "dependencyUpdate", "devel", "disableCRDHooks",
         "disableOpenapiValidation", "disableWebhooks", "forceUpdate", "lint", "recreatePods", "renderSubchartNotes",
         "replace", "resetValues", "reuseValues", "skipCrds", "verify", "skipAwait", "waitForJobs"),
        False,
    ),
    **dict.fromkeys(("chart", "description", "keyring", "name", "namespace", "postrender", "version"), ""),
    "timeout": 0,
}
#: `RepositoryOpts`, written whole when the release names a repository.
REPOSITORY_OPTS_FIELDS = ("repo", "caFile", "certFile", "keyFile", "password", "username")
#: `defaultTimeoutSeconds` in helm_release.go, applied when `skipAwait` is false and no timeout is given.
DEFAULT_TIMEOUT_SECONDS = 300
#: Inputs that are no `Release` field: dropped by Check (`compat` is an SDK marker; `resourceNames` is deleted).
RELEASE_NON_FIELDS = ("compat", "resourceNames")


@functools.cache
def plugin_version(package: str) -> Optional[str]:
    """The provider plugin version the installed SDK of `package` asks for (its `pulumi-plugin.json`)."""
    module = _SDK_PACKAGES.get(package)
    if module is None:
        return None
    try:
        return json.loads(resources.files(module).joinpath("pulumi-plugin.json").read_text(encoding="utf-8"))["version"]
    except (ModuleNotFoundError, FileNotFoundError, KeyError, ValueError):
        return None


@functools.cache
def _resource_class(type_: str) -> Optional[type]:
    """The azure-native SDK class of `azure-native:<module>:<Name>`, or None."""
    parts = type_.split(":")
    if len(parts) != 3 or parts[0] != "azure-native":
        return None
    try:
        return getattr(importlib.import_module(f"pulumi_azure_native.{parts[1].replace('/', '.')}"), parts[2], None)
    except ImportError:
        return None


@functools.cache
def azure_api_version(type_: str) -> Optional[str]:
    """The default Azure API version of `type_` in the installed azure-native SDK, or None."""
    cls = _resource_class(type_)
    found = _API_VERSION.search(inspect.getsource(cls)) if cls is not None else None
    return found.group(1) if found else None


@functools.cache
def azure_defaults(type_: str) -> dict[str, Any]:
    """Top-level inputs the schema gives a default (the SDK fills them in when unset), by wire name."""
    cls = _resource_class(type_)
    args = getattr(importlib.import_module(cls.__module__), f"{cls.__name__}Args", None) if cls is not None else None
    if args is None:
        return {}
    names = pulumi_types.input_type_py_to_pulumi_names(args)
    source = inspect.getsource(cls._internal_init)  # type: ignore[attr-defined]
    return {names.get(py, py): json.loads(value.lower() if value in ("True", "False") else value.replace("'", '"'))
            for py, value in _DEFAULT.findall(source)}


def _has_location(type_: str) -> bool:
    cls = _resource_class(type_)
    return cls is not None and "location" in inspect.signature(cls._internal_init).parameters  # type: ignore[attr-defined]


def checked_inputs(type_: str, inputs: Mapping[str, Any], old_inputs: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """`inputs` as the provider's Check and the engine would store them."""
    if type_.startswith(PROVIDER_PREFIX):
        return provider_inputs(type_, inputs)
    if type_ == HELM_RELEASE_TYPE:
        return release_struct(inputs)
    if type_.startswith(AZURE_PREFIX):
        found = dict(inputs)
        if "azureApiVersion" not in found and azure_api_version(type_):
            found["azureApiVersion"] = azure_api_version(type_)
        if found.get("location") is None and old_inputs and old_inputs.get("location") is not None and _has_location(type_):
            found["location"] = old_inputs["location"]
        return found
    return dict(inputs)


def provider_inputs(type_: str, inputs: Mapping[str, Any], version: Optional[str] = None) -> dict[str, Any]:
    """A provider's inputs with the engine's `version` and `__internal`."""
    found = dict(inputs)
    version = version or plugin_version(type_.removeprefix(PROVIDER_PREFIX))
    if version:
        found["version"] = version
        found.setdefault("__internal", {})
    return found


def release_struct(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A `helm.v3.Release`'s inputs after pulumi-kubernetes' Check."""
    found = {**RELEASE_ZERO_FIELDS, **{k: v for k, v in inputs.items() if k not in RELEASE_NON_FIELDS and v is not None}}
    if not found["namespace"]:
        found["namespace"] = "default"  # the provider's default namespace, unset in this program
    if found["skipAwait"] is False and "timeout" not in inputs:
        found["timeout"] = DEFAULT_TIMEOUT_SECONDS
    repository = found.get("repositoryOpts")
    if isinstance(repository, Mapping):
        found["repositoryOpts"] = {**dict.fromkeys(REPOSITORY_OPTS_FIELDS, ""), **repository}
    return found
