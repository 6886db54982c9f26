"""`import bpmn`: BPMN 2.0 process maps -> processes with steps (DESIGN 8 and 12).

Every activity becomes a step (a sub-process, collapsed, is one step); gateways and events
are collapsed, so a step's `next` lists the activities reached through them, and no path
between two activities is lost. A collaboration is one process over all its pools; its
message flows are flow edges between pools. Pools are institutions; lanes are roles (a tag
`lane:NAME`) or, with `--lanes institutions`, the performers. Data objects and stores read
or written by an activity become data entities, shared by name across the files imported.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from egov_align.interop.draft import Draft, Ref, Report, StepRef, breadth_first, slug, unique
from egov_align.interop.xmlsource import XmlSourceError, local_name, parse_xml

ACTIVITIES = {"task": "task", "userTask": "user-task", "serviceTask": "service-task", "sendTask": "send-task",
              "receiveTask": "receive-task", "manualTask": "manual-task", "businessRuleTask": "business-rule-task",
              "scriptTask": "script-task", "callActivity": "call-activity", "subProcess": "sub-process",
              "transaction": "transaction", "adHocSubProcess": "ad-hoc-sub-process"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
            "gateway"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
          "implicitThrowEvent"}
FLOW_NODES = set(ACTIVITIES) | GATEWAYS | EVENTS
MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DATA_REFERENCES = {"dataObjectReference", "dataStoreReference", "dataObject", "dataStore"}


@dataclass
class _Node:
    id: str
    kind: str  # local name
    name: str | None
    line: int
    pool: int  # index of its pool in the unit
    lane: str | None = None
    element: object = None


@dataclass
class _Unit:
    """What becomes one process: a collaboration's pools, or one process on its own."""

    id: str
    name: str | None
    line: int
    pools: list[tuple[str | None, object]]  # (participant name, process element)
    message_flows: list = field(default_factory=list)


class _File:
    def __init__(self, path: Path, report: Report, lanes: str, owner: str | None, drafts: dict,
                 max_bytes: int | None = None):
        self.path, self.report, self.lanes, self.owner, self.drafts = path, report, lanes, owner, drafts
        self.shown = str(path)
        self.root = parse_xml(path, ("definitions",), "a BPMN 2.0 file (<definitions>)", max_bytes=max_bytes)
        # vendors' extension elements (Signavio, ADONIS, Camunda …) may reuse ids: only BPMN's own count
        self.model = [e for e in self.root.iter(f"{{{MODEL}}}*")]
        self.by_id = {e.get("id"): e for e in self.model if e.get("id")}
        self._check_references()

    def at(self, element) -> str:
        return f"{self.shown}:{element.sourceline or 1}"

    def _check_references(self) -> None:
        ids: dict[str, object] = {}
        for element in self.model:
            identifier = element.get("id")
            if identifier is None:
                continue
            if identifier in ids:
                raise XmlSourceError(self.at(element), f"the id {identifier!r} is used twice (first at line "
                                                       f"{ids[identifier].sourceline}); not a valid BPMN file")
            ids[identifier] = element
        for element in self.model:
            if local_name(element) in ("sequenceFlow", "messageFlow"):
                for end in ("sourceRef", "targetRef"):
                    target = element.get(end)
                    if target is not None and target not in ids:
                        raise XmlSourceError(self.at(element), f"{local_name(element)} {element.get('id')!r} "
                                                               f"points at {target!r}, which is not in the file")

    # ------------------------------------------------------------ units

    def units(self) -> list[_Unit]:
        processes = [e for e in self.root if local_name(e) == "process"]
        found, in_pool = [], set()
        for collaboration in (e for e in self.root if local_name(e) == "collaboration"):
            pools = []
            for participant in (e for e in collaboration if local_name(e) == "participant"):
                process = self.by_id.get(participant.get("processRef") or "")
                if process is not None and local_name(process) == "process":
                    pools.append((participant.get("name"), process))
                    in_pool.add(process.get("id"))
                else:
                    self.report.left_out(self.at(participant), f"pool {participant.get('name') or participant.get('id')!r}"
                                                               " has no process (a black box); no steps from it")
            flows = [e for e in collaboration if local_name(e) == "messageFlow"]
            for process in processes:  # a process drawn without a pool that the message flows reach
                if process.get("id") not in in_pool and any(
                        self._inside(flow.get(end), process) for flow in flows for end in ("sourceRef", "targetRef")):
                    pools.append((None, process))
                    in_pool.add(process.get("id"))
            if pools:
                found.append(_Unit(collaboration.get("id"), collaboration.get("name"), collaboration.sourceline,
                                   pools, flows))
                self.report.count("collaboration", "processes")
        for process in processes:
            if process.get("id") in in_pool:
                continue
            found.append(_Unit(process.get("id"), process.get("name"), process.sourceline, [(None, process)]))
            self.report.count("process", "processes")
        if not found:
            raise XmlSourceError(self.at(self.root), "no process or collaboration in this BPMN file")
        return found

    def _inside(self, identifier: str | None, process) -> bool:
        element = self.by_id.get(identifier or "")
        while element is not None:
            if element is process:
                return True
            element = element.getparent()
        return False

    # ------------------------------------------------------------ one unit -> one process draft

    def process(self, unit: _Unit) -> Draft:
        nodes, order, top_of = self._nodes(unit)
        edges = self._edges(unit, nodes, top_of)
        activities = [n for n in order if nodes[n].kind in ACTIVITIES]
        name = unit.name or next((p.get("name") for _n, p in unit.pools if p.get("name")), None) or \
            next((n for n, _p in unit.pools if n), None) or unit.id
        owner = self._owner(unit, name)
        if not activities:
            self.report.problem(f"{self.shown}:{unit.line}", f"process {name!r} has no activity (task, sub-process "
                                                             "…): nothing to make steps of")
            return Draft("processes", f"{self.shown}:{unit.line}", {"name": name, "owner": owner})
        ids = self._step_ids(activities, nodes)
        follows = {a: self._reached(a, nodes, edges) for a in activities}
        first = self._first(unit, nodes, edges, activities)
        ordered = breadth_first([first], follows, activities)
        steps = [self._step(nodes[a], ids, [ids[b] for b in follows[a]], unit, owner) for a in ordered]
        for kind, number in self._counts(nodes).items():
            self.report.count(kind, "steps" if kind in ACTIVITIES else "next (collapsed)", number, number)
        origin = f"{self.shown}:{unit.line}"
        return Draft("processes", origin, {"name": name, "owner": owner, "external": {"bpmn": unit.id}},
                     steps=steps)

    def _nodes(self, unit: _Unit):
        """Flow nodes at the top of each pool (inside a sub-process: folded into it), in document order."""
        nodes: dict[str, _Node] = {}
        order: list[str] = []
        top_of: dict[str, str] = {}
        for pool, (_name, process) in enumerate(unit.pools):
            lanes = {}
            for lane in process.iter():
                if local_name(lane) == "lane":
                    for ref in lane:
                        if local_name(ref) == "flowNodeRef" and ref.text:
                            lanes[ref.text.strip()] = lane.get("name")
            for element in process:
                kind = local_name(element)
                if kind not in FLOW_NODES:
                    continue
                identifier = element.get("id")
                nodes[identifier] = _Node(identifier, kind, (element.get("name") or "").strip() or None,
                                          element.sourceline or 1, pool, lanes.get(identifier), element)
                order.append(identifier)
                top_of[identifier] = identifier
                if kind in ACTIVITIES:
                    inner = [e for e in element.iter() if e is not element and isinstance(e.tag, str)]
                    for child in inner:
                        if child.get("id"):
                            top_of[child.get("id")] = identifier
                    folded = sum(1 for e in inner if local_name(e) in ACTIVITIES)
                    if folded:
                        self.report.notes.append(f"{self.at(element)}: {folded} activities inside the sub-process "
                                                 f"{nodes[identifier].name or identifier!r} are folded into its step")
        return nodes, order, top_of

    def _edges(self, unit: _Unit, nodes: dict, top_of: dict) -> dict[str, list[str]]:
        edges: dict[str, list[str]] = defaultdict(list)
        for _name, process in unit.pools:
            for flow in process:
                if local_name(flow) == "sequenceFlow":
                    source, target = flow.get("sourceRef"), flow.get("targetRef")
                    if source in nodes and target in nodes:
                        edges[source].append(target)
                    self.report.count("sequenceFlow", "next", 1, 1)
        for node in nodes.values():
            if node.kind == "boundaryEvent" and node.element.get("attachedToRef") in nodes:
                edges[node.element.get("attachedToRef")].append(node.id)
        for flow in unit.message_flows:
            source, target = top_of.get(flow.get("sourceRef")), top_of.get(flow.get("targetRef"))
            if source in nodes and target in nodes:
                edges[source].append(target)
                self.report.count("messageFlow", "next", 1, 1)
            else:
                self.report.count("messageFlow", "next", 1, 0)
                self.report.left_out(self.at(flow), f"message flow {flow.get('name') or flow.get('id')!r} touches a pool "
                                                    "rather than an activity or event; no flow from it")
        return edges

    @staticmethod
    def _reached(start: str, nodes: dict, edges: dict) -> list[str]:
        """The activities reached from `start` through gateways and events only (each once, in order)."""
        found: list[str] = []
        seen: set[str] = set()
        queue = deque(edges.get(start, ()))
        while queue:
            current = queue.popleft()
            if current in seen:
                continue
            seen.add(current)
            if nodes[current].kind in ACTIVITIES:
                found.append(current)
            else:
                queue.extend(edges.get(current, ()))
        return found

    def _first(self, unit: _Unit, nodes: dict, edges: dict, activities: list[str]) -> str:
        """The first activity reached from a start event of the first pool (DESIGN 12)."""
        for node in nodes.values():
            if node.pool == 0 and node.kind == "startEvent":
                reached = self._reached(node.id, nodes, edges)
                if reached:
                    return reached[0]
        return next((a for a in activities if nodes[a].pool == 0), activities[0])

    @staticmethod
    def _step_ids(activities: list[str], nodes: dict) -> dict[str, str]:
        used: set[str] = set()
        return {a: unique(slug(nodes[a].name or "", "") or slug(a, "step"), used) for a in activities}

    def _institution(self, name: str, origin: str, why: str | None = None) -> Ref:
        drafts = self.drafts["institutions"]
        if name not in drafts:
            drafts[name] = Draft("institutions", origin, {"name": name})
            if why:
                self.report.notes.append(f"institution {name!r} made: {why}")
        return Ref("institutions", name, origin)

    def _owner(self, unit: _Unit, name: str) -> Ref:
        origin = f"{self.shown}:{unit.line}"
        pool_name = unit.pools[0][0]
        if pool_name:
            return self._institution(pool_name.strip(), origin)
        if self.owner:
            return self._institution(self.owner, origin)
        return self._institution(name, origin, f"process {name!r} has no pool and no --owner was given; "
                                               "its owner is named after it")

    def _entity(self, reference_id: str | None, origin: str) -> Ref | None:
        element = self.by_id.get(reference_id or "")
        if element is None or local_name(element) not in DATA_REFERENCES:
            return None
        target = self.by_id.get(element.get("dataObjectRef") or element.get("dataStoreRef") or "")
        name = (element.get("name") or (target.get("name") if target is not None else None) or
                element.get("id")).strip()
        drafts = self.drafts["data_entities"]
        if name not in drafts:
            drafts[name] = Draft("data_entities", origin, {"name": name, "external": {"bpmn": element.get("id")}})
            self.report.count(local_name(element), "data_entities")
        return Ref("data_entities", name, origin)

    def _data(self, element, origin: str) -> tuple[list[Ref], list[Ref]]:
        reads, writes = [], []
        for association in element:
            kind = local_name(association)
            if kind not in ("dataInputAssociation", "dataOutputAssociation"):
                continue
            end = "sourceRef" if kind == "dataInputAssociation" else "targetRef"
            for ref in association:
                if local_name(ref) == end and ref.text:
                    entity = self._entity(ref.text.strip(), origin)
                    if entity is not None:
                        (reads if kind == "dataInputAssociation" else writes).append(entity)
        return list(dict.fromkeys(reads)), list(dict.fromkeys(writes))

    def _step(self, node: _Node, ids: dict, following: list[str], unit: _Unit, owner: Ref) -> Draft:
        origin = f"{self.shown}:{node.line}"
        values: dict = {"id": ids[node.id], "name": node.name or node.id}
        pool_name = unit.pools[node.pool][0]
        performer = None
        if self.lanes == "institutions" and node.lane:
            performer = self._institution(node.lane.strip(), origin)
        elif pool_name and node.pool > 0:
            performer = self._institution(pool_name.strip(), origin)
        if performer is not None and performer.text != owner.text:
            values["performer"] = performer
        reads, writes = self._data(node.element, origin)
        if reads:
            values["reads"] = reads
        if writes:
            values["writes"] = writes
        values["next"] = [StepRef(step, origin) for step in following]
        tags = [ACTIVITIES[node.kind]] + ([f"lane:{node.lane.strip()}"] if node.lane and self.lanes == "roles" else [])
        values["tags"] = tags
        values["external"] = {"bpmn": node.id}
        if not node.name:
            self.report.notes.append(f"{origin}: an unnamed {node.kind} is named after its BPMN id {node.id!r}")
        return Draft("steps", origin, values)

    @staticmethod
    def _counts(nodes: dict) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for node in nodes.values():
            counts[node.kind] += 1
        return counts


def read_drafts(paths: list[Path], report: Report, *, lanes: str = "roles",
                owner: str | None = None, max_bytes: int | None = None) -> tuple[dict[str, list[Draft]], None]:
    """Every file's processes; institutions and data entities shared by name across the files."""
    shared: dict[str, dict[str, Draft]] = {"institutions": {}, "data_entities": {}}
    processes: list[Draft] = []
    for path in paths:
        try:
            source = _File(path, report, lanes, owner, shared, max_bytes)
            for unit in source.units():
                processes.append(source.process(unit))
        except XmlSourceError as error:
            report.problem(error.position, error.message)
    report.mapped += ["activity (task of any type, call activity, sub-process) -> step (tag: its BPMN type)",
                      "process, or collaboration (all its pools) -> process",
                      "sequence and message flows, through gateways and events -> next",
                      "pool -> institution; lane -> " + ("performer" if lanes == "institutions" else "tag lane:NAME"),
                      "data object or store: input -> reads, output -> writes"]
    drafts = {"institutions": list(shared["institutions"].values()),
              "data_entities": list(shared["data_entities"].values()), "processes": processes}
    return drafts, None
