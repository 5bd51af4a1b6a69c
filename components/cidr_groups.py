"""CiliumCIDRGroups: names and labels for addresses outside the cluster, such as Azure's IMDS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kinds import CIDR_GROUP_API_VERSIONS, CIDR_GROUP_KIND, kubernetes_type
from components.options import deleted_with
from settings.cidr_groups import BUILTIN_CIDR_GROUPS, CidrGroupSettings
from settings.service_tags import ServiceTagsSettings

KIND = CIDR_GROUP_KIND
API_VERSIONS = CIDR_GROUP_API_VERSIONS


@dataclass(frozen=True)
class CidrGroupSpec:
    """One group as the cluster will see it."""

    name: str
    cidrs: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


def builtin_groups() -> list[CidrGroupSpec]:
    """IMDS and the platform DNS / WireServer address, labelled `k8s-app: <name>`."""
    return [CidrGroupSpec(name, (cidr,), {"k8s-app": name}) for name, cidr in BUILTIN_CIDR_GROUPS.items()]


def groups_from_settings(
    extra: Sequence[CidrGroupSettings], service_tags: ServiceTagsSettings | None = None
) -> list[CidrGroupSpec]:
    """The built-in groups, the stack's own in config order, then the service tags' groups."""
    tagged = service_tags.groups if service_tags is not None else ()
    return (
        builtin_groups()
        + [CidrGroupSpec(g.name, tuple(str(c) for c in g.cidrs), dict(g.labels)) for g in extra]
        + [CidrGroupSpec(g.name, g.cidrs, dict(g.labels), dict(g.annotations)) for g in tagged]
    )


def cidr_group_aliases(api_version: str) -> list[pulumi.Alias]:
    """The same group under the other apiVersion, so a Cilium upgrade is an update of it.

    pulumi-kubernetes types a custom resource as `kubernetes:<apiVersion>:<kind>`, so without an
    alias 1.17.x -> 1.18.0 (v2alpha1 -> v2) would plan a create of the new type and a delete of
    the old, both of the same cluster object: the create fails with AlreadyExists, or (with
    `upsertExistingObjects`) succeeds and the trailing delete removes the group (docstring of
    `upsert_existing_objects` in pulumi_kubernetes/provider.py; pulumi/pulumi-kubernetes#546).
    Both directions, so a rollback to 1.17.x is an update too.
    """
    return [pulumi.Alias(type_=kubernetes_type(other, KIND)) for other in API_VERSIONS if other != api_version]


def cidr_group_manifest(group: CidrGroupSpec, api_version: str) -> dict[str, Any]:
    """The object as the API server receives it."""
    metadata: dict[str, Any] = {"name": group.name}
    if group.labels:
        metadata["labels"] = dict(group.labels)
    if group.annotations:
        metadata["annotations"] = dict(group.annotations)
    return {
        "apiVersion": api_version,
        "kind": KIND,
        "metadata": metadata,
        "spec": {"externalCIDRs": list(group.cidrs)},
    }


@dataclass(frozen=True)
class CidrGroupsArgs:
    groups: Sequence[CidrGroupSpec]
    """Groups to declare; names are unique (checked by the settings)."""
    api_version: str
    """`cilium.io/v2` or `cilium.io/v2alpha1`, from `cidr_group_api_version`."""
    cilium_release: pulumi.Resource
    """The Cilium release; its readiness means the CRD is registered."""


class CidrGroups(pulumi.ComponentResource):
    """One CiliumCIDRGroup per spec, each created only after Cilium is ready.

    cilium-operator registers the CRD at start-up (the chart ships none); a group sent before
    that is retried only for about a minute and then fails the update
    (https://www.pulumi.com/registry/packages/kubernetes/api-docs/apiextensions/customresource/).
    """

    names: list[str]

    def __init__(self, name: str, args: CidrGroupsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-cilium:cidrgroups:CidrGroups", name, None, opts)
        self.resources: dict[str, k8s.apiextensions.CustomResource] = {}
        for group in args.groups:
            manifest = cidr_group_manifest(group, args.api_version)
            self.resources[group.name] = k8s.apiextensions.CustomResource(
                f"{name}-{group.name}",
                api_version=manifest["apiVersion"],
                kind=manifest["kind"],
                metadata=manifest["metadata"],
                spec=manifest["spec"],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[args.cilium_release],
                    aliases=cidr_group_aliases(args.api_version),
                    deleted_with=deleted_with(opts),
                ),
            )
        self.names = [g.name for g in args.groups]
        self.register_outputs({"names": self.names})
