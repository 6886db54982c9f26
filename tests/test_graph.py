"""The alignment graph: node ids are subjects, every relation is an edge with its kind."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from egov_align import graph as graph_module
from egov_align.config import Config
from egov_align.graph import build_graph, flow_edges
from egov_align.loader import Source, load, load_paths

ROOT = Path(__file__).resolve().parent.parent


def sample():
    return load_paths([ROOT / "models", ROOT / "processes"], config=Config(), jobs=1).model


def test_the_bulk_builder_makes_the_graph_networkx_would(monkeypatch):
    model = sample()
    fast = build_graph(model)

    def with_networkx(graph, nodes, edges):
        graph.add_nodes_from(nodes)
        graph.add_edges_from(edges)

    monkeypatch.setattr(graph_module, "_bulk_add", with_networkx)
    slow = build_graph(model)
    assert dict(fast.nodes(data=True)) == dict(slow.nodes(data=True))
    assert sorted(fast.edges(keys=True, data="kind")) == sorted(slow.edges(keys=True, data="kind"))
    assert nx.utils.edges_equal(fast.edges(keys=True, data=True), slow.edges(keys=True, data=True))
    assert fast.pred == slow.pred and fast.succ == slow.succ


def test_nodes_are_subjects_with_kind_and_fields():
    graph = build_graph(sample())
    assert graph.nodes["system:gepg"]["kind"] == "system" and graph.nodes["system:gepg"]["owner"] == "mof"
    assert graph.nodes["step:passport/pay-fee"]["kind"] == "step"
    assert graph.nodes["step:passport/pay-fee"]["process"] == "passport"
    kinds = {data["kind"] for _u, _v, data in graph.edges(data=True)}
    assert kinds == set(graph_module.EDGE_KINDS)


def test_integrations_are_keyed_edges_with_their_attributes():
    graph = build_graph(sample())
    edge = graph.get_edge_data("system:nida-npr", "system:nhif-membership")["nida-to-nhif"]
    assert edge["kind"] == "integrates" and edge["via"] == "govesb" and edge["encrypted"] is False


def test_flow_follows_next_and_the_listed_order():
    text = b"""institutions: [{id: i, name: I}]
processes:
  - id: p
    name: P
    owner: i
    steps:
      - {id: a, name: A, next: [b, c]}
      - {id: b, name: B}
      - {id: c, name: C, next: []}
      - {id: d, name: D, next: [a]}
"""
    model = load([Source("m.yaml", content=text)], jobs=1).model
    assert flow_edges(model.processes["p"]) == [("a", "b"), ("a", "c"), ("b", "c"), ("d", "a")]
    graph = build_graph(model)
    assert sorted((u, v) for u, v, k in graph.edges(data="kind") if k == "flows-to") == [
        ("step:p/a", "step:p/b"), ("step:p/a", "step:p/c"), ("step:p/b", "step:p/c"), ("step:p/d", "step:p/a")]


def test_relations_recorded_while_building_are_the_graphs_edges():
    from egov_align.graph import Index, build_graph_and_relations

    model = sample()
    graph, recorded = build_graph_and_relations(model)
    from_graph = Index(model, graph)._relations  # one pass over the built graph

    def comparable(relations):
        return {kind: sorted((s, t, sorted((k, str(v)) for k, v in a.items())) for s, t, a in rows)
                for kind, rows in relations.items()}

    assert comparable(recorded) == comparable(from_graph)


def test_the_queries_without_the_graph_equal_those_read_from_it():
    """Rules and metrics use relations recorded while walking the model (no networkx graph is
    built for them); read back from the full graph they are the same."""
    from egov_align.graph import Index

    model = sample()
    lean, full = Index(model), Index(model, graph=build_graph(model))
    assert "graph" not in lean.__dict__  # not built unless asked for
    for query in ("in_service", "providers", "masters", "senders", "steps_supported", "flows", "handovers",
                  "handoffs", "linked", "integration_degree", "feeds"):
        assert getattr(lean, query) == getattr(full, query), query
    assert sorted(lean._relations) == sorted(full._relations)
    for kind, edges in lean._relations.items():
        assert sorted(edges, key=repr) == sorted(full._relations[kind], key=repr), kind
    assert lean.graph.number_of_edges() == full.graph.number_of_edges()
