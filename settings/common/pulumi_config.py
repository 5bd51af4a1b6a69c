"""The config bag the Pulumi engine hands the program: the only code that touches SDK internals."""

from __future__ import annotations

import json


def raw_config_from_pulumi() -> dict[str, str]:
    """Every config value the engine gave this program, as `namespace:key` -> string.

    The SDK's public API (`pulumi.Config`) reads one key at a time, but unknown keys must be
    reported, so this reads the same two sources `pulumi.Config` does: values set in-process
    (mocks, Automation API) and the PULUMI_CONFIG environment bag the language host passes to
    `pulumi up`. Checked against pulumi 3.272.0 (`pulumi/runtime/config.py`: `get_config_env`
    and the `CONFIG` context variable); re-check when bumping the SDK.
    """
    from pulumi.runtime import config as runtime_config

    raw: dict[str, str] = dict(runtime_config.get_config_env())
    raw.update(runtime_config.CONFIG.get())
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def secret_keys_from_pulumi(raw: dict[str, str]) -> set[str]:
    """The config keys whose value the stack file encrypts (`secure:`).

    `pulumi up` lists them in PULUMI_CONFIG_SECRET_KEYS; the mock engine and the Automation API
    set them in-process (`set_all_config(config, secret_keys)`). Same SDK internals as above.
    """
    from pulumi.runtime import config as runtime_config

    return set(runtime_config.get_config_secret_keys_env()) | {k for k in raw if runtime_config.is_config_secret(k)}
