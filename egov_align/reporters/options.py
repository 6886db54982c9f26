"""Options every reporter accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


def _no_lines(_file: str, _line: int) -> str | None:
    return None


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    command: str = "analyze"  # or "validate": what the report is of
    currency: str | None = None
    model_name: str | None = None
    source_line: Callable[[str, int], str | None] = field(default=_no_lines)  # for quoting
    version: str = ""
    policies: tuple = ()  # the configuration's [[policies]], described like rules in SARIF
