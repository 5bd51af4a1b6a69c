"""Release versions such as Cilium's `1.20.0`, parsed with `packaging` (PEP 440 rules)."""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

RELEASE_RULE = "a release version MAJOR.MINOR.PATCH such as 1.20.0 (no 'v', no pre-release)"


def release_version(text: str) -> tuple[int, int, int]:
    """(major, minor, patch) of a plain release version; ValueError for anything else."""
    try:
        version = Version(text)
    except (InvalidVersion, TypeError):
        raise ValueError(f"must be {RELEASE_RULE}") from None
    # packaging also accepts 'v1.2.3', '1.2', '1.2.3rc1' and '1.2.3.post1'; a chart version is none of those.
    if str(version) != text or len(version.release) != 3 or version.is_prerelease or version.is_postrelease or version.local:
        raise ValueError(f"must be {RELEASE_RULE}")
    return version.release  # type: ignore[return-value]


def version_in_state(text: object) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a version as a deployed state may hold it (`v1.20`, `1.20.0`), else None."""
    if not isinstance(text, str):
        return None
    try:
        release = Version(text.strip().removeprefix("v")).release
    except InvalidVersion:
        return None
    return (*release, 0, 0)[:3]  # type: ignore[return-value]
