"""`python -m offline.plan <stack>`: what a stack would deploy, without Azure, a cluster or the CLI.

Runs the real `__main__.py` under the Pulumi SDK's mock engine with the stack's config
(`Pulumi.yaml` defaults, then `Pulumi.<stack>.yaml`; `secure:` values stay `[secret]`), then:
- prints the plan: resource tree with the inputs that matter, stack outputs (secrets masked),
  deploy order and critical path, and the schema validation;
- writes to the output folder: `plan.txt` (the printed plan), `kubernetes/<kind>-<name>.yaml`
  (each custom resource as sent), `helm/<release>-values.yaml`, and `graph.dot`;
- validates custom resources and Cilium Helm values against the schemas of the stack's Cilium
  version (`offline.schemas.validation`), from `--schemas`, `$AKS_CILIUM_SCHEMAS`, or the cache
  `make schemas` fills, then the shared reference folder (`offline.schemas.cache`).
- writes `state.json` (`offline.preview.state.state_export`) and, with `--against FILE`, previews the changes
  against that deployed state and writes `changes.json` (`offline.preview.preview_step`).

Exit codes: 0 planned and valid; 1 a schema violation, or a change the preview refuses; 2 bad
input (unknown stack, unreadable or invalid YAML or state file, config error, program error, bad
options). Errors go to stderr without a traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Optional, Sequence

from offline.preview.export_answers import PREVIEW, UP, ExportAnswers
from offline.preview.preview_step import CHANGES_FILE, STATE_FILE, other_stack_problem, preview, principal_problem, read_deployed
from offline.preview.state.export_file import ExportFileError, stack_outputs
from offline.preview.state.state_export import state_document, to_json
from offline.report.plan_files import MANIFEST, PlanFilesError, has_no_record, write_plan_files
from offline.report.plan_report import PlanHeader, render_plan, to_yaml
from offline.run import (
    DEFAULT_ENGINE,
    FAKE_DEPLOYER_OBJECT_ID,
    EngineOptions,
    ProgramRun,
    StackFileError,
    UnknownResourceType,
    build_graph,
    helm_releases,
    kubernetes_objects,
    to_dot,
    types_without_row,
)
from offline.run.clean_run import PlanInputError, run_program_cleanly
from offline.run.stack_files.esc import OPTION as ESC_OPTION
from offline.run.stack_files.stack_config import project_name
from offline.schemas.cache import SCHEMAS_ENV, SchemaSearch, schema_search
from offline.schemas.validation import validate

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_BAD_INPUT = 2

DEFAULT_PROJECT_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Options:
    stack: str
    project_dir: Path
    out_dir: Path
    schemas: SchemaSearch
    against: Optional[Path] = None
    engine: EngineOptions = DEFAULT_ENGINE
    """How the mock engine answers; `--principal` sets who runs `pulumi up`."""
    overwrite: bool = False
    """Write into an output folder that holds files the plan did not write (offline.report.plan_files)."""
    esc_values: Optional[Path] = None
    """An opened Pulumi ESC environment's values, for a stack file with `environment:` (offline.run.stack_files.esc)."""


def parse_options(argv: Optional[Sequence[str]], engine: EngineOptions = DEFAULT_ENGINE, environ: Mapping[str, str] = os.environ) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m offline.plan",
        description="Plan a stack offline: print what it would deploy, write its Kubernetes objects, "
        "Helm values and deploy graph, and validate them against Cilium's schemas.",
    )
    parser.add_argument("stack", help="stack name: the <stack> of Pulumi.<stack>.yaml")
    parser.add_argument("--project-dir", type=Path, default=DEFAULT_PROJECT_DIR, help="folder with Pulumi.yaml (default: this project)")
    parser.add_argument("--out", type=Path, help="output folder (default: plan-out/<stack> in the project folder)")
    parser.add_argument("--overwrite", action="store_true", help="write into an output folder that holds files the plan did not write (it still never deletes them)")
    parser.add_argument("--schemas", type=Path, help=f"folder of Cilium CRD and Helm values schemas (default: ${SCHEMAS_ENV}, else .schemas/cilium then ../shared/reference/cilium)")
    parser.add_argument("--against", type=Path, metavar="FILE", help="preview the changes against a deployed state: `pulumi stack export` output or a previous plan's state.json")
    parser.add_argument("--principal", default=FAKE_DEPLOYER_OBJECT_ID, metavar="OBJECT_ID", help="object id of the identity that runs `pulumi up` (default: a fixed placeholder)")
    parser.add_argument(ESC_OPTION, type=Path, metavar="FILE", help="values of the Pulumi ESC environment the stack file imports: `pulumi env open <env> --format json` output")
    args = parser.parse_args(argv)
    project_dir = args.project_dir
    schemas = schema_search(project_dir, args.schemas, environ)
    out_dir = args.out or project_dir / "plan-out" / args.stack
    # The default folder of a plan from before `.plan-files.json` existed has no record: adopt it.
    adopt = args.out is None and has_no_record(out_dir)
    return Options(
        args.stack, project_dir, out_dir, schemas, args.against, replace(engine, principal=args.principal), args.overwrite or adopt, args.esc_values
    )


def shown_path(path: Path) -> str:
    """`path` relative to the working directory when it lies below it, else absolute."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(absolute)


# --- files --------------------------------------------------------------------------------

def write_files(out_dir: Path, files: dict[str, str], overwrite: bool) -> None:
    try:
        write_plan_files(out_dir, files, overwrite=overwrite)
    except PlanFilesError as exc:
        raise PlanInputError(str(exc)) from None
    except OSError as exc:
        raise PlanInputError(f"cannot write the plan to {shown_path(out_dir)}: {exc.strerror or exc} ({exc.filename})") from None


def plan(options: Options) -> int:
    return plan_with_run(options)[0]


def plan_with_run(options: Options) -> tuple[int, ProgramRun]:
    """`plan`, also handing back the program's run (the fleet command compares members' runs)."""
    problem = principal_problem(options.engine.principal)
    if problem:
        raise PlanInputError(problem)
    engine = options.engine
    try:  # read before the run: the file may be this folder's state.json, which the run rewrites
        deployed = read_deployed(options.against)
    except ExportFileError as exc:
        raise PlanInputError(str(exc)) from None
    if deployed is not None:
        # Before the run: the program's own guards would judge this stack by another stack's outputs.
        try:
            project = project_name(options.project_dir)
        except StackFileError as exc:
            raise PlanInputError(str(exc)) from None
        problem = other_stack_problem(deployed.live, project, options.stack, shown_path(options.against))
        if problem:
            raise PlanInputError(problem)
        outputs = stack_outputs(deployed)  # what the program's StackReference to itself reads
        engine = replace(engine, deployed_stack_outputs=outputs.values, deployed_secret_outputs=outputs.secret_names)
    # Against a deployed state the plan is the run `pulumi preview` makes: ids and outputs seeded
    # from the export. A second run, as `pulumi up` makes it, tells what up will really do.
    seen = ExportAnswers(deployed, PREVIEW) if deployed is not None else None
    run = run_program_cleanly(options.project_dir, options.stack, replace(engine, answers=seen), options.esc_values)
    missing = types_without_row(r.type for r in run.registrations if r.custom)
    if missing:  # every later step reads the table: say so once, before any of them
        raise PlanInputError(str(UnknownResourceType(", ".join(missing))))
    graph = build_graph(run.registrations)
    objects = kubernetes_objects(run)
    releases = helm_releases(run)
    validation = validate(objects, releases, options.schemas)

    files = {f"kubernetes/{o.file_name}": to_yaml(o.manifest) for o in objects}
    files.update({f"helm/{r.file_name}": to_yaml(r.values) for r in releases})
    files["graph.dot"] = to_dot(graph, f"{run.config.project} {options.stack}")
    files[STATE_FILE] = to_json(state_document(run))
    against = shown_path(options.against) if options.against else ""
    changes = None
    if deployed is not None and seen is not None:
        done = ExportAnswers(deployed, UP)
        up_run = run_program_cleanly(options.project_dir, options.stack, replace(engine, answers=done), options.esc_values)
        changes = preview(deployed, (seen, done), (run, up_run), against)
    if changes is not None:
        files[CHANGES_FILE] = changes.changes_json
    listed = sorted([*files, "plan.txt", MANIFEST])
    header = PlanHeader(run.config.project, options.stack, run.config.stack_file.name)
    text = render_plan(header, run, graph, validation, shown_path(options.out_dir), listed)
    files["plan.txt"] = text
    write_files(options.out_dir, files, options.overwrite)
    sys.stdout.write(text)
    for warning in run.warnings:
        print(f"plan: warning: {warning}", file=sys.stderr)
    if changes is not None:
        sys.stdout.write("\n" + changes.text)
        for notice in changes.notices:
            print(f"plan: notice: {notice}", file=sys.stderr)

    if validation.errors:
        count = len(validation.errors)
        print(f"plan: {count} schema violation{'s' if count != 1 else ''}:", file=sys.stderr)
        for error in validation.errors:
            print(f"  {error}", file=sys.stderr)
    if changes is not None and changes.problems:
        count = len(changes.problems)
        print(f"plan: {count} change{'s' if count != 1 else ''} refused against {against}:", file=sys.stderr)
        for refused in changes.problems:
            print(f"  {refused}", file=sys.stderr)
    return EXIT_INVALID if validation.errors or (changes is not None and changes.problems) else EXIT_OK, run


def main(argv: Optional[Sequence[str]] = None, engine: EngineOptions = DEFAULT_ENGINE, environ: Mapping[str, str] = os.environ) -> int:
    """The command; `engine` changes how the mock engine answers (tests: a re-created cluster, no
    aliases), `environ` stands for the process environment (tests: `$AKS_CILIUM_SCHEMAS`)."""
    options = parse_options(argv, engine, environ)
    # A plan is one short-lived process. The cyclic garbage collector would re-scan the ~850
    # SDK modules it imports over and over (about a quarter of the run; docs/benchmarks.md)
    # and find next to nothing to free; reference counting still frees all acyclic garbage.
    collector_was_on = gc.isenabled()
    gc.disable()
    try:
        return plan(options)
    except PlanInputError as exc:
        print(f"plan: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        if collector_was_on:
            gc.enable()


def exit_now(code: int) -> None:
    """End the process without interpreter teardown.

    Unloading the ~850 SDK modules takes about a third of a second and frees nothing the OS
    would not; every file is already closed, so only the standard streams need flushing.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass  # the reader went away (e.g. `| head`); the exit code still tells the story
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
