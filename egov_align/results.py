"""The Result every reporter, the dashboard and the JSON output start from."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

from egov_align.findings import Finding, Severity


@dataclass
class Result:
    """What every reporter, the dashboard and the JSON output start from."""

    valid: bool
    findings: list[Finding]
    metrics: dict | None = None
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # files skipped on the way in (FIFOs, links out)

    def summary(self) -> dict:
        by_severity = Counter(map(SEVERITY_OF, self.findings))  # one pass in C: 165,000 findings on every overview
        return {**self.counts, "errors": by_severity[Severity.ERROR],
                "warnings": by_severity[Severity.WARNING], "infos": by_severity[Severity.INFO]}


SEVERITY_OF = itemgetter(Finding._fields.index("severity"))


def validation_result(loaded) -> Result:
    """The Result of `validate`, or of `analyze` on an invalid model: diagnostics only."""
    return Result(loaded.valid, loaded.diagnostics, None, dict(loaded.counts), notices=list(loaded.notices))
