"""DESIGN.md section 5: alignment, integration coverage, digital services, consolidation plan."""

from __future__ import annotations

from collections import defaultdict

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


def consolidation_plan(model: Model, index: Index) -> list[dict]:
    """Greedy plan: which in-service systems could go with nothing lost, and who takes over.

    Candidates with `annual_cost`, fewest supported steps first, then the most expensive,
    then by id. One is retired when every capability it provides and every entity it
    masters stays with a remaining *active* system (a legacy system can go, never take over).
    The successor named is the remaining active one supporting most steps, then by id.
    """
    supported = index.steps_supported
    in_service = index.in_service
    rank = {s: (-supported.get(s, 0), s) for s in in_service}
    takers: dict[tuple[str, str], list[str]] = defaultdict(list)  # (what, item) -> active holders by rank
    for system_id in sorted(in_service, key=rank.__getitem__):
        system = in_service[system_id]
        if system.status != "active":
            continue
        for capability in dict.fromkeys(system.capabilities):
            takers[("capabilities", capability)].append(system_id)
        for entity in dict.fromkeys(system.entities("master")):
            takers[("data", entity)].append(system_id)
    retired: set[str] = set()
    candidates = sorted((s for s in in_service.values() if s.annual_cost is not None),
                        key=lambda s: (supported.get(s.id, 0), -s.annual_cost, s.id))
    plan = []
    for system in candidates:
        successors: dict[str, dict[str, str]] = {"capabilities": {}, "data": {}}
        for what, items in (("capabilities", system.capabilities), ("data", system.entities("master"))):
            for item in dict.fromkeys(items):
                successor = next((t for t in takers[(what, item)] if t != system.id and t not in retired), None)
                if successor is None:
                    break
                successors[what][item] = successor
            else:
                continue
            break
        else:
            retired.add(system.id)
            plan.append({"system": system.id, "annual_cost": _number(system.annual_cost),
                         "steps_supported": supported.get(system.id, 0),
                         "capabilities": successors["capabilities"], "data": successors["data"],
                         "taken_over_by": sorted({t for m in successors.values() for t in m.values()})})
    return plan


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
