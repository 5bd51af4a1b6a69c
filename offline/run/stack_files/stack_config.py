"""Read `Pulumi.yaml` and `Pulumi.<stack>.yaml` into the config bag the Pulumi CLI would pass.

The SDK's runtime never reads these files itself: under mocks the caller supplies the config
(https://www.pulumi.com/docs/iac/concepts/testing/unit/), so offline runs load them here:
project-level `config:` defaults first, then the stack file's values. Values become the
strings the CLI hands a program (objects and lists as JSON). `secure:` values cannot be
decrypted without the CLI; they are replaced by the text `[secret]` and marked secret.
The files are read as plain JSON data, or refused with every problem's line and key path
(`offline.run.stack_files.yaml_values`: dates, tags, keys set twice, non-text keys, YAML 1.1/1.2 ambiguities).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from offline.run.resource_types import SECRET_PLACEHOLDER
from offline.run.stack_files import yaml_io, yaml_values
from offline.run.stack_files.esc import EscValuesError, imported_environments, read_esc_values
from settings.common.errors import json_path
from settings.common.problems import Problem

__all__ = ["StackConfig", "StackFileError", "copy_program", "list_stacks", "project_name", "read_stack_config", "with_notes"]


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    stack_file: Path
    raw: dict[str, str]
    """`namespace:key` -> value as the CLI passes it."""
    secret_keys: tuple[str, ...]
    notes: Mapping[str, str] = field(default_factory=dict)
    """Config key path -> how YAML read a plain number there, e.g. `1.30` as 1.3 (`offline.run.stack_files.yaml_values`)."""
    esc_environments: tuple[str, ...] = ()
    """Pulumi ESC environments the stack file imports whose values the plan did not get (`offline.run.stack_files.esc`)."""


class StackFileError(Exception):
    """A project or stack file that cannot be used: its `Problem`s, each with the key path and
    line where known. The message names the file (`file`, '' when there is none to name)."""

    def __init__(self, file: str, problems: Sequence[Problem]):
        self.file = file
        self.problems: list[Problem] = list(problems)
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            text = f"{len(self.problems)} problems:\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{file}: {text}" if file else text)


def _file_error(path: Path, message: str) -> StackFileError:
    """The whole file is the problem (it cannot be read, it is not YAML, it has the wrong shape)."""
    return StackFileError(path.name, [Problem("", message)])


def _document_path(path: yaml_values.KeyPath) -> str:
    return json_path(path) or "<document>"


def _read_yaml(path: Path, describe: Callable[[yaml_values.KeyPath], str] = _document_path) -> tuple[Any, dict[str, str]]:
    """The file's document as plain JSON data, and the notes on numbers YAML read differently."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _file_error(path, f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise _file_error(path, f"cannot be read: not UTF-8 text (byte {exc.object[exc.start]:#x} at offset {exc.start})") from None
    try:
        node = yaml_values.compose(text)
    except yaml_io.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise _file_error(path, f"is not valid YAML{at}: {problem}") from None
    try:
        return yaml_values.build(node, describe)
    except yaml_values.YamlValueError as exc:
        raise StackFileError(path.name, exc.problems) from None


def _config_key_path(project: str) -> Callable[[yaml_values.KeyPath], str]:
    """Key paths under `config:` as `pulumi config set --path` spells them (`aks-cilium:tags.owner`)."""

    def describe(path: yaml_values.KeyPath) -> str:
        if len(path) >= 2 and path[0] == "config" and isinstance(path[1], str):
            return json_path(path[2:], _qualify(path[1], project))
        return _document_path(path)

    return describe


def project_name(project_dir: Path) -> str:
    document, _ = _read_yaml(project_dir / "Pulumi.yaml")
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise _file_error(project_dir / "Pulumi.yaml", "must be a mapping with a string `name`")
    return document["name"]


def list_stacks(project_dir: Path) -> list[str]:
    """Stacks that have a `Pulumi.<stack>.yaml` beside `Pulumi.yaml`."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def _qualify(key: str, project: str) -> str:
    # Pulumi treats a key without a namespace as belonging to the project.
    return key if ":" in key else f"{project}:{key}"


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _mask_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _mask_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_secure(v) for v in value]
    return value


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, sort_keys=True)


def read_stack_config(project_dir: Path, stack: str, esc_values: Optional[Path] = None) -> StackConfig:
    """`esc_values`: an opened ESC environment's values (`--esc-values`), below the stack file's own."""
    project = project_name(project_dir)
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        found = ", ".join(list_stacks(project_dir)) or "none"
        raise StackFileError("", [Problem("", f"unknown stack {stack!r}: there is no Pulumi.{stack}.yaml (stacks found: {found})")])

    values: dict[str, Any] = {}
    project_doc, _ = _read_yaml(project_dir / "Pulumi.yaml")
    for key, spec in ((project_doc or {}).get("config") or {}).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            values[_qualify(key, project)] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            values[_qualify(key, project)] = spec

    stack_doc, notes = _read_yaml(stack_file, _config_key_path(project))
    if stack_doc is None:
        stack_doc = {}
    if not isinstance(stack_doc, dict):
        raise _file_error(stack_file, "must be a mapping with a `config:` key")
    config = stack_doc.get("config") or {}
    if not isinstance(config, dict):
        raise _file_error(stack_file, "`config` must be a mapping of keys to values")
    environments = imported_environments(stack_doc)
    if esc_values is not None:
        try:
            values.update(read_esc_values(esc_values, project))
        except EscValuesError as exc:  # the message names the file
            raise StackFileError("", [Problem("", str(exc))]) from None
        environments = ()
    for key, value in config.items():
        values[_qualify(str(key), project)] = value

    secret_keys = tuple(sorted(k for k, v in values.items() if _has_secure(v)))
    raw = {k: _as_config_string(_mask_secure(v)) for k, v in values.items()}
    return StackConfig(project, stack, stack_file, raw, secret_keys, notes, environments)


def with_notes(problems: Sequence[Problem], notes: Mapping[str, str]) -> list[Problem]:
    """Config problems with the stack file's note on how YAML read the value at that key path."""
    return [p.with_note(notes[p.path]) if p.path in notes else p for p in problems]


#: What a copy of the program needs to run offline with another stack file beside it.
PROGRAM_FILES = ("Pulumi.yaml", "__main__.py", "components", "settings", "azure_service_tags")


def copy_program(project_dir: Path, target: Path) -> Path:
    """Copy the program (not its stacks) into `target`, e.g. to plan a test-only stack file.

    Entries of `PROGRAM_FILES` the project does not have (yet) are skipped.
    """
    target.mkdir(parents=True, exist_ok=True)
    for name in PROGRAM_FILES:
        source = project_dir / name
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target
