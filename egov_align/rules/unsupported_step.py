"""A process step that needs capabilities but names no system: it is done by hand.

Why it matters: a step done on paper is where citizens queue, files get lost and data is
typed again later. Listing these steps shows where digitising would help most.

How to fix: name the system that supports the step in `systems`, or plan one: the
message lists the systems in service that already provide what the step needs (for a
generic capability, such as registration, only those of the institution performing the
step and of related institutions), and the systems planned as the shared
platform for a capability meant to be shared, to move the step onto once in service.

Fails::

    steps:
      - {id: check-id, name: Check identity, needs: [identity]}

Passes::

    steps:
      - {id: check-id, name: Check identity, needs: [identity], systems: [nida-npr]}
"""

from __future__ import annotations

import functools

from egov_align.advice import systems_for
from egov_align.findings import Severity
from egov_align.i18n import N_, Names, Text
from egov_align.model import step_subject

NAME = "unsupported-step"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING


def check(ctx):
    index = ctx.index

    @functools.cache  # thousands of steps need the same: the advice is built once per list of needs (and performer)
    def advised(needs: tuple[str, ...], institution: str | None) -> tuple:
        advice, planned, related = systems_for(index, needs, institution,
                                               N_("a system already in service provides it: `{system}`"),
                                               N_("systems already in service that provide it: {systems}"),
                                               Text(N_("no system in service provides it yet")))
        return advice, planned, related, Names(needs)

    for process, step in ctx.model.steps():
        if not step.needs or step.systems:
            continue
        advice, planned, related, needs = advised(tuple(step.needs), index.advice_home(process, step, step.needs))
        yield ctx.finding(
            step_subject(process.id, step.id),
            N_("step '{name}' needs {needs} but no system supports it (done by hand); {advice}{planned}"),
            name=step.name, needs=needs, advice=advice, planned=planned, related=related)
