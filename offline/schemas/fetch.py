"""`make schemas` (`python -m offline.schemas.fetch`): Cilium's schemas for every version a stack pins.

For each Cilium version the stacks pin (`aks-cilium:cilium.version`, read through the
settings loader, so an unset key means the settings' default), downloads Cilium's own files
at that release's tag:

- the CRDs of the kinds the program sends, from
  https://github.com/cilium/cilium/tree/v1.20.0/pkg/k8s/apis/cilium.io/client/crds
  (`v2/ciliumcidrgroups.yaml`, or `v2alpha1/` up to 1.17.x; `v2/ciliumnetworkpolicies.yaml`,
  `v2/ciliumclusterwidenetworkpolicies.yaml`);
- the chart's `values.schema.json`, from
  https://github.com/cilium/cilium/blob/v1.20.0/install/kubernetes/cilium/values.schema.json
  (the file the `cilium` chart on https://helm.cilium.io/ is packaged from; in the chart since
  Cilium 1.16, https://github.com/cilium/cilium/pull/30631, and the stacks need 1.17 or newer).

Each file is checked before it is kept (a CRD of the expected kind and group; a values schema
that is valid JSON Schema draft 7, the draft `helm install` checks values with), then written
atomically into the schema cache (`offline.schemas.cache`) under the name `offline.schemas.schema_set`
parses (`ciliumcidrgroups-v1.20.0.yaml`, `cilium-helm-values.schema-v1.20.0.json`). A version
whose files are all there already is not downloaded again (`--force` does).

A stack file that cannot be read (half-written, a config error) is skipped with a message, and
the versions of the other stacks are fetched. Progress goes to stderr, one line per file. Each
request gives up after `--timeout` seconds without an answer (default 15), saying what to do.

Exit codes: 0 every version's files are in the cache (stacks skipped are listed on stderr); 1 a
download failed, timed out or brought the wrong content (nothing of that version is written);
2 bad input (every stack unreadable, a `--stack` that is, bad options).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError

from components.kinds import CIDR_GROUP_KIND, cidr_group_api_version
from offline.run import StackFileError, list_stacks, read_stack_config, yaml_io
from offline.schemas.cache import fetch_destination, shown_path
from offline.schemas.schema_set import HELM_VALUES_STEM
from settings.common.errors import ConfigError
from settings.common.versions import release_version
from settings.stack import load_settings

#: Raw files of Cilium's repository at a tag: `<base>/v<version>/<path in the repository>`.
DEFAULT_BASE_URL = "https://raw.githubusercontent.com/cilium/cilium"
CRD_DIR = "pkg/k8s/apis/cilium.io/client/crds"
VALUES_SCHEMA_PATH = "install/kubernetes/cilium/values.schema.json"
#: The CRDs of the kinds the program sends, by kind: their file is named after the plural.
CRDS = {
    "CiliumCIDRGroup": "ciliumcidrgroups",
    "CiliumClusterwideNetworkPolicy": "ciliumclusterwidenetworkpolicies",
    "CiliumNetworkPolicy": "ciliumnetworkpolicies",
}
CRD_GROUP = "cilium.io"
#: Seconds a request may go without an answer; short, so a network that hangs is reported
#: within a minute instead of silence (`--timeout`, `SCHEMA_ARGS='--timeout 60'` in make).
TIMEOUT_SECONDS = 15.0

EXIT_OK = 0
EXIT_FETCH_FAILED = 1
EXIT_BAD_INPUT = 2


class FetchError(Exception):
    """A download that failed or brought something else than expected; the message says which URL."""


@dataclass(frozen=True)
class SchemaFile:
    repo_path: str
    """Path inside cilium/cilium at the release tag."""
    file_name: str
    """Name in the cache, as `offline.schemas.schema_set.parse_schema_file_name` reads it."""
    kind: Optional[str]
    """The CRD's kind; None for the Helm values schema."""

    def url(self, base_url: str, version: str) -> str:
        return f"{base_url.rstrip('/')}/v{version}/{self.repo_path}"


def schema_files(version: str) -> list[SchemaFile]:
    release = release_version(version)
    files = []
    for kind, plural in CRDS.items():
        # CiliumCIDRGroup lives in crds/v2alpha1/ up to 1.17.x and in crds/v2/ from 1.18.0.
        api = cidr_group_api_version(release).split("/")[1] if kind == CIDR_GROUP_KIND else "v2"
        files.append(SchemaFile(f"{CRD_DIR}/{api}/{plural}.yaml", f"{plural}-v{version}.yaml", kind))
    files.append(SchemaFile(VALUES_SCHEMA_PATH, f"{HELM_VALUES_STEM}-v{version}.json", None))
    return files


# --- which versions -----------------------------------------------------------------------


def pinned_versions(project_dir: Path, stacks: Optional[Sequence[str]] = None, skipped: Optional[list[str]] = None) -> dict[str, list[str]]:
    """Cilium version -> the stacks that pin it, as the settings read each stack file.

    With `skipped`, a stack file that cannot be read adds its message there instead of raising.
    """
    versions: dict[str, list[str]] = {}
    for stack in stacks or list_stacks(project_dir):
        try:
            config = read_stack_config(project_dir, stack)
            settings = load_settings(config.raw, project=config.project, stack=stack, secret_keys=config.secret_keys)
        except (StackFileError, ConfigError) as exc:
            if skipped is None:
                raise
            skipped.append(f"skipped stack {stack!r}, its stack file cannot be read: {exc}")
            continue
        versions.setdefault(settings.cilium.version, []).append(stack)
    return dict(sorted(versions.items(), key=lambda item: release_version(item[0])))


# --- download and check -------------------------------------------------------------------


def download(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "aks-cilium make schemas"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"GET {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
            raise FetchError(
                f"GET {url}: no answer within {timeout:g} s; check the network or proxy (HTTPS_PROXY) and run"
                f" `make schemas` again, or allow longer with SCHEMA_ARGS='--timeout 60'"
            ) from None
        raise FetchError(f"GET {url}: {reason}") from None


def check_crd(data: bytes, kind: str, url: str) -> None:
    """A CustomResourceDefinition of `kind` in the cilium.io group, with a schema per version."""
    try:
        document = yaml_io.load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml_io.YAMLError) as exc:
        raise FetchError(f"{url}: not YAML: {str(exc).splitlines()[0]}") from None
    spec = document.get("spec") if isinstance(document, dict) else None
    if not isinstance(spec, dict) or document.get("kind") != "CustomResourceDefinition":
        raise FetchError(f"{url}: not a CustomResourceDefinition")
    names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
    if names.get("kind") != kind or spec.get("group") != CRD_GROUP:
        raise FetchError(f"{url}: the CRD of {names.get('kind')!r} in group {spec.get('group')!r}, not of {kind!r} in {CRD_GROUP!r}")
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions or not all(_has_schema(v) for v in versions):
        raise FetchError(f"{url}: the {kind} CRD has no openAPIV3Schema for every version")


def _has_schema(version: Any) -> bool:
    schema = version.get("schema") if isinstance(version, dict) else None
    return isinstance(schema, dict) and isinstance(schema.get("openAPIV3Schema"), dict)


def check_values_schema(data: bytes, url: str) -> None:
    """JSON Schema (draft 7) of an object with properties: what the chart's values.schema.json is."""
    try:
        schema = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(f"{url}: not JSON: {exc}") from None
    try:
        Draft7Validator.check_schema(schema)
    except SchemaError as exc:
        raise FetchError(f"{url}: not a valid JSON Schema (draft 7): {exc.message}") from None
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict) or not schema["properties"]:
        raise FetchError(f"{url}: a JSON Schema without top-level properties, not a chart's values schema")


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one (rename within one folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkstemp: its 0600 mode would stick to the file; `open` honours the umask.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with temporary.open("xb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def fetch_version(
    version: str, dest: Path, base_url: str = DEFAULT_BASE_URL, force: bool = False, timeout: float = TIMEOUT_SECONDS, progress: bool = False
) -> list[Path]:
    """Download, check and write one version's files; all or nothing. Returns the files written.

    `progress`: one line on stderr per file, before its request, so a slow network shows where it waits.
    """
    files = schema_files(version)
    if not force and all((dest / f.file_name).is_file() for f in files):
        return []
    fetched = {}
    for number, wanted in enumerate(files, 1):
        url = wanted.url(base_url, version)
        if progress:
            print(f"schemas: Cilium {version}: {number}/{len(files)} {url}", file=sys.stderr, flush=True)
        data = download(url, timeout)
        if wanted.kind is None:
            check_values_schema(data, url)
        else:
            check_crd(data, wanted.kind, url)
        fetched[dest / wanted.file_name] = data
    for path, data in fetched.items():
        write_atomically(path, data)
    return list(fetched)


# --- command line -------------------------------------------------------------------------


def _check_release(version: str) -> None:
    try:
        release_version(version)
    except ValueError as exc:
        raise ValueError(f"Cilium version {version!r} {exc}") from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.schemas.fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--project-dir", type=Path, default=Path(__file__).resolve().parents[1], help="folder with Pulumi.yaml (default: this project)")
    parser.add_argument("--stack", action="append", help="only this stack's version (repeatable; default: every Pulumi.<stack>.yaml)")
    parser.add_argument("--version", action="append", dest="versions", help="this Cilium version instead of the stacks' (repeatable)")
    parser.add_argument("--dest", type=Path, help="folder to write into (default: $AKS_CILIUM_SCHEMAS, else .schemas/cilium)")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"where Cilium's files are, by tag (default: {DEFAULT_BASE_URL})")
    parser.add_argument("--force", action="store_true", help="download again even if the files are there")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help=f"seconds each request may wait for an answer (default: {TIMEOUT_SECONDS:g})")
    args = parser.parse_args(argv)
    project_dir: Path = args.project_dir
    dest = args.dest or fetch_destination(project_dir)
    try:
        if args.versions:
            versions = {v.removeprefix("v"): ["--version"] for v in args.versions}
            for version in versions:
                _check_release(version)
        else:
            # Named stacks must all be readable; of all stacks, a broken one is skipped.
            skipped: Optional[list[str]] = None if args.stack else []
            versions = pinned_versions(project_dir, args.stack, skipped)
            for message in skipped or []:
                print(f"schemas: {message}", file=sys.stderr)
            if skipped and not versions:
                return EXIT_BAD_INPUT
    except (StackFileError, ConfigError, ValueError) as exc:
        print(f"schemas: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    shown = shown_path(dest, project_dir)
    for version, stacks in versions.items():
        try:
            written = fetch_version(version, dest, args.base_url, args.force, args.timeout, progress=True)
        except (FetchError, OSError) as exc:
            print(f"schemas: Cilium {version} ({', '.join(stacks)}): {exc}", file=sys.stderr)
            return EXIT_FETCH_FAILED
        state = f"downloaded {len(written)} files" if written else "already there"
        print(f"Cilium {version} ({', '.join(stacks)}): {state} in {shown}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
