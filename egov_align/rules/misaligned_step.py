"""A step whose systems do not provide a capability the step needs.

Why it matters: the system exists but does not do the job the step needs, so staff work
around it (spreadsheets, paper, a second system). The alignment metric counts these.

How to fix: add a system that provides the missing capability to the step (the message
names candidates; for a generic capability, only those of the institution performing the
step and of related institutions), or correct `needs` if the step does not really need it.
When a system is planned as the shared platform for the capability, the message names it
too: move the step onto it once it is in service.

Fails::

    systems: [{id: ors, name: ORS, owner: brela, capabilities: [registration]}]
    steps: [{id: pay, name: Pay fee, needs: [payments], systems: [ors]}]

Passes::

    steps: [{id: pay, name: Pay fee, needs: [payments], systems: [ors, gepg]}]
"""

from __future__ import annotations

import functools

from egov_align.advice import systems_for
from egov_align.findings import Severity
from egov_align.i18n import N_, Names, Text
from egov_align.model import step_subject

NAME = "misaligned-step"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING


def check(ctx):
    index, offers = ctx.index, ctx.index.capabilities_of

    @functools.cache  # thousands of steps miss the same: the advice is built once per list of missing capabilities
    def advised(missing: tuple[str, ...], institution: str | None) -> tuple:
        advice, planned, related = systems_for(index, missing, institution,
                                               N_("add `{system}` to the step, which provides it"),
                                               N_("add one of {systems} to the step, which provide it"),
                                               Text(N_("no system in service provides it: see capability-gap")))
        return advice, planned, related, Names(missing), ",".join(missing)

    for process, step in ctx.model.steps():
        if not step.systems or not step.needs:
            continue
        missing = [need for need in dict.fromkeys(step.needs) if not any(need in offers[s] for s in step.systems)]
        if not missing:
            continue
        advice, planned, related, named, finding_key = advised(tuple(missing),
                                                               index.advice_home(process, step, missing))
        yield ctx.finding(
            step_subject(process.id, step.id),
            N_("step '{name}' needs {missing}, which none of its systems ({systems}) provides; {advice}{planned}"),
            name=step.name, missing=named, systems=Names(step.systems), advice=advice, planned=planned,
            related=related,
            key=finding_key)
