"""A process spread over several institutions whose hand-offs are mostly not coordinated.

Fires when the process's steps have at least `fragmentation-min-institutions` (default 3)
distinct performers and fewer than `coordination-min-share` (default 0.5) of its
cross-institution hand-offs are coordinated. A hand-off is a flow edge between steps of
different performers; it is coordinated when the two steps share a system or an active
integration (any data; `via` and `bidirectional` count) runs from a system of the first to a
system of the second. A process without cross-institution hand-offs never fires.

Why it matters: this is "weak coordination of ICT between institutions" as the citizen lives
it: each office runs its part on its own, and the applicant carries paper between them.

How to fix: connect the institutions' systems for the hand-offs the message names (through
the government service bus), or move the steps onto a shared platform.

Fails::

    processes:
      - id: start-business
        name: Start a business
        owner: brela
        steps:
          - {id: register, name: Register, performer: brela, systems: [brela-ors]}
          - {id: tin, name: Get a TIN, performer: tra, systems: [tra-idras]}
          - {id: licence, name: Get a licence, performer: council, systems: [lga-licensing]}

Passes::

    processes:
      - id: start-business
        name: Start a business
        owner: brela
        steps:
          - {id: register, name: Register, performer: brela, systems: [brela-ors]}
          - {id: tin, name: Get a TIN, performer: tra, systems: [brela-ors]}
          - {id: licence, name: Get a licence, performer: council, systems: [brela-ors]}
"""

from __future__ import annotations

from egov_align.findings import Severity
from egov_align.i18n import N_, Names

NAME = "fragmented-process"
SUBJECT = "process"
DEFAULT_SEVERITY = Severity.WARNING


def check(ctx):
    model, handoffs = ctx.model, ctx.index.handoffs
    minimum, share = ctx.config.fragmentation_min_institutions, ctx.config.coordination_min_share
    for process_id, process in model.processes.items():
        crossings = handoffs[process_id]
        if not crossings:
            continue
        performers = {model.performer(process, step) for step in process.steps}
        coordinated = sum(c for *_, c in crossings)
        if len(performers) < minimum or coordinated / len(crossings) >= share:
            continue
        loose = [f"{a.id} ({pa}) -> {b.id} ({pb})" for a, b, pa, pb, c in crossings if not c]
        yield ctx.finding(
            f"process:{process_id}",
            N_("process '{name}' runs across {count} institutions, and only {coordinated} of its {handoffs} hand-offs "
               "between them is coordinated ({share:.0%}, below {minimum:.0%}); connect the systems for {loose}")
            if coordinated == 1 else
            N_("process '{name}' runs across {count} institutions, and only {coordinated} of its {handoffs} hand-offs "
               "between them are coordinated ({share:.0%}, below {minimum:.0%}); connect the systems for {loose}"),
            name=process.name, count=len(performers), coordinated=coordinated, handoffs=len(crossings),
            share=coordinated / len(crossings), minimum=share, loose=Names(loose, 4),
            related=[f"step:{process_id}/{b.id}" for a, b, pa, pb, c in crossings if not c]
            + [f"institution:{i}" for i in sorted(performers)])
