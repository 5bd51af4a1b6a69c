"""Answers the mock engine from a deployed state, the way the real engine plans each step.

For every registration the step is decided as pulumi's step generator decides it
(`pkg/resource/deploy/step_generator.go`): matched by URN or alias; replaced when tainted or
pending replacement, when its provider's DiffConfig asks for it (`providerChanged`), when a resource
in its `replaceWith` or its `deletedWith` is replaced, or when the provider's Diff says so; updated on
any other change; else the same. The answer then follows the engine and the providers:

- same: the recorded id and outputs; the engine does not call the provider at all.
- update, as `pulumi preview` sees it: azure-native's `Update` with `preview` returns the inputs and
  leaves every other output unknown, restoring only `name` and `location` from the old state
  (pulumi-azure-native `provider/pkg/provider/provider.go` `Update`); a Helm release's `status` and
  `resourceNames` are unknown (pulumi-kubernetes `helm_release.go` `checkpointRelease`). The id stays.
- update, as `pulumi up` does it: the recorded outputs with the new inputs; an update does not give
  Azure's output-only values (`resourceUID`, principal ids) new values.
- create or replace: in a preview the id and every output that is no input are unknown
  (`PreviewOutputs` in `Create`); in an up they are new values this preview cannot know, so they stay
  unknown too, except an ARM resource's `id`, `name` and `location`, which its path parameters fix.
Unknowns reach dependents through the program itself, as in the real run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from offline.preview.check_inputs import checked_inputs
from offline.preview.provider_diff import KUBERNETES_PROVIDER, config_replaces, diff, kubernetes_provider_diff
from offline.preview.state.export_file import Export, ExportedResource, subscription_and_tenant
from offline.preview.state.state_flags import forced_replace
from offline.preview.state.state_format import SECRET_SIG, SIG_KEY, is_engine_resource
from offline.preview.value_compare import is_secret_object, is_unknown, is_wrapped_secret, top_key
from offline.run import UNKNOWN, Answer, ClientConfig, ResourceRequest, covers, urn_name

PREVIEW, UP = "preview", "up"
CREATE, UPDATE, REPLACE, DELETE, SAME = "create", "update", "replace", "delete", "same"
#: Outputs azure-native restores from the old state in the preview of an update.
STABLE_OUTPUTS = ("name", "location")
#: Outputs of a new ARM resource that its path parameters fix.
ARM_FIXED_OUTPUTS = ("id", "name", "location", "type")


@dataclass(frozen=True)
class Step:
    """What the engine does with one registered resource."""

    urn: str
    type: str
    op: str
    paths: tuple[str, ...] = ()
    """update: the changed input paths; replace: what forces it (input paths, or `provider`, `replaceWith`, ...)."""
    changed: tuple[str, ...] = ()
    """Every changed input path."""
    old: Optional[ExportedResource] = None
    request: Optional[ResourceRequest] = None
    reason: str = ""
    refused: tuple[str, ...] = ()
    secret_paths: tuple[str, ...] = ()
    config_replace: bool = False
    """For a provider: whether its own DiffConfig asks to replace what is on it."""


def _ignored(paths: tuple[str, ...], ignore_changes: tuple[str, ...]) -> tuple[str, ...]:
    """`paths` without those an `ignoreChanges` entry covers: the engine keeps the old value there
    (`step_generator.go` `processIgnoreChanges`); `[*]` matches every index."""
    return tuple(p for p in paths if not any(covers(rule, p) for rule in ignore_changes))


def _fits(old: Any, new: Any) -> bool:
    """Whether an input value has the shape of the recorded output (a list of ids is no map of identities)."""
    if isinstance(old, Mapping):
        return isinstance(new, Mapping) and all(_fits(old[k], new[k]) for k in old.keys() & new.keys())
    if isinstance(old, list):
        return isinstance(new, list) and all(_fits(o, n) for o, n in zip(old, new, strict=False))
    return not isinstance(new, (Mapping, list))


def _has_unknowns(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(_has_unknowns(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_unknowns(v) for v in value)
    return False


def _echo(value: Any) -> Any:
    """An input handed back as an output: a value with an unknown inside is unknown as a whole, as the SDK takes it."""
    return UNKNOWN if _has_unknowns(value) else value


def _overlay(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (_echo(new[k]) if k in new and _fits(v, new[k]) else v) for k, v in old.items()}


def _created_output(key: str, fake: Any, inputs: Mapping[str, Any], fixed: tuple[str, ...]) -> Any:
    """An output of a resource not created yet: its input where it has the output's shape (`PreviewOutputs`),
    the path-fixed value, or unknown."""
    if key in inputs:
        return _echo(inputs[key]) if _fits(fake, inputs[key]) else UNKNOWN
    return fake if key in fixed else UNKNOWN


class ExportAnswers:
    """One run's answers from an export: `mode` is PREVIEW (`pulumi preview`) or UP (`pulumi up`)."""

    def __init__(self, export: Export, mode: str) -> None:
        self.export = export
        self.mode = mode
        self.by_urn = {r.urn: r for r in export.live}
        self.steps: dict[str, Step] = {}
        self.matched: set[str] = set()
        self.replaced: set[str] = set()
        self.made_anew: set[str] = set()
        """Custom resources created or replaced in this run: what is made from them is new too."""

    def client_config(self) -> Optional[ClientConfig]:
        subscription, tenant = subscription_and_tenant(self.export)
        return ClientConfig(subscription, tenant) if subscription and tenant else None

    def resource(self, request: ResourceRequest, fake: Answer) -> Answer:
        step = self._plan(request)
        self.steps[request.urn] = step
        if step.op == REPLACE:
            self.replaced.update({request.urn, step.old.urn if step.old else request.urn})
        if step.op in (CREATE, REPLACE) and request.custom:
            self.made_anew.add(request.urn)
        return self._answer(step, request, fake)

    # --- the step ------------------------------------------------------------------------

    def _plan(self, request: ResourceRequest) -> Step:
        old = next((self.by_urn[u] for u in (request.urn, *request.aliases) if u in self.by_urn and u not in self.matched), None)
        if old is None:
            return Step(request.urn, request.type, CREATE, request=request)
        self.matched.add(old.urn)
        if not request.custom:
            return Step(request.urn, request.type, SAME, old=old, request=request)
        new = checked_inputs(request.type, request.inputs, old.inputs)
        found = diff(request.type, old.inputs, new, old.outputs)
        changed = _ignored(found.changed, request.ignore_changes)
        replace = _ignored(found.replace, request.ignore_changes)
        base = dict(urn=request.urn, type=request.type, changed=changed, old=old, request=request,
                    refused=found.refused if set(changed) & {"roleDefinitionId"} else (), secret_paths=found.secret_paths)
        config_replace = request.type == KUBERNETES_PROVIDER and bool(kubernetes_provider_diff(old.inputs, new).replace)
        reason = forced_replace(old)
        if reason:
            return Step(op=REPLACE, paths=("taint" if old.taint else "pendingReplacement",), reason=reason, config_replace=config_replace, **base)
        for target in request.replace_with:
            if target in self.replaced:
                return Step(op=REPLACE, paths=("replaceWith",), reason=f"replaced with {urn_name(target)}", config_replace=config_replace, **base)
        if request.deleted_with and request.deleted_with in self.replaced:
            # The old one's Delete is skipped: what it is deleted with is deleted too (pkg/resource/deploy/step.go isDeletedWith).
            reason = f"replaced with {urn_name(request.deleted_with)}; the old copy is not deleted on its own, so nothing calls the old cluster's API server"
            return Step(op=REPLACE, paths=("deletedWith",), reason=reason, **base)
        if self._provider_replaces(request, old):
            return Step(op=REPLACE, paths=("provider",), reason="its provider's DiffConfig asks for a replacement", **base)
        if replace:
            return Step(op=REPLACE, paths=replace, config_replace=config_replace, **base)
        secret_sources = {d for path in found.secret_paths for d in request.property_dependencies.get(top_key(path), ())}
        sources = [urn_name(d) for d in sorted(secret_sources) if d in self.made_anew]
        if found.secret_paths and not changed and sources:
            # A secret made from a resource that is made anew (a kubeconfig from a new cluster) is new too,
            # though its ciphertext cannot be compared.
            reason = f"{', '.join(found.secret_paths)}: secret, not comparable; made from {', '.join(sources)}, which is made anew"
            return Step(op=UPDATE, paths=found.secret_paths, reason=reason, config_replace=config_replace,
                        **{**base, "changed": found.secret_paths})
        return Step(op=UPDATE if changed else SAME, paths=changed, config_replace=config_replace, **base)

    def _provider_replaces(self, request: ResourceRequest, old: ExportedResource) -> bool:
        """`providerChanged` (step_generator.go): a different provider reference asks the *new* provider's
        DiffConfig, with the old provider's inputs as the old side. That covers a provider replaced under
        its URN (a new id) and a move to another provider (the default azure-native one to the explicit one)."""
        if not request.provider or request.provider == old.provider:
            return False
        provider = self.steps.get(request.provider.rsplit("::", 1)[0])
        if provider is None or provider.request is None:
            return True  # a provider the run never registered: nothing to ask
        if provider.old is not None and provider.old.urn == old.provider_urn:
            return provider.config_replace
        before = self.by_urn.get(old.provider_urn)
        return config_replaces(provider.type, before.inputs if before is not None else {}, checked_inputs(provider.type, provider.request.inputs))

    # --- the answer ------------------------------------------------------------------------

    def _answer(self, step: Step, request: ResourceRequest, fake: Answer) -> Answer:
        old = step.old
        if not request.custom:
            return fake
        if request.type.startswith("pulumi:providers:"):
            outputs = {k: v for k, v in checked_inputs(request.type, request.inputs).items() if k != "__internal"}
            if step.op in (SAME, UPDATE) and old is not None:
                return Answer(old.id, outputs)
            return Answer("" if self.mode == PREVIEW else fake.id, outputs)
        if step.op == SAME and old is not None:
            return Answer(old.id, self._recorded(old.outputs, fake.outputs))
        if step.op == UPDATE and old is not None:
            recorded = self._recorded(old.outputs, fake.outputs)
            if self.mode == UP:
                return Answer(old.id, _overlay(recorded, request.inputs))
            if request.type.startswith("azure-native:"):
                unknown = {k: UNKNOWN for k in recorded}
                known = {k: _echo(v) for k, v in request.inputs.items() if k in recorded and _fits(recorded[k], v)}
                return Answer(old.id, {**unknown, **known, **{k: recorded[k] for k in STABLE_OUTPUTS if k in recorded}})
            outputs = _overlay(recorded, request.inputs)
            if request.type == "kubernetes:helm.sh/v3:Release":
                outputs.update(status=UNKNOWN, resourceNames=UNKNOWN)
            return Answer(old.id, outputs)
        # create or replace
        fixed = ARM_FIXED_OUTPUTS if self.mode == UP and request.type.startswith("azure-native:") else ()
        outputs = {k: _created_output(k, v, request.inputs, fixed) for k, v in fake.outputs.items()}
        return Answer(fake.id if self.mode == UP else "", outputs)

    @staticmethod
    def _recorded(outputs: Mapping[str, Any], fake: Mapping[str, Any]) -> dict[str, Any]:
        """Recorded outputs for the program. A ciphertext cannot be read offline: the mock's value stands in.
        A plan's own state.json records no outputs: then the mock's answer stands in for all of them."""
        if not outputs:
            return dict(fake)
        found = {}
        for key, value in outputs.items():
            if is_secret_object(value):
                if key in fake:
                    found[key] = fake[key] if is_wrapped_secret(fake[key]) else {SIG_KEY: SECRET_SIG, "value": fake[key]}
                continue
            found[key] = value
        return found

    # --- after the run -----------------------------------------------------------------------

    def deletes(self) -> list[Step]:
        """What the engine deletes: recorded resources nothing registered, and `delete: true` leftovers."""
        found = []
        for resource in self.export.live:
            if resource.urn in self.matched or resource.external or is_engine_resource(resource.type, resource.name):
                continue
            found.append(Step(resource.urn, resource.type, DELETE, old=resource))
        for resource in self.export.leftovers:
            found.append(Step(resource.urn, resource.type, DELETE, old=resource, reason="left by an interrupted replace (`delete: true`)"))
        return found
