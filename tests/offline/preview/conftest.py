"""Fixtures shared by the change-preview tests: each stack planned once per module, as a deployed state."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import plan


@pytest.fixture(scope="module")
def dev_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    planned = plan("dev", tmp_path_factory.mktemp("dev-state") / "out")
    assert planned.exit_code == 0, planned.stderr
    return planned.state


@pytest.fixture(scope="module")
def prod_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    planned = plan("prod", tmp_path_factory.mktemp("prod-state") / "out")
    assert planned.exit_code == 0, planned.stderr
    return planned.state
