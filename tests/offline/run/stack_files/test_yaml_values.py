"""How a stack file's YAML becomes plain config data (offline/run/stack_files/yaml_values.py); tests/offline/run/stack_files/test_stack_files.py drives the same rules end to end."""

from __future__ import annotations

import pytest

from offline.run.stack_files import yaml_values
from settings.common.problems import Written


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
    assert str(caught.value.problems[0]).startswith(problem), caught.value.problems


def test_every_problem_of_a_document_is_reported():
    with pytest.raises(yaml_values.YamlValueError) as caught:
        build("a: 2026-01-01\nb: 2026-01-02\nc: 1\nc: 2\n")
    assert [(p.path, p.line) for p in caught.value.problems] == [("a", 1), ("b", 2), ("c", 4)]


def test_a_problem_carries_its_key_path_line_and_the_value_as_written():
    with pytest.raises(yaml_values.YamlValueError) as caught:
        build("x: 1\nlist:\n  - ok\n  - yes\n")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.value) == ("list.1", 4, Written("yes"))
    assert problem.message.startswith("YAML 1.1 reads yes as the boolean true")


def test_quoted_and_true_false_values_are_plain_data():
    assert build("a: 'no'\nb: true\nc: '1.30'\nd: null\n")[0] == {"a": "no", "b": True, "c": "1.30", "d": None}
