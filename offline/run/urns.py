"""Pulumi URNs as the engine forms them, and the URNs a resource's aliases stand for.

A URN is `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. The qualified type is the
parent's whole qualified type, `$`, then the resource's own type; the root stack's type is left
out (the SDK's `create_urn` in pulumi/runtime/resource.py builds the same string:
https://github.com/pulumi/pulumi/blob/master/sdk/python/lib/pulumi/runtime/resource.py).
The SDK's `MockMonitor.make_urn` keeps only the parent's last type, so a URN of the mock
engine would never match one in a real `pulumi stack export`; `RecordingMonitor` forms URNs
here instead.

Aliases (https://www.pulumi.com/docs/iac/concepts/options/aliases/) arrive in the
RegisterResource request as `aliases` (each a full URN or a spec: name, type, stack, project,
parent URN or no parent; empty fields mean "as the resource itself") or, from engines without
alias specs, as `aliasURNs`. A child also answers to its own name and type under each of its
parent's aliases, as the engine derives them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"


def qualified_type(urn: str) -> str:
    """`a$b$c` of `urn:pulumi:s::p::a$b$c::name`."""
    parts = urn.split("::")
    return parts[2] if len(parts) >= 4 else ""


def urn_type(urn: str) -> str:
    """The resource's own type: the last element of the qualified type."""
    return qualified_type(urn).rsplit("$", 1)[-1]


def urn_name(urn: str) -> str:
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else urn


def resource_urn(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    chain = type_
    parent_chain = qualified_type(parent_urn) if parent_urn else ""
    if parent_chain and parent_chain != STACK_TYPE:
        chain = f"{parent_chain}${type_}"
    return f"urn:pulumi:{stack}::{project}::{chain}::{name}"


@dataclass(frozen=True)
class AliasSpec:
    """One alias as the SDK sends it; "" means "the resource's own value"."""

    urn: str = ""
    name: str = ""
    type: str = ""
    stack: str = ""
    project: str = ""
    parent_urn: str = ""
    no_parent: bool = False


def alias_specs(request: Any) -> list[AliasSpec]:
    """The aliases of a `RegisterResourceRequest` (pulumi/runtime/proto/resource_pb2)."""
    specs = [AliasSpec(urn=u) for u in getattr(request, "aliasURNs", ())]
    for alias in getattr(request, "aliases", ()):
        if alias.WhichOneof("alias") == "urn":
            specs.append(AliasSpec(urn=alias.urn))
        elif alias.WhichOneof("alias") == "spec":
            spec = alias.spec
            no_parent = spec.WhichOneof("parent") == "noParent" and spec.noParent
            specs.append(AliasSpec("", spec.name, spec.type, spec.stack, spec.project, spec.parentUrn, no_parent))
    return specs


@dataclass(frozen=True)
class Resolved:
    """Where a resource is being registered: what an alias's empty fields fall back to."""

    stack: str
    project: str
    parent_urn: str
    type: str
    name: str


def alias_urns(specs: Sequence[AliasSpec], at: Resolved, parent_aliases: Iterable[str] = ()) -> list[str]:
    """Every URN the resource also answers to, sorted, without its own URN."""
    own = resource_urn(at.stack, at.project, at.parent_urn, at.type, at.name)
    found: set[str] = set()
    for spec in specs:
        if spec.urn:
            found.add(spec.urn)
            continue
        parent = "" if spec.no_parent else spec.parent_urn or at.parent_urn
        found.add(
            resource_urn(spec.stack or at.stack, spec.project or at.project, parent, spec.type or at.type, spec.name or at.name)
        )
    # Under each alias of the parent, the child keeps its name and type, or takes its own
    # aliases' (unless an alias names another parent).
    for parent_alias in parent_aliases:
        found.add(resource_urn(at.stack, at.project, parent_alias, at.type, at.name))
        for spec in specs:
            if not spec.urn and not spec.no_parent and not spec.parent_urn:
                found.add(resource_urn(at.stack, at.project, parent_alias, spec.type or at.type, spec.name or at.name))
    found.discard(own)
    return sorted(found)
