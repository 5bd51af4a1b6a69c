"""`read_stack_outputs`: the root stack's outputs of an export, which the program's StackReference to
itself reads offline; secrets stay placeholders even in a `--show-secrets` export."""

from __future__ import annotations

import json
from pathlib import Path

from offline.preview.state_format import SECRET_SIG, SIG_KEY
from offline.preview.state_import import read_stack_outputs

ROOT = "urn:pulumi:dev::aks-cilium::pulumi:pulumi:Stack::aks-cilium-dev"


def _export(tmp_path: Path, resources: list[dict]) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}), encoding="utf-8")
    return path


def test_the_root_stacks_outputs_with_secrets_as_placeholders(tmp_path: Path) -> None:
    shown = {SIG_KEY: SECRET_SIG, "plaintext": '"DEPLOYED-SECRET-TOKEN"'}  # `pulumi stack export --show-secrets`
    path = _export(tmp_path, [{"urn": ROOT, "type": "pulumi:pulumi:Stack", "custom": False, "outputs": {"ciliumVersion": "1.19.6", "kubeconfig": shown}}])
    outputs = read_stack_outputs(path)
    assert outputs.values == {"ciliumVersion": "1.19.6", "kubeconfig": "[secret]"}
    assert outputs.secret_names == {"kubeconfig"}


def test_a_stack_never_deployed_has_no_outputs(tmp_path: Path) -> None:
    assert read_stack_outputs(_export(tmp_path, [])).values == {}
    root_only = _export(tmp_path, [{"urn": ROOT, "type": "pulumi:pulumi:Stack", "custom": False}])
    assert read_stack_outputs(root_only).values == {}
