"""Two states of a landscape side by side: what-if retirements and baseline-vs-target diffs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from egov_align.analyze import Result, analyze
from egov_align.config import Config
from egov_align.findings import Finding
from egov_align.model import Model, step_subject
from egov_align.perf import gc_paused
from egov_align.schema import KINDS

HEADLINE_METRICS = ("alignment", "integration_coverage", "digital_services", "redundant_spend", "coordination",
                    "mediated_integrations", "standardised_integrations", "platform_duplication", "completeness")


@dataclass
class Comparison:
    before: Result
    after: Result
    introduced: list[Finding]
    resolved: list[Finding]
    metric_deltas: dict
    retired: list[str] = field(default_factory=list)
    elements: dict | None = None  # diff only: added / removed / changed

    def as_document(self) -> dict:
        document = {
            "findings": {"introduced": [f.as_record() for f in self.introduced],
                         "resolved": [f.as_record() for f in self.resolved]},
            "metrics": self.metric_deltas,
        }
        if self.retired:
            document = {"retired": self.retired, **document}
        if self.elements is not None:
            document = {"elements": self.elements, **document}
        return document


def compare_findings(before: list[Finding], after: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """Introduced and resolved, matched on (rule, subject, key), never on line numbers."""
    old = {f.identity for f in before}
    new = {f.identity for f in after}
    return [f for f in after if f.identity not in old], [f for f in before if f.identity not in new]


def metric_deltas(before: dict, after: dict) -> dict:
    deltas = {}
    for name in HEADLINE_METRICS:
        old, new = before.get(name), after.get(name)
        if name == "completeness":  # an object: compare its overall share
            old, new = (old or {}).get("overall"), (new or {}).get("overall")
        delta = None if old is None or new is None else round(new - old, 4)
        deltas[name] = {"before": old, "after": new, "delta": delta}
    return deltas


def compare_results(before: Result, after: Result, **extra) -> Comparison:
    introduced, resolved = compare_findings(before.findings, after.findings)
    return Comparison(before, after, introduced, resolved, metric_deltas(before.metrics, after.metrics), **extra)


def what_if(model: Model, retire: list[str], *, config: Config | None = None,
            as_of: dt.date | None = None, baseline: Result | None = None) -> Comparison:
    """The model as if `retire` were retired, against the model as written."""
    before = baseline or analyze(model, config=config, as_of=as_of)
    after = analyze(model.with_systems_retired(retire), config=config, as_of=as_of)
    return compare_results(before, after, retired=list(retire))


def _elements(model: Model) -> dict[str, tuple]:
    """Each element and step by subject, with whether it is a step (dumped as itself, while an
    element is dumped by alias and without its steps, which count on their own)."""
    found = {}
    for key, (prefix, _class) in KINDS.items():
        for element_id, element in model.kind(key).items():
            found[f"{prefix}:{element_id}"] = (element, False)
    for process, step in model.steps():
        found[step_subject(process.id, step.id)] = (step, True)
    return found


def _dumped(element, is_step: bool) -> dict:
    return element.model_dump(mode="json") if is_step else element.model_dump(by_alias=True, mode="json",
                                                                               exclude={"steps"})


def diff_elements(old: Model, new: Model) -> dict:
    """Added, removed and changed elements and steps, the changed ones field by field.

    Only the pairs that differ as objects are dumped and compared field by field (equal objects
    dump equally): a national model has 135,000 of them, dumped whole 5.6 s per diff."""
    with gc_paused():  # the collector would walk both models again for the tuples made here
        return _diff_elements(_elements(old), _elements(new))


def _diff_elements(before: dict[str, tuple], after: dict[str, tuple]) -> dict:
    changed = {}
    for subject in sorted(before.keys() & after.keys()):
        (was, is_step), (now, _is_step) = before[subject], after[subject]
        if was == now:
            continue
        was, now = _dumped(was, is_step), _dumped(now, is_step)
        fields = {name: {"before": was.get(name), "after": now.get(name)}
                  for name in sorted(was.keys() | now.keys()) if was.get(name) != now.get(name)}
        if fields:
            changed[subject] = fields
    return {"added": sorted(after.keys() - before.keys()), "removed": sorted(before.keys() - after.keys()),
            "changed": changed}


def diff_models(old: Model, new: Model, *, config: Config | None = None,
                as_of: dt.date | None = None) -> Comparison:
    return compare_results(analyze(old, config=config, as_of=as_of), analyze(new, config=config, as_of=as_of),
                           elements=diff_elements(old, new))
