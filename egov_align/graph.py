"""Model -> networkx.MultiDiGraph, and the named queries the rules share (dbt's Linker idea).

Node ids are DESIGN.md subject strings (`system:gepg`, `step:register-birth/notify`);
every node has `kind` and the element's own scalar fields. Every edge has `kind`.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

import networkx as nx

from egov_align.model import Model, step_subject
from egov_align.schema import IN_SERVICE, Process

EDGE_KINDS = ("owns", "provides", "holds", "integrates", "supports", "needs", "reads", "writes",
              "flows-to", "part-of", "performs", "delivers", "parent-of")


def _attributes(kind: str, element) -> dict:
    fields = element.model_dump(by_alias=True, exclude_none=True, exclude={"steps"})
    return {"kind": kind, **fields}


def flow_edges(process: Process) -> list[tuple[str, str]]:
    """DESIGN.md flow: `next` if given, else the step listed after (the last one ends)."""
    steps = process.steps
    edges = []
    for number, step in enumerate(steps):
        if step.next is not None:
            edges.extend((step.id, target) for target in step.next)
        elif number + 1 < len(steps):
            edges.append((step.id, steps[number + 1].id))
    return edges


def build_graph(model: Model) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name=model.info.name or "model")
    add_node, add_edge = graph.add_node, graph.add_edge
    for key, prefix in (("institutions", "institution"), ("capabilities", "capability"),
                        ("data_entities", "data"), ("systems", "system"),
                        ("integrations", "integration"), ("services", "service"),
                        ("processes", "process")):
        for element in model.kind(key).values():
            add_node(f"{prefix}:{element.id}", **_attributes(prefix, element))
    for institution in model.institutions.values():
        if institution.parent:
            add_edge(f"institution:{institution.parent}", f"institution:{institution.id}", kind="parent-of")
    for system in model.systems.values():
        node = f"system:{system.id}"
        add_edge(f"institution:{system.owner}", node, kind="owns")
        for capability in system.capabilities:
            add_edge(node, f"capability:{capability}", kind="provides")
        for holding in system.data:
            add_edge(node, f"data:{holding.entity}", kind="holds", role=holding.role)
    for integration in model.integrations.values():
        add_edge(f"system:{integration.from_}", f"system:{integration.to}", key=integration.id,
                 kind="integrates", integration=integration.id, via=integration.via or "",
                 bidirectional=integration.bidirectional, status=integration.status,
                 mechanism=integration.mechanism, encrypted=integration.encrypted,
                 data=",".join(integration.data))
    for service in model.services.values():
        add_edge(f"institution:{service.provider}", f"service:{service.id}", kind="provides")
    for process in model.processes.values():
        process_node = f"process:{process.id}"
        add_edge(f"institution:{process.owner}", process_node, kind="owns")
        if process.service:
            add_edge(process_node, f"service:{process.service}", kind="delivers")
        for step in process.steps:
            node = step_subject(process.id, step.id)
            add_node(node, kind="step", process=process.id,
                     **step.model_dump(exclude_none=True, exclude={"needs", "reads", "writes", "systems", "next"}))
            add_edge(node, process_node, kind="part-of")
            add_edge(f"institution:{step.performer or process.owner}", node, kind="performs")
            for capability in step.needs:
                add_edge(node, f"capability:{capability}", kind="needs")
            for entity in step.reads:
                add_edge(node, f"data:{entity}", kind="reads")
            for entity in step.writes:
                add_edge(node, f"data:{entity}", kind="writes")
            for system in step.systems:
                add_edge(f"system:{system}", node, kind="supports")
        for source, target in flow_edges(process):
            add_edge(step_subject(process.id, source), step_subject(process.id, target), kind="flows-to")
    return graph


class Index:
    """Lookups the rules and metrics share, computed once per model."""

    def __init__(self, model: Model) -> None:
        self.model = model

    @cached_property
    def in_service(self) -> dict[str, object]:
        return {i: s for i, s in self.model.systems.items() if s.status in IN_SERVICE}

    @cached_property
    def providers(self) -> dict[str, list[str]]:
        """capability -> in-service systems providing it (sorted ids)."""
        found: dict[str, list[str]] = defaultdict(list)
        for system_id in sorted(self.in_service):
            for capability in dict.fromkeys(self.in_service[system_id].capabilities):
                found[capability].append(system_id)
        return found

    @cached_property
    def masters(self) -> dict[str, list[str]]:
        """entity -> in-service systems mastering it (sorted ids)."""
        found: dict[str, list[str]] = defaultdict(list)
        for system_id in sorted(self.in_service):
            for entity in dict.fromkeys(self.in_service[system_id].entities("master")):
                found[entity].append(system_id)
        return found

    @cached_property
    def carried(self) -> dict[tuple[str, str], set[str]]:
        """(from system, to system) -> entities an active integration carries that way."""
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for integration in self.model.integrations.values():
            if integration.status != "active":
                continue
            found[(integration.from_, integration.to)].update(integration.data)
            if integration.bidirectional:
                found[(integration.to, integration.from_)].update(integration.data)
        return found

    def integrated(self, sources, targets, entities) -> bool:
        """Does an active integration carry one of `entities` from a source to a target?"""
        carried = self.carried
        entities = set(entities)
        return any(not entities.isdisjoint(carried.get((s, t), ())) for s in sources for t in targets)

    @cached_property
    def steps_supported(self) -> dict[str, int]:
        """system -> number of steps whose `systems` lists it."""
        counts: dict[str, int] = defaultdict(int)
        for _process, step in self.model.steps():
            for system in dict.fromkeys(step.systems):
                counts[system] += 1
        return counts

    @cached_property
    def flows(self) -> dict[str, list[tuple[str, str]]]:
        return {pid: flow_edges(p) for pid, p in self.model.processes.items()}

    @cached_property
    def handovers(self) -> list[tuple]:
        """(process, step A, step B, shared entities) for flow edges that hand data between systems.

        The first three conditions of `integration-gap`: A writes what B reads, both steps
        have systems, and they share none.
        """
        found = []
        for process_id, process in self.model.processes.items():
            steps = {s.id: s for s in process.steps}
            for source_id, target_id in self.flows[process_id]:
                source, target = steps[source_id], steps[target_id]
                if not source.systems or not target.systems:
                    continue
                entities = [e for e in dict.fromkeys(source.writes) if e in set(target.reads)]
                if entities and set(source.systems).isdisjoint(target.systems):
                    found.append((process, source, target, entities))
        return found

    def handover_covered(self, source, target, entities) -> bool:
        return self.integrated(source.systems, target.systems, entities)

    def provided_by(self, step) -> bool:
        """Every need of the step is provided by an in-service system among its systems."""
        in_service = self.in_service
        offered = {c for s in step.systems if s in in_service for c in in_service[s].capabilities}
        return all(need in offered for need in step.needs)
