"""Config problems as users read them: one key-path writer, one did-you-mean, pydantic's errors as `Problem`s.

Every message names the key path as `pulumi config set --path` spells it
(`aks-cilium:cluster.nodePools[0].name`), the value and what is allowed. `ConfigError` is a
`pulumi.RunError`, which the Pulumi CLI prints without a Python traceback.
"""

from __future__ import annotations

import difflib
import typing
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional, Union

import pulumi
from pydantic import BaseModel

from settings.common.base import section_model_in
from settings.common.problems import UNSET, Problem, show

PROJECT = "aks-cilium"
LOCATION_KEY = "azure-native:location"

PathPart = Union[str, int]


class ConfigError(pulumi.RunError):
    """One or more stack config problems; the message lists each one."""

    def __init__(self, stack_file: str, problems: Sequence[Problem]):
        self.stack_file = stack_file
        self.problems: list[Problem] = list(problems)
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid stack configuration in {stack_file} ({count}):\n{lines}")


def json_path(parts: Iterable[PathPart], head: str = "") -> str:
    """`a.b[0].c` for ('a', 'b', 0, 'c'); after `head` when given (`aks-cilium:tags` + `.owner`).

    The one writer of config key paths, as `pulumi config set --path` spells them; the stack-file
    reader (offline/run/stack_files/stack_config.py) writes its key paths with it too.
    """
    path = head + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
    return path if head else path.lstrip(".")


def key_path(*parts: PathPart) -> str:
    """The config key path: `key_path('network', 'podCidr')` -> `aks-cilium:network.podCidr`."""
    if not parts:
        return f"{PROJECT}:<root>"
    head, *rest = parts
    return json_path(rest, LOCATION_KEY if head == "location" else f"{PROJECT}:{head}")


def fold(text: str) -> str:
    """`text` without case and accents (`Wéstëurope` -> `westeurope`), to compare typos.

    NFKD splits an accented letter into the letter and its combining mark, which is dropped
    (https://docs.python.org/3/library/unicodedata.html#unicodedata.normalize).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def close_matches(word: str, choices: Sequence[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """Choices that differ from `word` only in case and accents, else the closest by difflib's ratio."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(fold(choice), choice)
    if fold(word) in by_folded:
        return [by_folded[fold(word)]]
    return [by_folded[c] for c in difflib.get_close_matches(fold(word), list(by_folded), n=n, cutoff=cutoff)]


def did_you_mean(word: str, choices: Sequence[str], n: int = 1, cutoff: float = 0.6) -> str:
    """`did you mean 'x'?` (or `'x' or 'y'`), or '' when nothing is close."""
    close = close_matches(word, choices, n, cutoff)
    return "did you mean " + " or ".join(repr(c) for c in close) + "?" if close else ""


# --- pydantic's errors, rendered ----------------------------------------------------------


def _value_at(data: Any, loc: Sequence[PathPart]) -> tuple[bool, Any]:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, data


def _section_model_at(root: type[BaseModel], loc: Sequence[PathPart]) -> Optional[type[BaseModel]]:
    """The settings model that owns the mapping at `loc`, to suggest its known keys."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = _field_named(model, part)
        if field is None:
            # `loc` comes from a real error, so a part that names no field is a mapping's key
            # (the group name in `egressRules.<group>`): the model stays that of the values.
            continue
        model = section_model_in(field.annotation)
        if model is None:
            return None
    return model


def _field_named(model: type[BaseModel], part: PathPart) -> Any:
    return next((f for n, f in model.model_fields.items() if part in (n, f.alias)), None)


def _known_keys(root: type[BaseModel], model: type[BaseModel]) -> list[str]:
    keys = [f.alias or n for n, f in model.model_fields.items()]
    if model is root:
        keys = [key_path(k) for k in keys]
    return keys


def _missing_problem(root: type[BaseModel], loc: Sequence[PathPart], path: str) -> Problem:
    model = _section_model_at(root, loc[:-1])
    field = _field_named(model, loc[-1]) if model is not None else None
    section = section_model_in(field.annotation) if field is not None else None
    if section is not None:
        # A whole section is missing: name its required keys with an example each.
        needed = [(f.alias or n, f.examples) for n, f in section.model_fields.items() if f.is_required()]
        commands = "; ".join(
            f"`pulumi config set --path '{path}.{key}' {examples[0] if examples else '<value>'}`"
            for key, examples in needed
        )
        return Problem(path, "required but not set", missing=True, hint=f"set {', '.join(k for k, _ in needed)}: {commands}")
    allowed = literal_choices(field.annotation) if field is not None else ()
    example = field.examples[0] if field is not None and field.examples else (allowed[0] if allowed else "<value>")
    message = "required but not set" + (f"; one of {', '.join(repr(a) for a in allowed)}" if allowed else "")
    return Problem(path, message, missing=True, hint=f"set it with `pulumi config set --path '{path}' {example}`")


def literal_choices(annotation: Any) -> tuple[str, ...]:
    """The values a `Literal[...]` field takes (through `Annotated` and `Optional`), else ()."""
    if typing.get_origin(annotation) is typing.Annotated:
        return literal_choices(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    if typing.get_origin(annotation) is Union:
        return next((c for c in map(literal_choices, typing.get_args(annotation)) if c), ())
    return ()


def describe_error(root: type[BaseModel], error: Mapping[str, Any], data: Mapping[str, Any]) -> Problem:
    """One pydantic error of validating `data` against the `root` model, as a config problem."""
    loc = tuple(error["loc"])
    path = key_path(*loc)
    kind = error["type"]
    if kind == "missing":
        return _missing_problem(root, loc, path)
    if kind == "extra_forbidden":
        model = _section_model_at(root, loc[:-1])
        known = _known_keys(root, model) if model else []
        shown = path if len(loc) > 1 else f"{PROJECT}:{loc[-1]}"
        probe = shown.rsplit(".", 1)[-1] if len(loc) > 1 else shown
        hint = did_you_mean(probe, known)
        return Problem(shown, f"unknown key{'; ' + hint if hint else ''} (known keys here: {', '.join(sorted(known))})")
    found, value = _value_at(data, loc)
    if kind == "value_error":
        problem = str(error["ctx"]["error"])
    elif kind in ("too_long", "too_short"):
        bound = "at most" if kind == "too_long" else "at least"
        limit = error["ctx"]["max_length" if kind == "too_long" else "min_length"]
        problem = f"must list {bound} {limit} entries, not {error['ctx']['actual_length']}"
    else:
        problem = _type_problem(root, loc, kind, value) or error["msg"][0].lower() + error["msg"][1:]
    return Problem(path, problem, value if found else UNSET)


#: pydantic error types whose own message names Python types or classes
#: (https://docs.pydantic.dev/latest/errors/validation_errors/), in the words of a stack file.
_SHAPES = {
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
}


def _type_problem(root: type[BaseModel], loc: Sequence[PathPart], kind: str, value: Any) -> str:
    shape = _SHAPES.get(kind)
    if shape is None:
        return ""
    if kind.startswith("model"):
        model = _section_model_at(root, loc)
        keys = _known_keys(root, model) if model is not None else []
        shape += f" (keys: {', '.join(sorted(keys))})" if keys else ""
    if kind == "string_type" and isinstance(value, (bool, int, float)):
        what = "a boolean" if isinstance(value, bool) else "a number"
        return f"{shape}, not {what}: YAML reads an unquoted {show(value)} as {what}; quote it in the stack file"
    if value is None:
        return f"{shape}; the stack file leaves it empty (null)"
    return shape
