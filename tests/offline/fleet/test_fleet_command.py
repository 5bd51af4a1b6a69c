"""`python -m offline.fleet <fleet>` end to end on the example fleet and on broken copies of it."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from offline.fleet.command import main
from offline.run.stack_files.yaml_io import dump, load
from offline.schemas.schema_set import SchemaSet
from tests.harness import CILIUM_SCHEMA_DIRS, needs_schemas
from tests.offline.fleet.test_fleet_day_two import fleet_program


def run_fleet(project: Path, out: Path, fleet: str = "mesh", *extra: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main([fleet, "--project-dir", str(project), "--out", str(out), *extra])
    return code, stdout.getvalue(), stderr.getvalue()


def test_the_example_fleet_plans_clean(tmp_path: Path) -> None:
    code, out, err = run_fleet(fleet_program(tmp_path / "p", ["mesh-neu", "mesh-weu"]), tmp_path / "out")
    assert code == 0, err
    assert "2 members (mesh-neu, mesh-weu)" in out and "Rules across members: all hold" in out
    for stack in ("mesh-neu", "mesh-weu"):
        values = (tmp_path / "out" / stack / "helm" / "cilium-values.yaml").read_text(encoding="utf-8")
        assert "mesh-neu" in values and "mesh-weu" in values


def test_a_member_missing_from_a_peer_list_is_refused_naming_both_stacks(tmp_path: Path) -> None:
    project = fleet_program(tmp_path / "p", ["mesh-neu", "mesh-sec", "mesh-weu"])
    # mesh-sec joined in its own file only: the others still list two stacks.
    for stack in ("mesh-neu", "mesh-weu"):
        path = project / f"Pulumi.{stack}.yaml"
        document = load(path.read_text(encoding="utf-8"))
        document["config"]["aks-cilium:mesh"]["members"] = ["mesh-neu", "mesh-weu"]
        path.write_text(dump(document), encoding="utf-8")
    code, _, err = run_fleet(project, tmp_path / "out")
    assert code == 1, err
    assert "Pulumi.mesh-neu.yaml: aks-cilium:mesh.members" in err and "misses mesh-sec" in err
    assert "Pulumi.mesh-weu.yaml and Pulumi.mesh-sec.yaml: Helm values clustermesh.config.clusters" in err
    assert "Pulumi.mesh-weu.yaml and Pulumi.mesh-sec.yaml: azure-native:network:VirtualNetworkPeering" in err


def test_an_unknown_fleet_is_bad_input(tmp_path: Path) -> None:
    code, _, err = run_fleet(fleet_program(tmp_path / "p", ["mesh-neu", "mesh-weu"]), tmp_path / "out", "nope")
    assert code == 2
    assert "no stack of this project names fleet 'nope'" in err and "fleets found: mesh" in err


@needs_schemas("1.20.0")
def test_each_member_s_helm_values_validate_against_the_values_schema(tmp_path: Path) -> None:
    schemas = next(d for d in CILIUM_SCHEMA_DIRS if SchemaSet.for_version(d, "1.20.0") is not None)
    code, _, err = run_fleet(fleet_program(tmp_path / "p", ["mesh-neu", "mesh-weu"]), tmp_path / "out", "mesh", "--schemas", str(schemas))
    assert code == 0, err
    for stack in ("mesh-neu", "mesh-weu"):
        plan_text = (tmp_path / "out" / stack / "plan.txt").read_text(encoding="utf-8")
        assert "  ok    Helm values of cilium (chart cilium 1.20.0) against 1.20.0" in plan_text
