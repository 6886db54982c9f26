"""Run the enabled rules, apply levels and `ignore`, sort, and add the metrics.

Rules never set their own name or severity and never apply suppressions: this is the one
place that does (yamllint's linter, flake8's DecisionEngine).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from egov_align.config import Config
from egov_align.context import RuleContext
from egov_align.findings import Finding, Severity, sorted_findings
from egov_align.metrics import compute_metrics
from egov_align.model import Model
from egov_align.rules import RULES

LOG = logging.getLogger(__name__)

_SUBJECT_KINDS = {"institution": "institutions", "capability": "capabilities", "data": "data_entities",
                  "system": "systems", "integration": "integrations", "service": "services",
                  "process": "processes"}


@dataclass
class Result:
    """What every reporter, the dashboard and the JSON output start from."""

    valid: bool
    findings: list[Finding]
    metrics: dict | None = None
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def summary(self) -> dict:
        by_severity = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        return {**self.counts, "errors": by_severity[Severity.ERROR],
                "warnings": by_severity[Severity.WARNING], "infos": by_severity[Severity.INFO]}


def model_counts(model: Model) -> dict:
    return {"files": len(model.files), "institutions": len(model.institutions),
            "systems": len(model.systems), "processes": len(model.processes), "steps": model.step_count}


def as_of_date(model: Model, override: dt.date | None) -> dt.date:
    return override or model.info.as_of or dt.date.today()


def _ignored(model: Model, rule: str, finding: Finding) -> bool:
    prefix, _, rest = (finding.subject or "").partition(":")
    if prefix == "step":
        process_id, _, step_id = rest.partition("/")
        process = model.processes.get(process_id)
        element = next((s for s in process.steps if s.id == step_id), None) if process else None
    elif prefix in _SUBJECT_KINDS:
        element = model.kind(_SUBJECT_KINDS[prefix]).get(rest)
    else:
        element = None
    return element is not None and rule in element.ignore


def run_rules(model: Model, *, config: Config, as_of: dt.date | None = None,
              context: RuleContext | None = None) -> tuple[list[Finding], RuleContext, dict]:
    context = context or RuleContext(model, config, as_of_date(model, as_of))
    timings = {}
    started = time.perf_counter()
    context.graph  # noqa: B018 - built once, timed on its own
    timings["graph"] = time.perf_counter() - started
    findings = []
    for name, rule in RULES.items():
        level = config.rules.get(name)
        if level == "off":
            continue
        started = time.perf_counter()
        for finding in rule.check(context):
            if _ignored(model, name, finding):
                continue
            severity = Severity(level) if level else (finding.severity or rule.DEFAULT_SEVERITY)
            findings.append(dataclasses.replace(finding, rule=name, severity=severity))
        timings[name] = time.perf_counter() - started
    return sorted_findings(findings), context, timings


def analyze(model: Model, *, config: Config | None = None, as_of: dt.date | None = None) -> Result:
    config = config or Config()
    findings, context, timings = run_rules(model, config=config, as_of=as_of)
    started = time.perf_counter()
    metrics = compute_metrics(model, context.index)
    timings["metrics"] = time.perf_counter() - started
    return Result(True, findings, metrics, model_counts(model), timings)


def validation_result(loaded) -> Result:
    """The Result of `validate`, or of `analyze` on an invalid model: diagnostics only."""
    return Result(loaded.valid, loaded.diagnostics, None, dict(loaded.counts))
