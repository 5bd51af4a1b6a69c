"""The raw config bag as the Pulumi CLI hands it: which keys are ours, how text becomes values,
and what a secret value means here.

- **Namespaces.** The stack reads `aks-cilium:*` and `azure-native:location`. A key of any other
  namespace belongs to someone else (`pulumi:`, `kubernetes:`, `azure-native:subscriptionId`
  is the provider's own) and passes untouched, unless its namespace is a near miss of
  `aks-cilium` or `azure-native`: the same letters in another case or with other separators
  (`AKS_Cilium`, `azurenative`), or at most two letters added, dropped, changed or swapped
  (`aks-cillium`, `aks-cilum`, `azure-nativ`). Such a key is almost certainly meant for this
  stack and would otherwise be ignored without a word, so it is refused with the key it was
  probably meant to be. `azure:location` is the classic `azure` provider's key; when
  `azure-native:location` is missing, the problem says so.
- **Text or JSON.** The CLI passes a top-level value that is not a mapping or list as its
  text: `clusterName: 20251` and `clusterName: "20251"` both arrive as `20251`, and
  `pulumi.Config.get` returns that text (https://www.pulumi.com/docs/iac/concepts/config/).
  Mappings and lists arrive as JSON. So keys that hold text take the text as it is; every
  other key is JSON (`true`, `{"podCidr": ...}`), and text that is not JSON stays text.
- **Secrets.** No key of this stack may be secret: every value ends up in Azure resources, Helm
  values or stack outputs, which the program does not mark secret, so encryption in the stack
  file would hide nothing. Which keys are secret is what the engine says (`secret_keys`,
  settings/common/pulumi_config.py), never guessed from a value; a secret key is refused with
  that reason. The one exception is a fleet member's CA key, `aks-cilium:meshCaKey`, which must be
  secret and stays a Pulumi secret (settings/mesh/member.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any, Optional

from settings.common.errors import LOCATION_KEY, PROJECT, close_matches, fold
from settings.common.problems import Problem

AZURE_NATIVE = LOCATION_KEY.split(":", 1)[0]
OUR_NAMESPACES = (PROJECT, AZURE_NATIVE)
CLASSIC_AZURE_LOCATION = "azure:location"


def edit_distance(a: str, b: str) -> int:
    """Letters added, dropped, changed or swapped (optimal string alignment distance)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def near_miss_namespace(namespace: str) -> Optional[str]:
    """The namespace of ours that `namespace` almost spells, if any (never one of ours itself)."""
    if namespace in OUR_NAMESPACES:
        return None
    squashed = "".join(c for c in fold(namespace) if c.isalnum())
    for ours in OUR_NAMESPACES:
        if squashed == ours.replace("-", "") or edit_distance(fold(namespace), ours) <= 2:
            return ours
    return None


def namespace_problems(raw: Collection[str]) -> list[Problem]:
    problems = []
    for key in sorted(raw):
        namespace, _, name = key.partition(":")
        ours = near_miss_namespace(namespace)
        if ours is not None:
            problems.append(
                Problem(
                    key,
                    f"the namespace {namespace!r} is not {ours!r}, so nothing would read this key; did you mean"
                    f" '{ours}:{name}'? (this stack reads {PROJECT}:* and {LOCATION_KEY}; keys of other namespaces pass untouched)",
                )
            )
    return problems


def location_problem(raw: Mapping[str, Any]) -> Optional[Problem]:
    """Why `azure-native:location` is missing, when the stack file says something close."""
    if CLASSIC_AZURE_LOCATION in raw:
        return Problem(
            LOCATION_KEY,
            "required but not set",
            hint=f"{CLASSIC_AZURE_LOCATION} is set, but that is the classic azure provider's key and this stack uses"
            f" azure-native: rename it to {LOCATION_KEY}",
        )
    native = [k.split(":", 1)[1] for k in raw if k.startswith(f"{AZURE_NATIVE}:")]
    close = close_matches("location", native, cutoff=0.75)
    if close:
        return Problem(LOCATION_KEY, "required but not set", hint=f"did you mean it by '{AZURE_NATIVE}:{close[0]}'? Rename it to {LOCATION_KEY}")
    return None


def misplaced_location_problem() -> Problem:
    """`aks-cilium:location` set instead of the provider's key."""
    return Problem(f"{PROJECT}:location", "unknown key", hint=f"the region is set as '{LOCATION_KEY}'")


def decode(text: Any, is_text: bool) -> Any:
    """A raw config value: text keys keep their text, others are JSON (else the text itself)."""
    if is_text or not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text  # a plain scalar string such as a name


def secret_problem(key: str) -> Problem:
    """A key the stack file encrypts (`secure:`): refused, because nothing here would stay secret."""
    return Problem(
        key,
        "holds an encrypted value (secure:), but no key of this stack may be secret: the program passes every value to"
        " Azure resources, Helm values or stack outputs in plain text, so the encryption would hide nothing",
        hint=f"set it in plain text with `pulumi config set --path '{key}' <value>`",
    )
