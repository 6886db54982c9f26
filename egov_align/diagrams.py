"""Model + findings -> graphviz.Digraph. Pure: no I/O, no layout run.

Every text that comes from a model file goes through `text()`, which escapes backslashes
and stops graphviz from reading `<...>` as an HTML-like label, so a system called
`<script>alert(1)</script>` is drawn literally. Large views are filtered or aggregated so
`dot` never meets a 10,000-node hairball.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import graphviz

from egov_align.findings import Finding
from egov_align.graph import flow_edges
from egov_align.i18n import SYSTEM, _, count, value_word
from egov_align.model import Model, step_subject
from egov_align.views import STEP_STATUS, findings_by_subject, short_name, step_status

MAX_NODES = 150
MAX_LINKS = 60  # institution-to-institution links drawn when a map is aggregated
MAX_EDGES = 2_000  # more than this and `dot` may run for minutes: refuse to lay it out
FONT = "Helvetica"
STEP_COLORS = {"aligned": "#c8e6c9", "supported": "#e8f5e9", "unsupported": "#ffcdd2", "misaligned": "#ffe0b2",
               "inactive": "#d1c4e9", "unreachable": "#eeeeee", "manual": "#f5f5f5"}
SYSTEM_COLORS = {"active": "#bbdefb", "legacy": "#fff9c4", "retiring": "#ffccbc", "retired": "#e0e0e0",
                 "planned": "#e1f5fe"}
MECHANISM_COLORS = {"api": "#1565c0", "esb": "#6a1b9a", "file": "#ef6c00", "database": "#2e7d32",
                    "email": "#5d4037", "manual": "#757575"}
GAP = {"color": "#c62828", "style": "dashed", "fontcolor": "#c62828", "penwidth": "2"}


def text(value: object) -> str:
    """Model text made safe as a graphviz label; each line of it becomes a line of the label."""
    lines = str(value).split("\n")
    return graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in lines))


class DiagramTooLarge(Exception):
    """The drawing has too many lines for Graphviz to lay out in reasonable time."""


def edge_count(graph: graphviz.Digraph) -> int:
    return sum(1 for line in graph.body if " -> " in line)


def check_drawable(graph: graphviz.Digraph, *, max_edges: int = MAX_EDGES) -> None:
    """Refuse, with advice, a drawing whose layout could run for minutes (a hostile dense process)."""
    edges = edge_count(graph)
    if edges > max_edges:
        raise DiagramTooLarge(f"this diagram has {edges:,} lines, over the limit of {max_edges:,} that Graphviz "
                              "lays out quickly; draw a filtered view, or write the DOT text with --format dot "
                              "and lay it out with your own tools")


def node_id(subject: str) -> str:
    """A node name graphviz will not split at ':' into node and port."""
    return subject.replace(":", "__").replace("/", "--")


def _digraph(name: str, title: str, **graph_attr) -> graphviz.Digraph:
    return graphviz.Digraph(
        name=name,
        graph_attr={"label": text(title), "labelloc": "t", "fontname": FONT, "fontsize": "16",
                    "newrank": "true", **graph_attr},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": "9"})


def _institution_name(model: Model, institution_id: str) -> str:
    institution = model.institutions.get(institution_id)
    return institution.name if institution else institution_id


def process_flow(model: Model, findings: list[Finding], process_id: str, *,
                 by_subject: dict[str, list[Finding]] | None = None) -> graphviz.Digraph:
    """Steps in swimlanes by performer, coloured by status, systems beside each step.

    `by_subject`: the findings grouped already (views.findings_by_subject), for a caller that draws
    many processes: grouping 165,000 findings takes a quarter of a second.
    """
    process = model.processes[process_id]
    grouped = by_subject if by_subject is not None else findings_by_subject(findings)
    graph = _digraph(process_id, process.name, rankdir="TB", nodesep="0.25", ranksep="0.35")
    lanes: dict[str, list] = defaultdict(list)
    for step in process.steps:
        lanes[model.performer(process, step)].append(step)
    gaps: dict[tuple[str, str], Finding] = {}
    for number, (performer, steps) in enumerate(lanes.items()):
        with graph.subgraph(name=f"cluster_{number}") as lane:
            lane.attr(label=text(_institution_name(model, performer)), style="filled", color="#fafafa",
                      fontname=FONT)
            for step in steps:
                found = grouped.get(step_subject(process_id, step.id), [])
                status = step_status(step, {f.rule for f in found})
                asked_again = [f.key for f in found if f.rule == "once-only-gap"]
                for finding in found:
                    if finding.rule == "integration-gap":
                        gaps[(finding.key, step.id)] = finding
                label = step.name + f"\n[{_(STEP_STATUS[status])}]"
                if asked_again:
                    label += "\n⚠ " + _("asks again for: {entities}", entities=", ".join(asked_again))
                attributes = {"fillcolor": STEP_COLORS[status]}
                if asked_again:
                    attributes.update(color="#c62828", penwidth="2")
                if status == "unreachable":
                    attributes["style"] = "rounded,filled,dashed"
                node = f"step:{step.id}"
                with lane.subgraph() as row:  # the step's systems sit beside it
                    row.attr(rank="same")
                    row.node(node_id(node), text(label), **attributes)
                    for system_id in step.systems:
                        system = model.systems[system_id]
                        helper = f"system:{step.id}:{system_id}"
                        row.node(node_id(helper), text(system.name), shape="component", fontsize="9",
                                 fillcolor=SYSTEM_COLORS[system.status])
                        row.edge(node_id(node), node_id(helper), arrowhead="none", style="dotted")
    for source, target in flow_edges(process):
        gap = gaps.get((source, target))
        if gap is not None:
            missing = ", ".join(r.removeprefix("data:") for r in gap.related if r.startswith("data:"))
            graph.edge(node_id(f"step:{source}"), node_id(f"step:{target}"),
                       label=text(_("no integration: {entities}", entities=missing)), **GAP)
        else:
            graph.edge(node_id(f"step:{source}"), node_id(f"step:{target}"))
    return graph


def _select_systems(model: Model, *, institution: str | None, capability: str | None) -> list:
    systems = list(model.systems.values())
    if institution:
        systems = [s for s in systems if s.owner == institution]
    if capability:
        systems = [s for s in systems if capability in s.capabilities]
    return systems


def landscape(model: Model, *, institution: str | None = None, capability: str | None = None,
              max_nodes: int = MAX_NODES) -> graphviz.Digraph:
    """Institutions as clusters, systems coloured by status, shared capabilities highlighted."""
    systems = _select_systems(model, institution=institution, capability=capability)
    title = _("System landscape") + (" — " + _institution_name(model, institution) if institution else "") + \
        (" — " + capability if capability else "")
    graph = _digraph("landscape", title, rankdir="LR", compound="true")
    if len(systems) > max_nodes:
        return _aggregated_landscape(model, systems, graph)
    by_owner: dict[str, list] = defaultdict(list)
    for system in systems:
        by_owner[system.owner].append(system)
    shared = {c for c, cap in model.capabilities.items() if cap.shared}
    for number, (owner, owned) in enumerate(sorted(by_owner.items())):
        with graph.subgraph(name=f"cluster_{number}") as cluster:
            cluster.attr(label=text(_institution_name(model, owner)), style="filled", color="#f5f5f5", fontname=FONT)
            for system in sorted(owned, key=lambda s: s.id):
                shared_here = [c for c in system.capabilities if c in shared]
                label = f"{system.name}\n({value_word(system.status)})"
                attributes = {"fillcolor": SYSTEM_COLORS[system.status]}
                if shared_here:
                    label += "\n" + _("shared: {capabilities}", capabilities=", ".join(shared_here))
                    attributes.update(color="#1565c0", penwidth="2.5")
                if system.status == "planned":
                    attributes["style"] = "rounded,filled,dashed"
                cluster.node(node_id(f"system:{system.id}"), text(label), **attributes)
    return graph


def _aggregated_landscape(model: Model, systems: list, graph: graphviz.Digraph) -> graphviz.Digraph:
    by_owner: dict[str, Counter] = defaultdict(Counter)
    for system in systems:
        by_owner[system.owner][system.status] += 1
    largest = sorted(by_owner.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:MAX_NODES]
    graph.attr(label=text(_("{title}: {systems}, too many to draw one by one; the {shown} institutions with most "
                            "systems (filter by institution or capability)", title=graph.graph_attr["label"],
                            systems=count(len(systems), SYSTEM), shown=len(largest))))
    for owner, statuses in largest:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
        graph.node(node_id(f"institution:{owner}"), text(f"{_institution_name(model, owner)}\n{counts}"), fillcolor="#e3f2fd")
    return graph


COORDINATED, PARTLY, UNCOORDINATED = "#2e7d32", "#ef6c00", "#c62828"


def coordination_map(model: Model, handoffs: dict[str, list[tuple]], process_id: str | None = None) -> graphviz.Digraph:
    """Institutions as nodes, their hand-offs as edges: green coordinated, red not, orange mixed.

    `handoffs` is `graph.Index.handoffs`; with `process_id`, only that process's hand-offs.
    """
    chosen = {process_id: handoffs.get(process_id, [])} if process_id else handoffs
    title = model.processes[process_id].name if process_id else _("Hand-offs between institutions, all processes")
    graph = _digraph("coordination", title, rankdir="LR", nodesep="0.4", ranksep="0.8")
    links: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for items in chosen.values():
        for _a, _b, source, target, coordinated in items:
            links[(source, target)].append(coordinated)
    strongest = sorted(links.items(), key=lambda item: (-len(item[1]), item[0]))[:MAX_LINKS]
    for institution in sorted({i for pair, _marks in strongest for i in pair}):
        name = _institution_name(model, institution)
        graph.node(node_id(f"institution:{institution}"), text(short_name(name)), tooltip=text(name),
                   fillcolor="#e3f2fd", fontsize="14")
    for (source, target), marks in strongest:
        done = sum(marks)
        color = COORDINATED if done == len(marks) else UNCOORDINATED if done == 0 else PARTLY
        graph.edge(node_id(f"institution:{source}"), node_id(f"institution:{target}"),
                   label=text(_("{done} of {all} coordinated", done=done, all=len(marks))), color=color, fontcolor=color,
                   style="solid" if done else "dashed", penwidth="2")
    return graph


def integration_map(model: Model, findings: list[Finding], *, institution: str | None = None,
                    max_nodes: int = MAX_NODES) -> graphviz.Digraph:
    """Systems and integrations by mechanism, service buses as hubs, missing hand-offs dashed."""
    def involved(*system_ids) -> bool:
        return not institution or any(model.systems[s].owner == institution for s in system_ids if s in model.systems)

    integrations = [i for i in model.integrations.values() if i.status != "retired" and involved(i.from_, i.to)]
    missing = _missing_handoffs(model, findings)
    missing = {pair: entities for pair, entities in missing.items() if involved(*pair)}
    nodes = {s for i in integrations for s in (i.from_, i.to, i.via) if s} | {s for pair in missing for s in pair}
    title = _("Integration map") + (" — " + _institution_name(model, institution) if institution else "")
    graph = _digraph("integrations", title, layout="dot" if len(nodes) <= max_nodes else "sfdp")
    if len(nodes) > max_nodes:
        return _aggregated_integrations(model, integrations, graph)
    buses = {i.via for i in integrations if i.via}
    for system_id in sorted(nodes):
        system = model.systems[system_id]
        attributes = {"fillcolor": SYSTEM_COLORS[system.status]}
        if system_id in buses:
            attributes.update(shape="hexagon", penwidth="2", fillcolor="#f3e5f5")
        graph.node(node_id(f"system:{system_id}"), text(system.name), **attributes)
    for integration in sorted(integrations, key=lambda i: i.id):
        attributes = {"color": MECHANISM_COLORS[integration.mechanism],
                      "label": text(", ".join(integration.data)),
                      "dir": "both" if integration.bidirectional else "forward"}
        if integration.status == "planned":
            attributes.update(style="dashed", color="#9e9e9e")
        if integration.via:
            graph.edge(node_id(f"system:{integration.from_}"), node_id(f"system:{integration.via}"), **attributes)
            graph.edge(node_id(f"system:{integration.via}"), node_id(f"system:{integration.to}"),
                       **{**attributes, "label": ""})
        else:
            graph.edge(node_id(f"system:{integration.from_}"), node_id(f"system:{integration.to}"), **attributes)
    for (source, target), entities in sorted(missing.items()):
        graph.edge(node_id(f"system:{source}"), node_id(f"system:{target}"),
                   label=text(_("missing: {entities}", entities=", ".join(sorted(entities)))), **GAP)
    return graph


def _missing_handoffs(model: Model, findings: list[Finding]) -> dict[tuple[str, str], set[str]]:
    """(system of step A, system of step B) -> entities, for every integration-gap finding."""
    missing: dict[tuple[str, str], set[str]] = defaultdict(set)
    for finding in findings:
        if finding.rule != "integration-gap" or not finding.subject:
            continue
        process_id, _, target_id = finding.subject.removeprefix("step:").partition("/")
        steps = {s.id: s for s in model.processes[process_id].steps}
        source, target = steps[finding.key], steps[target_id]
        entities = {r.removeprefix("data:") for r in finding.related if r.startswith("data:")}
        for a in source.systems:
            for b in target.systems:
                missing[(a, b)] |= entities
    return missing


def _aggregated_integrations(model: Model, integrations: list, graph: graphviz.Digraph) -> graphviz.Digraph:
    links: Counter = Counter()
    for integration in integrations:
        a, b = model.systems[integration.from_].owner, model.systems[integration.to].owner
        if a != b:
            links[(a, b)] += 1
    strongest = links.most_common(MAX_LINKS)
    graph.attr(label=text(_("{title}: {integrations} integrations between institutions (the {shown} busiest links; "
                            "filter by institution for systems)", title=graph.graph_attr["label"],
                            integrations=len(integrations), shown=len(strongest))))
    for (a, b), links_between in strongest:
        graph.edge(node_id(f"institution:{a}"), node_id(f"institution:{b}"), label=str(links_between),
                   penwidth=str(min(1 + links_between / 5, 6)))
    for owner in {o for pair, _n in strongest for o in pair}:
        graph.node(node_id(f"institution:{owner}"), text(_institution_name(model, owner)), fillcolor="#e3f2fd")
    return graph


def system_neighbourhood(model: Model, findings: list[Finding], system_id: str, *,
                         max_steps: int = 25) -> graphviz.Digraph:
    """What one system supports, holds, talks to, and who duplicates it."""
    system = model.systems[system_id]
    graph = _digraph(f"system-{system_id}", _("{name} and its neighbourhood", name=system.name), rankdir="LR")
    center = f"system:{system_id}"
    graph.node(node_id(center), text(f"{system.name}\n({value_word(system.status)})"), fillcolor=SYSTEM_COLORS[system.status],
               penwidth="3")
    supported = [(p, s) for p, s in model.steps() if system_id in s.systems]
    for process, step in supported[:max_steps]:
        node = step_subject(process.id, step.id)
        graph.node(node_id(node), text(f"{step.name}\n({process.name})"), fillcolor="#e8f5e9", fontsize="9")
        graph.edge(node_id(center), node_id(node), label=_("supports"))
    if len(supported) > max_steps:
        graph.node(node_id("more-steps"), text(_("... and {more} more steps", more=len(supported) - max_steps)),
                   shape="plaintext",
                   style="")
        graph.edge(node_id(center), node_id("more-steps"), style="dotted")
    for holding in system.data:
        entity = model.data_entities[holding.entity]
        graph.node(node_id(f"data:{entity.id}"), text(f"{entity.name}\n{value_word(entity.sensitivity)}"), shape="cylinder",
                   fillcolor="#fff3e0")
        graph.edge(node_id(center), node_id(f"data:{entity.id}"), label=text(value_word(holding.role)))
    for integration in model.integrations.values():
        if system_id not in (integration.from_, integration.to) or integration.status == "retired":
            continue
        other = integration.to if integration.from_ == system_id else integration.from_
        graph.node(node_id(f"system:{other}"), text(model.systems[other].name),
                   fillcolor=SYSTEM_COLORS[model.systems[other].status])
        attributes = {"label": text(", ".join(integration.data)), "color": MECHANISM_COLORS[integration.mechanism],
                      "dir": "both" if integration.bidirectional else "forward"}
        if integration.status == "planned":
            attributes["style"] = "dashed"
        graph.edge(node_id(f"system:{integration.from_}"), node_id(f"system:{integration.to}"), **attributes)
    overlaps = set()
    for finding in findings:
        if finding.rule == "overlapping-systems" and center in (finding.subject, *finding.related):
            overlaps.update(s.removeprefix("system:") for s in (finding.subject, *finding.related) if s != center)
    for other in sorted(overlaps):
        graph.node(node_id(f"system:{other}"), text(model.systems[other].name),
                   fillcolor=SYSTEM_COLORS[model.systems[other].status])
        graph.edge(node_id(center), node_id(f"system:{other}"), label=_("overlaps"), dir="both", **GAP)
    return graph
