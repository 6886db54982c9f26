"""Turning pydantic errors into friendly `schema` messages that point at the YAML node."""

from __future__ import annotations

import datetime as dt
import typing

from pydantic import BaseModel

from egov_align.names import RULE_NAMES, did_you_mean

_YAML_11_WORDS = "yes/no/on/off/true/false"
_DATE = "a date like 2024-06-30"
_MAPPING = "a mapping of fields"
_EXPECTED = {"string_type": "text", "date_type": _DATE, "date_from_datetime_parsing": _DATE, "date_parsing": _DATE,
             "bool_type": "true or false", "int_type": "a whole number", "float_type": "a number", "list_type": "a list",
             "model_type": _MAPPING, "dict_type": _MAPPING, "model_attributes_type": _MAPPING}


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int):
        return "a whole number" if abs(value) < 10**18 else f"a number of {len(str(abs(value)))} digits"
    if isinstance(value, float):
        return "a decimal number" if value == value and abs(value) != float("inf") else "a number"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"


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


def _quote_hint(value: object) -> str:
    if isinstance(value, bool):
        return f" (YAML reads unquoted {_YAML_11_WORDS} as true/false: put the value in quotes)"
    if isinstance(value, int):
        return " (YAML reads it as a number, dropping leading zeros: put the value in quotes)"
    if isinstance(value, float):
        return " (YAML reads it as a number: put the value in quotes)"
    if isinstance(value, (dt.date, dt.datetime)):
        return f" (YAML reads {value.isoformat()} as a date: put the value in quotes)"
    return ""


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
    """(message, point at the key rather than the value, point at the parent mapping)."""
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    last = loc[-1] if loc else None
    if kind == "missing":
        return f"missing required field `{last}`", False, True
    if kind == "extra_forbidden":
        owner = field_class(root, loc)
        names = field_names(owner) if owner else []
        known = f"; allowed here: {', '.join(names)}" if names and not did_you_mean(str(last), names) else ""
        return f"unknown field `{last}`{did_you_mean(str(last), names)}{known}", True, False
    if kind in ("string_type", "date_type", "bool_type", "int_type", "float_type", "list_type",
                "model_type", "dict_type", "literal_error") and value is None:
        if isinstance(last, int):
            owner = next((p for p in reversed(loc) if isinstance(p, str)), "the list")
            return f"item {last + 1} of `{owner}` is empty (a `-` or `~` with no value); remove it or give a value", \
                False, False
        return f"`{last}` is empty; give a value or remove the line", False, False
    if kind == "finite_number":
        return f"`{last}` must be a finite number, not {_shown(value)}", False, False
    if kind in ("less_than_equal", "less_than"):
        limit = error.get("ctx", {}).get("le", error.get("ctx", {}).get("lt"))
        return f"`{last}` must be at most {limit:,.0f}, not {_shown(value) or _type_name(value)}", False, False
    if kind in _EXPECTED:
        hint = _quote_hint(value) if kind == "string_type" else ""
        return f"expected {_EXPECTED[kind]}, found {_type_name(value)} {_shown(value)}".rstrip() + hint, False, False
    if kind in ("greater_than_equal", "greater_than"):
        return f"`{last}` must be {error.get('ctx', {}).get('ge', 0):g} or more, not {_shown(value)}", False, False
    if kind == "string_pattern_mismatch":
        if last == "currency":
            return f"{value!r} is not a currency code: use three capital letters, e.g. TZS", False, False
        return f"{value!r} is not a valid id: use only letters, digits, '-', '_' and '.'", False, False
    if kind in ("string_too_short", "too_short"):
        return f"`{last}` must not be empty", False, False
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        shown = _shown(value)
        return (f"{shown} is not allowed here; use one of {', '.join(choices)}"
                f"{did_you_mean(str(value), choices)}{_quote_hint(value) if not isinstance(value, str) else ''}"),\
            False, False
    if kind == "value_error":
        message = error["msg"].removeprefix("Value error, ")
        if message.startswith("unknown rule"):
            message += f" in `ignore`{did_you_mean(str(value), RULE_NAMES)}"
        return message, False, False
    return error["msg"], False, False
