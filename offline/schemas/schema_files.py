"""Which upstream schema files stand for a Cilium release: their names, and the choice among them.

Files such as ``ciliumcidrgroups-v1.19.4.yaml``, ``ciliumnetworkpolicies-v1.20-branchpoint-3ab8efdd3b.yaml``
and ``cilium-helm-values.schema-v1.20.0.json`` (what ``make schemas`` writes, and
../shared/reference/cilium). Only files of the release's MAJOR.MINOR line qualify; per CRD and
for the values schema, the file of exactly that release wins, then the branch point of that line,
then the release of that line with the nearest patch number. A branch point stands for the
whole line because upstream cuts each release line from main there (CRD sources:
https://github.com/cilium/cilium/tree/main/pkg/k8s/apis/cilium.io/client/crds; schema changes
within a line are listed in Cilium's CRD compatibility table,
https://github.com/cilium/cilium/blob/main/Documentation/network/kubernetes/compatibility-table.rst).
Among equally good files the first folder's wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from settings.common.versions import release_version

__all__ = ["HELM_VALUES_STEM", "SchemaSource", "cilium_release", "parse_schema_file_name", "pick_sources"]

HELM_VALUES_STEM = "cilium-helm-values.schema"

# `<plural>-v1.19.4.yaml`, `<plural>-v1.20-branchpoint-<sha>.yaml`, `cilium-helm-values.schema-v1.20.0.json`.
_SCHEMA_FILE = re.compile(
    r"^(?P<stem>.+?)-v(?P<major>\d+)\.(?P<minor>\d+)"
    r"(?:\.(?P<patch>\d+)|-branchpoint-(?P<commit>[0-9a-f]+))\.(?P<ext>yaml|yml|json)$"
)


@dataclass(frozen=True)
class SchemaSource:
    """One upstream schema file and the release it was taken from."""

    path: Path
    stem: str
    line: tuple[int, int]
    patch: Optional[int]
    """None for a branch-point file."""
    commit: Optional[str]

    @property
    def release(self) -> str:
        major, minor = self.line
        if self.patch is None:
            return f"v{major}.{minor} branch point {self.commit}"
        return f"v{major}.{minor}.{self.patch}"

    @property
    def label(self) -> str:
        """What the plan names as the version checked against: `1.20.0`, or `v1.20 branch point 3ab8efdd3b`."""
        return self.release.removeprefix("v") if self.patch is not None else self.release


def parse_schema_file_name(path: Path) -> Optional[SchemaSource]:
    match = _SCHEMA_FILE.match(path.name)
    if not match:
        return None
    patch = match["patch"]
    return SchemaSource(
        path=path,
        stem=match["stem"],
        line=(int(match["major"]), int(match["minor"])),
        patch=int(patch) if patch is not None else None,
        commit=match["commit"],
    )


def cilium_release(cilium_version: str) -> tuple[int, int, int]:
    """(major, minor, patch) of a Cilium release such as `1.20.0` (a leading 'v' is accepted)."""
    try:
        return release_version(cilium_version.strip().removeprefix("v"))
    except ValueError as exc:
        raise ValueError(f"Cilium version {cilium_version!r} {exc}") from None


def _pick(candidates: list[SchemaSource], patch: int) -> SchemaSource:
    """Exact release, else the line's branch point, else the nearest patch (older on a tie)."""
    exact = [c for c in candidates if c.patch == patch]
    if exact:
        return exact[0]
    branch_points = sorted((c for c in candidates if c.patch is None), key=lambda c: c.commit or "")
    if branch_points:
        return branch_points[0]
    return min(candidates, key=lambda c: (abs((c.patch or 0) - patch), c.patch or 0))



def pick_sources(directories: Sequence[Path], cilium_version: str) -> Optional[tuple[list[SchemaSource], Optional[SchemaSource]]]:
    """(CRD files, Helm values schema file) that stand for `cilium_version` among the files of
    `directories` (searched in order); None when no file matches the version's line."""
    major, minor, patch = cilium_release(cilium_version)
    by_stem: dict[str, list[SchemaSource]] = {}
    for directory in directories:
        for path in sorted(directory.iterdir()) if directory.is_dir() else []:
            source = parse_schema_file_name(path)
            if source and source.line == (major, minor):
                by_stem.setdefault(source.stem, []).append(source)
    if not by_stem:
        return None
    chosen = {stem: _pick(candidates, patch) for stem, candidates in sorted(by_stem.items())}
    helm = chosen.pop(HELM_VALUES_STEM, None)
    return [s for s in chosen.values() if s.path.suffix in (".yaml", ".yml")], helm
