"""DESIGN 5 and 12: which in-service systems could go with nothing lost, and who takes over.

Two passes, so advice never names a system the same plan retires: first decide what is
retired (greedy, in the documented order), then pick each retired system's successors among
the systems that remain, preferring those closest to it in domain. Generic capabilities
(registration, case management ...) are neither a reason to retire a system nor a reason
for another to take over.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from egov_align.i18n import N_, _, field_names, language

if TYPE_CHECKING:  # the reporters read the plan's reasons from here without loading networkx
    from egov_align.graph import Index
    from egov_align.model import Model


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


class _Domain:
    """What a system is for, to rank successors: its capabilities, data, owner and processes."""

    def __init__(self, model: Model, index: Index) -> None:
        self.model = model
        self.generic, self.related = index.generic, index.related
        self._capabilities: dict[str, list[str]] = {}
        self._masters: dict[str, list[str]] = {}
        self._sets: dict[tuple[str, str], frozenset[str]] = {}  # (capabilities or masters, system) -> set
        self.processes: dict[str, set[str]] = defaultdict(set, index.processes_of)  # looked up for any system

    def capabilities(self, system_id: str) -> list[str]:
        found = self._capabilities.get(system_id)
        if found is None:
            found = self._capabilities[system_id] = [c for c in dict.fromkeys(self.model.systems[system_id].capabilities)
                                                     if c not in self.generic]
        return found

    def masters(self, system_id: str) -> list[str]:
        found = self._masters.get(system_id)
        if found is None:
            found = self._masters[system_id] = list(dict.fromkeys(self.model.systems[system_id].entities("master")))
        return found

    def as_set(self, what: str, system_id: str) -> frozenset[str]:
        found = self._sets.get((what, system_id))
        if found is None:
            items = self.capabilities(system_id) if what == "capabilities" else self.masters(system_id)
            found = self._sets[(what, system_id)] = frozenset(items)
        return found

    def closeness_to(self, retired: str):
        """DESIGN 12's order of successors: shared capabilities, shared master data, owner, parent,
        processes, id. The retired system's side is looked up once: hundreds of candidates are ranked."""
        systems, as_set, related, processes = self.model.systems, self.as_set, self.related, self.processes
        capabilities, masters = as_set("capabilities", retired), as_set("masters", retired)
        owner, supports = systems[retired].owner, processes[retired]

        def closeness(candidate: str) -> tuple:
            their_owner = systems[candidate].owner
            return (-len(capabilities & as_set("capabilities", candidate)), -len(masters & as_set("masters", candidate)),
                    owner != their_owner, not related(owner, their_owner),
                    -len(supports & processes[candidate]), candidate)
        return closeness

    def reason(self, retired: str, successor: str) -> str:
        """'also provides health-insurance; same owner': why this successor was chosen (English, for JSON)."""
        parts = []
        theirs = self.as_set("capabilities", successor)
        capabilities = [c for c in self.capabilities(retired) if c in theirs]
        if capabilities:
            parts.append(PROVIDES.format(capabilities=", ".join(capabilities)))
        theirs = self.as_set("masters", successor)
        entities = [e for e in self.masters(retired) if e in theirs]
        if entities:
            parts.append(MASTERS.format(entities=", ".join(entities)))
        owner, their_owner = self.model.systems[retired].owner, self.model.systems[successor].owner
        if owner == their_owner:
            parts.append(SAME_OWNER)
        elif self.related(owner, their_owner):
            parts.append(SAME_PARENT)
        common = sorted(self.processes[retired] & self.processes[successor])
        if common:
            parts.append(SUPPORTS.format(processes=", ".join(common[:3])
                                         + (f" and {len(common) - 3} more" if len(common) > 3 else "")))
        return "; ".join(parts) or PROVIDES_ALL


PROVIDES, MASTERS = N_("also provides {capabilities}"), N_("also masters {entities}")
SAME_OWNER, SAME_PARENT = N_("same owner"), N_("same parent institution")
SUPPORTS, PROVIDES_ALL = N_("also supports {processes}"), N_("provides what it provided")


def reason_in_language(reason: str) -> str:
    """A plan's reason (English in the JSON) in the language in force, part by part."""
    if language() == "en":
        return reason
    shown = []
    for part in reason.split("; "):
        for template in (PROVIDES, MASTERS, SUPPORTS):
            prefix = template.split("{")[0]
            if part.startswith(prefix):
                shown.append(_(template, **{field_names(template)[0]: part[len(prefix):]}))
                break
        else:
            shown.append(_(part) if part in (SAME_OWNER, SAME_PARENT, PROVIDES_ALL) else part)
    return "; ".join(shown)


def _successors(domain: _Domain, system_id: str, staying: dict) -> tuple[dict, list[str]]:
    """Who takes over each capability and entity of a retired system, and all of them, closest first."""
    ranks: dict[str, tuple] = {}  # candidate -> its rank, computed once
    closeness = domain.closeness_to(system_id)

    def rank(candidate: str) -> tuple:
        found = ranks.get(candidate)
        if found is None:
            found = ranks[candidate] = closeness(candidate)
        return found

    successors: dict[str, dict[str, str]] = {"capabilities": {}, "data": {}}
    for what, items in (("capabilities", domain.capabilities(system_id)), ("data", domain.masters(system_id))):
        for item in items:
            successors[what][item] = min(staying[(what, item)], key=rank)
    return successors, sorted({t for chosen in successors.values() for t in chosen.values()}, key=rank)


def consolidation_plan(model: Model, index: Index) -> list[dict]:
    """Retire in order: fewest supported steps, then most expensive, then id (DESIGN 5)."""
    domain = _Domain(model, index)
    supported = index.steps_supported
    in_service = index.in_service
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)  # (what, item) -> active systems
    for system_id, system in in_service.items():
        if system.status == "active":
            for capability in domain.capabilities(system_id):
                holders[("capabilities", capability)].add(system_id)
            for entity in domain.masters(system_id):
                holders[("data", entity)].add(system_id)
    retired: list[str] = []
    gone: set[str] = set()
    candidates = sorted((s for s in in_service.values() if s.annual_cost is not None),
                        key=lambda s: (supported.get(s.id, 0), -s.annual_cost, s.id))
    remaining = {need: len(systems) for need, systems in holders.items()}  # active holders not retired
    for system in candidates:
        needs = [("capabilities", c) for c in domain.capabilities(system.id)] + \
                [("data", e) for e in domain.masters(system.id)]
        own = system.status == "active"  # then it is one of the holders of each of its needs
        if needs and all(remaining.get(need, 0) - own > 0 for need in needs):
            retired.append(system.id)
            gone.add(system.id)
            if own:
                for need in needs:
                    remaining[need] -= 1
    staying = {need: systems - gone for need, systems in holders.items()}  # who can take over each need
    plan = []
    for system_id in retired:
        system = in_service[system_id]
        successors, takers = _successors(domain, system_id, staying)
        plan.append({"system": system_id, "annual_cost": _number(system.annual_cost),
                     "steps_supported": supported.get(system_id, 0),
                     "capabilities": successors["capabilities"], "data": successors["data"],
                     "taken_over_by": takers,
                     "reasons": {taker: domain.reason(system_id, taker) for taker in takers}})
    return plan
