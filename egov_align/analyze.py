"""Run the enabled rules, apply levels and `ignore`, sort, and add the metrics.

Rules never set their own name or severity and never apply suppressions: this is the one
place that does (yamllint's linter, flake8's DecisionEngine).
"""

from __future__ import annotations

import datetime as dt
import time

from egov_align.config import Config
from egov_align.context import RuleContext
from egov_align.findings import Finding, Severity, sorted_findings
from egov_align.graph import Index
from egov_align.metrics import compute_metrics
from egov_align.model import Model, step_subject
from egov_align.perf import gc_paused
from egov_align.policies import describe, violations
from egov_align.results import Result
from egov_align.rules import PROCESS_RULES, RULES
from egov_align.schema import KINDS

_SUBJECT_PREFIXES = {key: prefix for key, (prefix, _class) in KINDS.items()}


def model_counts(model: Model) -> dict:
    return {"files": len(model.files), "institutions": len(model.institutions),
            "systems": len(model.systems), "processes": len(model.processes), "steps": model.step_count}


def as_of_date(model: Model, override: dt.date | None) -> dt.date:
    return override or model.info.as_of or dt.date.today()


def suppressions(model: Model) -> set[tuple[str, str]]:
    """(rule, subject) pairs that elements switch off with `ignore`."""
    found = set()
    for key, prefix in _SUBJECT_PREFIXES.items():
        for element_id, element in model.kind(key).items():
            found.update((rule, f"{prefix}:{element_id}") for rule in element.ignore)
    for process, step in model.steps():
        found.update((rule, step_subject(process.id, step.id)) for rule in step.ignore)
    return found


def run_rules(model: Model, *, config: Config, as_of: dt.date | None = None, index: Index | None = None,
              only: frozenset[str] | None = None, process_view: Model | None = None, messages: bool = True
              ) -> tuple[list[Finding], Index, dict]:
    """The findings of the enabled rules (those of `only`, and then no policy, when it is given).

    `process_view`: the model the process rules see, with some of the processes only (the
    incremental analysis); its `ignore` lists are the ones applied. `messages`: as analyze's.
    """
    ignored = suppressions(process_view or model)
    timings = {}
    started = time.perf_counter()
    if index is None:
        index = Index(model)  # the graph every rule queries, built (and timed) once
    timings["graph"] = time.perf_counter() - started
    started = time.perf_counter()
    index.prepare()  # the queries most rules share
    timings["index"] = time.perf_counter() - started
    day = as_of_date(model, as_of)
    findings = []
    for name, rule in RULES.items():
        level = config.rules.get(name)
        if level == "off" or (only is not None and name not in only):
            continue
        started = time.perf_counter()
        seen = process_view if process_view is not None and name in PROCESS_RULES else model
        context = RuleContext(seen, index, config, day, rule=name, level=Severity(level) if level else None,
                              default_severity=rule.DEFAULT_SEVERITY, messages=messages)
        if ignored:
            findings.extend(f for f in rule.check(context) if (name, f.subject) not in ignored)
        else:
            findings.extend(rule.check(context))
        timings[name] = time.perf_counter() - started
    for policy in config.policies if only is None else ():  # the government's own rules, checked the same way
        level = config.rules.get(policy.name)
        if level == "off":
            continue
        started = time.perf_counter()
        context = RuleContext(model, index, config, day, rule=policy.name, level=Severity(level) if level else None,
                              default_severity=Severity(policy.severity), messages=messages)
        findings.extend(f for f in policy_findings(policy, context) if (policy.name, f.subject) not in ignored)
        timings[policy.name] = time.perf_counter() - started
    return sorted_findings(findings), index, timings


def policy_findings(policy, ctx: RuleContext):
    """One finding per element that matches the policy's `where` and fails its `require`."""
    for subject, element, process, failed in violations(policy, ctx.model):
        yield ctx.finding(subject, describe(policy, failed, element, ctx.model, process))


def analyze(model: Model, *, config: Config | None = None, as_of: dt.date | None = None,
            index: Index | None = None, messages: bool = True) -> Result:
    """Findings and metrics of a valid model; pass `index` to reuse a graph built before.

    `messages=False`: the findings' English messages are left out (None), to be written by
    findings.with_messages when they are needed. Writing them is a sixth of a national analysis
    (165,000 of them); the dashboard's overview, which counts findings, is drawn without them.
    """
    with gc_paused():
        return _analyze(model, config=config or Config(), as_of=as_of, index=index, messages=messages)


def _analyze(model: Model, *, config: Config, as_of: dt.date | None, index: Index | None, messages: bool) -> Result:
    findings, index, timings = run_rules(model, config=config, as_of=as_of, index=index, messages=messages)
    started = time.perf_counter()
    metrics = compute_metrics(model, index, config.approved_standards)
    timings["metrics"] = time.perf_counter() - started
    return Result(True, findings, metrics, model_counts(model), timings)
