"""Azure service tags as CIDR groups: the file is read and checked while settings load,
prefixes are collapsed and split by address block, names and labels are stable and valid,
a weekly refresh touches only the changed tags' groups, and real published files plan into
objects Cilium's CRD schema accepts."""

from __future__ import annotations

import ipaddress
import json
import tempfile
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from azure_service_tags import file as tags_file
from azure_service_tags.file import PROJECT_DIR as SERVICE_TAGS_PROJECT_DIR
from azure_service_tags.file import read_service_tags_file, resolve_path
from azure_service_tags.groups import (
    CHANGE_NUMBER_ANNOTATION,
    CLOUD_ANNOTATION,
    MAX_PREFIXES_PER_GROUP,
    REGION_LABEL,
    SYSTEM_SERVICE_LABEL,
    TAG_LABEL,
    collapse,
    group_name,
    service_tag_groups,
    split,
)
from components.cidr_groups import CidrGroupSpec, cidr_group_manifest
from offline.stack_config import read_stack_config
from settings import kubernetes_names
from settings.errors import ConfigError
from settings.stack import load_settings
from tests.harness import CILIUM_REFERENCE_DIR, PROJECT_DIR, REFERENCE_DIR, ProgramTestCase, changed_config, problems_for

KEY = "aks-cilium:serviceTags"
CIDR_GROUP = "kubernetes:cilium.io/v2:CiliumCIDRGroup"
SERVICE_TAGS_DIR = REFERENCE_DIR / "azure-service-tags"
REAL_FILES = sorted(SERVICE_TAGS_DIR.glob("ServiceTags_*.json")) if SERVICE_TAGS_DIR.is_dir() else []
PUBLIC_FILE = next((f for f in REAL_FILES if "_Public_" in f.name), None)
NO_REAL_FILES = f"no real service-tags files in {SERVICE_TAGS_DIR} (set AKS_CILIUM_REFERENCE to the reference folder)"
#: Real tags of every size, up to the largest (AzureCloud: 13,155 prefixes, 3,232 collapsed).
REAL_TAGS = ["Storage.WestEurope", "AzureActiveDirectory", "AzureMonitor", "AzureContainerRegistry", "AzureCloud"]


def net(text: str) -> Any:
    return ipaddress.ip_network(text)


def nets(*texts: str) -> list[Any]:
    return [net(t) for t in texts]


def tag_entry(name: str, prefixes: list[str], *, change: int = 1, region: str = "", service: str = "") -> dict:
    return {
        "name": name,
        "id": name,
        "properties": {
            "changeNumber": change,
            "region": region,
            "regionId": 0,
            "platform": "Azure",
            "systemService": service,
            "addressPrefixes": prefixes,
            "networkFeatures": ["API", "NSG"],
        },
    }


def small_document(change: int = 100, **overrides: dict) -> dict:
    """A service-tags file in the published layout, with three small tags."""
    entries = {
        "Storage.WestEurope": tag_entry(
            "Storage.WestEurope",
            ["20.38.108.0/24", "20.38.109.0/24", "20.38.109.16/28", "2603:1020:201::/48"],
            change=39,
            region="westeurope",
            service="AzureStorage",
        ),
        "AzureActiveDirectory": tag_entry("AzureActiveDirectory", ["20.190.128.0/18", "40.126.0.0/18"], change=26, service="AzureAD"),
        "AzureSignalR.FranceSouth": tag_entry("AzureSignalR.FranceSouth", ["2603:1020:905::/48"], change=3, region="francesouth", service="AzureSignalR"),
    }
    entries.update(overrides)
    return {"changeNumber": change, "cloud": "Public", "values": list(entries.values())}


def write(path: Path, document: Any) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def tag_problems(service_tags: Any, changes: Optional[dict] = None) -> list[str]:
    return problems_for({KEY: service_tags, **(changes or {})})


def settings_for(service_tags: Any):
    config = changed_config(read_stack_config(PROJECT_DIR, "dev"), {KEY: service_tags})
    return load_settings(config.raw, project=config.project, stack="dev")


def groups_in(file: Path, tags: list[str], **kwargs: Any) -> dict[str, Any]:
    loaded = read_service_tags_file(str(file))
    return {g.name: g for g in service_tag_groups(loaded, tags, ipv4_only=kwargs.pop("ipv4_only", False), **kwargs)}


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


def test_relative_paths_resolve_against_the_project_directory_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert SERVICE_TAGS_PROJECT_DIR == PROJECT_DIR
    assert resolve_path("service-tags/ServiceTags_Public.json") == PROJECT_DIR / "service-tags" / "ServiceTags_Public.json"
    assert resolve_path(str(tmp_path / "x.json")) == tmp_path / "x.json"


def test_the_rest_api_and_az_cli_layout_with_string_change_numbers_is_accepted(tmp_path):
    document = {
        "name": "Public",
        "id": "/subscriptions/0/providers/Microsoft.Network/serviceTags/Public",
        "type": "Microsoft.Network/serviceTags",
        "changeNumber": "63",
        "cloud": "Public",
        "values": [
            {
                "name": "ApiManagement.AustraliaCentral",
                "id": "ApiManagement.AustraliaCentral",
                "serviceTagChangeNumber": "86",
                "properties": {
                    "changeNumber": "2",
                    "region": "australiacentral",
                    "state": "GA",
                    "systemService": "AzureApiManagement",
                    "addressPrefixes": ["20.36.106.68/31", "20.36.107.176/28"],
                    "networkFeatures": ["API", "NSG", "UDR", "FW"],
                },
            }
        ],
    }
    groups = groups_in(write(tmp_path / "az.json", document), ["ApiManagement.AustraliaCentral"])
    assert groups["azure-service-tag-apimanagement.australiacentral"].annotations[CHANGE_NUMBER_ANNOTATION] == "2"


# --- settings: the shape users write, and bad input --------------------------------------------


def test_settings_carry_the_finished_groups(tmp_path):
    file = write(tmp_path / "tags.json", small_document())
    settings = settings_for({"file": str(file), "tags": ["AzureActiveDirectory", "Storage.WestEurope"], "ipv4Only": True})
    section = settings.service_tags
    assert [(g.name, g.cidrs) for g in section.groups] == [
        ("azure-service-tag-azureactivedirectory", ("20.190.128.0/18", "40.126.0.0/18")),
        ("azure-service-tag-storage.westeurope", ("20.38.108.0/23",)),
    ]


def test_a_missing_file_is_refused_naming_the_key_and_the_resolved_path():
    assert tag_problems({"file": "service-tags/ServiceTags_Public_19990101.json", "tags": ["Storage"]}) == [
        f"{KEY}.file = 'service-tags/ServiceTags_Public_19990101.json': {PROJECT_DIR}/service-tags/"
        f"ServiceTags_Public_19990101.json does not exist (a relative path is resolved against the project directory {PROJECT_DIR})"
    ]


def test_an_unreadable_file_is_refused(tmp_path, monkeypatch):
    file = write(tmp_path / "tags.json", small_document())

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)  # chmod 000 does not stop root, who runs CI here
    assert tag_problems({"file": str(file), "tags": ["Storage.WestEurope"]}) == [
        f"{KEY}.file = '{file}': {file} cannot be read: Permission denied"
    ]


def test_a_directory_instead_of_a_file_is_refused(tmp_path):
    assert tag_problems({"file": str(tmp_path), "tags": ["Storage.WestEurope"]}) == [
        f"{KEY}.file = '{tmp_path}': {tmp_path} cannot be read: Is a directory"
    ]


def test_invalid_json_is_refused_with_its_position(tmp_path):
    file = write(tmp_path / "tags.json", '{"cloud": "Public",\n "values": [}')
    [problem] = tag_problems({"file": str(file), "tags": ["Storage.WestEurope"]})
    assert problem.startswith(f"{KEY}.file = '{file}': tags.json is not valid JSON: ")
    assert "line 2" in problem


def test_a_file_not_in_the_service_tags_layout_is_refused_naming_what_is_missing(tmp_path):
    file = write(tmp_path / "tags.json", {"cloud": "Public", "changeNumber": 1, "values": [{"name": "X", "id": "X", "properties": {"changeNumber": 1, "region": "", "systemService": ""}}]})
    assert tag_problems({"file": str(file), "tags": ["X"]}) == [
        f"{KEY}.file = '{file}': tags.json is not an Azure service-tags file ({tags_file.LAYOUT}):"
        " values[0].properties.addressPrefixes: field required"
    ]


def test_a_json_array_is_not_a_service_tags_file(tmp_path):
    file = write(tmp_path / "tags.json", [1, 2])
    [problem] = tag_problems({"file": str(file), "tags": ["X"]})
    assert "tags.json is not an Azure service-tags file" in problem and "<root>: input should be an object" in problem


def test_an_unknown_tag_is_refused_with_the_close_names_in_the_file(tmp_path):
    file = write(tmp_path / "ServiceTags_Public_20251103.json", small_document())
    assert tag_problems({"file": str(file), "tags": ["AzureActiveDirectory", "Storage.WestEuroope", "storage.westeurope"]}) == [
        f"{KEY}.tags[1] = 'Storage.WestEuroope': not in ServiceTags_Public_20251103.json; did you mean 'Storage.WestEurope'?",
        f"{KEY}.tags[2] = 'storage.westeurope': not in ServiceTags_Public_20251103.json; did you mean 'Storage.WestEurope'?",
    ]


def test_an_unknown_tag_with_no_close_name_says_where_names_come_from(tmp_path):
    file = write(tmp_path / "tags.json", small_document())
    [problem] = tag_problems({"file": str(file), "tags": ["Kusto"]})
    assert problem.startswith(f"{KEY}.tags[0] = 'Kusto': not in tags.json; tag names are the `name` of each entry of `values`")


def test_a_prefix_that_does_not_parse_is_refused_naming_the_tag_the_file_and_its_position(tmp_path):
    broken = tag_entry("AzureActiveDirectory", ["20.190.128.0/18", "40.126.0.0/33"])
    file = write(tmp_path / "tags.json", small_document(AzureActiveDirectory=broken))
    assert tag_problems({"file": str(file), "tags": ["AzureActiveDirectory"]}) == [
        f"{KEY}.tags[0] = 'AzureActiveDirectory': tags.json has an invalid prefix at values[1].properties.addressPrefixes[1]:"
        " '40.126.0.0/33' ('40.126.0.0/33' does not appear to be an IPv4 or IPv6 network)"
    ]


def test_a_prefix_with_host_bits_is_refused(tmp_path):
    file = write(tmp_path / "tags.json", small_document(AzureActiveDirectory=tag_entry("AzureActiveDirectory", ["20.190.128.1/18"])))
    [problem] = tag_problems({"file": str(file), "tags": ["AzureActiveDirectory"]})
    assert "'20.190.128.1/18' (20.190.128.1/18 has host bits set)" in problem


def test_a_tag_listed_twice_is_refused(tmp_path):
    file = write(tmp_path / "tags.json", small_document())
    assert tag_problems({"file": str(file), "tags": ["AzureActiveDirectory", "Storage.WestEurope", "AzureActiveDirectory"]}) == [
        f'{KEY}.tags = ["AzureActiveDirectory", "Storage.WestEurope", "AzureActiveDirectory"]: lists \'AzureActiveDirectory\' more than once'
    ]


def test_an_empty_tag_list_is_refused_with_an_example(tmp_path):
    file = write(tmp_path / "tags.json", small_document())
    [problem] = tag_problems({"file": str(file), "tags": []})
    assert problem.startswith(f"{KEY}.tags = []: must list at least one tag")


def test_an_ipv6_only_tag_with_ipv4_only_is_refused_because_it_would_declare_nothing(tmp_path):
    file = write(tmp_path / "tags.json", small_document())
    assert tag_problems({"file": str(file), "tags": ["AzureSignalR.FranceSouth"], "ipv4Only": True}) == [
        f"{KEY}.tags[0] = 'AzureSignalR.FranceSouth': has no IPv4 prefixes in tags.json and {KEY}.ipv4Only is true,"
        " so it would declare no CIDR group"
    ]


def test_a_generated_name_taken_by_a_configured_group_is_refused(tmp_path):
    file = write(tmp_path / "tags.json", small_document())
    problems = tag_problems(
        {"file": str(file), "tags": ["AzureActiveDirectory"]},
        {"aks-cilium:cidrGroups": [{"name": "azure-service-tag-azureactivedirectory", "cidrs": ["198.51.100.0/24"]}]},
    )
    assert problems == [
        f"{KEY}.tags[0] = 'AzureActiveDirectory': its CIDR group name 'azure-service-tag-azureactivedirectory' is already"
        " used by aks-cilium:cidrGroups[0]; names must be unique"
    ]


def test_a_tag_overlapping_the_pod_range_is_refused(tmp_path):
    file = write(tmp_path / "tags.json", small_document(AzureActiveDirectory=tag_entry("AzureActiveDirectory", ["10.244.0.0/24"])))
    assert tag_problems({"file": str(file), "tags": ["AzureActiveDirectory"]}) == [
        f"{KEY}.tags[0] = 'AzureActiveDirectory': its prefix '10.244.0.0/24' in tags.json overlaps aks-cilium:network.podCidr"
        " = '10.244.0.0/16'; in-cluster addresses are identified by workload labels, so a CIDR group there would never match"
    ]


def test_an_unknown_key_in_the_section_is_refused_with_a_suggestion(tmp_path):
    file = write(tmp_path / "tags.json", small_document())
    [problem] = tag_problems({"file": str(file), "tags": ["AzureActiveDirectory"], "ipv4only": True})
    assert problem.startswith(f"{KEY}.ipv4only: unknown key; did you mean 'ipv4Only'?")


# --- the program under mocks -------------------------------------------------------------------


class ServiceTagPrograms(ProgramTestCase):
    stack = "dev"

    def setUp(self) -> None:
        super().setUp()
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.file = write(self.tmp / "ServiceTags_Public_20251103.json", small_document(change=376))

    def groups(self, run) -> dict[str, Any]:
        return {r.inputs["metadata"]["name"]: r for r in run.by_type(CIDR_GROUP)}

    async def test_each_tag_is_declared_as_a_cilium_cidr_group_with_labels_and_annotations(self):
        run = await self.run_program({KEY: {"file": str(self.file), "tags": ["Storage.WestEurope"]}})
        group = self.groups(run)["azure-service-tag-storage.westeurope"]
        self.assertEqual(group.inputs["spec"], {"externalCIDRs": ["20.38.108.0/23", "2603:1020:201::/48"]})
        self.assertEqual(group.inputs["metadata"]["labels"][TAG_LABEL], "Storage.WestEurope")
        self.assertEqual(group.inputs["metadata"]["annotations"], {CHANGE_NUMBER_ANNOTATION: "39", CLOUD_ANNOTATION: "Public"})

    async def test_service_tag_groups_are_created_after_the_cilium_release(self):
        run = await self.run_program({KEY: {"file": str(self.file), "tags": ["Storage.WestEurope", "AzureActiveDirectory"]}})
        release = run.one("kubernetes:helm.sh/v3:Release")
        tagged = {n: r for n, r in self.groups(run).items() if n.startswith("azure-service-tag-")}
        self.assertEqual(len(tagged), 2)
        for name, group in tagged.items():
            self.assertIn(release.urn, group.dependencies, name)

    async def test_the_files_cloud_and_change_number_are_a_stack_output(self):
        run = await self.run_program({KEY: {"file": str(self.file), "tags": ["Storage.WestEurope"]}})
        self.assertEqual(
            run.outputs["serviceTagsSource"].value,
            {"file": "ServiceTags_Public_20251103.json", "cloud": "Public", "changeNumber": 376},
        )

    async def test_without_service_tags_only_the_other_groups_are_declared(self):
        run = await self.run_program()
        self.assertEqual(sorted(self.groups(run)), ["azure-imds", "azure-internal-dns"])
        self.assertNotIn("serviceTagsSource", run.outputs)

    async def test_a_bad_service_tag_stops_the_program_before_any_resource_is_declared(self):
        with self.assertRaises(ConfigError) as caught:
            await self.run_program({KEY: {"file": str(self.file), "tags": ["Storage.WestEuroope"]}})
        self.assertEqual(
            caught.exception.problems,
            [f"{KEY}.tags[0] = 'Storage.WestEuroope': not in ServiceTags_Public_20251103.json; did you mean 'Storage.WestEurope'?"],
        )
        self.assertEqual(self.monitor.registrations, [])

    async def test_a_missing_file_stops_the_program_before_any_resource_is_declared(self):
        with self.assertRaises(ConfigError):
            await self.run_program({KEY: {"file": str(self.tmp / "gone.json"), "tags": ["Storage.WestEurope"]}})
        self.assertEqual(self.monitor.registrations, [])


# --- real published files ----------------------------------------------------------------------


def schema_set(version: str = "1.20.0"):
    from offline.schemas import SchemaSet

    found = SchemaSet.for_version(CILIUM_REFERENCE_DIR, version) if CILIUM_REFERENCE_DIR.is_dir() else None
    if found is None or not found.covers("CiliumCIDRGroup"):
        pytest.skip(f"no CiliumCIDRGroup CRD for Cilium {version} in {CILIUM_REFERENCE_DIR}")
    return found


@pytest.mark.skipif(not REAL_FILES, reason=NO_REAL_FILES)
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_every_tag_of_a_real_file_gives_valid_names_labels_and_bounded_groups(path):
    loaded = read_service_tags_file(str(path))
    names = [t.name for t in loaded.document.values]
    groups = service_tag_groups(loaded, names, ipv4_only=False)
    assert len({g.name for g in groups}) == len(groups)
    for group in groups:
        assert kubernetes_names.is_dns1123_subdomain(group.name), group.name
        assert 1 <= len(group.cidrs) <= MAX_PREFIXES_PER_GROUP, group.name
        for key, value in group.labels.items():
            assert kubernetes_names.qualified_name_problem(key) is None, (group.name, key)
            assert kubernetes_names.is_label_value(value), (group.name, value)


@pytest.mark.skipif(not REAL_FILES, reason=NO_REAL_FILES)
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_a_real_tags_groups_together_hold_exactly_its_collapsed_prefixes(path):
    loaded = read_service_tags_file(str(path))
    for tag in ("AzureCloud", "AzureMonitor"):
        together = [net(c) for g in service_tag_groups(loaded, [tag], ipv4_only=False) for c in g.cidrs]
        expected = collapse([net(p) for p in loaded.tag(tag).properties.address_prefixes])
        assert together == list(expected), tag


class RealServiceTagPrograms(ProgramTestCase):
    stack = "dev"

    def setUp(self) -> None:
        if PUBLIC_FILE is None:
            self.skipTest(NO_REAL_FILES)
        super().setUp()

    async def test_real_tags_plan_into_groups_that_ciliums_crd_schema_accepts(self):
        schemas = schema_set("1.20.0")
        run = await self.run_program({KEY: {"file": str(PUBLIC_FILE), "tags": REAL_TAGS}})
        tagged = [r for r in run.by_type(CIDR_GROUP) if r.inputs["metadata"]["name"].startswith("azure-service-tag-")]
        self.assertEqual({r.inputs["metadata"]["labels"][TAG_LABEL] for r in tagged}, set(REAL_TAGS))
        self.assertGreater(len(tagged), len(REAL_TAGS), "AzureCloud and AzureMonitor exceed one group")
        for group in tagged:
            manifest = {k: group.inputs[k] for k in ("apiVersion", "kind", "metadata", "spec")}
            self.assertEqual(schemas.validate_manifest(manifest), [], group.urn)
            self.assertLessEqual(len(manifest["spec"]["externalCIDRs"]), MAX_PREFIXES_PER_GROUP, group.urn)

    async def test_real_tags_plan_into_v2alpha1_groups_for_cilium_1_17(self):
        schemas = schema_set("1.17.18")
        run = await self.run_program(
            {KEY: {"file": str(PUBLIC_FILE), "tags": ["Storage.WestEurope", "AzureActiveDirectory"]}, "aks-cilium:cilium": {"version": "1.17.18"}}
        )
        tagged = [r for r in run.by_type("kubernetes:cilium.io/v2alpha1:CiliumCIDRGroup") if "azure-service-tag" in r.name]
        self.assertEqual(len(tagged), 2)
        for group in tagged:
            manifest = {k: group.inputs[k] for k in ("apiVersion", "kind", "metadata", "spec")}
            self.assertEqual(schemas.validate_manifest(manifest), [], group.urn)

    async def test_a_real_file_names_its_change_number_in_the_stack_output(self):
        run = await self.run_program({KEY: {"file": str(PUBLIC_FILE), "tags": ["Storage.WestEurope"]}})
        document = json.loads(PUBLIC_FILE.read_text(encoding="utf-8"))
        self.assertEqual(run.outputs["serviceTagsSource"].value["changeNumber"], document["changeNumber"])
