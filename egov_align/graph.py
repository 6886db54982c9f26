"""Model -> networkx.MultiDiGraph, and the named queries the rules share (dbt's Linker idea).

Node ids are DESIGN.md subject strings (`system:gepg`, `step:register-birth/notify`);
every node has `kind` and the element's own scalar fields. Every edge has `kind`.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import TYPE_CHECKING

from egov_align.model import Model
from egov_align.perf import gc_paused
from egov_align.schema import IN_SERVICE, Process

if TYPE_CHECKING:  # networkx is imported when a graph is built (export, diagrams), not for analysis
    import networkx as nx

# The landscape's relations the queries read. What steps need, use and hand on is read from
# the model's steps in one pass (Index._step_tables): 50,000 steps' edges were half a million
# tuples built only to be grouped again.
QUERIED_KINDS = ("provides", "holds", "integrates")
_QUERIED_FROM = {"provides": "system:", "holds": "system:", "integrates": "system:"}
EDGE_KINDS = ("owns", "provides", "holds", "integrates", "supports", "needs", "reads", "writes",
              "flows-to", "part-of", "performs", "delivers", "parent-of")


def _attributes(kind: str, element) -> dict:
    return {"kind": kind, **element.__dict__}


def flow_edges(process: Process) -> list[tuple[str, str]]:
    """DESIGN.md flow: `next` if given, else the step listed after (the last one ends)."""
    steps = process.steps
    edges = []
    for number, step in enumerate(steps):
        if step.next is not None:
            edges.extend((step.id, target) for target in dict.fromkeys(step.next))  # a pair once
        elif number + 1 < len(steps):
            edges.append((step.id, steps[number + 1].id))
    return edges


def build_graph(model: Model) -> nx.MultiDiGraph:
    return build_graph_and_relations(model)[0]


def build_graph_and_relations(model: Model) -> tuple[nx.MultiDiGraph, dict[str, list[tuple]]]:
    """The graph, and its edges of the kinds the rules query, grouped by kind as
    (source id, target id, edge attributes): the same edges, recorded while they are made."""
    with gc_paused():
        return _build_graph(model)


def relations_of(model: Model) -> dict[str, list[tuple]]:
    """The queried edges alone, as build_graph_and_relations records them, without the graph:
    the rules and metrics need only these (half a million networkx edges cost seconds and
    hundreds of megabytes at national scale)."""
    with gc_paused():
        return _build_graph(model, with_graph=False)[1]


def _build_graph(model: Model, with_graph: bool = True) -> tuple[nx.MultiDiGraph | None, dict[str, list[tuple]]]:
    nodes: list[tuple[str, dict]] = []
    edges: list[tuple] = []
    edge = edges.append if with_graph else _drop
    relations: dict[str, list[tuple]] = {kind: [] for kind in QUERIED_KINDS}
    provides, holds, integrates = (relations[kind] for kind in QUERIED_KINDS)
    for key, prefix in (("institutions", "institution"), ("capabilities", "capability"),
                        ("data_entities", "data"), ("systems", "system"),
                        ("integrations", "integration"), ("services", "service"),
                        ("processes", "process")):
        if with_graph:
            nodes.extend((f"{prefix}:{i}", _attributes(prefix, e)) for i, e in model.kind(key).items())
    for institution in model.institutions.values():
        if institution.parent:
            edge((f"institution:{institution.parent}", f"institution:{institution.id}", {"kind": "parent-of"}))
    for system in model.systems.values():
        node = f"system:{system.id}"
        edge((f"institution:{system.owner}", node, {"kind": "owns"}))
        for capability in system.capabilities:
            data = {"kind": "provides"}
            edge((node, f"capability:{capability}", data))
            provides.append((system.id, capability, data))
        for holding in system.data:
            data = {"kind": "holds", "role": holding.role}
            edge((node, f"data:{holding.entity}", data))
            holds.append((system.id, holding.entity, data))
    for integration in model.integrations.values():
        data = {"kind": "integrates", "integration": integration.id, "via": integration.via or "",
                "bidirectional": integration.bidirectional, "status": integration.status,
                "mechanism": integration.mechanism, "encrypted": integration.encrypted,
                "data": list(integration.data)}
        edge((f"system:{integration.from_}", f"system:{integration.to}", integration.id, data))
        integrates.append((integration.from_, integration.to, data))
    for service in model.services.values():
        edge((f"institution:{service.provider}", f"service:{service.id}", {"kind": "provides"}))
    if not with_graph:
        return None, relations
    for process in model.processes.values():
        process_node = f"process:{process.id}"
        edge((f"institution:{process.owner}", process_node, {"kind": "owns"}))
        if process.service:
            edge((process_node, f"service:{process.service}", {"kind": "delivers"}))
        prefix = f"step:{process.id}/"
        for step in process.steps:
            node = prefix + step.id
            nodes.append((node, {"kind": "step", "process": process.id, **step.__dict__}))
            edge((node, process_node, {"kind": "part-of"}))
            edge((f"institution:{step.performer or process.owner}", node, {"kind": "performs"}))
            edges.extend((node, f"data:{e}", {"kind": "reads"}) for e in step.reads)
            edges.extend((node, f"data:{e}", {"kind": "writes"}) for e in step.writes)
            edges.extend((node, f"capability:{capability}", {"kind": "needs"}) for capability in step.needs)
            edges.extend((f"system:{system}", node, {"kind": "supports"}) for system in step.systems)
        edges.extend((prefix + source, prefix + target, {"kind": "flows-to"}) for source, target in flow_edges(process))
    import networkx as nx

    graph = nx.MultiDiGraph(name=model.info.name or "model")
    _bulk_add(graph, nodes, edges)
    return graph, relations


def _without(systems: list[str], retired: frozenset[str]) -> list[str]:
    """`systems` but the retired ones, unless none would be left (Index.kept)."""
    return [s for s in systems if s not in retired] or systems


def _drop(_edge) -> None:
    """An edge not kept: relations_of records the queried kinds only."""


def _bulk_add(graph: nx.MultiDiGraph, nodes: list[tuple[str, dict]], edges: list[tuple]) -> None:
    """Nodes and edges through networkx's public API (integrations keyed by their id)."""
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)


class Index:
    """The graph queries the rules and metrics share, each computed once per model.

    One pass over the graph's edges sorts the relations by kind; the named queries below are
    built from them. Rules read element details (names, lists) from the model objects.
    """

    def __init__(self, model: Model, graph: nx.MultiDiGraph | None = None,
                 relations: dict[str, list[tuple]] | None = None) -> None:
        self.model = model
        if graph is not None:
            self.graph = graph
        elif relations is None:
            relations = relations_of(model)
        if relations is not None:
            self._relations = relations  # recorded while the model was walked: no pass over a graph

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The whole networkx graph, built only when asked for (no rule or metric needs it)."""
        return build_graph(self.model)

    def prepare(self) -> None:
        """Sort the graph's relations and build the queries most rules use, up front."""
        for query in ("in_service", "providers", "masters", "senders", "_step_tables"):
            getattr(self, query)

    @cached_property
    def _relations(self) -> dict[str, list[tuple]]:
        """Edge kind -> [(source id, target id, attributes)] for the kinds the queries use.

        Ids lose their subject prefix (`system:gepg` -> `gepg`); only edges from the node kind
        each query is about are kept (an institution also `provides` services).
        """
        found: dict[str, list[tuple]] = {kind: [] for kind in QUERIED_KINDS}
        short: dict[str, str] = {}
        for source, target, attributes in self.graph.edges(data=True):
            kind = attributes["kind"]
            bucket = found.get(kind)
            if bucket is None or not source.startswith(_QUERIED_FROM[kind]):
                continue
            source_id = short.get(source) or short.setdefault(source, source.partition(":")[2])
            target_id = short.get(target) or short.setdefault(target, target.partition(":")[2])
            bucket.append((source_id, target_id, attributes))
        return found

    @cached_property
    def in_service(self) -> dict[str, object]:
        """system id -> system, for the systems in service, in model order."""
        return {system_id: system for system_id, system in self.model.systems.items() if system.status in IN_SERVICE}

    def _by_target(self, kind: str, keep=lambda attributes: True) -> dict[str, list[str]]:
        """target -> in-service systems with a `kind` edge to it (sorted ids, no repeats)."""
        found: dict[str, set[str]] = defaultdict(set)
        in_service = self.in_service
        for system, target, attributes in self._relations[kind]:
            if system in in_service and keep(attributes):
                found[target].add(system)
        return defaultdict(list, {target: sorted(systems) for target, systems in found.items()})

    @cached_property
    def capabilities_of(self) -> dict[str, frozenset[str]]:
        """system id -> the capabilities it provides, whatever its status (thousands of steps ask)."""
        return {system_id: frozenset(system.capabilities) for system_id, system in self.model.systems.items()}

    @cached_property
    def mastered_by(self) -> dict[str, frozenset[str]]:
        """system id -> the entities it masters, whatever its status."""
        return {system_id: frozenset(system.entities("master")) for system_id, system in self.model.systems.items()}

    @cached_property
    def providers(self) -> dict[str, list[str]]:
        """capability -> in-service systems providing it (sorted ids)."""
        return self._by_target("provides")

    def suggest(self, capability: str, limit: int | None = 3) -> list[str]:
        """The in-service providers to name in advice, best first, those the consolidation plan keeps only.

        Active before legacy; then those already supporting the most steps that need this
        capability; then the best connected (most active integrations); then by id.
        """
        ranked = self._suggestions.get(capability)
        if ranked is None:  # all of them: callers ask for different limits
            ranked = self._suggestions[capability] = self.ranking(
                capability, self.steps_needing_on.get(capability, {}), self.retired_by_plan)
        return ranked[:limit]

    def ranking(self, capability: str, using: dict[str, int], retired: frozenset[str]) -> list[str]:
        """suggest's order of a capability's providers, given how many steps needing it each
        system supports (`using`) and the systems the plan retires: the same order for the same
        counts (egov_align.incremental asks what it was before an edit)."""
        systems, degree = self.in_service, self.integration_degree
        ordered = sorted(self.providers.get(capability, ()), key=lambda s: (
            systems[s].status != "active", -using.get(s, 0), -degree.get(s, 0), s))
        return _without(ordered, retired)

    def suggest_for(self, capability: str, institution: str | None, limit: int = 3) -> list[str]:
        """`suggest`, for a step that `institution` performs: for a generic capability, that
        institution's own systems first, then those of related institutions (same parent, or
        one the other's parent), and no others. TRA's "case management" is not the immigration
        system's nor a hospital's: a generic function of an unrelated system does another job
        (`none_nearby` says so when nothing is left). A capability that is not generic keeps the
        shared ranking, so the national ID system most steps use is named before an agency's own copy.
        """
        if institution is None or capability not in self.generic:
            return self.suggest(capability, limit)
        key = (capability, institution, limit)
        found = self._suggestions_for.get(key)
        if found is None:
            by_owner = self._ranked_by_owner(capability)
            own = by_owner.get(institution, [])[:limit]
            near = sorted(ranked for other in self.related_institutions(institution)
                          for ranked in by_owner.get(other, [])[:limit])[:limit]
            close = [s for _rank, s in own] + [s for _rank, s in near]
            found = self._suggestions_for[key] = list(dict.fromkeys(close))[:limit]
        return found

    def advice_home(self, process, step, capabilities) -> str | None:
        """Who performs the step, when the advice on `capabilities` depends on it (a generic one among
        them: suggest_for); else None, so that steps differing only in performer share their advice."""
        return None if self.generic.isdisjoint(capabilities) else self.model.performer(process, step)

    def closeness(self, system_id: str, institution: str) -> int:
        """0 for a system `institution` owns, 1 for one of a related institution's, 2 for any other."""
        owner = self.model.systems[system_id].owner
        return 0 if owner == institution else 1 if self.related(owner, institution) else 2

    def related(self, a: str, b: str) -> bool:
        """Institutions under one parent, or one the other's parent (the consolidation plan's "same
        parent institution", and the second tier of suggest_for)."""
        parents = self._parents
        parent_a, parent_b = parents.get(a), parents.get(b)
        return (parent_a is not None and parent_a == parent_b) or parent_a == b or parent_b == a

    def _ranked_by_owner(self, capability: str) -> dict[str, list[tuple[int, str]]]:
        """owner -> (rank in `suggest`, system) of the capability's providers it owns, best first."""
        found = self._owners_of_suggestions.get(capability)
        if found is None:
            found = self._owners_of_suggestions[capability] = defaultdict(list)
            systems = self.in_service
            for rank, system_id in enumerate(self.suggest(capability, None)):
                found[systems[system_id].owner].append((rank, system_id))
        return found

    def related_institutions(self, institution: str) -> list[str]:
        """The institutions `related` to this one but itself, in model order."""
        return self._related_institutions.get(institution, [])

    @cached_property
    def _parents(self) -> dict[str, str | None]:
        return {institution_id: institution.parent for institution_id, institution in self.model.institutions.items()}

    @cached_property
    def _related_institutions(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = defaultdict(list)
        for institution_id, parent in self._parents.items():
            if parent:
                children[parent].append(institution_id)
        found = {}
        for institution_id, parent in self._parents.items():
            family = [*children.get(parent, ()), parent] if parent else []
            found[institution_id] = [i for i in dict.fromkeys(family + children.get(institution_id, []))
                                     if i != institution_id]
        return found

    def best_source(self, entity: str) -> str:
        """The master of an entity to integrate with: an active one before a legacy one (on its way
        out), then the one that already feeds most systems."""
        feeds = self.feeds
        return min(self.advisable(self.masters[entity]), key=lambda s: (-feeds.get((s, entity), 0), s))

    @cached_property
    def consolidation(self) -> list[dict]:
        """The consolidation plan (DESIGN 5), made once: the metrics report it, and advice follows it."""
        from egov_align.consolidation import consolidation_plan

        return consolidation_plan(self.model, self)

    def kept(self, systems: list[str]) -> list[str]:
        """`systems` without those the consolidation plan retires, unless none would be left.

        One report must not tell a planner to move a step onto a system and, two pages on, to
        retire that system. The plan retires a system only when every non-generic capability it
        provides and every entity it masters stays with an active system, so an alternative to
        name is left for those; a generic capability may have no other provider, and its only
        provider is then still named.
        """
        return _without(systems, self.retired_by_plan)

    def advisable(self, systems: list[str]) -> list[str]:
        """`kept(systems)` (systems in service), and of those the active ones when there are any: a
        legacy system is on its way out, and the plan never lets one take over."""
        kept, in_service = self.kept(systems), self.in_service
        return [s for s in kept if in_service[s].status == "active"] or kept

    @cached_property
    def retired_by_plan(self) -> frozenset[str]:
        """The systems the consolidation plan retires."""
        return frozenset(item["system"] for item in self.consolidation)

    @cached_property
    def feeds(self) -> dict[tuple[str, str], int]:
        """(system, entity) -> how many systems an active integration sends the entity to from it."""
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for (_target, entity), sources in self.senders.items():
            for source in sources:
                counts[(source, entity)] += 1
        return counts

    @cached_property
    def _suggestions(self) -> dict[str, list[str]]:
        return {}

    @cached_property
    def _suggestions_for(self) -> dict[tuple[str, str, int], list[str]]:
        return {}

    @cached_property
    def _owners_of_suggestions(self) -> dict[str, dict[str, list[tuple[int, str]]]]:
        return {}

    @cached_property
    def planned_providers(self) -> dict[str, list[str]]:
        """capability -> planned systems that are to provide it (sorted ids)."""
        found: dict[str, set[str]] = defaultdict(set)
        for system_id, system in self.model.systems.items():
            if system.status == "planned":
                for capability in system.capabilities:
                    found[capability].add(system_id)
        return {capability: sorted(systems) for capability, systems in found.items()}

    def planned_platforms(self, capabilities) -> list[str]:
        """The planned systems that are to provide one of these capabilities meant to be shared:
        the platform a step is to move onto once it is in service."""
        shared = [c for c in capabilities if (capability := self.model.capabilities.get(c)) and capability.shared]
        return list(dict.fromkeys(s for c in shared for s in self.planned_providers.get(c, ())))

    @cached_property
    def generic(self) -> frozenset[str]:
        """Capabilities marked `generic: true`: not counted as duplication or overlap."""
        return frozenset(c for c, capability in self.model.capabilities.items() if capability.generic)

    @cached_property
    def _step_tables(self) -> tuple[dict[str, int], dict[str, dict[str, int]], dict[str, set[str]],
                                    dict[str, list[tuple[str, str]]]]:
        """steps_supported, steps_needing_on, processes_of and flows, made in one pass over the steps."""
        supported: dict[str, int] = defaultdict(int)
        needing: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        processes: dict[str, set[str]] = defaultdict(set)
        flows: dict[str, list[tuple[str, str]]] = {}
        for process_id, process in self.model.processes.items():
            flows[process_id] = flow_edges(process)
            for step in process.steps:
                if not step.systems:
                    continue
                systems = dict.fromkeys(step.systems)  # a system listed twice supports the step once
                for system in systems:
                    supported[system] += 1
                    processes[system].add(process_id)
                for capability in dict.fromkeys(step.needs):
                    row = needing[capability]
                    for system in systems:
                        row[system] += 1
        return supported, needing, processes, flows

    @cached_property
    def steps_needing_on(self) -> dict[str, dict[str, int]]:
        """capability -> system -> steps that need the capability and list the system."""
        return self._step_tables[1]

    @cached_property
    def processes_of(self) -> dict[str, set[str]]:
        """system -> the processes with a step that lists it."""
        return self._step_tables[2]

    @cached_property
    def integration_degree(self) -> dict[str, int]:
        """system -> active integrations it is an end of."""
        degree: dict[str, int] = defaultdict(int)
        for source, target, attributes in self._relations["integrates"]:
            if attributes["status"] == "active":
                degree[source] += 1
                degree[target] += 1
        return degree

    @cached_property
    def masters(self) -> dict[str, list[str]]:
        """entity -> in-service systems mastering it (sorted ids)."""
        return self._by_target("holds", lambda attributes: attributes["role"] == "master")

    @cached_property
    def senders(self) -> dict[tuple[str, str], set[str]]:
        """(to system, entity) -> systems an active integration carries the entity from."""
        found: dict[tuple[str, str], set[str]] = defaultdict(set)
        for source, target, attributes in self._relations["integrates"]:
            if attributes["status"] != "active":
                continue
            for entity in attributes["data"]:
                found[(target, entity)].add(source)
                if attributes["bidirectional"]:
                    found[(source, entity)].add(target)
        return found

    def integrated(self, sources, targets, entities) -> bool:
        """Does an active integration carry one of `entities` from a source to a target?"""
        senders = self.senders
        for target in targets:
            for entity in entities:
                carried_from = senders.get((target, entity))
                if carried_from and not carried_from.isdisjoint(sources):
                    return True
        return False

    @cached_property
    def steps_supported(self) -> dict[str, int]:
        """system -> number of steps whose `systems` lists it."""
        return self._step_tables[0]

    @cached_property
    def flows(self) -> dict[str, list[tuple[str, str]]]:
        """process -> its flow edges as (step id, step id), in model order."""
        return self._step_tables[3]

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

    @cached_property
    def linked(self) -> set[tuple[str, str]]:
        """(from system, to system) of every active integration, both ways when bidirectional (any data)."""
        found = set()
        for source, target, attributes in self._relations["integrates"]:
            if attributes["status"] == "active":
                found.add((source, target))
                if attributes["bidirectional"]:
                    found.add((target, source))
        return found

    @cached_property
    def handoffs(self) -> dict[str, list[tuple]]:
        """process -> its cross-institution hand-offs: (step A, step B, performer A, performer B, coordinated).

        A hand-off is a flow edge whose performers differ. It is coordinated when the steps
        share a system (any status), or an active integration runs from a system of A to a
        system of B (whatever it carries; a `via` bus does not break it).
        """
        found: dict[str, list[tuple]] = {}
        linked, model = self.linked, self.model
        for process_id, process in model.processes.items():
            steps = {s.id: s for s in process.steps}
            items = found[process_id] = []
            for source_id, target_id in self.flows[process_id]:
                source, target = steps[source_id], steps[target_id]
                a, b = model.performer(process, source), model.performer(process, target)
                if a == b:
                    continue
                coordinated = not set(source.systems).isdisjoint(target.systems) or any(
                    (x, y) in linked for x in source.systems for y in target.systems)
                items.append((source, target, a, b, coordinated))
        return found

    def handover_covered(self, source, target, entities) -> bool:
        return self.integrated(source.systems, target.systems, entities)

    def provided_by(self, step) -> bool:
        """Every need of the step is provided by an in-service system among its systems."""
        in_service, offers = self.in_service, self.capabilities_of
        return frozenset().union(*[offers[s] for s in step.systems if s in in_service]).issuperset(step.needs)
