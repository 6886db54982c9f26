"""What a rule sees: the model, its graph, shared lookups, thresholds and a finding helper."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from egov_align.config import Config
from egov_align.findings import Finding, Severity
from egov_align.graph import Index
from egov_align.i18n import Text
from egov_align.model import Model

if TYPE_CHECKING:
    import networkx as nx


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
    messages: bool = True  # False: each finding's English message is left to findings.with_messages (None till then)

    @property
    def graph(self) -> nx.MultiDiGraph:
        return self.index.graph

    def finding(self, subject: str, template: str | Text, *, related=(), key: str = "",
                severity: Severity | None = None, at: str | None = None, **fields) -> Finding:
        """A finding of the running rule at the definition of `at` (default: the subject).

        The message is `template` (marked with N_, translated where it is shown) filled
        with `fields`, or a Text made already. The configured level wins over the severity a rule suggests
        (duplicate-capability suggests `error` for shared capabilities), which wins over the
        rule's default.
        """
        place = self.model.location(at or subject)
        # 150,000 findings at national scale: tuples built without NamedTuple's Python-level __new__
        text = template if type(template) is Text else Text.from_fields(template, fields)
        return _new_tuple(Finding, (self.rule, self.level or severity or self.default_severity,
                                    text.render("en") if self.messages else None,
                                    place.file, place.line, place.column, subject,
                                    tuple(dict.fromkeys(related)) if related else (), key, text))


_new_tuple = tuple.__new__

