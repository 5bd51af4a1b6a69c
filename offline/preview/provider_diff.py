"""How each provider diffs old and new inputs: what changes, what forces a replacement, what Azure refuses.

Every rule is the provider's own, with its source:

azure-native (pulumi-azure-native `provider/pkg/provider/provider.go` `Diff`, `provider/pkg/provider/diff.go`):
- keys starting with `__` are ignored (`ignoreKey`);
- top-level `resourceGroupName` compares without case, `location` without case and spaces, and a
  ManagedCluster's `sku` takes Basic for Base and Paid for Standard (`applyAzureSpecificDiff`);
- a top-level input that is added with its schema default is no change (`calculateChangesAndReplacements`);
- replacement: every path parameter of the resource's PUT, plus the properties marked ForceNew, at the
  top level and one level down (`calculateDetailedDiff`, `findForceNew`); ForceNew comes from the spec's
  `x-ms-mutability` without `update` and from `forceNewMap` in `provider/pkg/gen/replacement.go`. A
  replacement key covers what lies below it. An added ForceNew input equal to the old output is no
  replacement (`calculateChangesAndReplacements`, pulumi-azure-nextgen#238).
- a RoleAssignment's `roleDefinitionId` is not ForceNew, so a change is sent as an update, which Azure
  refuses (`RoleAssignmentUpdateNotPermitted`; pulumi-azure-native#2253, #771).
pulumi-kubernetes (`provider/pkg/provider/diff.go` `forceNewProperties`, `helm_release.go` `Diff`,
`provider.go` `DiffConfig`):
- an object is replaced when `.metadata.name` or `.metadata.namespace` changes (plus per-kind tables for
  built-in kinds, none of which this program uses); a changed apiVersion or kind is an update;
- a Helm release is replaced when `.name` or `.namespace` changes;
- the provider: see `kubernetes_provider_diff`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

import yaml

from offline.preview.check_inputs import azure_defaults
from offline.preview.value_compare import Comparison, compare, is_secret_object, is_unknown, reveal, top_key
from offline.run import KUBERNETES_PROVIDER_TYPE, covers, resource_type
from offline.run.resource_types import UnknownResourceType

FORCE_NEW_SOURCE = "https://github.com/pulumi/pulumi-azure-native/blob/master/provider/pkg/gen/replacement.go"
#: For a type without a row in the resource-type table: what every ARM resource has.
AZURE_GENERIC_REPLACE_PATHS = ("resourceGroupName", "location")
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ROLE_UPDATE_REFUSED = (
    "roleDefinitionId cannot change in place: azure-native sends it as an update (it is not in forceNewMap, {source}),"
    " and Azure refuses it with RoleAssignmentUpdateNotPermitted (pulumi/pulumi-azure-native#2253). Give the"
    " assignment a new roleAssignmentName (a new GUID) so that Pulumi creates the new assignment and deletes the old one"
)
KUBERNETES_PROVIDER = KUBERNETES_PROVIDER_TYPE
CLUSTER_KEYS = ("kubeconfig", "context", "cluster")


@dataclass(frozen=True)
class ProviderDiff:
    changed: tuple[str, ...] = ()
    """Every changed input path."""
    replace: tuple[str, ...] = ()
    """The changed paths that force a replacement (empty: an update, or nothing)."""
    refused: tuple[str, ...] = ()
    """Changes the provider sends as an update that Azure refuses in place, as messages."""
    secret_paths: tuple[str, ...] = ()
    """Paths holding a secret the export has only as ciphertext."""


def diff(type_: str, old: Mapping[str, Any], new: Mapping[str, Any], old_outputs: Optional[Mapping[str, Any]] = None) -> ProviderDiff:
    """What the provider of `type_` reports for these inputs (both as Check stores them)."""
    if type_ == KUBERNETES_PROVIDER:
        return kubernetes_provider_diff(old, new)
    if type_.startswith("pulumi:providers:"):
        # azure-native's DiffConfig reports no change at all (provider.go `DiffConfig`); others are compared plainly.
        return ProviderDiff() if type_ == "pulumi:providers:azure-native" else _plain(compare(old, new, skip=_engine_key))
    if type_.startswith("azure-native:"):
        return azure_native_diff(type_, old, new, old_outputs or {})
    if type_.startswith("kubernetes:"):
        return _with_replace(compare(old, new), replace_paths(type_))
    return _plain(compare(old, new))


def replace_paths(type_: str) -> tuple[str, ...]:
    """The inputs whose change replaces a resource of `type_` (`offline.run.replace_rules`, each rule with its source)."""
    try:
        return tuple(p for rule in resource_type(type_).replace_rules for p in rule.paths)
    except UnknownResourceType:
        return AZURE_GENERIC_REPLACE_PATHS if type_.startswith("azure-native:") else ("metadata.name", "metadata.namespace")


def _engine_key(key: str) -> bool:
    return key == "__internal"


def _plain(found: Comparison) -> ProviderDiff:
    return ProviderDiff(tuple(found.changed), (), (), tuple(found.secret_paths))


def _with_replace(found: Comparison, rules: tuple[str, ...]) -> ProviderDiff:
    replace = tuple(p for p in found.changed if any(covers(r, p) for r in rules))
    return ProviderDiff(tuple(found.changed), replace, (), tuple(found.secret_paths))


def _azure_same(type_: str):  # noqa: ANN202 (a local equivalence)
    def same(path: str, old: Any, new: Any) -> bool:
        if path == "resourceGroupName" and isinstance(old, str) and isinstance(new, str):
            return old.lower() == new.lower()
        if path == "location" and isinstance(old, str) and isinstance(new, str):
            return old.replace(" ", "").lower() == new.replace(" ", "").lower()
        if path == "sku" and type_ == "azure-native:containerservice:ManagedCluster":
            return _same_managed_cluster_sku(old, new)
        return False

    return same


def _same_managed_cluster_sku(old: Any, new: Any) -> bool:
    # sameManagedClusterSku (diff.go, pulumi-azure-native#2600): exactly name and tier on both sides.
    if not (isinstance(old, Mapping) and isinstance(new, Mapping) and set(old) == set(new) == {"name", "tier"}):
        return False
    names, tiers = {old["name"], new["name"]}, {old["tier"], new["tier"]}
    return (len(names) == 1 or names == {"Basic", "Base"}) and (len(tiers) == 1 or tiers == {"Paid", "Standard"})


def azure_native_diff(type_: str, old: Mapping[str, Any], new: Mapping[str, Any], old_outputs: Mapping[str, Any]) -> ProviderDiff:
    if "azureApiVersion" not in old and "azureApiVersion" in old_outputs:
        old = {**old, "azureApiVersion": old_outputs["azureApiVersion"]}  # state written by v2: `Diff`'s migration
    found = compare(old, new, _azure_same(type_), skip=lambda key: key.startswith("__"))
    defaults = azure_defaults(type_)
    changed = [p for p in found.changed if not (p in found.added and p in defaults and new.get(p) == defaults[p])]
    rules = replace_paths(type_)
    replace = []
    for path in changed:
        if not any(covers(rule, path) for rule in rules):
            continue
        key = top_key(path)
        if key not in old and key in old_outputs and reveal(new.get(key)) == old_outputs[key]:
            continue  # an added ForceNew input that equals the old output (pulumi-azure-nextgen#238)
        replace.append(path)
    refused = []
    if type_ == ROLE_ASSIGNMENT and "roleDefinitionId" in changed and not replace:
        refused.append(ROLE_UPDATE_REFUSED.format(source=FORCE_NEW_SOURCE))
    return ProviderDiff(tuple(changed), tuple(replace), tuple(refused), tuple(found.secret_paths))


def config_replaces(provider_type: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether a provider's DiffConfig asks to replace what moves onto it from a provider with `old` inputs.

    azure-native's never does (provider/pkg/provider/provider.go `DiffConfig`); the Kubernetes one
    follows `kubernetes_provider_diff`. Any other provider is not modelled: counted as a replace.
    """
    if provider_type == "pulumi:providers:azure-native":
        return False
    if provider_type == KUBERNETES_PROVIDER:
        return bool(kubernetes_provider_diff(old, new).replace)
    return True


def active_cluster(kubeconfig: Any) -> Optional[dict[str, Any]]:
    """The cluster entry the kubeconfig's current context points at, or None when it cannot be read."""
    try:
        document = yaml.safe_load(kubeconfig) if isinstance(kubeconfig, str) else None
    except yaml.YAMLError:
        return None
    if not isinstance(document, dict):
        return None
    contexts = {c.get("name"): c.get("context", {}) for c in document.get("contexts") or [] if isinstance(c, dict)}
    cluster = (contexts.get(document.get("current-context")) or {}).get("cluster")
    return next((c.get("cluster") for c in document.get("clusters") or [] if isinstance(c, dict) and c.get("name") == cluster), None)


def _readable(value: Any) -> Any:
    """A kubeconfig as text, when the export or the program has it in the clear; else None."""
    if is_secret_object(value):
        return None if "plaintext" not in value else json.loads(value["plaintext"])
    return reveal(value)


def kubernetes_provider_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> ProviderDiff:
    """pulumi-kubernetes `DiffConfig`, which decides whether the provider, and all on it, is replaced.

    - An updated `clusterIdentifier` (both set, different; an unknown new value counts as different) replaces.
    - A known identifier, unchanged, clears every replacement, whatever else changed.
    - Otherwise (no identifier, or one added or removed): an unknown kubeconfig, context or cluster replaces,
      and so does a change of the kubeconfig's active cluster.
    """
    found = compare(old, new, skip=_engine_key)
    if not found.changed and not found.secret_paths:
        return ProviderDiff()
    changed = tuple(found.changed)
    old_id, new_id = old.get("clusterIdentifier"), new.get("clusterIdentifier")
    if old_id is not None and new_id is not None:
        if is_unknown(new_id) or reveal(old_id) != reveal(new_id):
            return ProviderDiff(changed, ("clusterIdentifier",), (), tuple(found.secret_paths))
        return ProviderDiff(changed, (), (), tuple(found.secret_paths))  # Same: the deferred `resp.Replaces = nil`
    replace = [key for key in CLUSTER_KEYS if is_unknown(reveal(new.get(key)))]
    if not replace and "kubeconfig" in changed:
        before, after = active_cluster(_readable(old.get("kubeconfig"))), active_cluster(_readable(new.get("kubeconfig")))
        if before is not None and after is not None and before != after:
            replace.append("kubeconfig")
    return ProviderDiff(changed, tuple(replace), (), tuple(found.secret_paths))
