"""DESIGN.md section 5: alignment, integration coverage, digital services; the plan is in consolidation.py."""

from __future__ import annotations

from collections import defaultdict

from egov_align.config import meets_standard
from egov_align.graph import Index
from egov_align.model import Model
from egov_align.rules.non_digital_service import is_digital
from egov_align.schema import SENSITIVE


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def alignment(model: Model, index: Index) -> tuple[float | None, dict, dict]:
    """Overall, per process and per institution (by performer)."""
    totals = [0, 0]
    by_process: dict[str, list[int]] = {}
    by_institution: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    provided_by = index.provided_by
    for process_id, process in model.processes.items():  # 50,000 steps: no generator, no method per step
        counts = by_process[process_id] = [0, 0]
        for step in process.steps:
            performer = by_institution[step.performer or process.owner]  # model.performer
            if not step.needs:
                continue
            aligned = bool(step.systems) and provided_by(step)
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


def coordination(index: Index) -> tuple[float | None, dict[str, float | None]]:
    """Coordinated / cross-institution hand-offs: pooled over all processes, and per process."""
    per_process = {p: _ratio(sum(c for *_, c in h), len(h)) for p, h in index.handoffs.items()}
    every = [c for handoffs in index.handoffs.values() for *_, c in handoffs]
    return _ratio(sum(every), len(every)), per_process


def _active_integrations(model: Model) -> list:
    return [i for i in model.integrations.values() if i.status == "active"]


def mediated_integrations(model: Model) -> float | None:
    """Share of active integrations that go through a bus (`via`) or use the ESB mechanism."""
    active = _active_integrations(model)
    return _ratio(sum(bool(i.via) or i.mechanism == "esb" for i in active), len(active))


def standardised_integrations(model: Model, approved: tuple[str, ...] | None) -> float | None:
    """Share of active integrations with a standard (an approved one, when they are configured)."""
    active = _active_integrations(model)
    return _ratio(sum(meets_standard(i.standard, approved) for i in active), len(active))


def platform_duplication(model: Model, index: Index) -> float | None:
    """(shared capability, in-service provider) pairs / shared capabilities with a provider; 1.0 is ideal."""
    counts = [len(index.providers.get(c, ())) for c, capability in model.capabilities.items() if capability.shared]
    provided = [n for n in counts if n]
    return round(sum(provided) / len(provided), 4) if provided else None


_COUNTED = {"systems": ("capabilities", "vendor", "support", "hosting", "annual_cost", "users"),
            "integrations": ("mechanism", "standard"), "services": ("channels", "annual_volume")}


def _completeness_fields(kind: str, element, sensitive: set[str]) -> list[bool]:
    """Which of the fields DESIGN 9 counts are written in the file (defaults do not count)."""
    written = element.model_fields_set
    if kind == "steps":
        return _step_fields(written)
    fields = [name in written for name in _COUNTED[kind]]
    if kind == "systems" and any(h.entity in sensitive for h in element.data):
        fields.append(element.security is not None and "assessed" in element.security.model_fields_set)
    elif kind == "integrations" and any(e in sensitive for e in element.data):
        fields.append("encrypted" in written)
    return fields


def _step_fields(written: set[str]) -> list[bool]:
    return ["needs" in written, "systems" in written, "reads" in written or "writes" in written]


def completeness_by_element(model: Model):
    """(kind, element id or step subject, owner institution, share of counted fields set)."""
    sensitive = _sensitive(model)
    owner = {"systems": lambda e: e.owner,  # whose record it is: integrations belong to the sender's owner
             "integrations": lambda e: model.systems[e.from_].owner if e.from_ in model.systems else "",
             "services": lambda e: e.provider}
    for kind in ("systems", "integrations", "services"):
        for element_id, element in model.kind(kind).items():
            fields = _completeness_fields(kind, element, sensitive)
            yield kind, element_id, owner[kind](element), sum(fields) / len(fields)
    for process, step in model.steps():
        fields = _completeness_fields("steps", step, sensitive)
        yield "steps", f"{process.id}/{step.id}", model.performer(process, step), sum(fields) / len(fields)


def _sensitive(model: Model) -> set[str]:
    return {e for e, entity in model.data_entities.items() if entity.sensitivity in SENSITIVE}


def completeness(model: Model) -> dict | None:
    """The mean share of the counted fields set: overall (every element counted once) and per kind."""
    by_kind: dict[str, list[float]] = {}
    sensitive = _sensitive(model)
    for kind in ("systems", "integrations", "services"):
        shares = [sum(fields) / len(fields) for fields in
                  (_completeness_fields(kind, element, sensitive) for element in model.kind(kind).values())]
        if shares:
            by_kind[kind] = shares
    # without completeness_by_element's ids and owners, which only the dashboard's table shows: 50,000 steps
    steps = [sum(fields) / 3 for process in model.processes.values()
             for fields in (_step_fields(step.model_fields_set) for step in process.steps)]
    if steps:
        by_kind["steps"] = steps
    every = [share for shares in by_kind.values() for share in shares]
    if not every:
        return None
    return {"overall": round(sum(every) / len(every), 4),
            **{kind: round(sum(shares) / len(shares), 4) for kind, shares in by_kind.items()}}


def compute_metrics(model: Model, index: Index, approved: tuple[str, ...] | None = None) -> dict:
    overall, per_process, per_institution = alignment(model, index)
    coordinated, coordination_per_process = coordination(index)
    for process_id, values in per_process.items():
        values["coordination"] = coordination_per_process.get(process_id)
    plan = index.consolidation
    return {
        "alignment": overall,
        "integration_coverage": integration_coverage(index),
        "digital_services": digital_services(model),
        "redundant_spend": _number(sum(item["annual_cost"] for item in plan)),
        "coordination": coordinated,
        "mediated_integrations": mediated_integrations(model),
        "standardised_integrations": standardised_integrations(model, approved),
        "platform_duplication": platform_duplication(model, index),
        "completeness": completeness(model),
        "processes": per_process,
        "institutions": per_institution,
        "consolidation": plan,
    }
