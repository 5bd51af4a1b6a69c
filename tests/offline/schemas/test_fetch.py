"""offline.schemas.fetch (`make schemas`): which versions, which URLs, what is checked and kept.

Every download goes to a local stand-in server (tests/schema_server.py); the URLs it is asked
for are Cilium's published paths at the release tag, so the default base URL only swaps the host.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from offline.run.stack_files.stack_config import copy_program, list_stacks
from offline.schemas.fetch import DEFAULT_BASE_URL, FetchError, fetch_version, main, pinned_versions, schema_files
from offline.schemas.schema_set import SchemaSet
from tests.harness import PROJECT_DIR
from tests.schema_server import FIXTURES, fill_cache, schema_server

CRDS_AT_1_20 = "https://raw.githubusercontent.com/cilium/cilium/v1.20.0/pkg/k8s/apis/cilium.io/client/crds"


def test_the_urls_are_cilium_s_published_files_at_the_release_tag() -> None:
    urls = {f.file_name: f.url(DEFAULT_BASE_URL, "1.20.0") for f in schema_files("1.20.0")}
    assert urls == {
        "ciliumcidrgroups-v1.20.0.yaml": f"{CRDS_AT_1_20}/v2/ciliumcidrgroups.yaml",
        "ciliumclusterwidenetworkpolicies-v1.20.0.yaml": f"{CRDS_AT_1_20}/v2/ciliumclusterwidenetworkpolicies.yaml",
        "ciliumnetworkpolicies-v1.20.0.yaml": f"{CRDS_AT_1_20}/v2/ciliumnetworkpolicies.yaml",
        "cilium-helm-values.schema-v1.20.0.json": "https://raw.githubusercontent.com/cilium/cilium/v1.20.0/install/kubernetes/cilium/values.schema.json",
    }


def test_cilium_1_17_cidr_groups_come_from_the_v2alpha1_folder() -> None:
    paths = [f.repo_path for f in schema_files("1.17.18")]
    assert "pkg/k8s/apis/cilium.io/client/crds/v2alpha1/ciliumcidrgroups.yaml" in paths
    assert "pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml" in paths


def test_the_versions_come_from_the_stacks_through_the_settings(tmp_path: Path) -> None:
    project = copy_program(PROJECT_DIR, tmp_path / "project")
    dev = yaml.safe_load((PROJECT_DIR / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
    identity = dev["config"]["aks-cilium:cilium"]["cluster"]
    dev["config"]["aks-cilium:cilium"] = {"version": "1.17.18", "cluster": identity}
    (project / "Pulumi.old.yaml").write_text(yaml.safe_dump(dev), encoding="utf-8")
    dev["config"]["aks-cilium:cilium"] = {"cluster": identity}  # the settings' default version
    (project / "Pulumi.plain.yaml").write_text(yaml.safe_dump(dev), encoding="utf-8")
    assert pinned_versions(project) == {"1.17.18": ["old"], "1.20.0": ["plain"]}
    assert pinned_versions(PROJECT_DIR) == {"1.20.0": ["dev", "mesh-neu", "mesh-weu", "prod"]}


def test_a_version_is_downloaded_checked_and_named_for_the_schema_set(tmp_path: Path) -> None:
    with schema_server() as server:
        server.publish("1.20.0")
        written = fetch_version("1.20.0", tmp_path / "cache", server.base_url)
    assert sorted(p.name for p in written) == sorted(f.file_name for f in schema_files("1.20.0"))
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(p.name for p in written)  # no temporary files left
    schemas = SchemaSet.for_version(tmp_path / "cache", "1.20.0")
    assert schemas is not None and not schemas.approximate
    assert schemas.kinds == ["CiliumCIDRGroup", "CiliumClusterwideNetworkPolicy", "CiliumNetworkPolicy"]
    assert schemas.helm_values_source is not None


def test_files_already_there_are_not_downloaded_again(tmp_path: Path) -> None:
    with schema_server() as server:
        server.publish("1.20.0")
        fetch_version("1.20.0", tmp_path, server.base_url)
        asked = len(server.requests)
        assert fetch_version("1.20.0", tmp_path, server.base_url) == []
        assert len(server.requests) == asked
        assert len(fetch_version("1.20.0", tmp_path, server.base_url, force=True)) == 4


def test_an_http_error_names_the_url_and_writes_nothing(tmp_path: Path) -> None:
    with schema_server() as server:
        server.publish("1.20.0")
        del server.served["/v1.20.0/install/kubernetes/cilium/values.schema.json"]
        with pytest.raises(FetchError, match=r"^GET http://127\.0\.0\.1:\d+/v1\.20\.0/install/kubernetes/cilium/values\.schema\.json: HTTP 404"):
            fetch_version("1.20.0", tmp_path / "cache", server.base_url)
    assert not (tmp_path / "cache").exists()


def test_a_crd_of_another_kind_is_refused(tmp_path: Path) -> None:
    with schema_server() as server:
        server.publish("1.20.0")
        path = "/v1.20.0/pkg/k8s/apis/cilium.io/client/crds/v2/ciliumcidrgroups.yaml"
        server.served[path] = (FIXTURES / "ciliumnetworkpolicies.yaml").read_bytes()
        with pytest.raises(FetchError, match="the CRD of 'CiliumNetworkPolicy' in group 'cilium.io', not of 'CiliumCIDRGroup'"):
            fetch_version("1.20.0", tmp_path, server.base_url)
        server.served[path] = b"<html>rate limited</html>"
        with pytest.raises(FetchError, match="ciliumcidrgroups.yaml: not a CustomResourceDefinition"):
            fetch_version("1.20.0", tmp_path, server.base_url)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "not JSON"),
        (json.dumps({"type": "object", "properties": {"debug": {"type": 12}}}).encode(), r"not a valid JSON Schema \(draft 7\)"),
        (b"{}", "without top-level properties"),
    ],
)
def test_a_values_schema_that_is_not_json_schema_is_refused(tmp_path: Path, body: bytes, problem: str) -> None:
    with schema_server() as server:
        server.publish("1.20.0")
        server.served["/v1.20.0/install/kubernetes/cilium/values.schema.json"] = body
        with pytest.raises(FetchError, match=problem):
            fetch_version("1.20.0", tmp_path, server.base_url)


def test_an_unreachable_server_is_an_error_naming_the_url(tmp_path: Path) -> None:
    with schema_server() as server:
        base_url = server.base_url
    with pytest.raises(FetchError, match=rf"^GET {base_url}/v1\.20\.0/"):
        fetch_version("1.20.0", tmp_path, base_url)


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    cache = fill_cache(tmp_path, "1.20.0")
    (cache / "ciliumcidrgroups-v1.20.0.yaml").write_text("old", encoding="utf-8")
    with schema_server() as server:
        server.publish("1.20.0")
        fetch_version("1.20.0", cache, server.base_url, force=True)
    assert (cache / "ciliumcidrgroups-v1.20.0.yaml").read_bytes() == (FIXTURES / "ciliumcidrgroups.yaml").read_bytes()


# --- the command --------------------------------------------------------------------------


def run_fetch(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "offline.schemas.fetch", *args]
    return subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120)


def test_main_fills_the_project_cache_for_every_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("AKS_CILIUM_SCHEMAS", raising=False)
    project = copy_program(PROJECT_DIR, tmp_path / "project")
    for stack in ("dev", "prod"):
        (project / f"Pulumi.{stack}.yaml").write_bytes((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_bytes())
    with schema_server() as server:
        server.publish("1.20.0")
        assert main(["--project-dir", str(project), "--base-url", server.base_url]) == 0
        assert capsys.readouterr().out == "Cilium 1.20.0 (dev, prod): downloaded 4 files in .schemas/cilium\n"
        assert main(["--project-dir", str(project), "--base-url", server.base_url]) == 0
        assert capsys.readouterr().out == "Cilium 1.20.0 (dev, prod): already there in .schemas/cilium\n"
    assert SchemaSet.for_version(project / ".schemas" / "cilium", "1.20.0").approximate is False


def test_without_project_dir_main_reads_this_projects_stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AKS_CILIUM_SCHEMAS", str(tmp_path / "mine"))  # not the developer's cache
    with schema_server() as server:
        server.publish("1.20.0")
        assert main(["--base-url", server.base_url]) == 0
    out = capsys.readouterr().out
    # Every stack file of this project, whichever versions they pin (the fleet's stacks too).
    for stack in list_stacks(PROJECT_DIR):
        assert stack in out, out
    assert "Cilium 1.20.0 (" in out and "downloaded 4 files in " in out


def test_a_folder_without_stack_files_is_an_error_not_nothing_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"schemas: no stack file (Pulumi.<stack>.yaml) in {tmp_path}\n"


def test_the_command_fails_with_one_message_and_a_non_zero_exit(tmp_path: Path) -> None:
    with schema_server() as server:
        done = run_fetch("--version", "1.19.6", "--dest", str(tmp_path), "--base-url", server.base_url)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith("schemas: Cilium 1.19.6 (--version): GET http://127.0.0.1:")
    assert "HTTP 404" in done.stderr and "Traceback" not in done.stderr


def test_a_version_that_is_not_a_release_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version", "1.20", "--dest", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("schemas: Cilium version '1.20' must be")


def test_main_writes_where_aks_cilium_schemas_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AKS_CILIUM_SCHEMAS", str(tmp_path / "mine"))
    with schema_server() as server:
        server.publish("1.17.18")
        assert main(["--version", "v1.17.18", "--base-url", server.base_url]) == 0
    assert "/v1.17.18/pkg/k8s/apis/cilium.io/client/crds/v2alpha1/ciliumcidrgroups.yaml" in server.requests
    assert (tmp_path / "mine" / "ciliumcidrgroups-v1.17.18.yaml").is_file()
    assert capsys.readouterr().out.startswith("Cilium 1.17.18 (--version): downloaded 4 files in ")


def test_a_broken_stack_file_is_skipped_and_the_others_are_fetched(tmp_path: Path) -> None:
    project = copy_program(PROJECT_DIR, tmp_path / "project")
    for stack in ("dev", "prod"):
        (project / f"Pulumi.{stack}.yaml").write_bytes((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_bytes())
    (project / "Pulumi.half.yaml").write_text("config:\n  aks-cilium:network: {vnetCidr: [\n", encoding="utf-8")
    with schema_server() as server:
        server.publish("1.20.0")
        done = run_fetch("--project-dir", str(project), "--base-url", server.base_url)
        named = run_fetch("--project-dir", str(project), "--base-url", server.base_url, "--stack", "half")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Cilium 1.20.0 (dev, prod): downloaded 4 files in .schemas/cilium\n"
    assert "schemas: skipped stack 'half', its stack file cannot be read: Pulumi.half.yaml: is not valid YAML" in done.stderr
    assert "schemas: Cilium 1.20.0: 1/4 " in done.stderr  # progress, one line per file
    assert named.returncode == 2 and named.stderr.startswith("schemas: Pulumi.half.yaml: is not valid YAML")


def test_a_server_that_never_answers_is_given_up_on_with_what_to_do(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        done = run_fetch("--version", "1.20.0", "--dest", str(tmp_path), "--base-url", f"http://127.0.0.1:{silent.getsockname()[1]}", "--timeout", "0.5")
        elapsed = time.monotonic() - started
    assert done.returncode == 1
    assert "no answer within 0.5 s; check the network or proxy (HTTPS_PROXY) and run `make schemas` again" in done.stderr
    assert "SCHEMA_ARGS='--timeout 60'" in done.stderr and "Traceback" not in done.stderr
    assert elapsed < 30
    assert list(tmp_path.iterdir()) == []
