"""`python -m offline.fleet <fleet>`: plan every member of a fleet, then check the rules across them.

Members are the stacks of this project whose stack file sets `aks-cilium:mesh.fleet: <fleet>`.
Each is planned with the offline plan (`offline.plan`: the real program under the mock engine,
its Kubernetes objects and Helm values validated against Cilium's schemas), into
`plan-out/fleet-<fleet>/<stack>/`. Then the rules across members run: those on the stack files
(`settings.mesh.fleet`, the same `pulumi up` applies to the pairs a member is part of), and those on
the plans (`offline.fleet.invariants`). Every refusal names both stacks and the key.

Exit codes as the plan's: 0 clean; 1 a rule across members, a schema violation or a member's
refused change; 2 bad input (unknown fleet, unreadable stack file, a member's config error).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from offline.fleet.invariants import PEERING_TYPE, VNET_TYPE, MemberPlan, plan_problems
from offline.plan import DEFAULT_PROJECT_DIR, EXIT_BAD_INPUT, EXIT_INVALID, EXIT_OK, Options, PlanInputError, plan_with_run
from offline.run import CILIUM_CHART, ProgramRun, helm_releases, plain
from offline.run.stack_files.stack_config import StackFileError, list_stacks, project_name
from offline.schemas.cache import schema_search
from settings.common.errors import PROJECT
from settings.common.problems import Problem
from settings.mesh.fleet import MemberFacts, MemberFileError, fleet_problems, member_facts, member_list_problems, read_member_config


def find_members(project_dir: Path, project: str, fleet: str) -> list[MemberFacts]:
    """Every stack whose file names `fleet`; raises `PlanInputError` for unreadable files or no member."""
    members, fleets, problems = [], set(), []
    for stack in list_stacks(project_dir):
        try:
            config = read_member_config(project_dir, project, stack)
            mesh = config.get(f"{PROJECT}:mesh")
            named = mesh.get("fleet") if isinstance(mesh, dict) else None
            if named is not None:
                fleets.add(str(named))
            if named == fleet:
                members.append(member_facts(project, stack, config))
        except MemberFileError as exc:
            problems += exc.problems
    if problems:
        raise PlanInputError("cannot read every stack file:\n" + "\n".join(f"  - {p}" for p in problems))
    if not members:
        found = ", ".join(sorted(fleets)) or "none"
        raise PlanInputError(f"no stack of this project names fleet {fleet!r} in aks-cilium:mesh.fleet (fleets found: {found})")
    return members


def member_plan(facts: MemberFacts, run: ProgramRun) -> MemberPlan:
    cilium = next((r for r in helm_releases(run) if r.chart == CILIUM_CHART), None)
    clusters = ((cilium.values.get("clustermesh") or {}).get("config") or {}).get("clusters") if cilium else None
    vnet = run.one(VNET_TYPE)
    remotes = tuple(str((plain(p.inputs).get("remoteVirtualNetwork") or {}).get("id", "")) for p in run.by_type(PEERING_TYPE))
    return MemberPlan(facts, clusters, vnet.id, remotes)


def plan_members(members: list[MemberFacts], project_dir: Path, out_dir: Path, schemas: Optional[Path]) -> tuple[int, list[MemberPlan]]:
    """Each member's offline plan into `out_dir/<stack>`; prints one line per member (and its plan's messages)."""
    worst, plans = EXIT_OK, []
    for m in members:
        options = Options(m.stack, project_dir, out_dir / m.stack, schema_search(project_dir, schemas), overwrite=True)
        printed, errors = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
            code, run = plan_with_run(options)
        verdict = "planned clean" if code == EXIT_OK else "plan refused"
        print(f"  {m.stack} ({m.identity.name}, id {m.identity.id}): {verdict}; {out_dir / m.stack / 'plan.txt'}")
        for line in errors.getvalue().splitlines():
            print(f"    {line}")
        worst = max(worst, code)
        plans.append(member_plan(m, run))
    return worst, plans


def check_fleet(fleet: str, project_dir: Path, out_dir: Path, schemas: Optional[Path] = None) -> int:
    project = project_name(project_dir)
    members = find_members(project_dir, project, fleet)
    stacks = [m.stack for m in members]
    print(f"Fleet {fleet!r} of project {project!r}: {len(members)} members ({', '.join(stacks)})")
    code, plans = plan_members(members, project_dir, out_dir, schemas)
    problems: list[Problem] = member_list_problems(members, stacks) + fleet_problems(members) + plan_problems(plans)
    if problems:
        print(f"fleet: {len(problems)} rule{'s' if len(problems) != 1 else ''} across members broken:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return max(code, EXIT_INVALID)
    print("Rules across members: all hold (identities, maxConnectedClusters, ranges, mesh addresses, peer lists, peerings, versions, CA)")
    return code


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.fleet", description="Plan every member of a fleet offline and check the rules across them.")
    parser.add_argument("fleet", help="the fleet's name: aks-cilium:mesh.fleet of its members")
    parser.add_argument("--project-dir", type=Path, default=DEFAULT_PROJECT_DIR, help="folder with Pulumi.yaml (default: this project)")
    parser.add_argument("--out", type=Path, help="output folder (default: plan-out/fleet-<fleet>)")
    parser.add_argument("--schemas", type=Path, help="folder of Cilium CRD and Helm values schemas (as for offline.plan)")
    args = parser.parse_args(argv)
    out_dir = args.out or args.project_dir / "plan-out" / f"fleet-{args.fleet}"
    try:
        return check_fleet(args.fleet, args.project_dir, out_dir, args.schemas)
    except (PlanInputError, StackFileError) as exc:
        print(f"fleet: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
