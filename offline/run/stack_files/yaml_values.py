"""Config values from a stack file's YAML: plain JSON data, or every problem with its line.

The Pulumi CLI reads `Pulumi.<stack>.yaml` with gopkg.in/yaml.v3 and hands each config value
to the program as text, objects and lists as JSON (pulumi/pulumi,
https://github.com/pulumi/pulumi/blob/master/sdk/go/common/resource/config/object.go). So a
value must be JSON data: text, number, true/false, null, list or mapping with text keys.
PyYAML, which reads the file here, follows YAML 1.1 and builds more than that; this module
builds the document node by node and refuses, with the line and the key path:

- values that are not JSON data (a date, `!!binary`, `!!set`, any other tag);
- keys that are not text (`1:`, `on:`, `null:`), and a key set twice in one mapping, which
  yaml.v3 refuses too ("mapping key already defined");
- an alias that refers to a mapping or list containing it (an endless value);
- plain scalars that YAML 1.1 and YAML 1.2 read differently: `yes`/`no`/`on`/`off`/`y`/`n`
  (booleans in YAML 1.1, PyYAML and Pulumi CLIs before yaml.v3; text in yaml.v3), `0755`
  (octal or decimal) and `1:30` (base 60 or text). Quoting says which one is meant.

A plain number whose JSON form differs from what was written (`1.30` is 1.3, `0x1F` is 31)
is the same in every YAML version, so it is not refused here; it is noted, and the offline
plan shows the note next to any config problem at that key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, Union

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from settings.common.problems import UNSET, Problem, Written

PathPart = Union[str, int]
KeyPath = tuple[PathPart, ...]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_JSON_SCALARS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}
_MERGE = f"{_TAG}merge"

#: YAML 1.1 booleans other than true/false (https://yaml.org/type/bool.html); YAML 1.2's core
#: schema, which yaml.v3 follows, reads them as text.
_YAML11_ONLY_BOOLEANS = re.compile(r"y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF")
_OCTAL_LOOKING = re.compile(r"[-+]?0[0-7_]+")
_NOT_JSON = {
    "timestamp": "a date or time to YAML, which is not a config value: quote it",
    "binary": "bytes (!!binary), which is not a config value: write the text itself",
    "set": "a set (!!set), which is not a config value: write a list",
    "omap": "an ordered map (!!omap), which is not a config value: write a mapping",
    "pairs": "a list of pairs (!!pairs), which is not a config value: write a mapping",
}


class YamlValueError(Exception):
    """The document holds something that is not a config value: a `Problem` each, with its line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def compose(text: str) -> Node | None:
    """The document's node tree; raises `yaml.YAMLError` for invalid YAML."""
    return yaml.compose(text, Loader=_LOADER)


def build(node: Node | None, describe: Callable[[KeyPath], str]) -> tuple[Any, dict[str, str]]:
    """(value, notes): the node tree as plain JSON data, and a note per key path whose plain
    number YAML read differently from how it was written. `describe` renders a key path."""
    if node is None:
        return None, {}
    builder = _Builder(describe)
    value = builder.value(node, ())
    if builder.problems:
        raise YamlValueError(builder.problems)
    return value, builder.notes


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Builder:
    def __init__(self, describe: Callable[[KeyPath], str]):
        self.describe = describe
        self.problems: list[Problem] = []
        self.notes: dict[str, str] = {}
        self._open: set[int] = set()  # mappings and lists being built: an alias to one is a cycle
        self._constructor = SafeConstructor()

    def problem(self, node: Node, path: KeyPath, text: str, written: str | None = None) -> None:
        """A problem at the node's line and key path; `written`: the value as the file spells it."""
        value = Written(written) if written is not None else UNSET
        self.problems.append(Problem(self.describe(path), text, value, line=_line(node)))

    def value(self, node: Node, path: KeyPath) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self._open:
            self.problem(node, path, "is an alias (*name) of a mapping or list that contains it, an endless value; config must be a tree")
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, SequenceNode) and node.tag == f"{_TAG}seq":
                return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode) and node.tag == f"{_TAG}map":
                return self.mapping(node, path)
            return self.not_json(node, path)
        finally:
            self._open.discard(id(node))

    def not_json(self, node: Node, path: KeyPath) -> None:
        short = node.tag.removeprefix(_TAG)
        self.problem(node, path, f"is {_NOT_JSON.get(short, f'tagged {node.tag}, which config values cannot be (they are JSON)')}")

    def scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        text = node.value
        if node.tag not in _JSON_SCALARS:
            short = node.tag.removeprefix(_TAG)
            if short in _NOT_JSON:
                quoted = f" ({text!r})" if short == "timestamp" else ""
                self.problem(node, path, f"is {_NOT_JSON[short]}{quoted}", text)
            else:
                self.not_json(node, path)
            return None
        plain = node.style in (None, "")
        if plain and self.ambiguous(node, path):
            return None
        value = self._constructor.yaml_constructors[node.tag](self._constructor, node)
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(node, path, f"is not a number JSON can carry; quote it for text ('{text}')", text)
            return None
        if plain and isinstance(value, (int, float)) and not isinstance(value, bool) and _json_number(value) != text:
            self.notes[self.describe(path)] = f"line {_line(node)} has {text}, which YAML reads as the number {_json_number(value)}: write '{text}' to keep it as written"
        return value

    def ambiguous(self, node: ScalarNode, path: KeyPath) -> bool:
        text = node.value
        if _YAML11_ONLY_BOOLEANS.fullmatch(text):
            meaning = "true" if text.lower() in ("y", "yes", "on") else "false"
            why = f"YAML 1.1 reads {text} as the boolean {meaning}, YAML 1.2 (the current Pulumi CLI) as the text {text!r}"
            self.problem(node, path, f"{why}; write {meaning} for a boolean, or quote it ('{text}') for text", text)
            return True
        if node.tag == f"{_TAG}int" and _OCTAL_LOOKING.fullmatch(text) and text.strip("+-0_"):
            number = int(text.replace("_", ""), 8)
            why = f"YAML 1.1 and the Pulumi CLI read {text} as the octal number {number}, YAML 1.2 as {int(text.replace('_', ''), 10)}"
            self.problem(node, path, f"{why}; write the number without the leading 0, or quote it ('{text}') for text", text)
            return True
        if node.tag in (f"{_TAG}int", f"{_TAG}float") and ":" in text:
            why = f"YAML 1.1 reads {text} as a number in base 60, YAML 1.2 (the current Pulumi CLI) as text"
            self.problem(node, path, f"{why}; quote it ('{text}')", text)
            return True
        return False

    def mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.update(self.merge(value_node, path))
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            if key in first_line:
                self.problem(
                    key_node,
                    (*path, key),
                    f"is set twice in one mapping (first at line {first_line[key]}); the Pulumi CLI refuses that"
                    " (yaml.v3: 'mapping key already defined'): keep one",
                )
                continue
            first_line[key] = _line(key_node)
            result[key] = self.value(value_node, (*path, key))
        # `<<: *defaults` (https://yaml.org/type/merge.html): keys written here win over merged ones.
        return {**merged, **result}

    def merge(self, node: Node, path: KeyPath) -> dict[str, Any]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):  # earlier mappings in the list win
            value = self.value(source, path)
            if isinstance(value, dict):
                merged.update(value)
            elif value is not None:
                self.problem(source, path, "<< (merge) takes a mapping or a list of mappings")
        return merged

    def key(self, node: Node, path: KeyPath) -> str | None:
        if not isinstance(node, ScalarNode):
            self.problem(node, path, "has a mapping or list as a key; config keys are text")
            return None
        if node.tag != f"{_TAG}str":
            read_as = node.tag.removeprefix(_TAG)
            read_as = {"bool": "a boolean", "int": "a number", "float": "a number", "null": "null", "timestamp": "a date"}.get(read_as, node.tag)
            self.problem(node, path, f"has the key {node.value or '(empty)'}, which YAML reads as {read_as}; config keys are text: quote it ('{node.value}')")
            return None
        return node.value


def _json_number(value: int | float) -> str:
    """How the number reads as JSON, the form the program receives."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)
