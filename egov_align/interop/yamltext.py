"""Model YAML written line by line, so that each line can be traced back to the cell it came from.

PyYAML's dumper is pure Python and slow (tens of microseconds a value): a 10,000-row
inventory would spend seconds there. Scalars are plain when they are safely plain, else
double-quoted the JSON way, which YAML reads back as the same string.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re

# YAML 1.1 words a plain scalar must not be, or it reads back as a bool or null
_SPECIAL_WORDS = frozenset("y n yes no on off true false null ~".split())
# safe both in block and in flow context (no `,` `:` `#` `[]{}`), starting with a letter
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _./()'&+-]*")


def scalar(value: object) -> str:
    """One value as YAML text that reads back as exactly that value."""
    if type(value) is str:
        return _text(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(str(value))


@functools.lru_cache(maxsize=65536)  # ids and names repeat: every reference writes one
def _text(text: str) -> str:
    if (_PLAIN.fullmatch(text) and text.lower() not in _SPECIAL_WORDS and not text.endswith(" ")
            and ": " not in text and " #" not in text and "  " not in text):
        return text
    if text.isprintable():  # JSON's double quotes are YAML's, and escape only `"` and `\\` here
        return json.dumps(text, ensure_ascii=False)
    return '"' + "".join(_escaped(char) for char in text) + '"'


def _escaped(char: str) -> str:
    """One character inside YAML double quotes; YAML's own escapes for what is not printable."""
    if char == '"' or char == "\\":
        return "\\" + char
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def flow(value: object) -> str:
    """A list or mapping on one line: `[a, b]`, `{entity: x, role: master}`."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        if all(type(v) is str for v in value):
            return "[" + ", ".join(map(_text, value)) + "]"
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


class YamlText:
    """A model file being written, with the origin (a cell, a source line) of every line."""

    def __init__(self, header: str):
        self.lines: list[str] = [f"# {line}" if line else "#" for line in header.splitlines()]
        self.origins: list[str | None] = [None] * len(self.lines)

    def add(self, text: str, origin: str | None) -> None:
        self.lines.append(text)
        self.origins.append(origin)

    def element(self, values: dict, origin: str, field_origins: dict[str, str], *, indent: str = "  ") -> None:
        """One list item: `- id: x` then a line per field; `steps` (a list of mappings) as a block."""
        first = True
        for field, value in values.items():
            prefix = indent + ("- " if first else "  ")
            first = False
            where = field_origins.get(field, origin)
            if field == "steps":
                self.add(f"{prefix}steps:", where)
                for step, step_origin, step_fields in value:
                    self.element(step, step_origin, step_fields, indent=indent + "    ")
            elif isinstance(value, (list, tuple, dict)):
                self.add(f"{prefix}{field}: {flow(value)}", where)
            else:
                self.add(f"{prefix}{field}: {scalar(value)}", where)

    def origin_of(self, line: int) -> str | None:
        """The origin of a (1-based) line, or of the nearest line above that has one."""
        for index in range(min(line, len(self.origins)) - 1, -1, -1):
            if self.origins[index] is not None:
                return self.origins[index]
        return None

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
