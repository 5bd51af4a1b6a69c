"""The rules of issue #12 one function at a time: how the raw config bag is read (settings), how a
stack file's YAML becomes config values, RE2 paths, Helm value names, service-tag file bytes and
the plan's output folder. tests/offline/run/test_stack_files.py drives the same rules end to end."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from azure_service_tags.file import DuplicateServiceTags, NotUtf8, read_service_tags_file
from offline.report.plan_files import MANIFEST, PlanFilesError, write_plan_files
from offline.run import yaml_values
from offline.run.stack_config import read_stack_config
from offline.schemas.helm_value_names import unknown_top_level_values
from settings.egress_rules import re2_problem
from settings.errors import ConfigError, close_matches, did_you_mean, fold
from settings.raw_config import edit_distance, near_miss_namespace
from settings.stack import load_settings
from tests.harness import DELETE, PROJECT_DIR, load_stack_settings, problems_for
from tests.service_tag_data import small_document

# --- namespaces ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("namespace", "ours"),
    [
        ("aks-cillium", "aks-cilium"),
        ("aks-cilum", "aks-cilium"),
        ("AKS-Cilium", "aks-cilium"),
        ("aks_cilium", "aks-cilium"),
        ("akscilium", "aks-cilium"),
        ("aks-cilimu", "aks-cilium"),  # two letters swapped
        ("azure-nativ", "azure-native"),
        ("azurenative", "azure-native"),
        ("aks-cilium", None),
        ("azure-native", None),
        ("azure", None),  # the classic provider: a real namespace
        ("azure-nextgen", None),
        ("kubernetes", None),
        ("pulumi", None),
        ("aks-cilium-dev", None),
    ],
)
def test_a_namespace_is_a_near_miss_of_ours_only_within_two_edits_or_by_case_and_separators(namespace, ours):
    assert near_miss_namespace(namespace) == ours


def test_edit_distance_counts_a_swap_as_one_edit():
    assert edit_distance("aks-cilimu", "aks-cilium") == 1
    assert edit_distance("kitten", "sitting") == 3


def test_a_near_miss_namespace_is_refused_in_settings_so_pulumi_up_refuses_it_too():
    problems = problems_for({"aks-cilum:protect": True})
    assert problems == [
        "aks-cilum:protect: the namespace 'aks-cilum' is not 'aks-cilium', so nothing would read this key; did you mean"
        " 'aks-cilium:protect'? (this stack reads aks-cilium:* and azure-native:location; keys of other namespaces pass untouched)"
    ]


def test_keys_of_other_namespaces_pass_untouched():
    settings = load_stack_settings("dev", {"kubernetes:context": "x", "azure-native:subscriptionId": "0000", "azure:location": "westeurope"})
    assert settings.location == "westeurope"


def test_the_classic_azure_location_is_named_when_azure_native_location_is_missing():
    problems = problems_for({"azure-native:location": DELETE, "azure:location": "westeurope"})
    assert problems == [
        "azure-native:location: required but not set; azure:location is set, but that is the classic azure provider's key"
        " and this stack uses azure-native: rename it to azure-native:location"
    ]


# --- text keys and secrets ----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["20251", "007", "true"])
def test_a_text_key_takes_the_text_the_cli_passes_as_it_is(raw):
    assert load_stack_settings("dev", {"aks-cilium:clusterName": raw}).cluster_name == raw


def test_a_boolean_key_still_reads_the_cli_text_as_json():
    assert load_stack_settings("dev", {"aks-cilium:protect": "true"}).protect is True


def test_a_secret_key_is_refused_with_the_reason_and_nothing_misleading():
    raw = dict(read_stack_config(PROJECT_DIR, "dev").raw)
    with pytest.raises(ConfigError) as caught:
        load_settings(raw, project="aks-cilium", stack="dev", secret_keys={"azure-native:location"})
    problems = caught.value.problems
    assert len(problems) == 1 and problems[0].startswith("azure-native:location: holds an encrypted value (secure:)")
    assert "no key of this stack may be secret" in problems[0] and "did you mean" not in problems[0]


def test_a_secret_text_key_is_refused_even_without_the_list_of_secret_keys():
    problems = problems_for({"aks-cilium:clusterName": "[secret]"})
    assert len(problems) == 1 and problems[0].startswith("aks-cilium:clusterName: holds an encrypted value")


def test_the_offline_secret_placeholder_is_named_at_its_own_path():
    problems = problems_for({"aks-cilium:network": {"podCidr": "[secret]"}})
    assert len(problems) == 1 and problems[0].startswith("aks-cilium:network.podCidr: holds an encrypted value")


# --- messages -----------------------------------------------------------------------------


def test_suggestions_compare_without_case_and_accents():
    assert fold("Wéstëurope") == "westeurope"
    assert close_matches("wéstëurope", ["westeurope", "northeurope"]) == ["westeurope"]
    assert did_you_mean("Hübble", ["hubble", "hostPort"]) == "did you mean 'hubble'?"


def test_an_accented_region_suggests_the_region_without_accents():
    problems = problems_for({"azure-native:location": "wéstëurope"})
    assert problems == ["azure-native:location = 'wéstëurope': must be an Azure region name such as 'westeurope' (lowercase, no spaces); did you mean 'westeurope'?"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"aks-cilium:cluster": "small"}, "aks-cilium:cluster = 'small': must be a mapping of keys to values (keys: admins, authorizedIpRanges,"),
        ({"aks-cilium:cidrGroups": {"name": "x"}}, 'aks-cilium:cidrGroups = {"name": "x"}: must be a list'),
        ({"aks-cilium:protect": "maybe"}, "aks-cilium:protect = 'maybe': must be true or false"),
        ({"aks-cilium:tags": {"a": 1.5}}, "aks-cilium:tags.a = 1.5: must be text, not a number: YAML reads an unquoted 1.5 as a number; quote it"),
        ({"aks-cilium:cluster": {"nodePools": [{"name": "a", "mode": "System", "count": 2.5}]}}, "aks-cilium:cluster.nodePools[0].count = 2.5: must be a whole number"),
        ({"aks-cilium:egressRules": {"azure-imds": {"mode": "restricted", "allowNamespaces": ["kube-system"], "ports": list(range(1, 42))}}}, "ports = [1, 2,"),
    ],
)
def test_shape_problems_use_the_stack_files_words_never_python_types(changes, expected):
    problems = problems_for(changes)
    assert any(expected in p for p in problems), problems
    for word in ("instance of", "Settings", "dict", "tuple", "Tuple", "valid string", "valid integer"):
        assert all(word not in p for p in problems), problems


def test_too_many_ports_says_how_many_are_allowed():
    rule = {"mode": "restricted", "allowNamespaces": ["kube-system"], "ports": list(range(1, 42))}
    assert any(p.endswith(": must list at most 40 entries, not 41") for p in problems_for({"aks-cilium:egressRules": {"azure-imds": rule}}))


# --- RE2 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "named"),
    [
        ("/a(?!b)", "a negative lookahead (?!...)"),
        ("/a(?=b)", "a lookahead (?=...)"),
        ("/a(?<=b)", "a lookbehind (?<=...)"),
        ("/a(?<!b)", "a negative lookbehind (?<!...)"),
        ("/(a)\\1", "a backreference \\1"),
        ("/a\\Z", "\\Z (use $ or \\z)"),
        ("/a++", "a possessive quantifier ++"),
        ("/a(?>b)", "an atomic group (?>...)"),
    ],
)
def test_perl_only_constructs_are_refused_by_name(pattern, named):
    assert re2_problem(pattern) == f"uses {named}, which Cilium's proxy (Envoy, RE2 syntax) does not support"


@pytest.mark.parametrize("pattern", ["/metadata/.*", "/metadata/identity/oauth2/token", "/v[0-9]+/.*", "/a{2,3}", "/(?i)abc"])
def test_re2_patterns_pass(pattern):
    assert re2_problem(pattern) == ""


def test_a_broken_pattern_gives_re2s_reason():
    assert re2_problem("/[z-a]") == "is not a valid RE2 regular expression, the syntax Cilium's proxy (Envoy) uses: invalid character class range: z-a"


# --- YAML into config values --------------------------------------------------------------


def build(text: str):
    return yaml_values.build(yaml_values.compose(text), lambda p: ".".join(map(str, p)))


def test_merge_keys_work_and_keys_written_here_win():
    value, _ = build("base: &b {a: 1, b: 2}\nthis: {<<: *b, b: 3}\n")
    assert value["this"] == {"a": 1, "b": 3}


def test_a_plain_number_written_differently_is_noted_not_refused():
    value, notes = build("v: 1.30\nw: 1.5\nx: 0x1F\n")
    assert value == {"v": 1.3, "w": 1.5, "x": 31}
    assert notes == {
        "v": "line 1 has 1.30, which YAML reads as the number 1.3: write '1.30' to keep it as written",
        "x": "line 3 has 0x1F, which YAML reads as the number 31: write '0x1F' to keep it as written",
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: yes\n", "line 1: a = yes: YAML 1.1 reads yes as the boolean true, YAML 1.2 (the current Pulumi CLI) as the text 'yes'"),
        ("a: n\n", "line 1: a = n: YAML 1.1 reads n as the boolean false"),
        ("a: 1:30\n", "line 1: a = 1:30: YAML 1.1 reads 1:30 as a number in base 60"),
        ("a: .inf\n", "line 1: a = .inf: is not a number JSON can carry"),
        ("a: !!set {x}\n", "line 1: a: is a set (!!set), which is not a config value: write a list"),
        ("a: !mine x\n", "line 1: a: is tagged !mine, which config values cannot be (they are JSON)"),
        ("a: {[1]: x}\n", "line 1: a: has a mapping or list as a key; config keys are text"),
    ],
)
def test_what_is_not_plain_json_data_is_refused_with_its_line(text, problem):
    with pytest.raises(yaml_values.YamlValueError) as caught:
        build(text)
    assert caught.value.problems[0].startswith(problem), caught.value.problems


def test_every_problem_of_a_document_is_reported():
    with pytest.raises(yaml_values.YamlValueError) as caught:
        build("a: 2026-01-01\nb: 2026-01-02\nc: 1\nc: 2\n")
    assert len(caught.value.problems) == 3


def test_quoted_and_true_false_values_are_plain_data():
    assert build("a: 'no'\nb: true\nc: '1.30'\nd: null\n")[0] == {"a": "no", "b": True, "c": "1.30", "d": None}


# --- Helm value names, service-tag file bytes, the output folder --------------------------


def test_unknown_top_level_helm_values_are_named_with_their_config_key_and_a_suggestion():
    assert unknown_top_level_values({"hubble": {}, "hubbel": {}, "zzz": 1}, ["hubble", "ipam"], "cilium") == [
        "helm values: hubbel: the cilium chart has no such value, so Helm would ignore aks-cilium:cilium.values.hubbel;"
        " did you mean 'hubble'? [rule: top-level properties of the chart's values.schema.json]",
        "helm values: zzz: the cilium chart has no such value, so Helm would ignore aks-cilium:cilium.values.zzz"
        " [rule: top-level properties of the chart's values.schema.json]",
    ]


def test_a_utf8_bom_is_skipped_and_utf16_is_named(tmp_path: Path):
    text = json.dumps(small_document())
    (tmp_path / "bom.json").write_bytes(codecs.BOM_UTF8 + text.encode())
    assert read_service_tags_file(str(tmp_path / "bom.json")).document.cloud == "Public"
    (tmp_path / "be.json").write_bytes(text.encode("utf-16-be"))  # no byte order mark
    with pytest.raises(NotUtf8) as caught:
        read_service_tags_file(str(tmp_path / "be.json"))
    assert caught.value.encoding == "UTF-16BE"


def test_a_tag_listed_twice_in_the_file_is_refused_with_its_places(tmp_path: Path):
    document = small_document()
    document["values"].insert(0, document["values"][2])
    (tmp_path / "twice.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DuplicateServiceTags) as caught:
        read_service_tags_file(str(tmp_path / "twice.json"))
    assert caught.value.places == {"AzureSignalR.FranceSouth": [0, 3]}


def test_the_plan_never_deletes_a_file_its_record_names_outside_its_places(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "precious.txt").write_text("keep", encoding="utf-8")
    (out / "notes.md").write_text("keep", encoding="utf-8")
    (out / MANIFEST).write_text(json.dumps({"files": ["../precious.txt", "notes.md", "kubernetes/old.yaml"]}), encoding="utf-8")
    write_plan_files(out, {"plan.txt": "x"}, overwrite=False)
    assert (tmp_path / "precious.txt").read_text() == "keep" and (out / "notes.md").read_text() == "keep"
    assert json.loads((out / MANIFEST).read_text())["files"] == ["plan.txt"]


def test_a_broken_record_is_refused_unless_overwrite(tmp_path: Path):
    (tmp_path / MANIFEST).write_text("not json", encoding="utf-8")
    with pytest.raises(PlanFilesError, match="is not the plan's record"):
        write_plan_files(tmp_path, {"plan.txt": "x"}, overwrite=False)
    write_plan_files(tmp_path, {"plan.txt": "x"}, overwrite=True)
    assert (tmp_path / "plan.txt").read_text() == "x"
