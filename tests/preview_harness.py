"""Helpers for tests that plan a stack, then preview a changed program or config against it.

Changed configs live in a copy of the program with the same stack name, since the stack name
is part of every URN.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offline.plan import main as plan_main
from offline.run.stack_config import copy_program
from offline.run.yaml_io import dump, load
from tests.harness import PROJECT_DIR, merge_config

FIXTURES = Path(__file__).parent / "fixtures"
ALIAS_PROGRAM = FIXTURES / "aliases"


@dataclass
class Planned:
    exit_code: int
    stdout: str
    stderr: str
    out_dir: Path

    @property
    def state(self) -> Path:
        return self.out_dir / "state.json"

    def changes(self) -> list[dict[str, Any]]:
        return json.loads((self.out_dir / "changes.json").read_text(encoding="utf-8"))

    def changed(self) -> dict[str, tuple[str, list[str]]]:
        """Resource name -> (op, paths), for every resource that is not `same`."""
        return {c["urn"].rsplit("::", 1)[-1]: (c["op"], c["paths"]) for c in self.changes() if c["op"] != "same"}


def plan(stack: str, out_dir: Path, *extra: str, project: Path = PROJECT_DIR) -> Planned:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = plan_main([stack, "--project-dir", str(project), "--out", str(out_dir), *extra])
    return Planned(code, stdout.getvalue(), stderr.getvalue(), out_dir)


def variant(where: Path, stack: str, changes: dict[str, Any]) -> Path:
    """A copy of the program whose `Pulumi.<stack>.yaml` has `changes` merged into its config."""
    project = copy_program(PROJECT_DIR, where)
    document = load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
    config = document["config"]
    for key, change in changes.items():
        config[key] = merge_config(config.get(key), change)
    (project / f"Pulumi.{stack}.yaml").write_text(dump(document, sort_keys=True), encoding="utf-8")
    return project


def alias_program(where: Path, config: dict[str, str]) -> Path:
    """The fixture program of tests/fixtures/aliases with a `test` stack of `config`."""
    project = Path(shutil.copytree(ALIAS_PROGRAM, where))
    (project / "Pulumi.test.yaml").write_text(dump({"config": {f"alias-fixture:{k}": v for k, v in config.items()}}), encoding="utf-8")
    return project


def assert_clean_failure(result: Planned) -> None:
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("plan: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
