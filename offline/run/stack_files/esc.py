"""Pulumi ESC environments a stack file imports (`environment:`), which an offline plan cannot open.

`environment:` in `Pulumi.<stack>.yaml` lists ESC environments (or defines one inline with
`imports:`); their `pulumiConfig` values become stack config when the Pulumi CLI runs, and "the
explicit stack value wins" over them
(https://www.pulumi.com/docs/esc/environments/syntax/reserved-properties/pulumi-config/).
Opening an environment needs the CLI and a Pulumi Cloud login, so the plan cannot: it says so
every time, names the keys it found missing, and takes the opened values from a file instead
(`--esc-values FILE`, the output of `pulumi env open <environment> --format json`).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from offline.run.stack_files import yaml_io

ESC_CONFIG_URL = "https://www.pulumi.com/docs/esc/environments/syntax/reserved-properties/pulumi-config/"
OPTION = "--esc-values"


class EscValuesError(Exception):
    """An `--esc-values` file that cannot be used; the message names the file."""


def imported_environments(stack_document: Any) -> tuple[str, ...]:
    """The ESC environments the stack file imports: `environment: [a, b]` or `environment: {imports: [...]}`."""
    if not isinstance(stack_document, dict) or "environment" not in stack_document:
        return ()
    environment = stack_document["environment"]
    if isinstance(environment, dict):
        environment = environment.get("imports") or ["(an inline environment)"]
    if isinstance(environment, str):
        environment = [environment]
    if not isinstance(environment, list):
        return ("(an environment the plan cannot read)",)
    return tuple(str(e if not isinstance(e, dict) else next(iter(e), e)) for e in environment)


def read_esc_values(path: Path, project: str) -> dict[str, Any]:
    """`namespace:key` -> value from the `pulumiConfig` of an opened environment (JSON or YAML)."""
    try:
        document = yaml_io.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EscValuesError(f"{OPTION} {path}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, yaml_io.YAMLError) as exc:
        raise EscValuesError(f"{OPTION} {path}: is not JSON or YAML text ({exc})") from None
    config = document.get("pulumiConfig") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise EscValuesError(
            f"{OPTION} {path}: has no `pulumiConfig` mapping; write it with `pulumi env open <environment> --format json > {path.name}`"
        )
    return {key if ":" in str(key) else f"{project}:{key}": value for key, value in config.items()}


def esc_note(stack_file: str, environments: Collection[str], missing: Collection[str] = ()) -> str:
    """What the plan says about an `environment:` it could not open, with the keys it found missing."""
    names = ", ".join(environments)
    first = next(iter(environments), "<environment>")
    stack = stack_file.removeprefix("Pulumi.").removesuffix(".yaml")
    keys = f"; the keys reported missing may come from there: {', '.join(missing)}" if missing else ""
    return (
        f"{stack_file} imports the Pulumi ESC environment(s) {names} (`environment:`), which an offline plan cannot"
        f" open (that needs the Pulumi CLI and a Pulumi Cloud login), so it planned without their pulumiConfig values{keys}."
        f" To plan with them: `pulumi env open {first} --format json > esc.json`, then"
        f" `make plan STACK={stack} PLAN_ARGS='{OPTION} esc.json'`; the file holds the environment's secrets in plain text,"
        f" so keep it out of the repository and delete it afterwards ({ESC_CONFIG_URL})"
    )

