"""The alignment graph as GraphML (Gephi, yEd, Neo4j's importer) or node-link JSON."""

from __future__ import annotations

import io
import json

import networkx as nx

from egov_align.graph import build_graph
from egov_align.model import Model


def _flat(value):
    """GraphML takes only scalars: lists become comma-separated text, mappings JSON."""
    if isinstance(value, (list, tuple)):
        return ",".join(json.dumps(v, default=str) if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str, sort_keys=True)
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def export_graph(model: Model, fmt: str) -> str:
    graph = build_graph(model)
    if fmt == "json":
        data = nx.node_link_data(graph, edges="edges")
        return json.dumps(data, indent=1, default=str, ensure_ascii=False) + "\n"
    flat = nx.MultiDiGraph(name=graph.graph.get("name", ""))
    for node, attributes in graph.nodes(data=True):
        flat.add_node(node, **{k: _flat(v) for k, v in attributes.items()})
    for source, target, key, attributes in graph.edges(keys=True, data=True):
        flat.add_edge(source, target, key=key, **{k: _flat(v) for k, v in attributes.items()})
    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")
