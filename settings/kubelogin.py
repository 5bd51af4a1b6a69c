"""`aks-cilium:cluster.kubelogin`: how the kubeconfig `pulumi up` uses logs in, when local accounts are off.

With local accounts off, AKS only hands out an exec kubeconfig that runs kubelogin
(https://learn.microsoft.com/azure/aks/kubelogin-authentication). The Kubernetes provider runs
it during `pulumi preview` and `pulumi up`, inside a plugin process with no terminal, so the
login must work unattended. components/kubeconfig.py rebuilds the exec arguments for `mode` the
way `kubelogin convert-kubeconfig` does; docs/deploy.md says which mode fits which runner.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import field_validator, model_validator

from settings.common.base import Section
from settings.common.guids import is_guid

#: kubelogin's `--login` modes (https://azure.github.io/kubelogin/concepts/login-modes.html).
KubeloginMode = Literal["azurecli", "azd", "spn", "msi", "workloadidentity", "devicecode", "interactive", "ropc"]

#: Modes that log in without a person: from a login made before `pulumi up` (`az login`,
#: `azd auth login`), a service principal's secret, a managed identity or a federated token.
UNATTENDED_MODES = ("azurecli", "azd", "spn", "msi", "workloadidentity")

#: Modes the settings refuse, with the reason. devicecode and interactive wait for a person at a
#: browser, but the provider runs kubelogin with no terminal: the first `pulumi up` would create
#: the Azure resources and then hang on the Cilium install until Helm's timeout. ropc sends a
#: user's password and fails for accounts with MFA; Microsoft recommends against it
#: (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc).
REFUSED_MODES = {
    "devicecode": "waits for a person to enter a code in a browser",
    "interactive": "opens a browser and waits for a person to sign in",
    "ropc": "signs in with a user's password, which fails for accounts with MFA and which Microsoft advises against",
}


#: Modes that take `--client-id` from config: the managed identity's own client ID (msi, when the
#: machine has several identities) or the federated application's (workloadidentity).
CLIENT_ID_MODES = ("msi", "workloadidentity")


class KubeloginSettings(Section):
    """`aks-cilium:cluster.kubelogin`."""

    mode: KubeloginMode = "azurecli"
    """kubelogin `--login`: one of `UNATTENDED_MODES`; `azurecli` uses the `az login` of the runner."""
    client_id: Optional[str] = None
    """`--client-id` for `msi` (a user-assigned identity's client ID) or `workloadidentity`;
    without it kubelogin uses the only identity (msi) or `AZURE_CLIENT_ID` (workloadidentity)."""
    use_azurerm_env_vars: bool = False
    """`spn` only: read `ARM_CLIENT_ID`, `ARM_CLIENT_SECRET` and `ARM_TENANT_ID` (the variables the
    Pulumi Azure Native provider reads) instead of `AZURE_CLIENT_ID` / `AZURE_CLIENT_SECRET`."""

    @field_validator("mode")
    @classmethod
    def _unattended(cls, value: str) -> str:
        if value in REFUSED_MODES:
            raise ValueError(
                f"{REFUSED_MODES[value]}, but the Kubernetes provider runs kubelogin during `pulumi preview` and"
                " `pulumi up` with no terminal, so the deploy would stop halfway; use one of"
                f" {', '.join(UNATTENDED_MODES)} (docs/deploy.md says which fits your runner)"
            )
        return value

    @model_validator(mode="after")
    def _fits_mode(self) -> KubeloginSettings:
        if self.client_id is not None:
            if self.mode not in CLIENT_ID_MODES:
                raise ValueError(
                    f"clientId is used only with mode {' or '.join(CLIENT_ID_MODES)}; mode '{self.mode}' takes the"
                    " client ID from the login itself (azurecli, azd) or from AZURE_CLIENT_ID / ARM_CLIENT_ID (spn): remove clientId"
                )
            if not is_guid(self.client_id):
                raise ValueError(f"clientId = {self.client_id!r}: must be a client (application) ID, a GUID")
        if self.use_azurerm_env_vars and self.mode != "spn":
            raise ValueError(f"useAzurermEnvVars applies only to mode 'spn', not '{self.mode}': remove it or set mode: spn")
        return self
