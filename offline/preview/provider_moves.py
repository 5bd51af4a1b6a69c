"""A resource that moves to another provider: replaced only when the new provider's DiffConfig says so.

When a resource's provider reference changes (the default azure-native provider to the explicit
one components/platform.py declares, a renamed Kubernetes provider), the engine does not
compare the resource's inputs first. It asks the *new* provider's DiffConfig, with the old
provider's inputs as the old side, and replaces the resource only if that reports a replace
(pulumi `pkg/resource/deploy/step_generator.go`, providerChanged). Otherwise the resource is
diffed as usual. So the rule per provider type is the replace rule of its config: none for
azure-native (its DiffConfig never replaces: pulumi-azure-native
`provider/pkg/provider/provider.go` DiffConfig), `clusterIdentifier` for Kubernetes
(`offline.run.replace_rules`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from offline.preview.change_preview import PROVIDER_REPLACED, REPLACE, ResourceChange
from offline.preview.input_diff import changed_paths, comparable_inputs
from offline.preview.state_import import DeployedResource
from offline.run import Registration, covers, resource_type


def provider_move(old: DeployedResource, new: Registration, registrations: Mapping[str, Registration]) -> Optional[ResourceChange]:
    """The replace a provider move forces, or None: no move, or the resource is compared as usual."""
    old_provider = old.provider.rsplit("::", 1)[0] if old.provider else ""
    if not old_provider or not new.provider_urn or old_provider == new.provider_urn:
        return None
    provider = registrations.get(new.provider_urn)
    if provider is None:
        return None
    paths = changed_paths(comparable_inputs(provider.type, old.provider_inputs), comparable_inputs(provider.type, provider.inputs))
    rules = resource_type(provider.type).replace_rules
    if not any(covers(rule_path, p) for rule in rules for rule_path in rule.paths for p in paths):
        return None
    return ResourceChange(REPLACE, (PROVIDER_REPLACED,), old, new, tuple(paths))
