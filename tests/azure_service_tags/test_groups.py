"""Azure service tags as pure data: prefixes are collapsed and split by address block, names
and labels are stable and valid, a weekly refresh touches only the changed tags' groups, and
the file is read in both published layouts (azure_service_tags/)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from azure_service_tags.groups import (
    CHANGE_NUMBER_ANNOTATION,
    CLOUD_ANNOTATION,
    MAX_PREFIXES_PER_GROUP,
    REGION_LABEL,
    SYSTEM_SERVICE_LABEL,
    TAG_LABEL,
    collapse,
    group_name,
    split,
)
from components.cidr_groups import CidrGroupSpec, cidr_group_manifest
from settings.common import kubernetes_names
from tests.service_tag_data import groups_in, net, nets, small_document, tag_entry, write

# --- collapse ----------------------------------------------------------------------------------


def test_collapse_merges_adjacent_and_contained_prefixes():
    merged = collapse(nets("10.0.0.0/25", "10.0.0.128/25", "10.0.0.5/32", "10.0.1.0/24"))
    assert merged == (net("10.0.0.0/23"),)


def test_collapse_lists_ipv4_before_ipv6_each_in_address_order():
    merged = collapse(nets("2603:1000::/48", "40.0.0.0/24", "2001:db8::/32", "20.0.0.0/24"))
    assert [str(n) for n in merged] == ["20.0.0.0/24", "40.0.0.0/24", "2001:db8::/32", "2603:1000::/48"]


def test_ipv4_only_leaves_out_ipv6_prefixes():
    assert collapse(nets("20.0.0.0/24", "2603:1000::/48"), ipv4_only=True) == (net("20.0.0.0/24"),)


# --- split -------------------------------------------------------------------------------------


def test_a_tag_within_the_limit_is_one_chunk_covering_everything():
    prefixes = collapse(nets("20.0.0.0/24", "2603:1000::/48"))
    assert split(prefixes, limit=2) == [(None, prefixes)]


def test_an_over_full_tag_is_cut_into_aligned_address_blocks():
    prefixes = collapse(nets("10.0.0.0/24", "10.1.0.0/24", "200.0.0.0/24", "2603:1000::/48"))
    chunks = split(prefixes, limit=2)
    assert [(str(b), [str(p) for p in c]) for b, c in chunks] == [
        ("0.0.0.0/1", ["10.0.0.0/24", "10.1.0.0/24"]),
        ("128.0.0.0/1", ["200.0.0.0/24"]),
        ("::/0", ["2603:1000::/48"]),
    ]


@st.composite
def disjoint_prefixes(draw: Any) -> tuple[Any, ...]:
    raw = draw(
        st.lists(
            st.tuples(st.integers(0, 2**32 - 1), st.integers(8, 32)).map(
                lambda t: ipaddress.ip_network((t[0], t[1]), strict=False)
            ),
            min_size=0,
            max_size=200,
        )
    )
    return collapse(raw)


@hypothesis_settings(max_examples=200, deadline=None)
@given(disjoint_prefixes(), st.integers(1, 40))
def test_split_keeps_every_prefix_once_in_a_chunk_within_the_limit_and_its_block(prefixes, limit):
    chunks = split(prefixes, limit)
    assert [p for _, chunk in chunks for p in chunk] == list(prefixes)
    for block, chunk in chunks:
        assert 1 <= len(chunk) <= limit
        assert block is None or all(p.subnet_of(block) for p in chunk)


def test_adding_a_prefix_changes_only_the_chunk_whose_block_holds_it():
    base = [ipaddress.ip_network((i << 20, 24)) for i in range(4096)]  # one /24 in every /12
    before = dict(split(collapse(base), limit=MAX_PREFIXES_PER_GROUP))
    after = dict(split(collapse([*base, net("203.0.113.0/24")]), limit=MAX_PREFIXES_PER_GROUP))
    changed = [block for block in after if after[block] != before.get(block)]
    assert changed == [net("192.0.0.0/3")]  # 4,096 prefixes: eight blocks of 512; 203.0.113.0 lies in 192/3
    assert set(after) == set(before)


# --- names, labels, annotations ----------------------------------------------------------------


def test_a_single_chunk_is_named_after_the_tag_in_lowercase():
    assert group_name("Storage.WestEurope", None) == "azure-service-tag-storage.westeurope"


def test_chunk_names_carry_the_family_and_block():
    assert group_name("AzureCloud", net("0.0.0.0/0")) == "azure-service-tag-azurecloud-ipv4"
    assert group_name("AzureCloud", net("20.0.0.0/8")) == "azure-service-tag-azurecloud-ipv4-20.0.0.0-8"
    assert group_name("AzureCloud", net("2603:1000::/24")) == "azure-service-tag-azurecloud-ipv6-2603.1000-24"
    assert group_name("AzureCloud", net("8000::/1")) == "azure-service-tag-azurecloud-ipv6-8000-1"


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**128 - 1), st.integers(0, 128))
def test_every_ipv6_block_gives_a_valid_object_name(address, length):
    block = ipaddress.ip_network((address, length), strict=False)
    assert kubernetes_names.is_dns1123_subdomain(group_name("AzureCloud.westeurope", block))


def test_groups_are_labelled_with_tag_region_and_system_service(tmp_path):
    group = groups_in(write(tmp_path / "tags.json", small_document()), ["Storage.WestEurope"])["azure-service-tag-storage.westeurope"]
    assert group.labels == {TAG_LABEL: "Storage.WestEurope", REGION_LABEL: "westeurope", SYSTEM_SERVICE_LABEL: "AzureStorage"}


def test_a_global_tag_gets_no_empty_region_label(tmp_path):
    group = groups_in(write(tmp_path / "tags.json", small_document()), ["AzureActiveDirectory"])["azure-service-tag-azureactivedirectory"]
    assert group.labels == {TAG_LABEL: "AzureActiveDirectory", SYSTEM_SERVICE_LABEL: "AzureAD"}


def test_groups_are_annotated_with_the_tags_change_number_and_cloud_not_the_files(tmp_path):
    group = groups_in(write(tmp_path / "tags.json", small_document(change=100)), ["Storage.WestEurope"])["azure-service-tag-storage.westeurope"]
    assert group.annotations == {CHANGE_NUMBER_ANNOTATION: "39", CLOUD_ANNOTATION: "Public"}


def test_a_groups_prefixes_are_collapsed(tmp_path):
    group = groups_in(write(tmp_path / "tags.json", small_document()), ["Storage.WestEurope"])["azure-service-tag-storage.westeurope"]
    assert group.cidrs == ("20.38.108.0/23", "2603:1020:201::/48")


def test_manifest_sends_annotations_only_when_there_are_some():
    plain = cidr_group_manifest(CidrGroupSpec("corp", ("198.51.100.0/24",)), "cilium.io/v2")
    annotated = cidr_group_manifest(CidrGroupSpec("corp", ("198.51.100.0/24",), {}, {"a/b": "1"}), "cilium.io/v2")
    assert "annotations" not in plain["metadata"]
    assert annotated["metadata"]["annotations"] == {"a/b": "1"}


def test_a_full_group_of_the_longest_prefixes_stays_far_below_etcds_limit():
    longest = [f"ffff:ffff:ffff:ffff:ffff:ffff:ffff:{i:04x}/128" for i in range(MAX_PREFIXES_PER_GROUP)]
    labels = {TAG_LABEL: "x" * 63, REGION_LABEL: "x" * 63, SYSTEM_SERVICE_LABEL: "x" * 63}
    spec = CidrGroupSpec("azure-service-tag-" + "x" * 200, tuple(longest), labels, {CHANGE_NUMBER_ANNOTATION: "99999", CLOUD_ANNOTATION: "AzureGovernment"})
    size = len(json.dumps(cidr_group_manifest(spec, "cilium.io/v2")))
    assert size < 64 * 1024, size  # etcd's default request limit is 1.5 MiB; kubectl's annotation limit 256 KiB


# --- weekly refresh ----------------------------------------------------------------------------


def test_a_refreshed_file_changes_only_the_groups_of_tags_that_changed(tmp_path):
    grown = tag_entry("AzureActiveDirectory", ["20.190.128.0/18", "40.126.0.0/18", "52.0.0.0/24"], change=27, service="AzureAD")
    week1 = groups_in(write(tmp_path / "week1.json", small_document(change=100)), ["Storage.WestEurope", "AzureActiveDirectory"])
    week2 = groups_in(
        write(tmp_path / "week2.json", small_document(change=101, AzureActiveDirectory=grown)),
        ["Storage.WestEurope", "AzureActiveDirectory"],
    )
    changed = sorted(name for name in week2 if week2[name] != week1.get(name))
    assert changed == ["azure-service-tag-azureactivedirectory"]


def test_a_reissued_file_with_only_a_new_change_number_changes_no_group(tmp_path):
    week1 = groups_in(write(tmp_path / "week1.json", small_document(change=100)), ["Storage.WestEurope"])
    week2 = groups_in(write(tmp_path / "week2.json", small_document(change=101)), ["Storage.WestEurope"])
    assert week2 == week1


# --- reading the file --------------------------------------------------------------------------




