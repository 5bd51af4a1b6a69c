"""The deploy graph of one offline run: order, parallel waves, critical path, Graphviz DOT.

Nodes are the registered resources (URNs). An edge A -> B means "A comes before B", from:
- `dependencies` (explicit `depends_on` and every Output B consumed from A);
- `provider` (a resource waits for the provider it is deployed through);
- `parent` (a component is registered before its children; components take no time).

The critical path is the longest path when each resource weighs its rough typical duration
on Azure (`typical_minutes` in `offline.run.resource_types`): it says which chain decides how long a first `pulumi up` takes.
The weights are estimates for a first create, not measurements; only their order matters.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Optional

from offline.run.model import Registration
from offline.run.resource_types import resource_type


def typical_minutes(registration: Registration) -> float:
    if not registration.custom:
        return 0.0  # components create nothing remote
    return resource_type(registration.type).typical_minutes


@dataclass(frozen=True)
class Edge:
    before: str
    after: str
    kind: str
    """"dependency", "provider" or "parent"."""


@dataclass
class DeployGraph:
    nodes: dict[str, Registration]
    edges: list[Edge]
    order: list[str]
    """URNs in a valid deploy order (ties broken by wave, then type and name); components too."""
    wave: dict[str, int]
    """0 for resources that wait on nothing; resources of one wave can deploy in parallel.
    Components take no time, so waiting on one does not start a new wave."""
    finish: dict[str, float]
    """Earliest finish time in minutes, by `typical_minutes`."""
    critical_path: list[str]
    position: dict[str, int] = field(default_factory=dict, init=False)
    """Index of each URN in `order`."""
    steps: dict[str, int] = field(default_factory=dict, init=False)
    """1-based deploy step of each real resource (components have none)."""

    def __post_init__(self) -> None:
        self.position = {urn: i for i, urn in enumerate(self.order)}
        resources = [u for u in self.order if self.nodes[u].custom]
        self.steps = {urn: i + 1 for i, urn in enumerate(resources)}

    @property
    def critical_minutes(self) -> float:
        return self.finish[self.critical_path[-1]] if self.critical_path else 0.0

    @property
    def resources(self) -> list[str]:
        """URNs of real resources (not components), in deploy order."""
        return list(self.steps)

    def step(self, urn: str) -> Optional[int]:
        """1-based deploy step of a resource; None for a component."""
        return self.steps.get(urn)


def _edges(registrations: Iterable[Registration], known: set[str]) -> list[Edge]:
    edges: set[Edge] = set()
    for r in registrations:
        for dependency in r.dependencies:
            if dependency in known and dependency != r.urn:
                edges.add(Edge(dependency, r.urn, "dependency"))
        if r.provider_urn in known:
            edges.add(Edge(r.provider_urn, r.urn, "provider"))
        if r.parent in known:
            edges.add(Edge(r.parent, r.urn, "parent"))
    return sorted(edges, key=lambda e: (e.before, e.after, e.kind))


def build_graph(registrations: Sequence[Registration]) -> DeployGraph:
    """The graph, with a deploy order from `graphlib.TopologicalSorter` (CycleError on a cycle)."""
    nodes = {r.urn: r for r in sorted(registrations, key=lambda r: r.urn)}
    edges = _edges(nodes.values(), set(nodes))
    before: dict[str, list[str]] = {urn: [] for urn in nodes}
    for edge in edges:
        before[edge.after].append(edge.before)
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for urn, priors in before.items():
        sorter.add(urn, *priors)
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        raise CycleError(f"dependency cycle: {' -> '.join(cycle)}", cycle) from None

    wave: dict[str, int] = {}
    finish: dict[str, float] = {}
    critical_from: dict[str, Optional[str]] = {}

    def key(urn: str) -> tuple[int, str, str, str]:
        return wave[urn], nodes[urn].type, nodes[urn].name, urn

    ready: list[tuple[int, str, str, str]] = []

    def make_ready(urns: Iterable[str]) -> None:
        # Every prior of a ready node is placed, so its wave and finish time are known.
        for urn in urns:
            priors = sorted(before[urn])
            wave[urn] = max((wave[p] + (1 if nodes[p].custom else 0) for p in priors), default=0)
            slowest = max(priors, key=lambda p: (finish[p], p), default=None)
            critical_from[urn] = slowest
            finish[urn] = (finish[slowest] if slowest else 0.0) + typical_minutes(nodes[urn])
            heapq.heappush(ready, key(urn))

    # Among the ready nodes the lowest (wave, type, name) goes first.
    order: list[str] = []
    make_ready(sorter.get_ready())
    while ready:
        urn = heapq.heappop(ready)[3]
        order.append(urn)
        sorter.done(urn)
        make_ready(sorter.get_ready())
    return DeployGraph(nodes, edges, order, wave, finish, _critical_path(nodes, finish, critical_from))


def _critical_path(nodes: dict[str, Registration], finish: dict[str, float], came_from: dict[str, Optional[str]]) -> list[str]:
    if not nodes:
        return []
    # Ties go to the later URN so that the choice does not depend on registration order.
    end: Optional[str] = max(nodes, key=lambda u: (finish[u], u))
    path: list[str] = []
    while end is not None:
        path.append(end)
        end = came_from[end]
    path.reverse()
    # Leading zero-time components add nothing; the path starts at the first real resource.
    while len(path) > 1 and typical_minutes(nodes[path[0]]) == 0.0:
        path.pop(0)
    return path


def _short_type(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def _quote(text: str) -> str:
    """A DOT string; line breaks become DOT's centred `\\n`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def to_dot(graph: DeployGraph, title: str) -> str:
    """Graphviz DOT: nodes numbered in deploy order, the critical path in red."""
    ids = {urn: f"n{i + 1}" for i, urn in enumerate(graph.order)}
    on_path = set(graph.critical_path)
    path_edges = set(zip(graph.critical_path, graph.critical_path[1:], strict=False))
    lines = [
        f"// Deploy graph of {title}. Render: dot -Tsvg graph.dot -o graph.svg",
        "// #n = deploy step, wave w = resources that can deploy in parallel,",
        "// ~m = rough typical minutes (offline/run/resource_types.py, typical minutes); red = critical path.",
        f"digraph {_quote(title)} {{",
        "  rankdir=LR;",
        '  node [shape=box, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
        f"  label={_quote(f'{title}: critical path ~{graph.critical_minutes:g} min')};",
    ]
    for urn in graph.order:
        node = graph.nodes[urn]
        minutes = typical_minutes(node)
        step = graph.step(urn)
        if step is None:
            label = f"{_short_type(node.type)}\n{node.name}"
        else:
            label = f"#{step} {_short_type(node.type)}\n{node.name}\nwave {graph.wave[urn]}" + (f", ~{minutes:g} min" if minutes else "")
        style = ["shape=folder", 'style="dashed"'] if not node.custom else []
        if urn in on_path:
            style += ['color="red"', "penwidth=2"]
        attributes = ", ".join([f"label={_quote(label)}", *style])
        lines.append(f"  {ids[urn]} [{attributes}];")
    position = graph.position
    for edge in sorted(graph.edges, key=lambda e: (position[e.before], position[e.after], e.kind)):
        attributes = {"parent": ['style="dotted"', 'color="gray50"', "arrowhead=none"], "provider": ['style="dashed"', 'label="provider"']}.get(edge.kind, [])
        if (edge.before, edge.after) in path_edges and edge.kind != "parent":
            attributes = [*attributes, 'color="red"', "penwidth=2"]
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {ids[edge.before]} -> {ids[edge.after]}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
