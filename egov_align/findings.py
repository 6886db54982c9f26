"""The one value every check produces: a finding at a place in a model file."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple


class Severity(str, enum.Enum):
    """Ordered severities; `rank` lets `--fail-on` compare them."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
SEVERITY_VALUES = _VALUE = {severity: severity.value for severity in Severity}  # Enum's .value is slow over 100,000


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where a YAML node starts: file as given on the command line, 1-based line and column."""

    file: str
    line: int
    column: int


class Finding(NamedTuple):
    """A diagnostic (validation) or a finding (analysis); a NamedTuple, like flake8's Violation.

    `key` tells apart several findings of one rule about one subject (the entity of a
    once-only gap, the source step of an integration gap); what-if and diff match on
    (rule, subject, key).
    """

    rule: str
    severity: Severity
    message: str  # None only in analyze(messages=False)'s findings, until findings.with_messages
    file: str
    line: int
    column: int
    subject: str | None = None
    related: tuple[str, ...] = ()
    key: str = ""
    text: object = None  # i18n.Text: the message's template and fields, to show it in the reader's language

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.rule, self.subject or f"{self.file}:{self.line}", self.key)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.rule, self.column, self.subject or "", self.key)

    def as_record(self) -> dict:
        """The DESIGN.md section 6 shape; `subject` only when there is one."""
        rule, severity, message, file, line, column, subject, related, _key, _text = self
        if subject is None:
            return {"rule": rule, "severity": _VALUE[severity], "message": message, "file": file, "line": line,
                    "column": column, "related": list(related)}
        return {"rule": rule, "severity": _VALUE[severity], "subject": subject, "message": message, "file": file,
                "line": line, "column": column, "related": list(related)}


def with_messages(findings: list[Finding]) -> list[Finding]:
    """The findings, each with its English message: those of analyze(messages=False) get the one
    analyze would have given them (the dashboard's overview, which shows no message, is drawn first)."""
    return [finding if finding.message is not None else
            _new_tuple(Finding, (finding.rule, finding.severity, finding.text.render("en"), *finding[3:]))
            for finding in findings]


_new_tuple = tuple.__new__  # 150,000 findings at national scale: without NamedTuple's Python-level __new__


def sorted_findings(findings) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


FIRST_RULES = ("unreadable-file", "yaml-syntax")  # the causes: shown before their consequences


def sorted_diagnostics(findings) -> list[Finding]:
    """DESIGN 12: unreadable files and syntax errors first, then by file, line and rule."""
    return sorted(findings, key=lambda f: (f.rule not in FIRST_RULES, *f.sort_key()))
