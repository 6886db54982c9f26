"""DESIGN.md section 5: alignment, integration coverage, digital services; the plan is in consolidation.py."""

from __future__ import annotations

from collections import defaultdict

from egov_align.consolidation import consolidation_plan
from egov_align.graph import Index
from egov_align.model import Model
from egov_align.rules.non_digital_service import is_digital


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def alignment(model: Model, index: Index) -> tuple[float | None, dict, dict]:
    """Overall, per process and per institution (by performer)."""
    totals = [0, 0]
    by_process: dict[str, list[int]] = {}
    by_institution: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for process, step in model.steps():
        counts = by_process.setdefault(process.id, [0, 0])
        performer = by_institution[model.performer(process, step)]
        if not step.needs:
            continue
        aligned = bool(step.systems) and index.provided_by(step)
        for bucket in (totals, counts, performer):
            bucket[0] += aligned
            bucket[1] += 1
    return (_ratio(*totals),
            {p: {"alignment": _ratio(*c)} for p, c in by_process.items()},
            {i: {"alignment": _ratio(*c)} for i, c in sorted(by_institution.items())})


def integration_coverage(index: Index) -> float | None:
    handovers = index.handovers
    covered = sum(index.handover_covered(s, t, e) for _p, s, t, e in handovers)
    return _ratio(covered, len(handovers))


def digital_services(model: Model) -> float | None:
    services = list(model.services.values())
    return _ratio(sum(is_digital(s) for s in services), len(services))


def compute_metrics(model: Model, index: Index) -> dict:
    overall, per_process, per_institution = alignment(model, index)
    plan = consolidation_plan(model, index)
    return {
        "alignment": overall,
        "integration_coverage": integration_coverage(index),
        "digital_services": digital_services(model),
        "redundant_spend": _number(sum(item["annual_cost"] for item in plan)),
        "processes": per_process,
        "institutions": per_institution,
        "consolidation": plan,
    }
