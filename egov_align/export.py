"""The alignment graph as GraphML (Gephi, yEd, Neo4j's importer) or node-link JSON."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator

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


def export_graph(model: Model, fmt: str) -> Iterator[bytes | memoryview]:
    """The file, as UTF-8 pieces: a national model's graph is a hundred MB or more of it, which
    was built as one string, then copied to bytes (and for GraphML, into a second, flat graph)."""
    graph = build_graph(model)
    if fmt == "json":
        encoder = json.JSONEncoder(indent=1, default=str, ensure_ascii=False)  # what json.dumps made of these
        pieces = itertools.chain(encoder.iterencode(nx.node_link_data(graph, edges="edges")), ["\n"])
        while batch := "".join(itertools.islice(pieces, _PIECES_PER_WRITE)):
            yield batch.encode("utf-8")
        return
    # GraphML takes scalars only: this graph is the export's own, so its attributes are flattened where they are
    for _node, attributes in graph.nodes(data=True):
        attributes.update([(key, _flat(value)) for key, value in attributes.items()])
    for _source, _target, attributes in graph.edges(data=True):
        attributes.update([(key, _flat(value)) for key, value in attributes.items()])
    graph.graph = {"name": graph.graph.get("name", "")}
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8")
    yield buffer.getbuffer()


_PIECES_PER_WRITE = 50_000  # of the encoder's (short) pieces
