"""The columns of an inventory sheet, shared by `import sheet` and `export sheet` (DESIGN 8, 12).

One table says, per kind, which field each column holds, how its cells are read and what
planners' own headers mean (`Owner institution`, `Annual cost (TZS)`, `System name`).
docs/import-export.md lists the same table; a test keeps the two together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import get_args

from egov_align import schema


@dataclass(frozen=True)
class Column:
    field: str  # the model field; `security.assessed` for the nested date
    type: str  # text, id, enum, enums, bool, count, amount, date, ref, refs, holdings, texts, steps
    refers: str | None = None  # the kind a ref/refs/holdings column names
    values: tuple[str, ...] = ()  # an enum's values
    required: bool = False
    synonyms: tuple[str, ...] = ()


def _enum(field: str, literal, **more) -> Column:
    return Column(field, "enum", values=get_args(literal), **more)


_COMMON = (
    Column("description", "text", synonyms=("notes", "remarks", "comments")),
    Column("tags", "texts", synonyms=("labels", "keywords")),
    Column("ignore", "texts", synonyms=("ignored rules",)),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "model": (
        Column("name", "text", synonyms=("model", "model name")),
        Column("currency", "text", synonyms=("currency code",)),
        Column("as_of", "date", synonyms=("as at", "date")),
        Column("description", "text"),
    ),
    "institutions": (
        Column("id", "id", synonyms=("code",)),
        Column("name", "text", required=True, synonyms=("institution",)),
        _enum("type", schema.InstitutionType, synonyms=("institution type",)),
        Column("parent", "ref", "institutions", synonyms=("parent institution", "reports to", "parent ministry")),
        *_COMMON,
    ),
    "capabilities": (
        Column("id", "id", synonyms=("code",)),
        Column("name", "text", required=True, synonyms=("capability",)),
        Column("category", "text", synonyms=("group", "area")),
        Column("shared", "bool", synonyms=("shared service",)),
        Column("generic", "bool", synonyms=("cross cutting",)),
        *_COMMON,
    ),
    "data_entities": (
        Column("id", "id", synonyms=("code",)),
        Column("name", "text", required=True, synonyms=("data entity", "entity")),
        _enum("sensitivity", schema.Sensitivity, synonyms=("classification", "data classification")),
        Column("standard", "text", synonyms=("data standard",)),
        *_COMMON,
    ),
    "systems": (
        Column("id", "id", synonyms=("code", "system code")),
        Column("name", "text", required=True, synonyms=("system",)),
        Column("owner", "ref", "institutions", required=True,
               synonyms=("owner institution", "owning institution", "institution", "ministry", "agency")),
        _enum("status", schema.SystemStatus, synonyms=("lifecycle", "state")),
        Column("capabilities", "refs", "capabilities", synonyms=("capability", "functions")),
        Column("data", "holdings", "data_entities", synonyms=("data entities", "data held")),
        Column("vendor", "text", synonyms=("supplier", "developer")),
        _enum("support", schema.Support, synonyms=("support model", "supported by")),
        Column("hosting", "text", synonyms=("hosted at", "hosting location", "data centre", "data center")),
        Column("annual_cost", "amount", synonyms=("cost", "annual cost", "yearly cost", "recurrent cost")),
        Column("users", "count", synonyms=("number of users", "user count")),
        Column("security.assessed", "date",
               synonyms=("security assessed", "security assessment", "last security assessment")),
        *_COMMON,
    ),
    "integrations": (
        Column("id", "id", synonyms=("code",)),
        Column("from", "ref", "systems", required=True, synonyms=("source", "source system", "from system")),
        Column("to", "ref", "systems", required=True,
               synonyms=("target", "destination", "target system", "to system")),
        Column("data", "refs", "data_entities", required=True, synonyms=("data entities", "data exchanged")),
        _enum("mechanism", schema.Mechanism, synonyms=("method", "integration type")),
        Column("via", "ref", "systems", synonyms=("via system", "bus", "through")),
        Column("bidirectional", "bool", synonyms=("two way",)),
        _enum("status", schema.IntegrationStatus),
        Column("encrypted", "bool"),
        Column("standard", "text", synonyms=("integration standard", "interface standard")),
        *_COMMON,
    ),
    "services": (
        Column("id", "id", synonyms=("code",)),
        Column("name", "text", required=True, synonyms=("service",)),
        Column("provider", "ref", "institutions", required=True,
               synonyms=("provider institution", "institution", "provided by")),
        _enum("audience", schema.Audience, synonyms=("target audience", "customers")),
        Column("channels", "enums", values=get_args(schema.Channel), synonyms=("channel", "delivery channels")),
        Column("annual_volume", "count", synonyms=("volume", "annual transactions", "transactions per year")),
        *_COMMON,
    ),
    "processes": (
        Column("id", "id", synonyms=("code",)),
        Column("name", "text", required=True, synonyms=("process",)),
        Column("owner", "ref", "institutions", required=True, synonyms=("owner institution", "institution")),
        Column("service", "ref", "services", synonyms=("delivers service", "service delivered")),
        *_COMMON,
    ),
    "steps": (
        Column("process", "ref", "processes", required=True, synonyms=("process id", "process name")),
        Column("id", "id", synonyms=("code",)),
        Column("name", "text", required=True, synonyms=("step", "activity")),
        Column("performer", "ref", "institutions", synonyms=("performed by", "actor", "performer institution")),
        Column("needs", "refs", "capabilities", synonyms=("capabilities", "capabilities needed")),
        Column("reads", "refs", "data_entities", synonyms=("data read", "inputs")),
        Column("writes", "refs", "data_entities", synonyms=("data written", "outputs")),
        Column("systems", "refs", "systems", synonyms=("systems used", "supported by", "system")),
        Column("next", "steps", synonyms=("next step", "next steps", "then")),
        *_COMMON,
    ),
}

SHEET_KINDS = tuple(COLUMNS)  # model, the seven kinds, steps
SINGULAR = {"institutions": "institution", "capabilities": "capability", "data_entities": "data_entity",
            "systems": "system", "integrations": "integration", "services": "service", "processes": "process",
            "steps": "step", "model": "model"}
OUTPUT_SHEETS = ("findings", "metrics")  # what `export sheet` adds; `import sheet` passes over them


def normal(text: object) -> str:
    """A header or sheet name compared the lenient way: any case, spaces/`-`/`_`/`.` alike, `(unit)` dropped."""
    words = re.sub(r"\s*\([^)]*\)\s*$", "", str(text)).strip().lower()
    return re.sub(r"[\s_.\-]+", "_", words).strip("_")


def sheet_kind(name: str) -> str | None:
    """The kind a sheet holds, by its name: `Systems`, `data entities`, `System`."""
    wanted = normal(name)
    for kind, singular in SINGULAR.items():
        if wanted in (kind, singular) or (kind == "data_entities" and wanted in ("data", "entities")):
            return kind
    return None


def _lookup(kind: str) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for word in (column.field, *column.synonyms):
            table.setdefault(normal(word), column)
    return table


_LOOKUPS = {kind: _lookup(kind) for kind in COLUMNS}


def match_header(kind: str, header: object) -> Column | str | None:
    """The column a header names; `external NAME` gives the text `external.NAME`; None: not a field."""
    if header is None or str(header).strip() == "":
        return None
    raw = str(header).strip()
    key = normal(raw)
    if key.startswith("external_") and len(key) > len("external_"):
        return "external." + re.sub(r"^external[\s_.\-]+", "", raw, flags=re.IGNORECASE).strip()
    lookup = _LOOKUPS[kind]
    if key in lookup:
        return lookup[key]
    prefix = normal(SINGULAR[kind]) + "_"
    if key.startswith(prefix) and key[len(prefix):] in lookup:
        return lookup[key[len(prefix):]]
    return None


def names_a_key(kind: str, header: object) -> bool:
    """Whether a header names `id` or `name`: the first such row is the header row (DESIGN 8)."""
    column = match_header(kind, header)
    return isinstance(column, Column) and column.field in ("id", "name")
