"""One model file: bytes -> FileResult (parse with positions, validate with pydantic, collect references).

The loader calls this only for files the cache does not already know, so a run that hits the
cache for every file never imports the YAML parser or pydantic.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from egov_align.diagnostics import describe, did_you_mean_text
from egov_align.i18n import N_, RECORD_KINDS, Text, said
from egov_align.loader import FileResult, too_large
from egov_align.positions import ParsedYaml, parse_yaml
from egov_align.schema import ID_PATTERN, KINDS, TOP_LEVEL_KEYS, ModelFile, ModelInfo, default_integration_id


def _decode(raw: bytes, max_bytes: int) -> tuple[str | None, tuple | None]:
    if len(raw) > max_bytes:
        return None, too_large(len(raw), max_bytes)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and (raw[0] == 0) != (raw[1] == 0)):
        return None, ("unreadable-file", said(N_("UTF-16 is not supported: save this file as UTF-8")), 1, 1)
    nul = raw.find(b"\x00", 0, 8192)
    if nul >= 0:
        return None, ("unreadable-file", said(N_("this is a binary file, not YAML text")), 1, 1)
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, ("unreadable-file", said(N_("not UTF-8 text: byte {byte} cannot be decoded; save the file as "
                                                 "UTF-8"), byte=f"0x{raw[error.start]:02x}"), line, column)


_WELL_FORMED_ID = re.compile(ID_PATTERN)
NAMED_KINDS = ("institution", "capability", "data", "system", "service")  # what other elements refer to by id


def _references(key: str, index: int, item: dict, parsed: ParsedYaml, loose: list[tuple]) -> list[tuple]:
    """(subject prefix, id, line, column, field) for every well-formed cross-file reference of one element;
    those that are text but no id (a name written for an id: a schema problem) are added to `loose`.

    Read from the element as written, so an element with a schema error elsewhere (a
    misspelt field) still has its references checked in the same run; located while the
    file's positions are at hand, so an unknown one needs no second parse.
    """
    base = (key, index)
    refs: list[tuple] = []
    lookup, well_formed = parsed.lookup, _WELL_FORMED_ID.match  # 200,000 references at national scale

    def one(prefix: str, within: dict, name: str, at: tuple) -> None:
        value = within.get(name)
        if isinstance(value, str):
            (refs if well_formed(value) else loose).append((prefix, value, *lookup(at + (name,)), name))

    def many(prefix: str, within: dict, name: str, at: tuple) -> None:
        values = within.get(name)
        if isinstance(values, list):
            at = at + (name,)
            for position, value in enumerate(values):
                if isinstance(value, str):
                    (refs if well_formed(value) else loose).append((prefix, value, *lookup(at + (position,)), name))

    if key == "institutions":
        one("institution", item, "parent", base)
    elif key == "systems":
        one("institution", item, "owner", base)
        many("capability", item, "capabilities", base)
        holdings = item.get("data")
        if isinstance(holdings, list):
            for position, holding in enumerate(holdings):
                if isinstance(holding, dict):
                    one("data", holding, "entity", base + ("data", position))
    elif key == "integrations":
        for name in ("from", "to", "via"):
            one("system", item, name, base)
        many("data", item, "data", base)
    elif key == "services":
        one("institution", item, "provider", base)
    elif key == "processes":
        one("institution", item, "owner", base)
        one("service", item, "service", base)
        steps = item.get("steps")
        for number, step in enumerate(steps if isinstance(steps, list) else ()):
            if not isinstance(step, dict):
                continue
            at = base + ("steps", number)
            one("institution", step, "performer", at)
            for name, prefix in (("needs", "capability"), ("reads", "data"), ("writes", "data"), ("systems", "system")):
                many(prefix, step, name, at)
    return refs


def _step_problems(index: int, process) -> list[tuple]:
    """Step ids unique within the process and `next` naming steps of the same process."""
    problems: list[tuple] = []
    first: dict[str, int] = {}
    for number, step in enumerate(process.steps):
        if step.id in first:
            problems.append(("duplicate-id", ("processes", index, "steps", number, "id"),
                             said(N_("step id {id} is used twice in process {process} (first as step {number})"),
                                  id=repr(step.id), process=repr(process.id), number=first[step.id] + 1)))
        first.setdefault(step.id, number)
    for number, step in enumerate(process.steps):
        for position, target in enumerate(step.next or ()):
            if target not in first:
                problems.append(("unknown-reference", ("processes", index, "steps", number, "next", position),
                                 said(N_("`next` names step {target}, which is not a step of process "
                                         "{process}{suggestion}"), target=repr(target), process=repr(process.id),
                                      suggestion=did_you_mean_text(target, first))))
    return problems


def parse_file(display: str, raw: bytes, *, max_bytes: int, policies: tuple[str, ...] = (),
               keep_items: bool = False) -> FileResult:
    """keep_items: also the valid elements as the plain data they came from (FileResult.items)."""
    context = {"policies": policies}  # names `ignore` may list besides the built-in rules
    result = FileResult(display, elements={})
    text, problem = _decode(raw, max_bytes)
    if problem is not None:
        result.problems.append(problem)
        result.unsure.append("*")
        return result
    parsed = parse_yaml(text)
    result.problems.extend((p.rule, p.message, p.line, p.column) for p in parsed.problems)
    data = parsed.data
    if data is None:
        if parsed.problems:
            result.unsure.append("*")
        return result
    if not isinstance(data, dict):
        result.unsure.append("*")
        what = Text(N_("a list")) if isinstance(data, list) else Text(N_("a single value"))
        result.problems.append(("schema", said(N_("a model file must be a mapping with keys such as {keys}; this file "
                                                  "holds {what}"), keys=", ".join(TOP_LEVEL_KEYS), what=what), 1, 1))
        return result
    pending: list[tuple] = []  # (rule, loc, message, at key, at parent)
    elements: dict = {}
    items: dict = {}
    for key, value in data.items():
        if key == "model":
            try:
                elements["model"] = [ModelInfo.model_validate(value if value is not None else {})]
                items["model"] = [value if value is not None else {}]
                line, column = parsed.key_positions.get(("model",), (1, 1))
                result.defs.append(("model", "", line, column))
            except ValidationError as error:
                pending.extend(_schema_errors(error, ("model",)))
            continue
        if key not in KINDS:
            pending.append(("schema", (key,), said(N_("unknown top-level key `{key}`{suggestion}; a model file may "
                                                      "hold {keys}"), key=key,
                                                   suggestion=did_you_mean_text(str(key), TOP_LEVEL_KEYS),
                                                   keys=", ".join(TOP_LEVEL_KEYS)), True, False))
            continue
        prefix, element_class = KINDS[key]
        if value is None:
            continue
        if not isinstance(value, list):
            pending.append(("schema", (key,), said(N_("`{key}` must be a list of {kind} (each item starting with "
                                                      "'- id: ...')"), key=key, kind=Text(RECORD_KINDS.get(key, key))),
                            False, False))
            result.unsure.append(prefix)
            continue
        valid, valid_items = elements.setdefault(key, []), items.setdefault(key, [])
        for index, item in enumerate(value):
            if isinstance(item, dict):  # checked even when another field of the element is wrong
                result.refs.extend(_references(key, index, item, parsed, result.loose))
                if prefix in NAMED_KINDS and isinstance(item.get("name"), str) and isinstance(item.get("id"), str):
                    result.names.append((prefix, item["name"], item["id"]))
            try:
                element = element_class.model_validate(item, context=context)
            except ValidationError as error:
                pending.extend(_schema_errors(error, (key, index)))
                element_id = item.get("id") if isinstance(item, dict) else None
                if key == "integrations" and element_id is None and isinstance(item, dict):
                    element_id = default_integration_id(item)
                if isinstance(element_id, str):
                    line, column = parsed.lookup((key, index))  # still defined: no knock-on errors
                    result.defs.append((prefix, element_id, line, column))
                elif element_id is None or isinstance(element_id, (list, dict)):
                    result.unsure.append(prefix)  # an id we cannot know (`id: no` is known: it is false)
                continue
            valid.append(element)
            if keep_items:
                valid_items.append(item)
            line, column = parsed.lookup((key, index))
            result.defs.append((prefix, element.id, line, column))
            if key == "processes":
                for number, step in enumerate(element.steps):
                    line, column = parsed.lookup((key, index, "steps", number))
                    result.defs.append(("step", f"{element.id}/{step.id}", line, column))
                pending.extend((rule, loc, message, False, False)
                               for rule, loc, message in _step_problems(index, element))
    if pending:
        full = parse_yaml(text, full=True)
        for rule, loc, message, at_key, at_parent in pending:
            line, column = _locate(full, loc, at_key=at_key, at_parent=at_parent)
            result.problems.append((rule, message, line, column))
    result.elements = elements
    if keep_items:
        result.items = items
    return result


def _schema_errors(error: ValidationError, base: tuple) -> list[tuple]:
    found = []
    for detail in error.errors(include_url=False):
        loc = base + tuple(detail["loc"])
        message, at_key, at_parent = describe({**detail, "loc": loc}, ModelFile)
        found.append(("schema", loc, message, at_key, at_parent))
    return found


def _locate(parsed: ParsedYaml, loc: tuple, *, at_key: bool, at_parent: bool) -> tuple[int, int]:
    if at_parent:
        return parsed.lookup(loc[:-1])
    return parsed.lookup(loc, prefer_key=at_key)


def elements_from_entry(items_by_kind: dict, context: dict) -> dict:
    """A cache entry's elements, validated again (an entry's shape is never trusted)."""
    return {key: [(ModelInfo if key == "model" else KINDS[key][1]).model_validate(item, context=context)
                  for item in items]
            for key, items in items_by_kind.items()}
