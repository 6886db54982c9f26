"""Turning pydantic errors into friendly `schema` messages that point at the YAML node."""

from __future__ import annotations

import datetime as dt
import typing

from pydantic import BaseModel

from egov_align.i18n import N_, Text, said
from egov_align.names import RULE_NAMES, closest, did_you_mean

_YAML_11_WORDS = "yes/no/on/off/true/false"
_DATE = N_("a date like 2024-06-30")
_MAPPING = N_("a mapping of fields")
_EXPECTED = {"string_type": N_("text"), "date_type": _DATE, "date_from_datetime_parsing": _DATE, "date_parsing": _DATE,
             "bool_type": N_("true or false"), "int_type": N_("a whole number"), "float_type": N_("a number"),
             "list_type": N_("a list"), "model_type": _MAPPING, "dict_type": _MAPPING, "model_attributes_type": _MAPPING}


def _type_name(value: object) -> Text:
    if isinstance(value, bool):
        return Text(N_("a true/false value"))
    if isinstance(value, int):
        return Text(N_("a whole number")) if abs(value) < 10**18 else \
            Text.of(N_("a number of {digits} digits"), digits=len(str(abs(value))))
    if isinstance(value, float):
        return Text(N_("a decimal number")) if value == value and abs(value) != float("inf") else Text(N_("a number"))
    if isinstance(value, (bytes, bytearray)):
        return Text(N_("binary data"))
    if isinstance(value, (dt.date, dt.datetime)):
        return Text(N_("a date"))
    if value is None:
        return Text(N_("nothing (null)"))
    if isinstance(value, list):
        return Text(N_("a list"))
    if isinstance(value, dict):
        return Text(N_("a mapping"))
    return Text(N_("text"))


def _shown(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return ""  # _type_name says how long it is; 400 digits help nobody
    if isinstance(value, (bytes, bytearray)):
        return "(a !!binary value; write plain text)"
    if isinstance(value, str) and len(value) > 80:
        return repr(value[:77] + "...")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value != value:
        return ".nan"
    if isinstance(value, float) and abs(value) == float("inf"):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def _quote_hint(value: object) -> Text | str:
    if isinstance(value, bool):
        return Text.of(N_(" (YAML reads unquoted {words} as true/false: put the value in quotes)"), words=_YAML_11_WORDS)
    if isinstance(value, int):
        return Text(N_(" (YAML reads it as a number, dropping leading zeros: put the value in quotes)"))
    if isinstance(value, float):
        return Text(N_(" (YAML reads it as a number: put the value in quotes)"))
    if isinstance(value, (dt.date, dt.datetime)):
        return Text.of(N_(" (YAML reads {date} as a date: put the value in quotes)"), date=value.isoformat())
    return ""


def did_you_mean_text(word: object, candidates) -> Text | str:
    close = closest(word, candidates)
    return Text.of(N_(" (did you mean {close}?)"), close=repr(close)) if close else ""


def field_class(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that owns the last key of `loc`, by walking annotations from `root`."""
    current: object = root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        model = _as_model(current)
        if model is None:
            return None
        field = _field_by_alias(model, part)
        if field is None:
            return None
        current = field.annotation
    return _as_model(current)


def _as_model(annotation: object) -> type[BaseModel] | None:
    seen = [annotation]
    while seen:
        candidate = seen.pop()
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        seen.extend(typing.get_args(candidate))
    return None


def _field_by_alias(model: type[BaseModel], key: str):
    for name, field in model.model_fields.items():
        if (field.alias or name) == key:
            return field
    return None


def field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def describe(error: dict, root: type[BaseModel]) -> tuple[str, bool, bool]:
    """(message, point at the key rather than the value, point at the parent mapping).

    The message is a Said (English, keeping its template for the translations) where the
    wording is ours, and pydantic's own text otherwise.
    """
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    last = loc[-1] if loc else None
    if kind == "missing":
        return said(N_("missing required field `{field}`"), field=last), False, True
    if kind == "extra_forbidden":
        owner = field_class(root, loc)
        names = field_names(owner) if owner else []
        suggestion = did_you_mean_text(str(last), names)
        if names and not suggestion:
            return said(N_("unknown field `{field}`; allowed here: {allowed}"), field=last,
                        allowed=", ".join(names)), True, False
        return said(N_("unknown field `{field}`{suggestion}"), field=last, suggestion=suggestion), True, False
    if kind in ("string_type", "date_type", "bool_type", "int_type", "float_type", "list_type",
                "model_type", "dict_type", "literal_error") and value is None:
        if isinstance(last, int):
            owner = next((p for p in reversed(loc) if isinstance(p, str)), "the list")
            return said(N_("item {number} of `{field}` is empty (a `-` or `~` with no value); remove it or give a "
                           "value"), number=last + 1, field=owner), False, False
        return said(N_("`{field}` is empty; give a value or remove the line"), field=last), False, False
    if kind == "finite_number":
        return said(N_("`{field}` must be a finite number, not {value}"), field=last, value=_shown(value)), False, False
    if kind in ("less_than_equal", "less_than"):
        limit = error.get("ctx", {}).get("le", error.get("ctx", {}).get("lt"))
        return said(N_("`{field}` must be at most {limit}, not {value}"), field=last, limit=f"{limit:,.0f}",
                    value=_shown(value) or _type_name(value)), False, False
    if kind in _EXPECTED:
        hint = _quote_hint(value) if kind == "string_type" else ""
        shown = _shown(value)
        template = (N_("expected {expected}, found {found} {value}{hint}") if shown
                    else N_("expected {expected}, found {found}{hint}"))
        return said(template, expected=Text(_EXPECTED[kind]), found=_type_name(value), value=shown,
                    hint=hint), False, False
    if kind in ("greater_than_equal", "greater_than"):
        return said(N_("`{field}` must be {limit} or more, not {value}"), field=last,
                    limit=f"{error.get('ctx', {}).get('ge', 0):g}", value=_shown(value)), False, False
    if kind == "string_pattern_mismatch":
        if last == "currency":
            return said(N_("{value} is not a currency code: use three capital letters, e.g. TZS"),
                        value=repr(value)), False, False
        return said(N_("{value} is not a valid id: use only letters, digits, '-', '_' and '.'"),
                    value=repr(value)), False, False
    if kind in ("string_too_short", "too_short"):
        return said(N_("`{field}` must not be empty"), field=last), False, False
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        return said(N_("{value} is not allowed here; use one of {choices}{suggestion}{hint}"), value=_shown(value),
                    choices=", ".join(choices), suggestion=did_you_mean_text(str(value), choices),
                    hint=_quote_hint(value) if not isinstance(value, str) else ""), False, False
    if kind == "value_error":
        message = error["msg"].removeprefix("Value error, ")
        if message.startswith("unknown rule"):
            message += f" in `ignore`{did_you_mean(str(value), RULE_NAMES)}"
        return message, False, False
    return error["msg"], False, False
