"""A step supported by a system that is planned, retiring or retired.

Why it matters: the step depends on a system that is not (or soon no longer) running; when
it goes, the step falls back to paper unless a successor is named.

How to fix: move the step to a system that is in service (the message names successors
that provide the same capabilities, or says so when the step's other systems already do),
or bring the system into service. For a generic capability only the systems of the
institution performing the step and of related institutions are successors: when they
have none, plan one.

Fails::

    systems: [{id: molis, name: MOLIS, owner: lands, status: retiring}]
    steps: [{id: rent, name: Check land rent, systems: [molis]}]

Passes::

    steps: [{id: rent, name: Check land rent, systems: [ilmis]}]
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from egov_align.findings import Severity
from egov_align.i18n import N_, Names, Parts, Text, naming, value_text
from egov_align.model import step_subject

NAME = "inactive-support"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING
INACTIVE = ("planned", "retiring", "retired")
SHORTLIST = 10  # providers per capability considered for the advice


def _wanted(step, inactive: list[str], systems, generic: frozenset) -> frozenset:
    """The capabilities a successor must offer: the step's own needs that the inactive systems
    met, and of those the non-generic ones (a community health fund step is moved to the
    health-insurance system, not to anything that "registers")."""
    lost = [c for c in dict.fromkeys(step.needs) if any(c in systems[s].capabilities for s in inactive)]
    lost = lost or [c for s in inactive for c in dict.fromkeys(systems[s].capabilities)]
    return frozenset([c for c in lost if c not in generic] or lost)


def _successors(wanted: frozenset, needs: frozenset, index, shortlist: Callable[[str, str | None], list[str]],
                staying: frozenset = frozenset(), home: str | None = None) -> list[str]:
    """Active systems that provide what the inactive ones did for a step, best first: those
    offering most of `wanted`, then most of the step's `needs`, then the most used. When only
    generic capabilities are wanted, only the systems of the step's performer `home` and of
    related institutions, its own first. Not the systems `staying` on the step: a step is not
    moved to a system it is on already.

    Only the best-placed providers of each capability (`shortlist`), not every provider: at
    national scale a capability has hundreds, and thousands of steps ask.
    """
    candidates = {system_id for capability in wanted for system_id in shortlist(capability, home)} - staying
    supported, offers = index.steps_supported, index.capabilities_of
    ranked = [(-len(offers[s] & wanted), -len(offers[s] & needs), index.closeness(s, home) if home else 0,
               -supported.get(s, 0), s) for s in candidates]
    return [system_id for *_rank, system_id in sorted(ranked)[:3]]


def check(ctx):
    systems, index = ctx.model.systems, ctx.index

    @functools.cache
    def shortlist(capability: str, home: str | None) -> list[str]:
        """The capability's best-placed active providers (for a step `home` performs)."""
        return [p for p in index.suggest_for(capability, home, SHORTLIST) if systems[p].status == "active"]

    @functools.cache  # thousands of steps want the same of a successor: ranked once per case
    def advised(wanted: frozenset, needs: frozenset, staying: frozenset, home: str | None) -> tuple:
        successors = _successors(wanted, needs, index, shortlist, staying, home)
        return successors, naming(successors, N_("move the step to `{system}`"),
                                  N_("move the step to one of {systems}"), Text(N_("plan a successor system for it")))

    offers, retired_by_plan = index.capabilities_of, index.retired_by_plan

    not_in_service = {s for s, system in systems.items() if system.status in INACTIVE}
    for process, step in ctx.model.steps():
        if not_in_service.isdisjoint(step.systems):
            continue
        inactive = [s for s in dict.fromkeys(step.systems) if s in not_in_service]
        states = Parts(tuple(Text.of(N_("`{system}` is {status}"), system=s, status=value_text(systems[s].status))
                             for s in inactive), ", ")
        wanted = _wanted(step, inactive, systems, index.generic)
        # the step's own systems that stay: active, and not retired by the consolidation plan either
        staying = [s for s in dict.fromkeys(step.systems)
                   if systems[s].status == "active" and s not in retired_by_plan]
        if staying and all(any(c in offers[s] for s in staying) for c in wanted):
            successors, advice = staying, Text.of(
                N_("take {inactive} off the step: its other systems ({systems}) already provide the same "
                   "capabilities"), inactive=Names(inactive), systems=Names(staying))
        else:
            # `wanted` is all generic or all not (_wanted): the performer counts only in the first case
            successors, advice = advised(wanted, frozenset(step.needs), frozenset(staying),
                                         index.advice_home(process, step, wanted))
        yield ctx.finding(
            step_subject(process.id, step.id),
            N_("step '{name}' relies on systems not in service: {states}; {advice}"),
            name=step.name, states=states, advice=advice,
            related=[f"system:{s}" for s in inactive + successors])
