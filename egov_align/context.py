"""What a rule sees: the model, its graph, shared lookups, thresholds and a finding helper."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import networkx as nx

from egov_align.config import Config
from egov_align.findings import Finding, Severity
from egov_align.graph import Index
from egov_align.model import Model


@dataclass(frozen=True)
class RuleContext:
    """One rule's view: built afresh for each rule, so no rule sees another's name or level."""

    model: Model
    index: Index  # the graph and its named queries, built once and shared by every rule
    config: Config = field(default_factory=Config)
    as_of: dt.date = field(default_factory=dt.date.today)
    rule: str = ""
    level: Severity | None = None  # the configured level, when [rules] sets one
    default_severity: Severity = Severity.WARNING

    @property
    def graph(self) -> nx.MultiDiGraph:
        return self.index.graph

    def finding(self, subject: str, message: str, *, related=(), key: str = "",
                severity: Severity | None = None, at: str | None = None) -> Finding:
        """A finding of the running rule at the definition of `at` (default: the subject).

        The configured level wins over the severity a rule suggests (duplicate-capability
        suggests `error` for shared capabilities), which wins over the rule's default.
        """
        place = self.model.location(at or subject)
        return Finding(rule=self.rule, severity=self.level or severity or self.default_severity,
                       message=message, file=place.file, line=place.line, column=place.column,
                       subject=subject, related=tuple(dict.fromkeys(related)), key=key)


def names(ids, limit: int = 5) -> str:
    """`a`, `b` and 3 more: short lists for messages."""
    ids = list(ids)
    shown = ", ".join(f"`{i}`" for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
