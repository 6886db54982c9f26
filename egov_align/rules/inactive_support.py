"""A step supported by a system that is planned, retiring or retired.

Why it matters: the step depends on a system that is not (or soon no longer) running; when
it goes, the step falls back to paper unless a successor is named.

How to fix: move the step to a system that is in service (the message names successors
that provide the same capabilities), or bring the system into service.

Fails::

    systems: [{id: molis, name: MOLIS, owner: lands, status: retiring}]
    steps: [{id: rent, name: Check land rent, systems: [molis]}]

Passes::

    steps: [{id: rent, name: Check land rent, systems: [ilmis]}]
"""

from __future__ import annotations

from egov_align.findings import Severity
from egov_align.i18n import N_, Names, Parts, Text
from egov_align.model import step_subject

NAME = "inactive-support"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING
INACTIVE = ("planned", "retiring", "retired")
SHORTLIST = 10  # providers per capability considered for the advice


def _successors(step, inactive: list[str], systems, index, offers: dict[str, frozenset]) -> list[str]:
    """Active systems that provide what the inactive ones did for this step, best first.

    The step's own needs come first, and of those the non-generic ones: a community health
    fund step is moved to the health-insurance system, not to anything that "registers".
    """
    lost = [c for c in dict.fromkeys(step.needs) if any(c in systems[s].capabilities for s in inactive)]
    lost = lost or [c for s in inactive for c in dict.fromkeys(systems[s].capabilities)]
    specific = [c for c in lost if c not in index.generic] or lost
    # The best-placed providers of each capability (a short, cached list), not every provider:
    # at national scale a capability has hundreds, and thousands of steps ask.
    candidates = {p for c in specific for p in index.suggest(c, SHORTLIST) if systems[p].status == "active"}
    wanted, needs, supported = set(specific), set(step.needs), index.steps_supported

    def rank(system_id: str) -> tuple:
        offered = offers.get(system_id)
        if offered is None:
            offered = offers[system_id] = frozenset(systems[system_id].capabilities)
        return (-len(offered & wanted), -len(offered & needs), -supported.get(system_id, 0), system_id)

    return sorted(candidates, key=rank)[:3]


def check(ctx):
    systems, index = ctx.model.systems, ctx.index
    advised: dict[tuple, list[str]] = {}  # (inactive systems, needs) -> successors: steps repeat them
    offers: dict[str, frozenset] = {}  # system -> its capabilities, for ranking candidates
    for process, step in ctx.model.steps():
        inactive = [s for s in dict.fromkeys(step.systems) if systems[s].status in INACTIVE]
        if not inactive:
            continue
        states = Parts(tuple(Text.of(N_("`{system}` is {status}"), system=s, status=systems[s].status)
                             for s in inactive), ", ")
        key = (tuple(inactive), tuple(step.needs))
        successors = advised.get(key)
        if successors is None:
            successors = advised[key] = _successors(step, inactive, systems, index, offers)
        advice = (Text.of(N_("move the step to {successors}"), successors=Names(successors)) if successors
                  else Text(N_("plan a successor system for it")))
        yield ctx.finding(
            step_subject(process.id, step.id),
            N_("step '{name}' relies on systems not in service: {states}; {advice}"),
            name=step.name, states=states, advice=advice,
            related=[f"system:{s}" for s in inactive + successors])
