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


def json_schema() -> dict:
    """JSON Schema (Draft 2020-12) of one model file, for editors and other tools.

    It says what the loader accepts, where pydantic's export alone would not: an integration's
    `id` is optional (it defaults to `FROM->TO` before validation), and a kind's key may be
    left empty (`systems:` with nothing under it).
    """
    schema = ModelFile.model_json_schema(by_alias=True)
    integration = schema["$defs"]["Integration"]
    integration["required"] = [name for name in integration["required"] if name != "id"]
    integration["properties"]["id"]["description"] = "default: FROM->TO"
    for key in KINDS:
        listed = schema["properties"][key]
        listed.pop("default", None)
        schema["properties"][key] = {"anyOf": [{k: v for k, v in listed.items() if k != "title"}, {"type": "null"}],
                                     "title": listed.get("title", key)}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
