"""A hand-off between two steps on different systems with no integration carrying the data.

For a flow edge A -> B: A writes an entity B reads, both steps have systems, they share
none, and no active integration runs from a system of A to a system of B carrying one of
those entities (a `bidirectional` integration counts both ways).

Why it matters: someone carries the data across by hand (printouts, re-typing, e-mail),
which costs time and brings errors: the "systems that don't talk" problem.

How to fix: add an active integration from a system of the earlier step to a system of
this step carrying the data, preferably through the government service bus (`via`).

Fails::

    steps:
      - {id: register, name: Register, writes: [company], systems: [ors]}
      - {id: tin, name: Issue TIN, reads: [company], systems: [itax]}

Passes::

    integrations: [{from: ors, to: itax, data: [company], via: govesb}]
"""

from __future__ import annotations

from egov_align.findings import Severity
from egov_align.i18n import N_, Names
from egov_align.model import step_subject

NAME = "integration-gap"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING


def check(ctx):
    index = ctx.index
    in_service = index.in_service  # a bus that is retired (or retiring) is no route to advise
    buses = index.advisable(sorted({i.via for i in ctx.model.integrations.values()
                                    if i.via and i.status == "active" and i.via in in_service}))
    for process, source, target, entities in index.handovers:
        if index.handover_covered(source, target, entities):
            continue
        template = (N_("step '{name}' reads {entities} written in step '{source}' on another system, but no active "
                       "integration carries it from {senders} to {receivers}; add an integration through {buses}")
                    if buses else
                    N_("step '{name}' reads {entities} written in step '{source}' on another system, but no active "
                       "integration carries it from {senders} to {receivers}; add an integration"))
        yield ctx.finding(
            step_subject(process.id, target.id), template, name=target.name, entities=Names(entities),
            source=source.name, senders=Names(source.systems), receivers=Names(target.systems),
            buses=Names(buses, 2),
            related=[step_subject(process.id, source.id)]
            + [f"system:{s}" for s in source.systems + target.systems]
            + [f"data:{e}" for e in entities],
            key=source.id)
