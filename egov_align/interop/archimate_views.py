"""The views of an exported ArchiMate file: one per process, and the landscape, laid out by Graphviz.

A tool opens them drawn: each process's steps in flow order with the systems serving them,
and each institution as a box holding its systems. Positions come from Graphviz (`dot`)
when it is installed and the view is small enough to lay out quickly; otherwise the nodes
are placed on a grid, in the same order.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator

from egov_align.graph import flow_edges
from egov_align.interop.archimate_export import MAX_LAID_OUT, NODE_H, NODE_W, NS, XSI, graphviz_available

POINTS_PER_INCH = 72
MARGIN = 20
LANDSCAPE_GRAPHVIZ_MAX = 400  # systems; clusters of more than this are placed on a grid at once
VIEWS_PER_DOT = 200  # process views laid out by one run of `dot`


def _layout(nodes: list[str], edges: list[tuple[str, str]], clusters: dict[str, list[str]] | None = None,
            rankdir: str = "LR") -> dict[str, tuple[int, int, int, int]]:
    """name -> (x, y, w, h) in view coordinates (top-left origin), for nodes and clusters."""
    return _layouts([(nodes, edges, clusters, rankdir)])[0]


def _layouts(views: list[tuple]) -> list[dict[str, tuple[int, int, int, int]]]:
    """The layout of each (nodes, edges, clusters, rankdir), by Graphviz where it can, else on a grid.

    A national model has thousands of process views: they go to `dot` VIEWS_PER_DOT graphs at a
    time (starting `dot` once per view took most of the export's time).
    """
    placed: list[dict | None] = [None] * len(views)
    if graphviz_available():
        drawable = [number for number, (nodes, *_rest) in enumerate(views) if len(nodes) <= MAX_LAID_OUT]
        for start in range(0, len(drawable), VIEWS_PER_DOT):
            batch = drawable[start:start + VIEWS_PER_DOT]
            try:
                for number, layout in zip(batch, _graphviz([views[n] for n in batch]), strict=True):
                    placed[number] = layout
            except Exception:  # noqa: BLE001 - one view dot cannot draw: the others of the batch are drawn alone
                for number in batch if len(batch) > 1 else ():
                    with contextlib.suppress(Exception):  # a layout is a nicety: never fail the export
                        placed[number] = _graphviz([views[number]])[0]
    return [layout if layout is not None else _grid(nodes, clusters)
            for layout, (nodes, _edges, clusters, _rankdir) in zip(placed, views, strict=True)]


def _graphviz(views: list[tuple]) -> list[dict]:
    """Each view's layout, by one `dot` run over all of them (it draws each graph of its input)."""
    import graphviz

    sources = [_dot_source(*view) for view in views]
    output = graphviz.pipe("dot", "json", "".join(source for source, _names in sources).encode("utf-8"), quiet=True)
    text, decoder, position, layouts = output.decode("utf-8"), json.JSONDecoder(), 0, []
    for (nodes, *_rest), (_source, names) in zip(views, sources, strict=True):
        while text[position:position + 1].isspace():
            position += 1
        drawn, position = decoder.raw_decode(text, position)
        layouts.append(_placed(drawn, nodes, names))
    if text[position:].strip():
        raise ValueError("Graphviz drew more graphs than it was given")
    return layouts


def _dot_source(nodes, edges, clusters, rankdir) -> tuple[str, tuple[dict, dict]]:
    """One view as a DOT graph, and the names Graphviz gives back -> ours (nodes, clusters)."""
    import graphviz

    key = {name: f"n{number}" for number, name in enumerate(nodes)}  # Graphviz reads `a:b` as node a, port b
    graph = graphviz.Digraph(graph_attr={"rankdir": rankdir, "nodesep": "0.4", "ranksep": "0.6"},
                             node_attr={"shape": "box", "fixedsize": "true", "label": "",
                                        "width": str(NODE_W / POINTS_PER_INCH),
                                        "height": str(NODE_H / POINTS_PER_INCH)})
    grouped = {n for members in (clusters or {}).values() for n in members}
    cluster_names = {}
    for number, (name, members) in enumerate((clusters or {}).items()):
        cluster_names[f"cluster_{number}"] = name
        with graph.subgraph(name=f"cluster_{number}") as sub:
            sub.attr(margin="16")
            for member in members:
                sub.node(key[member])
    for node in nodes:
        if node not in grouped:
            graph.node(key[node])
    for source, target in edges:
        graph.edge(key[source], key[target])
    return graph.source, ({value: name for name, value in key.items()}, cluster_names)


def _placed(drawn: dict, nodes: list[str], names: tuple[dict, dict]) -> dict:
    back, cluster_names = names
    height = float(drawn["bb"].split(",")[3])
    placed = {}
    for item in drawn.get("objects", []):
        if item.get("name") in cluster_names and "bb" in item:
            x0, y0, x1, y1 = (float(v) for v in item["bb"].split(","))
            placed[cluster_names[item["name"]]] = (round(x0) + MARGIN, round(height - y1) + MARGIN,
                                                   round(x1 - x0), round(y1 - y0))
        elif item.get("name") in back and "pos" in item:
            x, y = (float(v) for v in item["pos"].split(","))
            w, h = float(item["width"]) * POINTS_PER_INCH, float(item["height"]) * POINTS_PER_INCH
            placed[back[item["name"]]] = (round(x - w / 2) + MARGIN, round(height - y - h / 2) + MARGIN,
                                          round(w), round(h))
    missing = [n for n in nodes if n not in placed]
    if missing:
        raise ValueError(f"Graphviz placed no box for {missing[:3]}")
    return placed


def _grid(nodes, clusters) -> dict:
    """Clusters as boxes in rows, their nodes in a square grid inside; loose nodes in a row below."""
    placed, x, y, row_height = {}, MARGIN, MARGIN, 0
    step_x, step_y = NODE_W + 20, NODE_H + 20
    for name, members in (clusters or {}).items():
        columns = max(1, math.ceil(math.sqrt(len(members))))
        rows = max(1, math.ceil(len(members) / columns))
        width, height = columns * step_x + 20, rows * step_y + 40
        if x + width > 4000 and x > MARGIN:
            x, y, row_height = MARGIN, y + row_height + 40, 0
        placed[name] = (x, y, width, height)
        for index, member in enumerate(members):
            placed[member] = (x + 10 + (index % columns) * step_x, y + 30 + (index // columns) * step_y, NODE_W, NODE_H)
        x, row_height = x + width + 40, max(row_height, height)
    y += row_height + (40 if clusters else 0)
    loose = [n for n in nodes if n not in placed]
    columns = max(1, math.ceil(math.sqrt(len(loose))) * 2)
    for index, node in enumerate(loose):
        placed[node] = (MARGIN + (index % columns) * step_x, y + (index // columns) * step_y, NODE_W, NODE_H)
    return placed


def add_views(writer) -> Iterator[bytes]:
    """The views, written by `writer` one by one; what it has written so far, as it grows."""
    etree, model, e = writer.etree, writer.model, writer.element_ids
    relation = {(kind, source, target): identifier
                for identifier, kind, source, target, _access, _fields in writer.relationships}
    writer.open("views", 1)
    writer.open("diagrams", 2)

    def view(name: str):
        node = writer.top("view", identifier=writer.ids.take(None, "view-" + name))
        node.set(f"{{{XSI}}}type", "Diagram")
        writer.text(node, "name", name)
        return node

    def place(parent, element_id: str, box) -> object:
        x, y, w, h = box
        node = etree.SubElement(parent, f"{{{NS}}}node", identifier=writer.ids.take(None, "node"),
                                elementRef=element_id, x=str(max(x, 0)), y=str(max(y, 0)), w=str(w), h=str(h))
        node.set(f"{{{XSI}}}type", "Element")
        return node

    def connect(parent, relationship: str | None, source_node, target_node) -> None:
        if relationship is None:
            return
        node = etree.SubElement(parent, f"{{{NS}}}connection", identifier=writer.ids.take(None, "connection"),
                                relationshipRef=relationship, source=source_node.get("identifier"),
                                target=target_node.get("identifier"))
        node.set(f"{{{XSI}}}type", "Relationship")

    drawn = []  # per process: its steps and systems, the flow and who serves which step
    for process in model.processes.values():
        steps = [f"step:{process.id}/{s.id}" for s in process.steps]
        systems = list(dict.fromkeys(f"system:{s}" for step in process.steps for s in step.systems))
        flow = [(f"step:{process.id}/{a}", f"step:{process.id}/{b}") for a, b in flow_edges(process)]
        serving = [(system, f"step:{process.id}/{step.id}") for step in process.steps
                   for system in (f"system:{s}" for s in step.systems)]
        drawn.append((process, steps + systems, flow, serving))
    layouts = _layouts([(subjects, flow + serving, None, "LR") for _process, subjects, flow, serving in drawn])
    for (process, subjects, flow, serving), boxes in zip(drawn, layouts, strict=True):
        diagram = view(f"Process: {process.name}")
        nodes = {subject: place(diagram, e[subject], boxes[subject]) for subject in subjects}
        for source, target in flow:
            connect(diagram, relation.get(("Triggering", e[source], e[target])), nodes[source], nodes[target])
        for source, target in serving:
            connect(diagram, relation.get(("Serving", e[source], e[target])), nodes[source], nodes[target])
        writer.emit(diagram, 3)
        yield from writer.flushed()
    clusters: dict[str, list[str]] = {}
    for system in model.systems.values():
        clusters.setdefault(f"institution:{system.owner}", []).append(f"system:{system.id}")
    members = [m for group in clusters.values() for m in group]
    if len(members) > LANDSCAPE_GRAPHVIZ_MAX:
        boxes = _grid(members, clusters)
    else:
        boxes = _layout(members, [], clusters, rankdir="TB")
    diagram = view("Landscape: institutions and their systems")
    for institution, systems in clusters.items():
        box = boxes.get(institution) or _grid(systems, {institution: systems})[institution]
        holder = place(diagram, e[institution], box)
        for system in systems:
            place(holder, e[system], boxes[system])
    writer.emit(diagram, 3)
    writer.close("diagrams", 2)
    writer.close("views", 1)
