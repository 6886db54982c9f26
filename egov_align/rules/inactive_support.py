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

from egov_align.context import names
from egov_align.findings import Severity
from egov_align.model import step_subject

NAME = "inactive-support"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING
INACTIVE = ("planned", "retiring", "retired")


def check(ctx):
    systems, index = ctx.model.systems, ctx.index
    for process, step in ctx.model.steps():
        inactive = [s for s in dict.fromkeys(step.systems) if systems[s].status in INACTIVE]
        if not inactive:
            continue
        states = ", ".join(f"`{s}` is {systems[s].status}" for s in inactive)
        successors = [p for s in inactive for c in systems[s].capabilities for p in index.suggest(c)
                      if systems[p].status == "active"]
        advice = (f"move the step to {names(dict.fromkeys(successors))}" if successors
                  else "plan a successor system for it")
        yield ctx.finding(
            step_subject(process.id, step.id),
            f"step '{step.name}' relies on systems not in service: {states}; {advice}",
            related=[f"system:{s}" for s in inactive + successors])
