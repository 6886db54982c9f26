"""A government's own rules, declared in egov-align.toml (`[[policies]]`, DESIGN 9): no Python needed.

```toml
[[policies]]
name = "gov-hosting"
kind = "systems"
where = { status = ["active", "legacy"] }
require = { hosting = ["gov-dc", "gov-cloud"] }
severity = "warning"
message = "systems in service must run in the government data centre or cloud"
# or in each language: message = { en = "...", sw = "..." }
```

A policy is checked like a built-in rule: one finding per element that matches every `where`
condition and fails a `require` one. Values compare case-insensitively; a field's effective
value counts (defaults included); for a list-valued field a condition holds when the list
holds one of the values; `"*"` means set and non-empty. `data.sensitivity` is derived: the
sensitivities of the entities a system holds or an integration carries.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass

from egov_align.i18n import LANGUAGES, N_, LanguageError, Parts, Text, Written, _, checked, language, shown
from egov_align.names import RULE_NAMES, VALIDATION_RULES, did_you_mean

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
POLICY_KINDS = ("institutions", "capabilities", "data_entities", "systems", "integrations", "services", "processes",
                "steps")
SEVERITIES = ("info", "warning", "error")
_KEYS = ("name", "kind", "where", "require", "severity", "message", "description")
DERIVED = {("systems", "data.sensitivity"), ("integrations", "data.sensitivity")}
_Scalar = (str, int, float, bool)


class PolicyError(ValueError):
    """A malformed policy: the configuration error names the key."""


@dataclass(frozen=True)
class Policy:
    name: str
    kind: str
    where: tuple[tuple[str, object], ...]  # (field path, "*" or a tuple of lower-case values)
    require: tuple[tuple[str, object], ...]
    severity: str = "warning"
    message: str | Written = ""
    description: str | Written = ""  # why the government has the policy: what a built-in rule's "Why it matters" says

    @property
    def summary(self) -> str:
        """The policy's own message (as written, in the language in force when written in several),
        else one in the language in force."""
        return shown(self.message, language()) or _("{kind} must meet the policy {name}", kind=self.kind,
                                                       name=self.name)

    @property
    def why(self) -> str:
        """The policy's description in the language in force; "" when it has none."""
        return shown(self.description, language())


# Every dotted path a condition may name, per kind: written out, so that reading a configuration
# with policies does not import pydantic (start-up of a warm `validate`). tests/test_policies.py
# derives the same table from the schema, so the two cannot drift apart.
FIELD_PATHS = {
    "institutions": ("description", "external", "id", "ignore", "name", "parent", "tags", "type"),
    "capabilities": ("category", "description", "external", "generic", "id", "ignore", "name", "shared", "tags"),
    "data_entities": ("description", "external", "id", "ignore", "name", "sensitivity", "standard", "tags"),
    "systems": ("annual_cost", "capabilities", "data", "data.entity", "data.role", "data.sensitivity", "description",
                "external", "hosting", "id", "ignore", "name", "owner", "security", "security.assessed", "status",
                "support", "tags", "users", "vendor"),
    "integrations": ("bidirectional", "data", "data.sensitivity", "description", "encrypted", "external", "from", "id",
                     "ignore", "mechanism", "standard", "status", "tags", "to", "via"),
    "services": ("annual_volume", "audience", "channels", "description", "external", "id", "ignore", "name",
                 "provider", "tags"),
    "processes": ("description", "external", "id", "ignore", "name", "owner", "service", "tags"),
    "steps": ("description", "external", "id", "ignore", "name", "needs", "next", "performer", "reads", "systems",
              "tags", "writes"),
}


def field_paths(kind: str) -> list[str]:
    return list(FIELD_PATHS[kind])


def derived_field_paths(kind: str) -> list[str]:
    """The same paths, derived from the schema's classes (what FIELD_PATHS must equal)."""
    from pydantic import BaseModel

    from egov_align.schema import KINDS, Step

    found: list[str] = []
    pending = [("", Step if kind == "steps" else KINDS[kind][1])]
    while pending:
        prefix, model = pending.pop()
        for name, info in model.model_fields.items():
            key = prefix + (info.alias or name)
            if key in ("steps",):
                continue
            found.append(key)
            nested = [a for a in _args(info.annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
            if nested:
                pending.append((key + ".", nested[0]))
    found += [path for k, path in DERIVED if k == kind]
    return sorted(set(found))


def _args(annotation) -> list:
    seen, found = [annotation], []
    while seen:
        current = seen.pop()
        found.append(current)
        seen.extend(typing.get_args(current))
    return found


def parse_policies(value: object, where: str) -> tuple[Policy, ...]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise PolicyError(f"{where}: `policies` must be [[policies]] tables")
    policies, names = [], set()
    for number, table in enumerate(value, 1):
        policies.append(_parse_one(table, f"{where}: [[policies]] #{number}"))
        if policies[-1].name in names:
            raise PolicyError(f"{where}: policy name {policies[-1].name!r} is used twice")
        names.add(policies[-1].name)
    return tuple(policies)


def _parse_one(table: dict, where: str) -> Policy:
    for key in table:
        if key not in _KEYS:
            raise PolicyError(f"{where}: unknown key {key!r}{did_you_mean(key, _KEYS)}; a policy has "
                              f"{', '.join(_KEYS)}")
    name = table.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise PolicyError(f"{where}: `name` must be a kebab-case rule name such as \"gov-hosting\", not {name!r}")
    where = f"{where.rsplit(':', 1)[0]}: policy {name!r}"
    if name in RULE_NAMES or name in VALIDATION_RULES:
        raise PolicyError(f"{where}: the name clashes with the built-in rule {name!r}; choose another")
    kind = table.get("kind")
    if kind not in POLICY_KINDS:
        raise PolicyError(f"{where}: `kind` must be one of {', '.join(POLICY_KINDS)}, not {kind!r}"
                          f"{did_you_mean(str(kind), POLICY_KINDS)}")
    severity = table.get("severity", "warning")
    if severity not in SEVERITIES:
        raise PolicyError(f"{where}: `severity` must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    message = _written(table.get("message", ""), where, "message")
    description = _written(table.get("description", ""), where, "description")
    if "require" not in table:
        raise PolicyError(f"{where}: `require` is missing: say what the elements must have")
    return Policy(name, kind, _conditions(table.get("where", {}), kind, f"{where}: `where`"),
                  _conditions(table["require"], kind, f"{where}: `require`"), severity, message, description)


def _written(value: object, where: str, key: str) -> str | Written:
    """Text, or a table of language -> text with English (machine output is English) and the
    languages egov-align speaks: `{ en = "...", sw = "..." }`."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: `{key}` must be text, or a table such as {{ en = \"...\", sw = \"...\" }}")
    if "en" not in value:
        raise PolicyError(f"{where}: `{key}` as a table needs `en` (machine output is in English), "
                          f"then any of {', '.join(code for code in LANGUAGES if code != 'en')}")
    for code, text in value.items():
        try:
            known = checked(code, f"{where}: `{key}`")
        except LanguageError as error:
            raise PolicyError(str(error)) from None
        if known != code:
            raise PolicyError(f"{where}: `{key}`: write the language as {known!r}, not {code!r}")
        if not isinstance(text, str) or not text.strip():
            raise PolicyError(f"{where}: `{key}.{code}` must be text, and not empty")
    return Written((("en", value["en"]), *((code, text) for code, text in value.items() if code != "en")))


def _conditions(value: object, kind: str, where: str) -> tuple[tuple[str, object], ...]:
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must be a table such as {{ status = [\"active\"] }}")
    known = field_paths(kind)
    conditions = []
    for path, wanted in value.items():
        if path not in known:
            raise PolicyError(f"{where}: {kind} have no field {path!r}{did_you_mean(path, known)}")
        if wanted == "*":
            conditions.append((path, "*"))
            continue
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or not all(isinstance(v, _Scalar) for v in values):
            raise PolicyError(f"{where}: {path!r} must be a value, a list of values, or \"*\"")
        conditions.append((path, tuple(_text(v) for v in values)))
    return tuple(conditions)


def _text(value: object) -> str:
    """How values compare: lower-case text; true/false; dates as YYYY-MM-DD."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return (value.isoformat() if hasattr(value, "isoformat") else str(value)).lower()


# ---------------------------------------------------------------- checking


def effective(element, path: str, model, process=None) -> list:
    """The values at a dotted path (a list: lists are flattened), defaults included."""
    if path == "performer" and process is not None:
        return [model.performer(process, element)]  # a step's performer defaults to the process owner
    if path == "data.sensitivity":
        entities = element.entities() if hasattr(element, "entities") else list(element.data)  # system, integration
        return [model.data_entities[e].sensitivity for e in entities if e in model.data_entities]
    values = [element]
    for part in path.split("."):
        found = []
        for value in values:
            attribute = getattr(value, "from_" if part == "from" else part, None)
            if isinstance(attribute, (list, tuple)):
                found.extend(attribute)
            elif attribute is not None:
                found.append(attribute)
        values = found
    return values


def holds(element, path: str, wanted, model, process=None) -> bool:
    values = effective(element, path, model, process)
    if wanted == "*":
        return any(v not in ("", None) for v in values)
    return not {_text(v) for v in values}.isdisjoint(wanted)


def violations(policy: Policy, model):
    """(subject, element, failed paths) for each element that matches `where` and fails `require`."""
    for subject, element, process in _elements(policy.kind, model):
        if all(holds(element, path, wanted, model, process) for path, wanted in policy.where):
            failed = [path for path, wanted in policy.require if not holds(element, path, wanted, model, process)]
            if failed:
                yield subject, element, process, failed


def _elements(kind: str, model):
    if kind == "steps":
        for process, step in model.steps():
            yield f"step:{process.id}/{step.id}", step, process
        return
    from egov_align.schema import KINDS  # evaluating policies: the model is loaded, pydantic is in

    prefix = KINDS[kind][0]
    for element_id, element in model.kind(kind).items():
        yield f"{prefix}:{element_id}", element, None


def describe(policy: Policy, failed: list[str], element, model, process=None) -> Text:
    """The policy's message, then what the element has instead."""
    parts = []
    for path in failed:
        found = [v.isoformat() if hasattr(v, "isoformat") else str(v)
                 for v in effective(element, path, model, process)]
        parts.append(Text.of(N_("`{path}` is {values}"), path=path, values=", ".join(found)) if found
                     else Text.of(N_("`{path}` is not set"), path=path))
    summary = policy.message or Text.of(N_("{kind} must meet the policy {name}"), kind=policy.kind, name=policy.name)
    return Text.of(N_("{summary} ({found})"), summary=summary, found=Parts(tuple(parts)))
