"""Kubeconfig handling: turn AKS's credentials into one that `pulumi up` can use unattended."""

from __future__ import annotations

import base64
import typing
from collections.abc import Sequence

import yaml

from settings.kubelogin import KubeloginMode, KubeloginSettings

KUBELOGIN_MODES = typing.get_args(KubeloginMode)

#: Modes whose exec arguments keep the client and tenant IDs (and the cloud) of AKS's kubeconfig.
#: For spn the client ID there is AKS's public client; kubelogin replaces it at run time with
#: AAD_SERVICE_PRINCIPAL_CLIENT_ID / AZURE_CLIENT_ID (or ARM_CLIENT_ID with --use-azurerm-env-vars).
_KEEP_CLIENT_AND_TENANT = ("devicecode", "interactive", "ropc", "spn")


def decode_kubeconfig(value_base64: str) -> str:
    """AKS returns kubeconfigs base64-encoded (listClusterUserCredential / listClusterAdminCredential)."""
    return base64.b64decode(value_base64).decode("utf-8")


def _arg_after(args: Sequence[str], flag: str) -> str:
    """The value that follows `flag` in `args`, or '' (how kubelogin reads an existing kubeconfig)."""
    for i, arg in enumerate(args[:-1]):
        if arg == flag:
            return args[i + 1]
    return ""


def kubelogin_exec_args(current: Sequence[str], login: KubeloginSettings) -> list[str]:
    """The `kubelogin get-token` arguments for `login.mode`, built from AKS's exec arguments.

    Mirrors `kubelogin convert-kubeconfig -l <mode>` (Azure/kubelogin,
    https://github.com/Azure/kubelogin/blob/main/pkg/internal/converter/convert.go): every mode
    keeps `--login <mode> --server-id <id>`; azurecli and azd add nothing (the tenant comes from
    the login); devicecode, interactive, ropc and spn keep `--client-id`, `--tenant-id` and
    `--environment`; msi and workloadidentity take only what config sets (`--client-id`), the
    rest comes from the machine (IMDS) or from AZURE_CLIENT_ID / AZURE_TENANT_ID /
    AZURE_FEDERATED_TOKEN_FILE. `--use-azurerm-env-vars` is kubelogin's get-token flag for spn.
    """
    mode = login.mode
    if mode not in KUBELOGIN_MODES:
        raise ValueError(f"unknown kubelogin mode {mode!r}; allowed: {', '.join(KUBELOGIN_MODES)}")
    server_id = _arg_after(current, "--server-id")
    if not server_id:
        raise ValueError("the AKS kubeconfig's kubelogin arguments have no --server-id, which every login mode needs")
    args = ["get-token", "--login", mode, "--server-id", server_id]
    if mode in _KEEP_CLIENT_AND_TENANT:
        for flag in ("--client-id", "--tenant-id"):
            value = _arg_after(current, flag)
            if not value:
                raise ValueError(f"kubelogin mode {mode!r} needs {flag}, which the AKS kubeconfig does not have")
            args += [flag, value]
        environment = _arg_after(current, "--environment")
        if environment:
            args += ["--environment", environment]
        if mode == "spn" and login.use_azurerm_env_vars:
            args.append("--use-azurerm-env-vars")
    elif mode in ("msi", "workloadidentity") and login.client_id:
        args += ["--client-id", login.client_id]
    return args


def with_kubelogin(kubeconfig: str, login: KubeloginSettings) -> str:
    """Every kubelogin exec user of an AKS `format=exec` kubeconfig, rebuilt for `login`.

    AKS's exec kubeconfig logs in with `--login devicecode`, which waits for a person at a
    browser. Only `args` changes; other users (a static admin user) are left as they are.
    """
    document = yaml.safe_load(kubeconfig)
    for user in document.get("users") or []:
        exec_spec = (user.get("user") or {}).get("exec")
        if not exec_spec or "kubelogin" not in str(exec_spec.get("command", "")).lower():
            continue
        exec_spec["args"] = kubelogin_exec_args(list(exec_spec.get("args") or []), login)
    return yaml.safe_dump(document, sort_keys=False)


def kubeconfig_login(disable_local_accounts: bool, login: KubeloginSettings) -> str:
    """How the kubeconfig `pulumi up` uses logs in, without any credential.

    The kubeconfig itself is a secret, and a `pulumi stack export` holds it only as ciphertext, so
    an offline preview cannot see it change; the program exports this text (`kubeconfigLogin`) so
    that it can (offline/preview/change_preview.py).
    """
    if not disable_local_accounts:
        return "admin credentials (local accounts)"
    words = ["kubelogin", "--login", login.mode]
    if login.client_id:
        words += ["--client-id", login.client_id]
    if login.use_azurerm_env_vars:
        words.append("--use-azurerm-env-vars")
    return " ".join(words)
