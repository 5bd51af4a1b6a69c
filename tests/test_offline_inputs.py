"""Offline inputs one function at a time: how a stack file's YAML becomes config values, Helm value names and the plan's output folder (offline/). tests/test_stack_files.py drives the same rules end to end. To move beside the other offline tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline import yaml_values
from offline.helm_value_names import unknown_top_level_values
from offline.plan_files import MANIFEST, PlanFilesError, write_plan_files


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


def test_unknown_top_level_helm_values_are_named_with_their_config_key_and_a_suggestion():
    assert unknown_top_level_values({"hubble": {}, "hubbel": {}, "zzz": 1}, ["hubble", "ipam"], "cilium") == [
        "helm values: hubbel: the cilium chart has no such value, so Helm would ignore aks-cilium:cilium.values.hubbel;"
        " did you mean 'hubble'? [rule: top-level properties of the chart's values.schema.json]",
        "helm values: zzz: the cilium chart has no such value, so Helm would ignore aks-cilium:cilium.values.zzz"
        " [rule: top-level properties of the chart's values.schema.json]",
    ]


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

