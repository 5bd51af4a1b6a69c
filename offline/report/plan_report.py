"""What a stack would deploy, from one offline run: the objects, values and text of the plan.

Everything here is a pure function of the recorded `ProgramRun`, sorted by URN or by deploy
order, never by registration order (which the async mock engine does not fix), so the same
inputs always give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offline.run import (
    HIDDEN_INPUTS,
    SECRET_PLACEHOLDER,
    DeployGraph,
    ProgramRun,
    Registration,
    Validation,
    plain,
    resource_type,
    typical_minutes,
    yaml_io,
)

#: One line per value up to this width; longer mappings and lists are written as block YAML.
FLOW_WIDTH = 100


def to_yaml(value: Any) -> str:
    """Block YAML with sorted keys: the same value always gives the same text."""
    return yaml_io.dump(value, sort_keys=True, default_flow_style=False, allow_unicode=True, width=FLOW_WIDTH)


def to_flow(value: Any) -> str:
    return yaml_io.dump(value, sort_keys=True, default_flow_style=True, width=10**6).strip().removesuffix("\n...")


# --- validation results -------------------------------------------------------------------


# --- text ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanHeader:
    project: str
    stack: str
    stack_file: str


def render_plan(header: PlanHeader, run: ProgramRun, graph: DeployGraph, validation: Validation, out_dir: str, written: list[str]) -> str:
    sections = [
        f"Plan for stack {header.stack!r} of project {header.project!r} ({header.stack_file}, offline: mock engine, secrets not decrypted)",
        *_warnings(run),
        _tree(run, graph),
        _outputs(run),
        _order(graph),
        _validation(validation),
        _files(out_dir, written),
    ]
    return "\n\n".join(s.rstrip("\n") for s in sections) + "\n"


def _warnings(run: ProgramRun) -> list[str]:
    """The program's warnings (`pulumi.log.warn`), as a preview prints them, first so no one misses them."""
    return [f"WARNING: {message}" for message in run.warnings]


def _tree(run: ProgramRun, graph: DeployGraph) -> str:
    children: dict[str, list[Registration]] = {}
    for r in graph.nodes.values():
        parent = r.parent if r.parent in graph.nodes else ""
        children.setdefault(parent, []).append(r)
    components = sum(1 for r in graph.nodes.values() if not r.custom)
    lines = [f"Resources ({len(graph.resources)} resources in {components} components; [n] = deploy step):"]

    first_step: dict[str, float] = {}

    def first_step_under(urn: str) -> float:
        # A component sorts where its first resource deploys, so the tree reads in deploy order.
        if urn not in first_step:
            own = graph.step(urn)
            first_step[urn] = min([float(own or "inf"), *(first_step_under(k.urn) for k in children.get(urn, []))])
        return first_step[urn]

    def walk(parent: str, indent: str) -> None:
        kids = sorted(children.get(parent, []), key=lambda r: (first_step_under(r.urn), graph.position[r.urn]))
        for index, r in enumerate(kids):
            last = index == len(kids) - 1
            step = graph.step(r.urn)
            lines.append(f"{indent}{'`-' if last else '|-'} {f'[{step}] ' if step else ''}{r.type}  {r.name}")
            detail_indent = indent + ("   " if last else "|  ") + ("|  " if children.get(r.urn) else "   ")
            lines.extend(detail_indent + line for line in _details(r, graph))
            walk(r.urn, indent + ("   " if last else "|  "))

    walk("", "")
    return "\n".join(lines)


def _details(r: Registration, graph: DeployGraph) -> list[str]:
    lines: list[str] = []
    options = _options(r, graph)
    if options:
        lines.append(options)
    if not r.custom:
        return lines
    inputs = {k: plain(v) for k, v in r.inputs.items() if k not in HIDDEN_INPUTS}
    keys = resource_type(r.type).key_inputs or tuple(sorted(inputs))
    for key in keys:
        if key in inputs:
            lines.extend(_key_value(key, inputs[key]))
    return lines


def _options(r: Registration, graph: DeployGraph) -> str:
    nodes = graph.nodes
    parts = []
    dependencies = sorted({nodes[d].name for d in r.dependencies if d in nodes})
    if dependencies:
        parts.append(f"after: {', '.join(dependencies)}")
    if r.provider_urn in nodes:
        parts.append(f"provider: {nodes[r.provider_urn].name}")
    if r.protect:
        parts.append("protect")
    if r.ignore_changes:
        parts.append(f"ignoreChanges: {', '.join(sorted(r.ignore_changes))}")
    minutes = typical_minutes(r)
    if minutes:
        parts.append(f"~{minutes:g} min")
    return f"({'; '.join(parts)})" if parts else ""


def _key_value(key: str, value: Any) -> list[str]:
    flow = to_flow(value)
    if not isinstance(value, (dict, list)) or len(flow) + len(key) + 2 <= FLOW_WIDTH:
        return [f"{key}: {flow}"]
    return [f"{key}:", *("  " + line for line in to_yaml(value).splitlines())]


def _outputs(run: ProgramRun) -> str:
    lines = ["Outputs:"]
    for name, output in sorted(run.outputs.items()):
        value = SECRET_PLACEHOLDER if output.secret else plain(output.value)
        lines.append(f"  {name}: {value if isinstance(value, str) else to_flow(value)}")
    return "\n".join(lines)


def _order(graph: DeployGraph) -> str:
    lines = ["Deploy order (wave = can run in parallel; ~ = rough typical minutes):"]
    for urn in graph.resources:
        r = graph.nodes[urn]
        minutes = typical_minutes(r)
        lines.append(f"  {graph.step(urn):>3}. wave {graph.wave[urn]}  {r.type}  {r.name}" + (f"  ~{minutes:g} min" if minutes else ""))
    path = [graph.nodes[u].name for u in graph.critical_path]
    lines.append(f"Critical path (~{graph.critical_minutes:g} min): {' -> '.join(path)}")
    return "\n".join(lines)


def _validation(validation: Validation) -> str:
    lines = [f"Validation: {validation.schema_summary}"]
    for label, errors in validation.checked:
        if not errors:
            lines.append(f"  ok    {label}")
        else:
            lines.append(f"  FAIL  {label}")
            lines.extend(f"        {e}" for e in errors)
    # Notices just above the verdict, where a reader who skips the list still sees them.
    lines.extend(f"  NOTICE: {n}" for n in validation.notices)
    lines.append(f"Verdict: {validation.verdict}")
    return "\n".join(lines)


def _files(out_dir: str, written: list[str]) -> str:
    return "\n".join([f"Files written to {out_dir}:", *(f"  {w}" for w in written)])
