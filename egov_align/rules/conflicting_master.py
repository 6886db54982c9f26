"""A data entity mastered by two or more systems in service.

Why it matters: two sources of truth disagree sooner or later (a person registered in one
registry and not in another); decide which is authoritative and make the others replicas.

How to fix: choose the authoritative system, keep `role: master` there only, and make
the others replicas fed by an integration. The message suggests the one once-only-gap tells
steps to integrate with: an active master before a legacy one, of those the consolidation
plan keeps, then the one that already feeds the most systems.

Fails::

    systems:
      - {id: npr, name: Population register, owner: nida, data: [{entity: person, role: master}]}
      - {id: tin, name: TIN register, owner: tra, data: [{entity: person, role: master}]}

Passes::

    systems:
      - {id: npr, name: Population register, owner: nida, data: [{entity: person, role: master}]}
      - {id: tin, name: TIN register, owner: tra, data: [{entity: person, role: replica}]}
"""

from __future__ import annotations

from egov_align.findings import Severity
from egov_align.i18n import N_, Names

NAME = "conflicting-master"
SUBJECT = "data"
DEFAULT_SEVERITY = Severity.ERROR


def check(ctx):
    for entity_id, masters in ctx.index.masters.items():
        if len(masters) < 2 or entity_id not in ctx.model.data_entities:
            continue
        yield ctx.finding(
            f"data:{entity_id}",
            N_("'{name}' is mastered by {count} systems in service ({masters}); choose one authoritative source, "
               "e.g. `{keep}`, and make the others replicas fed by an integration"),
            name=ctx.model.data_entities[entity_id].name, count=len(masters), masters=Names(masters),
            keep=ctx.index.best_source(entity_id), related=[f"system:{s}" for s in masters])
