"""The checkpoint format of `pulumi stack export`, as far as the change preview uses it.

`pulumi stack export` writes `{"version": 3, "deployment": {"manifest": ..., "resources": [...]}}`
(apitype `UntypedDeployment` / `DeploymentV3`:
https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/core.go). Each resource
carries `urn`, `type`, `custom`, `inputs`, `parent`, `dependencies`, `provider`, `protect`, and
usually `id` and `outputs`. A secret value is an object marked with Pulumi's signature key
(https://github.com/pulumi/pulumi/blob/master/sdk/go/common/resource/sig/sig.go) that holds
`ciphertext` (or `plaintext` after `--show-secrets`).
"""

from __future__ import annotations

from offline.run import SECRET_PLACEHOLDER

DEPLOYMENT_VERSION = 3
#: `sig.Key` and `sig.Secret`: `{SIG_KEY: SECRET_SIG, "ciphertext": ...}` is a secret.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
#: A fixed manifest time: the same program and config must give the same bytes.
FIXED_MANIFEST = {"time": "1970-01-01T00:00:00Z", "magic": "", "version": "aks-cilium offline plan"}
#: Resources the engine adds that a program never registers: the root stack and default providers.
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"


def secret_object(ciphertext: str = SECRET_PLACEHOLDER) -> dict[str, str]:
    return {SIG_KEY: SECRET_SIG, "ciphertext": ciphertext}


def is_engine_resource(type_: str, name: str) -> bool:
    """The root stack, or a default provider (`default`, `default_3_29_0`): the engine's own."""
    return type_ == ROOT_STACK_TYPE or (type_.startswith(PROVIDER_TYPE_PREFIX) and (name == "default" or name.startswith("default_")))
