"""The model format of DESIGN.md section 2 as pydantic models: one frozen class per kind.

Strict everywhere: YAML 1.1 turns `no` into False, `007` into 7 and `2024-01-01` into a
date, and a planner who wrote them as ids or names must hear about it, not find them
silently coerced. Dates also accept an ISO string, since quoting a date is harmless.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from egov_align.names import RULE_NAMES

ID_PATTERN = r"^[A-Za-z0-9._-]+$"

INTEGRATION_ID_PATTERN = r"^[A-Za-z0-9._-]+(->[A-Za-z0-9._-]+)?$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, min_length=1)]
MAX_AMOUNT = 1e15  # a thousand trillion: more than any budget, and sums of thousands stay exact and finite
MAX_COUNT = 10**12
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Text = Annotated[str, StringConstraints(min_length=1)]


def _iso_date(value: object) -> object:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.date()
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]


def _known_rule(name: str, info: ValidationInfo) -> str:
    """A built-in rule, or a policy of the configuration in force (passed as validation context)."""
    policies = (info.context or {}).get("policies", ()) if info is not None else ()
    if name not in RULE_NAMES and name not in policies:
        raise ValueError(f"unknown rule {name!r}")
    return name


RuleName = Annotated[str, AfterValidator(_known_rule)]

InstitutionType = Literal["ministry", "department", "agency", "regional", "local-government", "other"]
Sensitivity = Literal["public", "internal", "confidential", "personal"]
SystemStatus = Literal["planned", "active", "legacy", "retiring", "retired"]
HoldingRole = Literal["master", "replica", "reader"]
Support = Literal["in-house", "vendor", "mixed"]
Mechanism = Literal["api", "esb", "file", "database", "email", "manual"]
IntegrationStatus = Literal["planned", "active", "retired"]
Audience = Literal["citizen", "business", "government"]
Channel = Literal["web", "mobile", "ussd", "sms", "kiosk", "email", "call-centre", "counter", "post"]

IN_SERVICE = frozenset({"active", "legacy"})
DIGITAL_CHANNELS = frozenset({"web", "mobile", "ussd", "sms", "kiosk"})
SENSITIVE = frozenset({"personal", "confidential"})


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=False)


class _Element(_Strict):
    id: Id
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    ignore: list[RuleName] = Field(default_factory=list)
    # where the element came from (source name -> its identifier there): importers fill it,
    # exporters write it back, so a round trip keeps the foreign identifiers (DESIGN 2)
    external: dict[str, Text] = Field(default_factory=dict)


class ModelInfo(_Strict):
    name: Text | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    as_of: Date | None = None
    description: str | None = None


class Institution(_Element):
    name: Text
    type: InstitutionType = "other"
    parent: Id | None = None


class Capability(_Element):
    name: Text
    category: str | None = None
    shared: bool = False
    generic: bool = False  # many unrelated systems have it: never a reason to overlap, retire or take over


class DataEntity(_Element):
    name: Text
    sensitivity: Sensitivity = "internal"
    standard: Text | None = None  # the data standard, e.g. HL7 FHIR R4, ISO 20022


class Holding(_Strict):
    entity: Id
    role: HoldingRole = "reader"


class Security(_Strict):
    assessed: Date | None = None


class System(_Element):
    name: Text
    owner: Id
    status: SystemStatus = "active"
    capabilities: list[Id] = Field(default_factory=list)
    data: list[Holding] = Field(default_factory=list)
    vendor: Text | None = None
    support: Support = "in-house"
    hosting: str | None = None
    annual_cost: Amount | None = None
    users: Count | None = None
    security: Security | None = None

    @property
    def in_service(self) -> bool:
        return self.status in IN_SERVICE

    def entities(self, role: str | None = None) -> list[str]:
        return [h.entity for h in self.data if role is None or h.role == role]


class Integration(_Element):
    id: Annotated[str, StringConstraints(pattern=INTEGRATION_ID_PATTERN)]
    from_: Id = Field(alias="from")
    to: Id
    data: Annotated[list[Id], Field(min_length=1)]
    mechanism: Mechanism = "api"
    via: Id | None = None
    bidirectional: bool = False
    status: IntegrationStatus = "active"
    encrypted: bool = False
    standard: Text | None = None  # e.g. REST/OpenAPI, SOAP, X-Road, HL7 FHIR R4, ISO 20022

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, raw: object) -> object:
        """DESIGN.md: an integration's id defaults to `FROM->TO`."""
        if isinstance(raw, dict) and "id" not in raw and default_integration_id(raw) is not None:
            return {"id": default_integration_id(raw), **raw}
        return raw


def default_integration_id(raw: dict) -> str | None:
    """`FROM->TO` of an integration as written, when both ends are text."""
    source, target = raw.get("from"), raw.get("to")
    return f"{source}->{target}" if isinstance(source, str) and isinstance(target, str) else None


class Service(_Element):
    name: Text
    provider: Id
    audience: Audience = "citizen"
    channels: list[Channel] = Field(default_factory=list)
    annual_volume: Count | None = None


class Step(_Element):
    name: Text
    performer: Id | None = None
    needs: list[Id] = Field(default_factory=list)
    reads: list[Id] = Field(default_factory=list)
    writes: list[Id] = Field(default_factory=list)
    systems: list[Id] = Field(default_factory=list)
    next: list[Id] | None = None


class Process(_Element):
    name: Text
    owner: Id
    service: Id | None = None
    steps: Annotated[list[Step], Field(min_length=1)]


class ModelFile(_Strict):
    """One YAML file: every top-level key is optional, and an empty file is a valid model file."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True,
                              title="egov-align model file")

    model: ModelInfo | None = None
    institutions: list[Institution] = Field(default_factory=list)
    capabilities: list[Capability] = Field(default_factory=list)
    data_entities: list[DataEntity] = Field(default_factory=list)
    systems: list[System] = Field(default_factory=list)
    integrations: list[Integration] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    processes: list[Process] = Field(default_factory=list)


# kind key in a file -> (subject prefix, class)
KINDS: dict[str, tuple[str, type[_Element]]] = {
    "institutions": ("institution", Institution),
    "capabilities": ("capability", Capability),
    "data_entities": ("data", DataEntity),
    "systems": ("system", System),
    "integrations": ("integration", Integration),
    "services": ("service", Service),
    "processes": ("process", Process),
}
TOP_LEVEL_KEYS = ("model", *KINDS)


# What an editor shows on hover and completion (DESIGN 2), added to the JSON Schema only: the
# pydantic classes stay as light to build and check as they are.
_EVERY_ELEMENT = {
    "id": "Letters, digits, '-', '_' and '.'; unique within its kind across all files. Other elements refer "
          "to this element by it.",
    "description": "Free text about the element.",
    "tags": "Free labels, for filters and exports.",
    "ignore": "Rules whose findings about this element are switched off (e.g. [orphan-system]).",
    "external": "Where the element came from: source name -> its identifier there (importers fill it).",
}
FIELD_HELP: dict[str, dict[str, str]] = {
    "ModelInfo": {"name": "The model's title, shown in the dashboard and reports.",
                  "currency": "ISO 4217 code of every annual_cost, e.g. TZS.",
                  "as_of": "The date the model describes (YYYY-MM-DD): security assessments are dated against it.",
                  "description": "Free text about the model."},
    "Institution": {"name": "The institution's name, as people know it.",
                    "type": "ministry, department, agency, regional, local-government or other (default).",
                    "parent": "The id of the institution above it (a ministry for its agency)."},
    "Capability": {"name": "What the capability does, e.g. Payments and revenue collection.",
                   "category": "Free text, e.g. a GovStack building block.",
                   "shared": "true: government means to run it once, as a shared service; more than one "
                             "system in service providing it is then an error.",
                   "generic": "true: a function many unrelated systems have (registration, case management): "
                              "never counted as duplication or overlap."},
    "DataEntity": {"name": "What the data is, e.g. Person (core identity attributes).",
                   "sensitivity": "public, internal (default), confidential or personal.",
                   "standard": "The data standard it follows, e.g. HL7 FHIR R4 or ISO 20022."},
    "Holding": {"entity": "The id of a data entity the system keeps.",
                "role": "master (the authoritative source), replica (a copy fed from it) or reader (default)."},
    "Security": {"assessed": "The date of the last security assessment (YYYY-MM-DD)."},
    "System": {"name": "The system's name, as its users know it.",
               "owner": "The id of the institution that owns the system.",
               "status": "planned, active (default), legacy, retiring or retired; active and legacy are in service.",
               "capabilities": "Ids of the capabilities the system provides.",
               "data": "The data entities it keeps, each {entity, role}.",
               "vendor": "The company that builds or supports it.",
               "support": "in-house (default), vendor or mixed.",
               "hosting": "Where it runs, e.g. government data centre.",
               "annual_cost": "What it costs a year, in the model's currency.",
               "users": "How many people use it.",
               "security": "{assessed: DATE} of its last security assessment."},
    "Integration": {"from": "The id of the system the data comes from.",
                    "to": "The id of the system the data goes to.",
                    "data": "Ids of the data entities it carries (at least one).",
                    "mechanism": "api (default), esb, file, database, email or manual.",
                    "via": "The id of the system it passes through, e.g. the government service bus.",
                    "bidirectional": "true: the data flows both ways.",
                    "status": "planned, active (default) or retired.",
                    "encrypted": "true: encrypted in transit (TLS or the service bus).",
                    "standard": "The standard it follows, e.g. REST/OpenAPI, X-Road, HL7 FHIR R4."},
    "Service": {"name": "The service as citizens or businesses know it.",
                "provider": "The id of the institution that provides it.",
                "audience": "citizen (default), business or government.",
                "channels": "How it is delivered: web, mobile, ussd, sms, kiosk (digital), email, call-centre, "
                            "counter, post.",
                "annual_volume": "Requests or transactions a year."},
    "Process": {"name": "The process's name.",
                "owner": "The id of the institution that owns the process.",
                "service": "The id of the service this process delivers.",
                "steps": "The steps, in order (at least one)."},
    "Step": {"id": "Unique within its process; `next` refers to steps by it.",
             "name": "What is done in the step.",
             "performer": "The id of the institution doing the step (default: the process owner).",
             "needs": "Ids of the capabilities the step needs.",
             "reads": "Ids of the data entities the step reads.",
             "writes": "Ids of the data entities the step writes.",
             "systems": "Ids of the systems supporting the step; none means it is done by hand.",
             "next": "Ids of the steps that follow; without it the step listed after follows, [] ends the process."},
}

KIND_HELP = {
    "model": "The model's name, currency and date: in one file only.",
    "institutions": "Ministries, departments, agencies, regions and local governments.",
    "capabilities": "What systems can do and steps need, e.g. identity, payments, e-signature.",
    "data_entities": "The data that systems keep and steps read or write.",
    "systems": "The ICT systems, with their owner, status, capabilities and data.",
    "integrations": "Which system sends which data to which, and how.",
    "services": "What government offers citizens and businesses, and through which channels.",
    "processes": "Business processes, each a list of steps.",
}


def json_schema() -> dict:
    """JSON Schema (Draft 2020-12) of one model file, for editors and other tools.

    It says what the loader accepts, where pydantic's export alone would not: an integration's
    `id` is optional (it defaults to `FROM->TO` before validation), and a kind's key may be
    left empty (`systems:` with nothing under it).
    """
    schema = ModelFile.model_json_schema(by_alias=True)
    for name, definition in schema["$defs"].items():
        for field_name, described in definition["properties"].items():
            described["description"] = FIELD_HELP[name].get(field_name) or _EVERY_ELEMENT[field_name]
    integration = schema["$defs"]["Integration"]
    integration["required"] = [name for name in integration["required"] if name != "id"]
    integration["properties"]["id"]["description"] = ("Default: FROM->TO. " + _EVERY_ELEMENT["id"])
    for key in KINDS:
        listed = schema["properties"][key]
        listed.pop("default", None)
        schema["properties"][key] = {"anyOf": [{k: v for k, v in listed.items() if k != "title"}, {"type": "null"}],
                                     "title": listed.get("title", key), "description": KIND_HELP[key]}
    schema["properties"]["model"]["description"] = KIND_HELP["model"]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
