"""The mock engine records each registration's aliases as the URNs they stand for, so a test or
a state diff can see that a resource of a new type is the same resource as an old one."""

from __future__ import annotations

from pulumi.runtime.proto import alias_pb2

from offline.engine import alias_urn

URN = "urn:pulumi:dev::aks-cilium::aks-cilium:platform:AksCiliumPlatform$aks-cilium:cidrgroups:CidrGroups$kubernetes:cilium.io/v2:CiliumCIDRGroup::g"
PARENTS = "aks-cilium:platform:AksCiliumPlatform$aks-cilium:cidrgroups:CidrGroups"


def spec(**fields) -> alias_pb2.Alias:
    return alias_pb2.Alias(spec=alias_pb2.Alias.Spec(**fields))


def test_an_alias_given_as_a_urn_is_kept_as_it_is():
    assert alias_urn(URN, alias_pb2.Alias(urn="urn:pulumi:dev::p::t::n")) == "urn:pulumi:dev::p::t::n"


def test_a_type_alias_keeps_stack_project_parents_and_name():
    old = alias_urn(URN, spec(type="kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup"))
    assert old == f"urn:pulumi:dev::aks-cilium::{PARENTS}$kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup::g"


def test_a_name_alias_changes_only_the_name():
    assert alias_urn(URN, spec(name="old")) == URN.removesuffix("::g") + "::old"


def test_a_parent_alias_takes_the_parents_type_chain_and_no_parent_drops_it():
    parent = "urn:pulumi:dev::aks-cilium::aks-cilium:platform:AksCiliumPlatform::aks-cilium"
    moved = alias_urn(URN, spec(parentUrn=parent))
    assert moved == "urn:pulumi:dev::aks-cilium::aks-cilium:platform:AksCiliumPlatform$kubernetes:cilium.io/v2:CiliumCIDRGroup::g"
    assert alias_urn(URN, spec(noParent=True)) == "urn:pulumi:dev::aks-cilium::kubernetes:cilium.io/v2:CiliumCIDRGroup::g"


def test_a_stack_or_project_alias_changes_only_that_part():
    assert alias_urn(URN, spec(stack="prod")).startswith("urn:pulumi:prod::aks-cilium::")
    assert alias_urn(URN, spec(project="other")).startswith("urn:pulumi:dev::other::")
