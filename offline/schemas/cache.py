"""Where the offline plan and the tests look for Cilium's schemas, and how the plan names them.

Search order (docs/offline-plan.md, "Where the schemas come from"):

1. `--schemas DIR`, or else `$AKS_CILIUM_SCHEMAS`: that one folder only;
2. otherwise the cache `make schemas` fills, `.schemas/cilium` in the project (git-ignored),
   then the shared reference folder, `$AKS_CILIUM_REFERENCE/cilium` or
   `../shared/reference/cilium` beside the project, where it exists.

Folders are named as the user configured them (`.schemas/cilium`, `$AKS_CILIUM_SCHEMAS`,
`../shared/reference/cilium`), never by the machine's absolute path, so a plan reads the same
on every machine and in CI.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from offline.schemas.schema_set import SchemaSet, SchemaSource

SCHEMAS_ENV = "AKS_CILIUM_SCHEMAS"
REFERENCE_ENV = "AKS_CILIUM_REFERENCE"
#: The cache `make schemas` (offline/schemas/fetch.py) downloads into, relative to the project.
CACHE_DIR = Path(".schemas") / "cilium"
DEFAULT_REFERENCE = Path("..") / "shared" / "reference"
FETCH_COMMAND = "make schemas"


@dataclass(frozen=True)
class SchemaFolder:
    path: Path
    shown: str
    """How the plan names it: as configured, relative to the project where it lies below it."""


@dataclass(frozen=True)
class SchemaSearch:
    """The folders to look in, in order, and the command that fills the first one."""

    folders: tuple[SchemaFolder, ...]
    fix: str

    @property
    def existing(self) -> list[SchemaFolder]:
        return [f for f in self.folders if f.path.is_dir()]

    def schemas_for(self, cilium_version: str) -> Optional[SchemaSet]:
        return SchemaSet.for_version([f.path for f in self.existing], cilium_version)

    def describe(self) -> str:
        """`.schemas/cilium, then ../shared/reference/cilium`: the folders that exist. Folders that do
        not are left out, since a new user has never heard of them, except the first, which the
        fix fills: `.schemas/cilium (not there yet; `make schemas` fills it)`."""
        shown = [f.shown for f in self.existing]
        return ", then ".join(shown) if shown else f"{self.folders[0].shown} (not there yet; `{self.fix}` fills it)"

    def folder_of(self, source: SchemaSource) -> Optional[SchemaFolder]:
        return next((f for f in self.existing if source.path.parent == f.path), None)


def shown_path(path: Path, project_dir: Path) -> str:
    """`path` relative to the project when it lies below it, else as given."""
    try:
        return str(path.resolve().relative_to(project_dir.resolve()))
    except ValueError:
        return str(path)


def schema_search(project_dir: Path, given: Optional[Path], environ: Mapping[str, str] = os.environ) -> SchemaSearch:
    if given is not None:
        shown = shown_path(given, project_dir)
        return SchemaSearch((SchemaFolder(given, shown),), f"{FETCH_COMMAND} SCHEMAS_DIR={shown}")
    if environ.get(SCHEMAS_ENV):
        return SchemaSearch((SchemaFolder(Path(environ[SCHEMAS_ENV]), f"${SCHEMAS_ENV}"),), FETCH_COMMAND)
    cache = SchemaFolder(project_dir / CACHE_DIR, str(CACHE_DIR))
    if environ.get(REFERENCE_ENV):
        reference = SchemaFolder(Path(environ[REFERENCE_ENV]) / "cilium", f"${REFERENCE_ENV}/cilium")
    else:
        reference = SchemaFolder(project_dir.resolve().parent / "shared" / "reference" / "cilium", str(DEFAULT_REFERENCE / "cilium"))
    return SchemaSearch((cache, reference), FETCH_COMMAND)


def fetch_destination(project_dir: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """Where `make schemas` writes: `$AKS_CILIUM_SCHEMAS` when set (the plan reads only it then), else the cache."""
    return Path(environ[SCHEMAS_ENV]) if environ.get(SCHEMAS_ENV) else project_dir / CACHE_DIR
