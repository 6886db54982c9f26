"""`import archimate`: an ArchiMate model (Open Exchange Format, or Archi's own .archimate) -> drafts.

DESIGN 8 and 12 give the mapping. Both file formats are read into the same small picture
(elements and relationships with their types, names, properties and XML lines), and one
mapper turns that into institutions, capabilities, data, systems, integrations, services and
processes. What the exporter wrote as `egov-align …` properties comes back exactly, so a
round trip loses nothing; properties of other tools are mapped when their names say what
they are (vendor, annual cost, status) and reported otherwise.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from egov_align.interop.draft import Draft, Ref, Report, StepRef, breadth_first, slug, unique
from egov_align.interop.xmlsource import XmlSourceError, iterparse_xml, parse_xml

EXCHANGE = "http://www.opengroup.org/xsd/archimate/3.0/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFIX = "egov-align "  # the exporter's own properties: `egov-align id`, `egov-align status` …
STEP_TYPES = {"BusinessProcess", "BusinessFunction", "BusinessInteraction"}
OWNING = {"Assignment", "Composition", "Aggregation"}
FLOWING = {"Flow", "Serving", "Triggering"}
PASS_THROUGH = {"BusinessEvent", "AndJunction", "OrJunction", "Junction"}
NATIVE_ACCESS = {None: "Write", "0": "Write", "1": "Read", "2": "Access", "3": "ReadWrite"}  # Archi's codes
# other tools' property names that say what they are (compared case-insensitively)
FOREIGN_PROPERTIES = {"vendor": "vendor", "supplier": "vendor", "annual cost": "annual_cost", "cost": "annual_cost",
                      "status": "status", "lifecycle status": "status", "lifecycle": "status"}


@dataclass
class Concept:
    id: str
    type: str
    name: str | None
    line: int
    documentation: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # relationships only
    target: str | None = None
    access: str | None = None


@dataclass
class Picture:
    name: str | None
    elements: dict[str, Concept]
    relationships: dict[str, Concept]
    shown: str
    properties: dict[str, str] = field(default_factory=dict)  # the model's own

    def at(self, concept: Concept) -> str:
        return f"{self.shown}:{concept.line}"


# ---------------------------------------------------------------- reading the two formats


def _pick_name(elements, lang: str | None) -> str | None:
    names = [(e.get(XML_LANG), (e.text or "").strip()) for e in elements]
    names = [(language, text) for language, text in names if text]
    for wanted in (lang, "en"):
        for language, text in names:
            if wanted and language and language.lower().startswith(wanted.lower()):
                return text
    return names[0][1] if names else None


def _exchange(root, events, shown: str, lang: str | None) -> Picture:
    """An Open Exchange file, read as the parser goes: each element, relationship and view is
    dropped once taken, so a national model's 170 MB export never stands as a whole tree."""
    ns = "{" + EXCHANGE + "}"
    element_tag, relationship_tag, view_tag = f"{ns}element", f"{ns}relationship", f"{ns}view"
    definition_tag = f"{ns}propertyDefinition"
    taken_in = {f"{ns}elements": element_tag, f"{ns}relationships": relationship_tag, f"{ns}diagrams": view_tag}
    definitions = {}
    elements, relationships = [], []

    def concept(node) -> Concept:
        """Its properties by their definitions' identifiers: the definitions come last in the file."""
        properties = {}
        for prop in node.findall(f"{ns}properties/{ns}property"):
            properties[prop.get("propertyDefinitionRef")] = _pick_name(prop.findall(f"{ns}value"), lang) or ""
        return Concept(node.get("identifier"), node.get(XSI_TYPE, ""), _pick_name(node.findall(f"{ns}name"), lang),
                       node.sourceline or 1, _pick_name(node.findall(f"{ns}documentation"), lang), properties,
                       node.get("source"), node.get("target"), node.get("accessType"))

    for _event, node in events:
        if node.tag == definition_tag:
            definitions[node.get("identifier")] = _pick_name(node.findall(f"{ns}name"), lang) or \
                node.get("name") or node.get("identifier")
            continue
        parent = node.getparent()
        if parent is None or taken_in.get(parent.tag) != node.tag:
            continue
        if parent.getparent() is root and node.tag != view_tag:  # <model><elements><element>, and relationships
            (elements if node.tag == element_tag else relationships).append(concept(node))
        elif node.tag != view_tag:  # an element anywhere else is not one of the model's: left as it was
            continue
        node.clear(keep_tail=True)  # taken, or a view (not imported): the parser moves on without it
        while node.getprevious() is not None:
            del parent[0]
    model = concept(root)
    for item in (*elements, *relationships, model):
        item.properties = {definitions.get(ref, ref): value for ref, value in item.properties.items()}
    picture = _picture(_pick_name(root.findall(f"{ns}name"), lang), elements, relationships, shown)
    picture.properties = model.properties
    return picture


def _native(root, shown: str) -> Picture:
    elements, relationships = [], []
    for node in root.iter("element"):
        kind = node.get(XSI_TYPE, "").split(":")[-1]
        if kind.endswith(("DiagramModel", "SketchModel", "CanvasModel")):
            continue
        properties = {p.get("key", ""): p.get("value", "") for p in node.findall("property")}
        documentation = node.findtext("documentation")
        if kind.endswith("Relationship"):
            relationships.append(Concept(node.get("id"), kind.removesuffix("Relationship"), node.get("name"),
                                         node.sourceline or 1, documentation, properties, node.get("source"),
                                         node.get("target"), NATIVE_ACCESS.get(node.get("accessType"), "Write")
                                         if kind == "AccessRelationship" else None))
        else:
            elements.append(Concept(node.get("id"), kind, node.get("name"), node.sourceline or 1, documentation,
                                    properties))
    return _picture(root.get("name"), elements, relationships, shown)


def _picture(name, elements: list[Concept], relationships: list[Concept], shown: str) -> Picture:
    seen: dict[str, Concept] = {}
    for concept in [*elements, *relationships]:
        if not concept.id:
            raise XmlSourceError(f"{shown}:{concept.line}", f"a {concept.type or 'concept'} without an identifier")
        if concept.id in seen:
            raise XmlSourceError(f"{shown}:{concept.line}", f"the identifier {concept.id!r} is used twice (first at "
                                                            f"line {seen[concept.id].line})")
        seen[concept.id] = concept
    for relationship in relationships:
        for end in (relationship.source, relationship.target):
            if end not in seen:
                raise XmlSourceError(f"{shown}:{relationship.line}", f"the {relationship.type} relationship "
                                     f"{relationship.id!r} points at {end!r}, which is not in the file")
    return Picture(name, {e.id: e for e in elements}, {r.id: r for r in relationships}, shown)


def read_picture(path: Path, lang: str | None, max_bytes: int | None = None) -> Picture:
    events = iterparse_xml(path, ("model",), "an ArchiMate model (<model>)", max_bytes=max_bytes)
    _start, root = next(events)
    namespace = root.tag.split("}")[0].lstrip("{") if "}" in root.tag else ""
    if namespace == EXCHANGE:
        return _exchange(root, events, str(path), lang)
    # Archi's own format (and any other) is read whole, as a tree: parsed at once, not event by
    # event, which took 75% longer
    events.close()
    root = parse_xml(path, ("model",), "an ArchiMate model (<model>)", max_bytes=max_bytes)
    if "archimatetool.com" in namespace:
        return _native(root, str(path))
    raise XmlSourceError(f"{path}:{root.sourceline or 1}", f"a <model> of namespace {namespace or 'none'!r}: neither "
                         "the ArchiMate exchange format nor Archi's own; export it to the Open Exchange Format")


# ---------------------------------------------------------------- mapping


def _number(text: str) -> float | int | None:
    cleaned = re.sub(r"[^\d.\-]", "", text.replace(",", ""))
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _own_value(text: str):
    """An `egov-align FIELD` property back to its value (the exporter writes JSON; a hand-typed text stays text)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


class _Mapper:
    def __init__(self, picture: Picture, report: Report):
        self.p, self.report = picture, report
        self.by_type: dict[str, list[Concept]] = defaultdict(list)
        for element in picture.elements.values():
            self.by_type[element.type].append(element)
        self.out: dict[str, list[tuple]] = defaultdict(list)  # relationship index: (type, other end)
        self.into: dict[str, list[tuple]] = defaultdict(list)
        for relationship in picture.relationships.values():
            self.out[relationship.source].append((relationship.type, relationship.target, relationship))
            self.into[relationship.target].append((relationship.type, relationship.source, relationship))
        self.drafts: dict[str, list[Draft]] = defaultdict(list)
        self.mapped: set[str] = set()  # identifiers of the elements that became model elements
        self.unassigned: Ref | None = None
        self.used_properties: set[tuple[str, str]] = set()

    # helpers
    def linked(self, concept_id: str, types: set[str], *, outgoing: bool = True, incoming: bool = True,
               kinds: set[str] | None = None) -> list[str]:
        found = []
        for relation_type, other, _relationship in (self.out[concept_id] if outgoing else []):
            if relation_type in types and other in self.p.elements and (kinds is None or
                                                                          self.p.elements[other].type in kinds):
                found.append(other)
        for relation_type, other, _relationship in (self.into[concept_id] if incoming else []):
            if relation_type in types and other in self.p.elements and (kinds is None or
                                                                          self.p.elements[other].type in kinds):
                found.append(other)
        return list(dict.fromkeys(found))

    @staticmethod
    def ref(kind: str, element_id: str, origin: str) -> Ref:
        """By the ArchiMate identifier, which every imported element keeps in `external`."""
        return Ref(kind, element_id, origin)

    def actor_of(self, concept_id: str) -> str | None:
        """The actor assigned to it (an assigned role counts as the actor assigned to the role)."""
        assigned = self.linked(concept_id, {"Assignment"}, outgoing=False, kinds={"BusinessActor", "BusinessRole"})
        for candidate in assigned:
            if self.p.elements[candidate].type == "BusinessActor":
                return candidate
            actors = self.linked(candidate, {"Assignment"}, outgoing=False, kinds={"BusinessActor"})
            if actors:
                return actors[0]
        return None

    def unassigned_ref(self, origin: str, why: str) -> Ref:
        if self.unassigned is None:
            self.drafts["institutions"].append(Draft("institutions", origin, {"id": "unassigned",
                                                                             "name": "Unassigned"}))
            self.unassigned = Ref("institutions", "unassigned", origin)
        self.report.notes.append(f"{origin}: {why}: owner `unassigned`")
        return self.unassigned

    def values(self, concept: Concept, kind: str, base: dict) -> dict:
        """What the relationships say (`base`), then the exporter's own fields (which win), then the
        foreign properties that say what they are; references as Refs."""
        origin = self.p.at(concept)
        values = dict(base)
        if concept.documentation:
            values["description"] = concept.documentation
        for key, text in concept.properties.items():
            if key.lower().startswith(PREFIX):
                values[key[len(PREFIX):].replace(" ", "_")] = _own_value(text)
                continue
            mapped = FOREIGN_PROPERTIES.get(key.strip().lower())
            if mapped and kind == "systems" and (PREFIX + mapped.replace("_", " ")) not in concept.properties:
                value = _number(text) if mapped == "annual_cost" else text.strip().lower() if mapped == "status" \
                    else text.strip()
                if value not in (None, ""):
                    values[mapped] = value
                    continue
            self.used_properties.add((key, concept.type))
        values["external"] = {**(values.get("external") or {}), "archimate": concept.id}
        values.pop("step", None)
        return _ordered(_as_refs(values, kind, origin), ORDER)

    def name_of(self, concept: Concept) -> str:
        return concept.name or concept.id

    # the kinds, in the order references need them
    def run(self) -> dict[str, list[Draft]]:
        self.capability_types = {"Capability"} if self.by_type.get("Capability") else {"ApplicationService"}
        if "ApplicationService" in self.capability_types and self.by_type.get("ApplicationService"):
            self.report.notes.append("no Capability in the file: its ApplicationServices are the capabilities")
        for kind, types in (("institutions", ("BusinessActor",)), ("capabilities", tuple(self.capability_types)),
                            ("data_entities", ("BusinessObject", "DataObject"))):
            for concept_type in types:
                for concept in self.by_type.get(concept_type, []):
                    self.mapped.add(concept.id)
                    base = {"name": self.name_of(concept)}
                    if kind == "institutions":
                        parent = self.linked(concept.id, {"Composition", "Aggregation"}, outgoing=False,
                                             kinds={"BusinessActor"})
                        if parent:
                            base["parent"] = self.ref("institutions", parent[0], self.p.at(concept))
                    self.drafts[kind].append(Draft(kind, self.p.at(concept), self.values(concept, kind, base)))
        self.mapped |= {c.id for c in self.by_type.get("ApplicationComponent", [])}
        self._systems()
        self._integrations()
        self._services()
        self._processes()
        self._count()
        return dict(self.drafts)

    def _owner(self, concept: Concept, what: str) -> Ref:
        origin = self.p.at(concept)
        actor = self.actor_of(concept.id)
        if actor is None and concept.type == "ApplicationComponent":
            owners = self.linked(concept.id, OWNING, kinds={"BusinessActor"})
            actor = owners[0] if owners else None
        if actor:
            return self.ref("institutions", actor, origin)
        return self.unassigned_ref(origin, f"{what} {self.name_of(concept)!r} has no actor")

    def _systems(self) -> None:
        for component in self.by_type.get("ApplicationComponent", []):
            origin = self.p.at(component)
            base = {"name": self.name_of(component), "owner": self._owner(component, "application component")}
            capabilities = self._capabilities_of(component)
            if capabilities:
                base["capabilities"] = [self.ref("capabilities", c, origin) for c in capabilities]
            self.drafts["systems"].append(Draft("systems", origin, self.values(component, "systems", base)))

    def _capabilities_of(self, component: Concept) -> list[str]:
        found = self.linked(component.id, {"Realization"}, incoming=False, kinds=self.capability_types)
        for middle in self.linked(component.id, {"Realization", "Assignment"}, incoming=False,
                                  kinds={"ApplicationService", "ApplicationFunction"}):
            found += self.linked(middle, {"Realization"}, incoming=False, kinds=self.capability_types)
        return list(dict.fromkeys(found))

    def _component(self, concept_id: str) -> str | None:
        element = self.p.elements.get(concept_id)
        if element is None:
            return None
        if element.type == "ApplicationComponent":
            return concept_id
        if element.type == "ApplicationInterface":
            owners = self.linked(concept_id, {"Composition", "Assignment", "Aggregation"}, outgoing=False,
                                 kinds={"ApplicationComponent"})
            return owners[0] if owners else None
        return None

    def _integrations(self) -> None:
        for relationship in self.p.relationships.values():
            if relationship.type not in FLOWING:
                continue
            source, target = self._component(relationship.source), self._component(relationship.target)
            # A component's flow to itself (or to its own interface) is inside one system, not an
            # integration; unless egov-align wrote it: then the model had it (a system feeding itself).
            if not source or not target or (source == target and PREFIX + "id" not in relationship.properties):
                continue
            origin = self.p.at(relationship)
            base = {"from": self.ref("systems", source, origin), "to": self.ref("systems", target, origin)}
            if PREFIX + "data" not in relationship.properties:
                base["data"] = self._carried(relationship, source, target, origin)
            values = self.values(relationship, "integrations", base)
            self.drafts["integrations"].append(Draft("integrations", origin, values))

    def _carried(self, relationship: Concept, source: str, target: str, origin: str) -> list[Ref]:
        objects = {"BusinessObject", "DataObject"}
        associated = self.linked(relationship.id, {"Association"}, kinds=objects)
        if not associated:
            accessed = [set(self.linked(end, {"Access"}, incoming=False, kinds=objects)) for end in (source, target)]
            associated = sorted(accessed[0] & accessed[1], key=lambda o: self.p.elements[o].line)
        if associated:
            return [self.ref("data_entities", o, origin) for o in associated]
        name = f"{self.name_of(self.p.elements[source])} to {self.name_of(self.p.elements[target])}"
        if not any(d.values.get("name") == name for d in self.drafts["data_entities"]):
            self.drafts["data_entities"].append(Draft("data_entities", origin, {"name": name}))
            self.report.notes.append(f"{origin}: the {relationship.type} relationship names no data: an entity "
                                     f"{name!r} stands for it")
        return [Ref("data_entities", name, origin)]

    def _services(self) -> None:
        for service in self.by_type.get("BusinessService", []):
            origin = self.p.at(service)
            self.mapped.add(service.id)
            base = {"name": self.name_of(service), "provider": self._owner(service, "business service")}
            self.drafts["services"].append(Draft("services", origin, self.values(service, "services", base)))

    # processes
    def _children(self, process_id: str) -> list[str]:
        found = self.linked(process_id, {"Composition", "Aggregation"}, incoming=False,
                            kinds=STEP_TYPES | {"BusinessEvent"})
        return sorted(found, key=self._step_number)

    def _step_number(self, concept_id: str) -> tuple:
        concept = self.p.elements[concept_id]
        number = (concept.properties.get(PREFIX + "step") or "").strip()
        return (int(number) if number.isdigit() else 10**9, concept.line)

    def _processes(self) -> None:
        processes = self.by_type.get("BusinessProcess", [])
        is_child = {c for p in processes for c in self._children(p.id)}
        for process in processes:
            if process.id in is_child:
                continue
            origin = self.p.at(process)
            children = [c for c in self._children(process.id) if self.p.elements[c].type in STEP_TYPES]
            base = {"name": self.name_of(process), "owner": self._owner(process, "business process")}
            service = self.linked(process.id, {"Realization"}, incoming=False, kinds={"BusinessService"})
            if service:
                base["service"] = self.ref("services", service[0], origin)
            values = self.values(process, "processes", base)
            if not children:  # a one-step process: the step is the process itself
                values = {k: v for k, v in values.items() if k in ("id", "name", "owner", "service", "external")}
            self.drafts["processes"].append(Draft("processes", origin, values,
                                                  steps=self._steps(process, children or [process.id])))

    def _steps(self, process: Concept, children: list[str]) -> list[Draft]:
        triggered = {c: self._following(c, set(children)) for c in children}
        has_flow = any(triggered.values())
        own_order = all(PREFIX + "step" in self.p.elements[c].properties for c in children)
        ordered = children if own_order else _flow_order(children, triggered)
        ids: dict[str, str] = {}
        taken: set[str] = set()
        for child in ordered:
            concept = self.p.elements[child]
            own = concept.properties.get(PREFIX + "id")
            ids[child] = _own_value(own) if own else unique(slug(self.name_of(concept), "step"), taken)
        drafts = []
        for child in ordered:
            concept = self.p.elements[child]
            origin = self.p.at(concept)
            folded = self._descendants(child) if child != process.id else []
            if folded:
                self.report.notes.append(f"{origin}: {len(folded)} deeper elements of {self.name_of(concept)!r} "
                                         "fold into its step")
            base: dict = {"id": ids[child], "name": self.name_of(concept)}
            actor = self.actor_of(child)
            if actor and child != process.id:
                base["performer"] = self.ref("institutions", actor, origin)
            reads, writes = self._access([child, *folded], origin)
            if reads:
                base["reads"] = reads
            if writes:
                base["writes"] = writes
            systems = self._serving(child, origin)
            if systems:
                base["systems"] = systems
            if has_flow:
                base["next"] = [StepRef(ids[t], origin) for t in triggered[child]]
            if child == process.id:
                base["external"] = {"archimate": f"{process.id}"}
                drafts.append(Draft("steps", origin, _ordered(base, ORDER)))
                continue
            drafts.append(Draft("steps", origin, self.values(concept, "steps", base)))
        return drafts

    def _following(self, child: str, siblings: set[str]) -> list[str]:
        """Siblings reached by Triggering or Flow, directly or through events and junctions."""
        found, seen, frontier = [], set(), [child]
        while frontier:
            current = frontier.pop(0)
            for relation_type, other, _relationship in self.out[current]:
                if relation_type not in ("Triggering", "Flow") or other in seen:
                    continue
                seen.add(other)
                if other in siblings:
                    found.append(other)
                elif other in self.p.elements and self.p.elements[other].type in PASS_THROUGH:
                    frontier.append(other)
        return found

    def _descendants(self, concept_id: str) -> list[str]:
        found, frontier = [], [concept_id]
        while frontier:
            for child in self.linked(frontier.pop(), {"Composition", "Aggregation"}, incoming=False,
                                     kinds=STEP_TYPES | {"BusinessEvent"}):
                if child not in found and child != concept_id:
                    found.append(child)
                    frontier.append(child)
        return found

    def _access(self, concepts: list[str], origin: str) -> tuple[list[Ref], list[Ref]]:
        reads, writes = [], []
        for concept in concepts:
            for relation_type, other, relationship in self.out[concept]:
                if relation_type != "Access" or other not in self.mapped or other not in self.p.elements or \
                        self.p.elements[other].type not in ("BusinessObject", "DataObject"):
                    continue
                access = relationship.access or "Access"
                if access in ("Write", "ReadWrite"):
                    writes.append(self.ref("data_entities", other, origin))
                if access in ("Read", "ReadWrite", "Access"):
                    reads.append(self.ref("data_entities", other, origin))
        return list(dict.fromkeys(reads)), list(dict.fromkeys(writes))

    def _serving(self, step: str, origin: str) -> list[Ref]:
        found = []
        for relation_type, other, _relationship in self.into[step]:
            if relation_type != "Serving":
                continue
            component = self._component(other)
            if component is None and other in self.p.elements and self.p.elements[other].type == "ApplicationService":
                owners = self.linked(other, {"Realization", "Assignment"}, outgoing=False,
                                     kinds={"ApplicationComponent"})
                component = owners[0] if owners else None
            if component:
                found.append(component)
        return [self.ref("systems", c, origin) for c in dict.fromkeys(found)]

    def _count(self) -> None:
        mapped = {"BusinessActor": "institutions", "Capability": "capabilities", "BusinessObject": "data_entities",
                  "DataObject": "data_entities", "ApplicationComponent": "systems", "BusinessService": "services",
                  "BusinessProcess": "processes / steps"}
        if "ApplicationService" in self.capability_types:
            mapped["ApplicationService"] = "capabilities"
        folded = {"BusinessFunction": "steps", "BusinessInteraction": "steps", "BusinessRole": "performers",
                  "BusinessEvent": "next (followed)", "ApplicationInterface": "integrations, systems of steps",
                  "ApplicationFunction": "capabilities of systems"}
        for concept_type, concepts in sorted(self.by_type.items()):
            target = mapped.get(concept_type) or folded.get(concept_type)
            self.report.count(concept_type, target, len(concepts), len(concepts) if target else 0)
            if not target:
                self.report.left_out(f"{concept_type} ({len(concepts)})", "no egov-align kind; not imported")
        relations: dict[str, int] = defaultdict(int)
        for relationship in self.p.relationships.values():
            relations[relationship.type] += 1
        for relation_type, number in sorted(relations.items()):
            self.report.count(f"{relation_type} relationship", "relations between the elements above", number, number)
        for key, concept_type in sorted(self.used_properties):
            self.report.left_out(f"property {key!r} of {concept_type}", "not a field egov-align has; left out")


ORDER = ("id", "name", "from", "to", "owner", "provider", "performer", "status", "capabilities", "needs", "data",
         "reads", "writes", "systems", "next")
REFERENCES = {  # kind -> field -> the kind it names ("holdings": entity:role pairs; "steps": within the process)
    "institutions": {"parent": "institutions"},
    "systems": {"owner": "institutions", "capabilities": "capabilities", "data": "holdings"},
    "integrations": {"from": "systems", "to": "systems", "data": "data_entities", "via": "systems"},
    "services": {"provider": "institutions"},
    "processes": {"owner": "institutions", "service": "services"},
    "steps": {"performer": "institutions", "needs": "capabilities", "reads": "data_entities",
              "writes": "data_entities", "systems": "systems", "next": "steps"},
}


def _as_refs(values: dict, kind: str, origin: str) -> dict:
    """Ids written by the exporter's own properties, as references (Refs pass through)."""
    for field_name, refers in REFERENCES.get(kind, {}).items():
        value = values.get(field_name)
        if value is None or isinstance(value, Ref):
            continue
        if refers == "holdings" and isinstance(value, list):
            values[field_name] = [(Ref("data_entities", h["entity"], origin), h.get("role")) if isinstance(h, dict)
                                  else h for h in value]
        elif refers == "steps" and isinstance(value, list):
            values[field_name] = [v if isinstance(v, StepRef) else StepRef(str(v), origin) for v in value]
        elif isinstance(value, list):
            values[field_name] = [v if isinstance(v, Ref) else Ref(refers, str(v), origin) for v in value]
        elif isinstance(value, str):
            values[field_name] = Ref(refers, value, origin)
    return values


def _ordered(values: dict, first: tuple[str, ...]) -> dict:
    return {**{k: values[k] for k in first if k in values}, **{k: v for k, v in values.items() if k not in first}}


def _flow_order(children: list[str], following: dict[str, list[str]]) -> list[str]:
    """Children in flow order: those nothing triggers first (in the file's order), then what they lead to."""
    triggered = {target for targets in following.values() for target in targets}
    return breadth_first([c for c in children if c not in triggered] or children[:1], following, children)


def read_drafts(path: Path, report: Report, *, lang: str | None = None,
                max_bytes: int | None = None) -> tuple[dict[str, list[Draft]], tuple | None]:
    try:
        picture = read_picture(path, lang, max_bytes)
    except XmlSourceError as error:
        report.problem(error.position, error.message)
        return {}, None
    report.mapped += ["BusinessActor -> institution; Capability (else ApplicationService) -> capability",
                      "BusinessObject, DataObject -> data entity; ApplicationComponent -> system (owner: its actor)",
                      "Flow, Serving, Triggering between components (or their interfaces) -> integration",
                      "BusinessService -> service; BusinessProcess -> process, its children -> steps",
                      "Serving component -> step: systems; Access -> reads / writes; assigned actor or role -> "
                      "performer"]
    drafts = _Mapper(picture, report).run()
    info = {"name": picture.name} if picture.name else {}
    own = PREFIX + "model "
    info.update({key[len(own):].replace(" ", "_"): _own_value(text) for key, text in picture.properties.items()
                 if key.lower().startswith(own)})
    model_info = (info, f"{picture.shown}:1", {}) if info else None
    return drafts, model_info
