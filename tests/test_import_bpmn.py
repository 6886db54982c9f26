"""import bpmn (DESIGN 8, 12): every corpus file, no path between activities lost, hostile XML."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
import yaml
from lxml import etree

from tests.conftest import ROOT, run_cli
from tests.hostile.runner import egov

CORPUS = ROOT.parent / "shared" / "corpus" / "bpmn"
FILES = sorted(CORPUS.rglob("*.bpmn"))
MODEL = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ACTIVITIES = {"task", "userTask", "serviceTask", "sendTask", "receiveTask", "manualTask", "businessRuleTask",
              "scriptTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
FLOW_NODES = ACTIVITIES | {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
                           "complexGateway", "startEvent", "endEvent", "intermediateCatchEvent",
                           "intermediateThrowEvent", "boundaryEvent"}

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is beside the repository in CI")


def _local(element) -> str:
    return etree.QName(element).localname


def bpmn_graph(path: Path) -> tuple[nx.DiGraph, set[str]]:
    """The file's own graph, built here independently: top-level flow nodes, sequence flows, boundary
    events hanging on their activity, message flows (an end inside a sub-process counts as the sub-process)."""
    root = etree.parse(str(path)).getroot()
    graph, activities, top = nx.DiGraph(), set(), {}
    for process in root.iter(f"{MODEL}process"):
        for node in process:
            if not isinstance(node.tag, str) or _local(node) not in FLOW_NODES:
                continue
            graph.add_node(node.get("id"))
            for inner in node.iter():
                if inner.get("id"):
                    top[inner.get("id")] = node.get("id")
            if _local(node) in ACTIVITIES:
                activities.add(node.get("id"))
            if _local(node) == "boundaryEvent":
                graph.add_edge(node.get("attachedToRef"), node.get("id"))
        for flow in process.findall(f"{MODEL}sequenceFlow"):
            graph.add_edge(flow.get("sourceRef"), flow.get("targetRef"))
    for flow in root.iter(f"{MODEL}messageFlow"):
        source, target = top.get(flow.get("sourceRef")), top.get(flow.get("targetRef"))
        if source and target:
            graph.add_edge(source, target)
    return graph, activities


def imported_flow(directory: Path) -> tuple[nx.DiGraph, dict[str, str]]:
    graph, bpmn_id = nx.DiGraph(), {}
    for path in (directory / "processes").glob("*.yaml"):
        for process in yaml.safe_load(path.read_text())["processes"]:
            for step in process["steps"]:
                node = f"{process['id']}/{step['id']}"
                bpmn_id[node] = step["external"]["bpmn"]
                graph.add_node(node)
                for target in step["next"]:
                    graph.add_edge(node, f"{process['id']}/{target}")
    return graph, bpmn_id


def reachable_pairs(graph: nx.DiGraph, among: set[str]) -> set[tuple[str, str]]:
    pairs = set()
    for start in among:
        seen = set()
        frontier = list(graph.successors(start))
        while frontier:
            node = frontier.pop()
            if node in seen:
                continue
            seen.add(node)
            frontier.extend(graph.successors(node))
        pairs |= {(start, end) for end in seen if end in among}
    return pairs


@pytest.mark.parametrize("source", FILES, ids=[f.name for f in FILES])
def test_every_corpus_file_imports_validates_and_keeps_every_activity_and_path(tmp_path, source):
    run = run_cli("import", "bpmn", str(source), "-o", str(tmp_path / "out"), "--format", "json", cwd=tmp_path)
    report = json.loads(run.out)
    assert run.code == 0 and report["valid"], report["problems"]
    assert run_cli("validate", str(tmp_path / "out"), "--no-cache", cwd=tmp_path).code == 0
    graph, activities = bpmn_graph(source)
    flow, bpmn_id = imported_flow(tmp_path / "out")
    assert sorted(bpmn_id.values()) == sorted(activities), "one step per activity"
    relabelled = nx.relabel_nodes(flow, bpmn_id)
    assert reachable_pairs(relabelled, activities) == reachable_pairs(graph, activities)


def test_a_collaboration_is_one_process_with_pools_as_institutions_and_lanes_as_tags(tmp_path):
    source = CORPUS / "bpmn-io" / "pizza-collaboration.bpmn"
    assert run_cli("import", "bpmn", str(source), "-o", "out", cwd=tmp_path).code == 0
    [process] = yaml.safe_load((tmp_path / "out/processes/pizza-customer.yaml").read_text())["processes"]
    assert process["owner"] == "pizza-customer"
    steps = {s["name"]: s for s in process["steps"]}
    assert process["steps"][0]["name"] == "Select a pizza"  # reached first from the first pool's start event
    assert steps["Bake the pizza"]["performer"] == "pizza-vendor"
    assert steps["Bake the pizza"]["tags"] == ["task", "lane:pizza chef"]
    assert "bake-the-pizza" in steps["Order a pizza"]["next"]  # through a message flow into the other pool
    assert steps["Eat the pizza"]["next"] == []
    run = run_cli("import", "bpmn", str(source), "-o", "lanes", "--lanes", "institutions", cwd=tmp_path)
    assert run.code == 0
    [process] = yaml.safe_load((tmp_path / "lanes/processes/pizza-customer.yaml").read_text())["processes"]
    assert {s["name"]: s.get("performer") for s in process["steps"]}["Bake the pizza"] == "pizza-chef"


def test_data_objects_become_entities_read_and_written(tmp_path):
    source = CORPUS / "miwg-reference" / "C.4.0.bpmn"
    assert run_cli("import", "bpmn", str(source), "-o", "out", cwd=tmp_path).code == 0
    steps = [s for path in (tmp_path / "out/processes").glob("*.yaml")
             for p in yaml.safe_load(path.read_text())["processes"] for s in p["steps"]]
    assert any(s.get("reads") for s in steps) and any(s.get("writes") for s in steps)
    assert (tmp_path / "out/models/data.yaml").exists()


def test_several_files_share_institutions_and_entities_by_name(tmp_path):
    files = [str(CORPUS / "miwg-reference" / name) for name in ("C.4.0.bpmn", "C.5.0.bpmn", "B.2.0.bpmn")]
    run = run_cli("import", "bpmn", *files, "-o", "out", "--format", "json", cwd=tmp_path)
    assert run.code == 0, run.out
    institutions = yaml.safe_load((tmp_path / "out/models/institutions.yaml").read_text())["institutions"]
    names = [i["name"] for i in institutions]
    assert len(names) == len(set(names))
    assert run_cli("validate", "out", "--no-cache", cwd=tmp_path).code == 0


def test_a_process_without_pools_is_owned_by_owner_else_by_an_institution_named_after_it(tmp_path):
    source = CORPUS / "miwg-reference" / "A.1.0.bpmn"
    run = run_cli("import", "bpmn", str(source), "-o", "named", cwd=tmp_path)
    assert "has no pool and no --owner was given" in run.out
    run = run_cli("import", "bpmn", str(source), "-o", "owned", "--owner", "Ministry of Health", cwd=tmp_path)
    assert run.code == 0
    assert "name: Ministry of Health" in (tmp_path / "owned/models/institutions.yaml").read_text()


def test_into_reuses_the_institutions_a_model_has(tmp_path):
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    (repo / "models/institutions.yaml").write_text("institutions:\n  - id: moh\n    name: Ministry of Health\n")
    source = CORPUS / "miwg-reference" / "A.1.0.bpmn"
    run = run_cli("import", "bpmn", str(source), "--into", "repo", "--owner", "Ministry of Health", cwd=tmp_path)
    assert run.code == 0, run.out
    assert "already in the model as moh (the same name)" in run.out
    assert "owner: moh" in next((repo / "processes").glob("*.yaml")).read_text()


# ---------------------------------------------------------------- hostile XML: one line, exit 1, nothing written

LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8))
          + ']>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="&i;"/>'
          '</definitions>\n')
MINIMAL = ('<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n'
           '<process id="p" name="P">\n<task id="t1" name="One"/>\n<task id="t2" name="Two"/>\n'
           '<sequenceFlow id="f" sourceRef="t1" targetRef="{target}"/>\n</process>\n</definitions>\n')


@pytest.mark.timeout(60)
@pytest.mark.parametrize("content, says", [
    ("this is not XML", "x.bpmn:1: not well-formed XML"),
    (MINIMAL.format(target="t2")[:120], "x.bpmn:4: not well-formed XML"),
    (LAUGHS, "x.bpmn:2: a DOCTYPE (DTD) declaration: not accepted"),
    ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<definitions>&x;</definitions>',
     "x.bpmn:2: a DOCTYPE (DTD) declaration: not accepted"),
    ('<?xml version="1.0"?>\n<html><body/></html>', "x.bpmn:2: the root element is <html>, not <definitions>"),
    (MINIMAL.format(target="nowhere"), "x.bpmn:6: sequenceFlow 'f' points at 'nowhere', which is not in the file"),
    (MINIMAL.format(target="t2").replace('id="t2"', 'id="t1"'), "x.bpmn:5: the id 't1' is used twice"),
])
def test_hostile_or_broken_bpmn_is_one_problem_with_its_line(tmp_path, content, says):
    (tmp_path / "x.bpmn").write_text(content)
    ran = egov("import", "bpmn", "x.bpmn", "-o", "out", cwd=tmp_path)
    assert ran.code == 1 and "Traceback" not in ran.err
    assert says in ran.out, ran.out
    assert "root:" not in ran.out and not (tmp_path / "out").exists()


def test_an_xml_file_over_the_limit_is_refused_before_parsing(tmp_path):
    with open(tmp_path / "big.bpmn", "wb") as handle:
        handle.truncate(100_000_000)
    ran = egov("import", "bpmn", "big.bpmn", "-o", "out", cwd=tmp_path)
    assert ran.code == 1 and "100,000,000 bytes, over the limit of 50,000,000" in ran.out
