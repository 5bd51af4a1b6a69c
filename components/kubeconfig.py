"""Kubeconfig handling: turn AKS's credentials into one that `pulumi up` can use unattended."""

from __future__ import annotations

import base64
import typing

import yaml

from settings.cluster import KubeloginMode

KUBELOGIN_MODES = typing.get_args(KubeloginMode)


def decode_kubeconfig(value_base64: str) -> str:
    """AKS returns kubeconfigs base64-encoded (listClusterUserCredential / listClusterAdminCredential)."""
    return base64.b64decode(value_base64).decode("utf-8")


def with_kubelogin_mode(kubeconfig: str, mode: str) -> str:
    """Point every kubelogin exec user of an AKS `format=exec` kubeconfig at `mode`.

    AKS's exec kubeconfig logs in with `--login devicecode`, which waits for a person at a
    browser; `pulumi up` needs a non-interactive mode such as `azurecli` (the same rewrite as
    `kubelogin convert-kubeconfig -l azurecli`). Other users are left as they are.
    """
    if mode not in KUBELOGIN_MODES:
        raise ValueError(f"unknown kubelogin mode {mode!r}; allowed: {', '.join(KUBELOGIN_MODES)}")
    document = yaml.safe_load(kubeconfig)
    for user in document.get("users") or []:
        exec_spec = (user.get("user") or {}).get("exec")
        if not exec_spec or "kubelogin" not in str(exec_spec.get("command", "")):
            continue
        args = list(exec_spec.get("args") or [])
        flag = next((f for f in ("--login", "-l") if f in args), None)
        if flag is None:
            args += ["--login", mode]
        else:
            args[args.index(flag) + 1 : args.index(flag) + 2] = [mode]
        exec_spec["args"] = args
    return yaml.safe_dump(document, sort_keys=False)
