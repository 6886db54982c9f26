"""`export archimate`: the model as an ArchiMate 3.1 Open Exchange file, with views laid out (DESIGN 8).

Enterprise-architecture tools (Archi, Sparx EA, BiZZdesign, Visual Paradigm) open it and draw
on it: institutions are business actors, systems application components, processes business
processes composed of their steps, and the relationships say who owns, serves, reads and
triggers what. Every field is also written as an `egov-align FIELD` property (JSON), so
`import archimate` gives back the same model. `external` archimate ids are reused, so a model
that came from a tool goes back with that tool's identifiers.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator

from egov_align.graph import flow_edges
from egov_align.model import Model
from egov_align.schema import KINDS

NS = "http://www.opengroup.org/xsd/archimate/3.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
SCHEMA_LOCATION = f"{NS} http://www.opengroup.org/xsd/archimate/3.1/archimate3_Diagram.xsd"
TYPES = {"institutions": "BusinessActor", "capabilities": "Capability", "data_entities": "DataObject",
         "systems": "ApplicationComponent", "services": "BusinessService", "processes": "BusinessProcess"}
ACCESS = {"master": "Write", "replica": "Write", "reader": "Read"}
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
NODE_W, NODE_H = 160, 60
MAX_LAID_OUT = 2000  # nodes Graphviz lays out quickly; above it a view is placed on a grid
FLUSH_BYTES = 1 << 20  # written out in pieces of about this size
_DECLARATIONS = (f' xmlns="{NS}"'.encode(), f' xmlns:xsi="{XSI}"'.encode())


class _Ids:
    """xs:ID values: the element's `external.archimate` when it is one, else made from kind and id.

    Views take "id-node", "id-node-2", ... hundreds of thousands of times at national scale: each
    base remembers the last number it tried (every one below it stays taken), or finding the next
    free one goes through all of them again, and the export takes hours.
    """

    def __init__(self):
        self.used: set[str] = set()
        self.tried: dict[str, int] = {}  # base -> the highest number tried for it

    def take(self, wanted: str | None, fallback: str) -> str:
        candidate = wanted if wanted and _NCNAME.match(wanted) and wanted not in self.used else None
        if candidate is None:
            base = "id-" + re.sub(r"[^A-Za-z0-9_.-]", "_", fallback)
            number = self.tried.get(base, 1)
            candidate = base if number == 1 else f"{base}-{number}"
            while candidate in self.used:
                number += 1
                candidate = f"{base}-{number}"
            self.tried[base] = number
        self.used.add(candidate)
        return candidate


def _written(element) -> dict:
    """The fields the model file wrote (defaults left unwritten stay unwritten), as JSON values."""
    data = element.model_dump(mode="json", by_alias=True, include=element.model_fields_set | {"id"})
    if "data" in data and isinstance(data["data"], list) and data["data"] and isinstance(data["data"][0], dict):
        data["data"] = [{k: v for k, v in holding.items() if k == "entity" or k in h.model_fields_set}
                        for holding, h in zip(data["data"], element.data, strict=True)]
    data.pop("steps", None)
    return data


class _Writer:
    """The file written as it is made: each element, relationship and view is built as a small
    tree, written out and dropped (the whole tree of a national model took 2.3 GB)."""

    def __init__(self, model: Model):
        from lxml import etree

        self.etree = etree
        self.model = model
        self.ids = _Ids()
        self.element_ids: dict[str, str] = {}  # subject -> xs:ID
        self.property_ids: dict[str, str] = {}
        self.relationships: list = []
        self.written: list[bytes] = []
        self.written_bytes = 0
        self.in_section = 0  # pieces written since the last open()
        self.root = self.top("model")
        self.root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
        self.root.set("identifier", self.ids.take(None, "model"))

    def top(self, tag: str, **attributes):
        """An element of the file's second level or below, built apart from the others."""
        return self.etree.Element(f"{{{NS}}}{tag}", attributes, nsmap={None: NS, "xsi": XSI})

    def child(self, parent, tag: str):
        """A new element under `parent`, or one of its own (`top`) to be emitted when parent is None."""
        return self.etree.SubElement(parent, f"{{{NS}}}{tag}") if parent is not None else self.top(tag)

    def emit(self, node, depth: int) -> None:
        """`node` written at `depth`, indented as if the whole file were pretty-printed at once."""
        self.etree.indent(node, space="  ", level=depth)
        piece = self.etree.tostring(node, encoding="UTF-8", xml_declaration=False, with_tail=False)
        head = b"<" + self.etree.QName(node).localname.encode()
        for declaration in _DECLARATIONS:  # the root element declares them, once
            if piece.startswith(head + declaration):
                piece = head + piece[len(head) + len(declaration):]
        self.line(depth, piece)
        self.in_section += 1

    def line(self, depth: int, piece: bytes) -> None:
        self.written.append(b"  " * depth + piece + b"\n")
        self.written_bytes += len(self.written[-1])

    def open(self, tag: str, depth: int) -> None:
        self.line(depth, f"<{tag}>".encode())
        self.in_section = 0

    def close(self, tag: str, depth: int) -> None:
        if self.in_section == 0:  # nothing written in it: <tag/>, as a pretty-printed tree has it
            self.written.pop()
            self.line(depth, f"<{tag}/>".encode())
        else:
            self.line(depth, f"</{tag}>".encode())

    def flushed(self, *, at_least: int = FLUSH_BYTES) -> Iterator[bytes]:
        """What has been written, once there is `at_least` of it."""
        if self.written_bytes >= at_least:
            yield b"".join(self.written)
            self.written.clear()
            self.written_bytes = 0

    def text(self, parent, tag: str, value: str):
        node = self.child(parent, tag)
        node.set(f"{{{XML}}}lang", "en")
        node.text = value
        return node

    def properties(self, parent, values: dict):
        if not values:
            return None
        holder = self.child(parent, "properties")
        for key, value in values.items():
            name = f"egov-align {key.replace('_', ' ')}"
            if name not in self.property_ids:
                self.property_ids[name] = self.ids.take(None, "prop-" + key)
            prop = self.etree.SubElement(holder, f"{{{NS}}}property", propertyDefinitionRef=self.property_ids[name])
            self.text(prop, "value", json.dumps(value, ensure_ascii=False))
        return holder

    def concept(self, subject: str, concept_type: str, name: str, fields: dict, external: dict) -> str:
        identifier = self.ids.take(external.get("archimate"), subject)
        self.element_ids[subject] = identifier
        node = self.top("element", identifier=identifier)
        node.set(f"{{{XSI}}}type", concept_type)
        self.text(node, "name", name)
        description = fields.pop("description", None)
        if description:
            self.text(node, "documentation", description)
        self.properties(node, fields)
        self.emit(node, 2)
        return identifier

    def relate(self, relation_type: str, source: str, target: str, *, access: str | None = None,
               fields: dict | None = None, external: str | None = None) -> str:
        identifier = self.ids.take(external, f"rel-{relation_type}-{len(self.relationships)}")
        self.relationships.append((identifier, relation_type, source, target, access, fields or {}))
        return identifier

    # ------------------------------------------------------------ the model

    def pieces(self) -> Iterator[bytes]:
        model = self.model
        start = self.etree.tostring(self.root, encoding="UTF-8", xml_declaration=False)
        self.written.append(b"<?xml version='1.0' encoding='UTF-8'?>\n" + start.removesuffix(b"/>") + b">\n")
        self.emit(self.text(None, "name", model.info.name or "egov-align model"), 1)
        info = {k: v for k, v in model.info.model_dump(mode="json").items() if v is not None and k != "name"}
        held = self.properties(None, {f"model {k}": v for k, v in info.items()})
        if held is not None:
            self.emit(held, 1)
        self.open("elements", 1)
        for kind, concept_type in TYPES.items():
            prefix = KINDS[kind][0]
            for element in model.kind(kind).values():
                fields = _written(element)
                external = fields.get("external") or {}
                self.concept(f"{prefix}:{element.id}", concept_type, element.name, fields, external)
                if kind == "processes":
                    for number, step in enumerate(element.steps):
                        step_fields = {**_written(step), "step": number}
                        subject = f"step:{element.id}/{step.id}"
                        self.concept(subject, "BusinessProcess", step.name, step_fields, step.external or {})
                yield from self.flushed()
        self.close("elements", 1)
        self._relationships()
        self.open("relationships", 1)
        for identifier, relation_type, source, target, access, fields in self.relationships:
            node = self.top("relationship", identifier=identifier, source=source, target=target)
            node.set(f"{{{XSI}}}type", relation_type)
            if access:
                node.set("accessType", access)
            self.properties(node, fields)
            self.emit(node, 2)
            yield from self.flushed()
        self.close("relationships", 1)
        self._property_definitions()
        from egov_align.interop.archimate_views import add_views

        yield from add_views(self)
        self.line(0, b"</model>")
        yield from self.flushed(at_least=0)

    def _property_definitions(self) -> None:
        if not self.property_ids:
            return
        holder = self.top("propertyDefinitions")
        for name, identifier in self.property_ids.items():
            definition = self.etree.SubElement(holder, f"{{{NS}}}propertyDefinition", identifier=identifier,
                                               type="string")
            self.text(definition, "name", name)
        self.emit(holder, 1)

    def _relationships(self) -> None:
        e, model = self.element_ids, self.model
        for institution in model.institutions.values():
            if institution.parent in model.institutions:
                self.relate("Composition", e[f"institution:{institution.parent}"], e[f"institution:{institution.id}"])
        for system in model.systems.values():
            me = e[f"system:{system.id}"]
            self.relate("Assignment", e[f"institution:{system.owner}"], me)
            for capability in system.capabilities:
                self.relate("Realization", me, e[f"capability:{capability}"])
            for holding in system.data:
                self.relate("Access", me, e[f"data:{holding.entity}"], access=ACCESS[holding.role])
        for integration in model.integrations.values():
            fields = _written(integration)
            fields.pop("from", None)
            fields.pop("to", None)
            self.relate("Flow", e[f"system:{integration.from_}"], e[f"system:{integration.to}"], fields=fields,
                        external=(integration.external or {}).get("archimate"))
        for service in model.services.values():
            self.relate("Assignment", e[f"institution:{service.provider}"], e[f"service:{service.id}"])
        for process in model.processes.values():
            me = e[f"process:{process.id}"]
            self.relate("Assignment", e[f"institution:{process.owner}"], me)
            if process.service:
                self.relate("Realization", me, e[f"service:{process.service}"])
            for step in process.steps:
                step_id = e[f"step:{process.id}/{step.id}"]
                self.relate("Composition", me, step_id)
                if step.performer:
                    self.relate("Assignment", e[f"institution:{step.performer}"], step_id)
                for system in step.systems:
                    self.relate("Serving", e[f"system:{system}"], step_id)
                for entity in dict.fromkeys([*step.reads, *step.writes]):
                    access = "ReadWrite" if entity in step.reads and entity in step.writes else \
                        "Read" if entity in step.reads else "Write"
                    self.relate("Access", step_id, e[f"data:{entity}"], access=access)
            for source, target in flow_edges(process):
                self.relate("Triggering", e[f"step:{process.id}/{source}"], e[f"step:{process.id}/{target}"])


def export_archimate(model: Model) -> Iterator[bytes]:
    """The exchange file, a megabyte or so at a time, as it is made."""
    return _Writer(model).pieces()


def graphviz_available() -> bool:
    return shutil.which("dot") is not None
