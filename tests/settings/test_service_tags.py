"""`aks-cilium:serviceTags`: the file is read and checked while settings load, the program
declares the tags' groups, and real published files plan into objects Cilium's CRD schema
accepts. The pure functions are tested in test_azure_service_tags.py."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Optional

import pytest

from azure_service_tags import file as tags_file
from azure_service_tags.file import read_service_tags_file
from azure_service_tags.groups import (
    CHANGE_NUMBER_ANNOTATION,
    CLOUD_ANNOTATION,
    MAX_PREFIXES_PER_GROUP,
    TAG_LABEL,
    collapse,
    service_tag_groups,
)
from offline.run.stack_files.stack_config import read_stack_config
from settings.common import kubernetes_names
from settings.common.errors import ConfigError
from settings.stack import load_settings
from tests.harness import (
    PROJECT_DIR,
    ProgramTestCase,
    changed_config,
    cilium_schemas,
    needs_reference,
    problems_for,
    schemas_missing,
    skip_or_fail,
)
from tests.service_tag_data import (
    NO_REAL_FILES,
    PUBLIC_FILE,
    REAL_FILES,
    REAL_TAGS,
    net,
    small_document,
    tag_entry,
    write,
)

KEY = "aks-cilium:serviceTags"
CIDR_GROUP = "kubernetes:cilium.io/v2:CiliumCIDRGroup"


def tag_problems(service_tags: Any, changes: Optional[dict] = None) -> list[str]:
    return problems_for({KEY: service_tags, **(changes or {})})


def settings_for(service_tags: Any):
    config = changed_config(read_stack_config(PROJECT_DIR, "dev"), {KEY: service_tags})
    return load_settings(config.raw, project=config.project, stack="dev")


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
            [str(p) for p in caught.exception.problems],
            [f"{KEY}.tags[0] = 'Storage.WestEuroope': not in ServiceTags_Public_20251103.json; did you mean 'Storage.WestEurope'?"],
        )
        self.assertEqual(self.monitor.registrations, [])

    async def test_a_missing_file_stops_the_program_before_any_resource_is_declared(self):
        with self.assertRaises(ConfigError):
            await self.run_program({KEY: {"file": str(self.tmp / "gone.json"), "tags": ["Storage.WestEurope"]}})
        self.assertEqual(self.monitor.registrations, [])


# --- real published files ----------------------------------------------------------------------


def schema_set(version: str = "1.20.0"):
    found = cilium_schemas(version)
    if found is None or not found.covers("CiliumCIDRGroup"):
        skip_or_fail(schemas_missing(f"CiliumCIDRGroup CRD for Cilium {version}"))
    return found


@needs_reference(not REAL_FILES, NO_REAL_FILES)
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


@needs_reference(not REAL_FILES, NO_REAL_FILES)
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
            skip_or_fail(NO_REAL_FILES)
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
