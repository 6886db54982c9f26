"""`import backstage`: a Backstage software catalog -> drafts of model elements (DESIGN 8).

Group -> institution; Component and System -> system; API -> data entity; providesApis and
consumesApis -> an integration from each provider to each consumer carrying the APIs
between them; Domain -> capability, provided by the Systems in it. Location entities are
followed, but only to files inside the directories given (a catalog is untrusted input:
it must not make the importer read elsewhere). Everything else is counted and reported.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from egov_align.discovery import YAML_SUFFIXES, display_path
from egov_align.interop.draft import Draft, Ref, Report
from egov_align.names import printable

MAX_FILE_BYTES = 5_000_000
MAX_FILES = 10_000
LIFECYCLE = {"production": "active", "experimental": "planned", "deprecated": "retiring"}
API_STANDARDS = {"openapi": "OpenAPI", "asyncapi": "AsyncAPI", "graphql": "GraphQL", "grpc": "gRPC",
                 "trpc": "tRPC"}
MAPPED = {"group": "institutions", "component": "systems", "system": "systems", "api": "data_entities",
          "domain": "capabilities"}
_ID = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass
class Entity:
    kind: str  # lower case
    namespace: str
    name: str
    document: dict
    origin: str  # file:line
    lines: dict = field(default_factory=dict)  # "spec.owner" -> file:line

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"

    @property
    def metadata(self) -> dict:
        value = self.document.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def spec(self) -> dict:
        value = self.document.get("spec")
        return value if isinstance(value, dict) else {}

    def at(self, path: str) -> str:
        return self.lines.get(path, self.origin)


def parse_ref(text: object, default_kind: str, namespace: str = "default") -> tuple[str, str, str] | None:
    """`[kind:][namespace/]name` (Backstage's entity reference), or None when it is not text."""
    if not isinstance(text, str) or not text.strip():
        return None
    kind, _, rest = text.strip().rpartition(":") if ":" in text else ("", "", text.strip())
    space, _, name = rest.rpartition("/")
    return ((kind or default_kind).lower(), (space or namespace).lower(), name.lower())


# ---------------------------------------------------------------- reading


class _Reader:
    def __init__(self, roots: list[Path], report: Report):
        self.roots = [Path(os.path.realpath(r if r.is_dir() else r.parent)) for r in roots]
        self.report = report
        self.seen: set[str] = set()
        self.entities: list[Entity] = []

    def inside(self, path: Path) -> bool:
        real = Path(os.path.realpath(path))
        return any(real == root or root in real.parents for root in self.roots)

    def walk(self, path: Path) -> None:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix.lower() in YAML_SUFFIXES and not any(p.startswith(".") for p in child.parts[-1:]):
                    self.read(child)
        else:
            self.read(path)

    def read(self, path: Path) -> None:
        real = os.path.realpath(path)
        if real in self.seen:
            return
        self.seen.add(real)
        if len(self.seen) > MAX_FILES:
            self.report.problem(str(path), f"over {MAX_FILES:,} catalog files; import a smaller directory")
            return
        if not self.inside(path):
            self.report.left_out(str(path), "outside the directories given; not read")
            return
        try:
            if not path.is_file():
                self.report.left_out(str(path), "not a regular file; not read")
                return
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.report.problem(str(path), f"{size:,} bytes, over the limit of {MAX_FILE_BYTES:,}")
                return
            raw = path.read_bytes()
        except OSError as error:
            self.report.problem(str(path), f"cannot read: {error.strerror or error}")
            return
        self._documents(path, raw)

    def _documents(self, path: Path, raw: bytes) -> None:
        import yaml

        loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        shown = printable(display_path(str(path), os.getcwd()))
        try:
            loader = loader_class(raw)
            try:
                while loader.check_node():
                    node = loader.get_node()
                    document = loader.construct_document(node)
                    self._entity(path, shown, node, document)
            finally:
                loader.dispose()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            self.report.problem(f"{shown}:{line}", f"not valid YAML: {error.problem or error}")
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as error:
            self.report.problem(shown, f"not valid YAML: {error}")

    def _entity(self, path: Path, shown: str, node, document) -> None:
        if document is None:
            return
        origin = f"{shown}:{node.start_mark.line + 1}"
        if not isinstance(document, dict) or not isinstance(document.get("kind"), str):
            self.report.left_out(origin, "not a catalog entity (no `kind`); not imported")
            return
        metadata = document.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(name, str) or not name.strip():
            self.report.problem(origin, f"a {document['kind']} without metadata.name")
            return
        namespace = metadata.get("namespace") if isinstance(metadata.get("namespace"), str) else "default"
        entity = Entity(document["kind"].lower(), namespace.lower(), name.strip(), document, origin,
                        _lines(node, shown))
        self.entities.append(entity)
        if entity.kind == "location":
            self._follow(path, entity)

    def _follow(self, path: Path, location: Entity) -> None:
        spec = location.spec
        targets = [spec.get("target")] if spec.get("target") else []
        targets += spec.get("targets") or [] if isinstance(spec.get("targets"), list) else []
        kind = spec.get("type", "url") if isinstance(spec.get("type"), str) else "url"
        for target in targets:
            if not isinstance(target, str):
                continue
            where = location.at("spec.targets")
            if re.match(r"^[a-z][a-z0-9+.-]*://", target, re.I) and kind != "file":
                self.report.left_out(where, f"Location target {printable(target)!r} is remote; not followed")
                continue
            file = Path(os.path.normpath(path.parent / target.removeprefix("file:")))
            if not self.inside(file):
                self.report.left_out(where, f"Location target {printable(target)!r} is outside the directories "
                                            "given; not followed")
            elif not file.exists():
                self.report.left_out(where, f"Location target {printable(target)!r} does not exist; not followed")
            else:
                self.walk(file)


def _lines(node, shown: str) -> dict:
    """`metadata.name`, `spec.owner` … -> file:line of their values (two levels are enough)."""
    lines = {}
    for key, value in getattr(node, "value", []) if node.id == "mapping" else []:
        if getattr(value, "id", "") != "mapping":
            continue
        for inner_key, inner_value in value.value:
            lines[f"{key.value}.{inner_key.value}"] = f"{shown}:{inner_value.start_mark.line + 1}"
    return lines


# ---------------------------------------------------------------- mapping


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _common(entity: Entity, values: dict) -> dict:
    description = _text(entity.metadata.get("description"))
    if description:
        values["description"] = description
    tags = [t for t in entity.metadata.get("tags") or [] if isinstance(t, str)] \
        if isinstance(entity.metadata.get("tags"), list) else []
    if tags:
        values["tags"] = tags
    values["external"] = {"backstage": entity.ref}
    return values


def _display_name(entity: Entity) -> str:
    profile = entity.spec.get("profile") if isinstance(entity.spec.get("profile"), dict) else {}
    return _text(profile.get("displayName")) or _text(entity.metadata.get("title")) or entity.name


class _Mapper:
    def __init__(self, entities: list[Entity], report: Report):
        self.report = report
        self.entities = entities
        self.by_ref = {e.ref: e for e in entities}
        self.ids: dict[str, str] = {}  # entity ref -> element id
        self.taken: dict[str, set[str]] = defaultdict(set)
        self.drafts: dict[str, list[Draft]] = defaultdict(list)
        self.made_institutions: dict[str, Draft] = {}

    def element_id(self, entity: Entity, kind: str) -> str:
        base = entity.name if _ID.match(entity.name) else re.sub(r"[^A-Za-z0-9._-]+", "-", entity.name).strip("-")
        candidate = base if base not in self.taken[kind] else f"{base}-{entity.kind}"
        number = 1
        while candidate in self.taken[kind]:
            number += 1
            candidate = f"{base}-{entity.kind}-{number}"
        self.taken[kind].add(candidate)
        self.ids[entity.ref] = candidate
        return candidate

    def run(self) -> dict[str, list[Draft]]:
        order = ("group", "domain", "api", "system", "component")
        for kind in order:
            for entity in self.entities:
                if entity.kind == kind:
                    self.element_id(entity, MAPPED[kind])
        counts: dict[str, int] = defaultdict(int)
        for entity in self.entities:
            counts[entity.kind] += 1
        for kind in order:
            for entity in (e for e in self.entities if e.kind == kind):
                getattr(self, f"_{kind}")(entity)
        for kind, number in counts.items():
            label = next((e.document["kind"] for e in self.entities if e.kind == kind), kind)
            mapped = MAPPED.get(kind)
            self.report.count(label, mapped, number, number if mapped else 0)
            if not mapped:
                reason = ("followed (its targets are read)" if kind == "location" else
                          "people are not modelled; their groups are" if kind == "user" else
                          f"no egov-align kind for a {label}")
                self.report.left_out(f"{label} ({number})", f"not imported: {reason}")
        self._integrations()
        self.report.mapped += ["Group -> institution", "Component, System -> system (owner: the owning group)",
                               "API -> data entity (standard: the API type)",
                               "providesApis / consumesApis -> integration from provider to consumer",
                               "Domain -> capability (provided by the Systems in it)"]
        return dict(self.drafts)

    def owner(self, entity: Entity) -> Ref:
        """The owning group's institution; a group the catalog lacks is made, a user's group used."""
        text = entity.spec.get("owner")
        parsed = parse_ref(text, "group", entity.namespace)
        where = entity.at("spec.owner")
        if parsed is None:
            return self._made("unassigned", "Unassigned", where, f"{entity.document['kind']} {entity.name} has no "
                              "spec.owner")
        kind, space, name = parsed
        ref = f"{kind}:{space}/{name}"
        if kind == "user":
            user = self.by_ref.get(ref)
            groups = user.spec.get("memberOf") if user else None
            if isinstance(groups, list) and groups:
                group = parse_ref(groups[0], "group", space)
                if group and f"group:{group[1]}/{group[2]}" in self.ids:
                    return Ref("institutions", self.ids[f"group:{group[1]}/{group[2]}"], where)
            return self._made("unassigned", "Unassigned", where, f"owned by the user {name}, whose group the "
                              "catalog does not give")
        if ref in self.ids:
            return Ref("institutions", self.ids[ref], where)
        return self._made(name, name, where, f"owner group {name!r} is not in the catalog")

    def _made(self, element_id: str, name: str, where: str, why: str) -> Ref:
        if element_id not in self.made_institutions:
            draft = Draft("institutions", where, {"id": element_id, "name": name})
            self.made_institutions[element_id] = draft
            self.drafts["institutions"].append(draft)
            self.taken["institutions"].add(element_id)
            self.report.notes.append(f"institution {element_id} made: {why} ({where})")
        return Ref("institutions", element_id, where)

    def _group(self, entity: Entity) -> None:
        values = {"id": self.ids[entity.ref], "name": _display_name(entity)}
        parent = parse_ref(entity.spec.get("parent"), "group", entity.namespace)
        if parent is not None:
            parent_ref = f"{parent[0]}:{parent[1]}/{parent[2]}"
            if parent_ref in self.ids:
                values["parent"] = Ref("institutions", self.ids[parent_ref], entity.at("spec.parent"))
            else:
                self.report.left_out(entity.at("spec.parent"), f"parent group {parent[2]!r} of {entity.name} is not "
                                                               "in the catalog; no parent set")
        self.drafts["institutions"].append(Draft("institutions", entity.origin, _common(entity, values)))

    def _domain(self, entity: Entity) -> None:
        values = {"id": self.ids[entity.ref], "name": _display_name(entity)}
        self.drafts["capabilities"].append(Draft("capabilities", entity.origin, _common(entity, values)))

    def _api(self, entity: Entity) -> None:
        values = {"id": self.ids[entity.ref], "name": _display_name(entity)}
        kind = _text(entity.spec.get("type"))
        if kind:
            values["standard"] = API_STANDARDS.get(kind.lower(), kind)
        self.drafts["data_entities"].append(Draft("data_entities", entity.origin, _common(entity, values)))

    def _system(self, entity: Entity) -> None:
        values = {"id": self.ids[entity.ref], "name": _display_name(entity), "owner": self.owner(entity)}
        domain = parse_ref(entity.spec.get("domain"), "domain", entity.namespace)
        if domain is not None:
            domain_ref = f"{domain[0]}:{domain[1]}/{domain[2]}"
            if domain_ref in self.ids:
                values["capabilities"] = [Ref("capabilities", self.ids[domain_ref], entity.at("spec.domain"))]
            else:
                self.report.left_out(entity.at("spec.domain"), f"domain {domain[2]!r} is not in the catalog; "
                                                               "no capability set")
        self.drafts["systems"].append(Draft("systems", entity.origin, _common(entity, values)))

    def _component(self, entity: Entity) -> None:
        values = {"id": self.ids[entity.ref], "name": _display_name(entity), "owner": self.owner(entity)}
        lifecycle = _text(entity.spec.get("lifecycle"))
        if lifecycle and lifecycle.lower() in LIFECYCLE:
            values["status"] = LIFECYCLE[lifecycle.lower()]
        elif lifecycle:
            self.report.left_out(entity.at("spec.lifecycle"), f"lifecycle {lifecycle!r} has no egov-align status "
                                                              "(production, experimental, deprecated); left unset")
        _common(entity, values)
        system = parse_ref(entity.spec.get("system"), "system", entity.namespace)
        kind = _text(entity.spec.get("type"))
        tags = values.pop("tags", []) + ([f"system:{system[2]}"] if system else []) + ([kind] if kind else [])
        if tags:
            values = {**{k: v for k, v in values.items() if k != "external"}, "tags": tags,
                      "external": values["external"]}
        self.drafts["systems"].append(Draft("systems", entity.origin, values))

    def _integrations(self) -> None:
        providers, consumers = defaultdict(list), defaultdict(list)
        for entity in self.entities:
            if entity.kind not in ("component", "system"):
                continue
            for field_name, table in (("providesApis", providers), ("consumesApis", consumers)):
                listed = entity.spec.get(field_name)
                for text in listed if isinstance(listed, list) else []:
                    parsed = parse_ref(text, "api", entity.namespace)
                    if parsed is None:
                        continue
                    api = f"{parsed[0]}:{parsed[1]}/{parsed[2]}"
                    if api not in self.ids:
                        self.report.left_out(entity.at(f"spec.{field_name}"), f"API {parsed[2]!r} is not in the "
                                                                               "catalog; no integration for it")
                        continue
                    table[api].append(entity)
        pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
        for api, consuming in consumers.items():
            if not providers.get(api):
                self.report.left_out(consuming[0].at("spec.consumesApis"),
                                     f"API {self.ids[api]} is consumed but nothing in the catalog provides it; "
                                     "no integration")
            for provider in providers.get(api, []):
                for consumer in consuming:
                    if provider.ref != consumer.ref:
                        pairs[(provider.ref, consumer.ref)].append(api)
        self.report.count("providesApis/consumesApis", "integrations", sum(map(len, pairs.values())), len(pairs))
        for (provider, consumer), apis in pairs.items():
            where = self.by_ref[consumer].at("spec.consumesApis")
            values = {"from": Ref("systems", self.ids[provider], where), "to": Ref("systems", self.ids[consumer], where),
                      "data": [Ref("data_entities", self.ids[a], where) for a in apis], "mechanism": "api"}
            standards = {API_STANDARDS.get(str(self.by_ref[a].spec.get("type", "")).lower()) for a in apis}
            if len(standards) == 1 and None not in standards:
                values["standard"] = standards.pop()
            self.drafts["integrations"].append(Draft("integrations", where, values))


def read_drafts(paths: list[Path], report: Report) -> tuple[dict[str, list[Draft]], None]:
    reader = _Reader(paths, report)
    for path in paths:
        reader.walk(path)
    if report.problems:
        return {}, None
    if not reader.entities:
        report.problem(", ".join(map(str, paths)), "no Backstage catalog entities found (apiVersion, kind, metadata)")
        return {}, None
    drafts = _Mapper(reader.entities, report).run()
    return drafts, None
