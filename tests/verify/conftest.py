"""Shared paths for the `make verify` tests (verify/)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "verify"
EXPORTS = FIXTURES / "exports"
#: Upstream Cilium CRDs beside the project (never copied into it); AKS_CILIUM_REFERENCE overrides.
CILIUM_REFERENCE = Path(os.environ.get("AKS_CILIUM_REFERENCE", PROJECT_DIR.parent / "shared" / "reference")) / "cilium"
#: The probe suffix every probe replay folder was recorded with.
SUFFIX = "0a1b2c3d"
