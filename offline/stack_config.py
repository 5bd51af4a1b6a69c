"""Read `Pulumi.yaml` and `Pulumi.<stack>.yaml` into the config bag the Pulumi CLI would pass.

The SDK's runtime never reads these files itself: under mocks the caller supplies the config
(https://www.pulumi.com/docs/iac/concepts/testing/unit/), so offline runs load them here:
project-level `config:` defaults first, then the stack file's values. Values become the
strings the CLI hands a program (objects and lists as JSON). `secure:` values cannot be
decrypted without the CLI; they are replaced by the text `[secret]` and marked secret.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline import yaml_io

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    stack_file: Path
    raw: dict[str, str]
    """`namespace:key` -> value as the CLI passes it."""
    secret_keys: tuple[str, ...]


class StackFileError(Exception):
    """A project or stack file that cannot be used; the message names the file."""


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StackFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise StackFileError(
            f"{path.name}: cannot be read: not UTF-8 text (byte {exc.object[exc.start]:#x} at offset {exc.start})"
        ) from None
    try:
        return yaml_io.load(text)
    except yaml_io.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise StackFileError(f"{path.name}: is not valid YAML{at}: {problem}") from None


def project_name(project_dir: Path) -> str:
    document = _read_yaml(project_dir / "Pulumi.yaml")
    if not isinstance(document, dict) or not isinstance(document.get("name"), str):
        raise StackFileError("Pulumi.yaml: must be a mapping with a string `name`")
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


def read_stack_config(project_dir: Path, stack: str) -> StackConfig:
    project = project_name(project_dir)
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        found = ", ".join(list_stacks(project_dir)) or "none"
        raise StackFileError(f"unknown stack {stack!r}: there is no Pulumi.{stack}.yaml (stacks found: {found})")

    values: dict[str, Any] = {}
    project_doc = _read_yaml(project_dir / "Pulumi.yaml")
    for key, spec in ((project_doc or {}).get("config") or {}).items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            values[_qualify(key, project)] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            values[_qualify(key, project)] = spec

    stack_doc = _read_yaml(stack_file)
    if stack_doc is None:
        stack_doc = {}
    if not isinstance(stack_doc, dict):
        raise StackFileError(f"{stack_file.name}: must be a mapping with a `config:` key")
    config = stack_doc.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{stack_file.name}: `config` must be a mapping of keys to values")
    for key, value in config.items():
        values[_qualify(str(key), project)] = value

    secret_keys = tuple(sorted(k for k, v in values.items() if _has_secure(v)))
    raw = {k: _as_config_string(_mask_secure(v)) for k, v in values.items()}
    return StackConfig(project, stack, stack_file, raw, secret_keys)


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
