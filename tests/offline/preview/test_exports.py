"""The export fixtures: up to date with the script that writes them, shaped like the engine's, no secret in the clear."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.exports.write_exports import exports
from tests.offline.preview.exports import EXPORTS, export_document

#: pulumi sdk/go/common/apitype/core.go `ResourceV3` json names.
RESOURCE_V3_FIELDS = {
    "urn", "custom", "delete", "id", "type", "inputs", "outputs", "parent", "protect", "taint", "external", "dependencies",
    "initErrors", "provider", "propertyDependencies", "pendingReplacement", "additionalSecretOutputs", "aliases",
    "customTimeouts", "importID", "retainOnDelete", "deletedWith", "replaceWith", "created", "modified", "sourcePosition",
    "stackTrace", "ignoreChanges", "hideDiff", "replaceOnChanges", "replacementTrigger", "refreshBeforeUpdate", "viewOf",
    "resourceHooks", "extensionRef", "snippetID",
}
FILES = sorted(exports())


def test_the_checked_in_exports_are_what_the_script_writes() -> None:
    written = exports()
    assert sorted(p.name for p in EXPORTS.glob("*.json")) == sorted(written)
    for name, text in written.items():
        assert (EXPORTS / name).read_text(encoding="utf-8") == text, f"{name} is stale: run `venv/bin/python -m tests.fixtures.exports.write_exports`"


@pytest.mark.parametrize("name", FILES)
def test_every_export_is_shaped_like_the_engines(name: str) -> None:
    document = export_document(name)
    assert document["version"] in (3, 4) and (document["version"] == 4) == bool(document.get("features"))
    resources = document["deployment"]["resources"]
    seen: set[str] = set()
    for resource in resources:
        assert set(resource) <= RESOURCE_V3_FIELDS, set(resource) - RESOURCE_V3_FIELDS
        assert resource["urn"].startswith(f"urn:pulumi:{name.split('-')[0]}::aks-cilium::")
        if resource.get("parent"):
            assert resource["parent"] in seen, f"{resource['urn']}: parent after child"
        if resource.get("provider"):
            provider_urn, provider_id = resource["provider"].rsplit("::", 1)
            assert any(r["urn"] == provider_urn and r["id"] == provider_id for r in resources), resource["provider"]
        for dependency in resource.get("dependencies", []):
            assert dependency in seen, f"{resource['urn']} depends on missing {dependency}"
        seen.add(resource["urn"])
    providers = [r for r in resources if r["type"].startswith("pulumi:providers:")]
    assert {"version", "__internal"} <= set(providers[0]["inputs"]) and "__internal" not in providers[0]["outputs"]


@pytest.mark.parametrize("name", FILES)
def test_no_export_holds_a_secret_in_the_clear(name: str) -> None:
    text = (EXPORTS / name).read_text(encoding="utf-8")
    assert '"plaintext"' not in text
    for marker in ("client-key-data", "client-certificate-data", "token:", "BEGIN "):
        assert marker not in text
    document = export_document(name)
    provider = next(r for r in document["deployment"]["resources"] if r["type"] == "pulumi:providers:kubernetes")
    assert set(provider["inputs"]["kubeconfig"]) == {"4dabf18193072939515e22adb298388d", "ciphertext"}


def test_arm_ids_use_both_casings_as_real_state_does() -> None:
    text = (EXPORTS / "dev-deployed.json").read_text(encoding="utf-8")
    assert re.search(r"/subscriptions/[0-9a-f-]+/resourceGroups/", text) and re.search(r"/subscriptions/[0-9a-f-]+/resourcegroups/", text)
