"""A data entity that is used or held but mastered by no system in service.

Why it matters: nobody is the single source of truth, so every copy is as good (or as
wrong) as any other; GovStack's digital registries exist to fix exactly this.

How to fix: make one system the master of the entity (`role: master`) and the others
replicas or readers fed from it. The advice names the active systems that hold it, and a
legacy one only when no active system does.

Fails::

    data_entities: [{id: birth, name: Birth record}]
    systems: [{id: clinic, name: Clinic system, owner: moh, data: [{entity: birth}]}]

Passes::

    systems: [{id: brs, name: Birth registry, owner: rita, data: [{entity: birth, role: master}]}]
"""

from __future__ import annotations

from collections import defaultdict

from egov_align.findings import Severity
from egov_align.i18n import N_, STEP, SYSTEM, Count, Names, Text
from egov_align.model import step_subject

NAME = "no-authoritative-source"
SUBJECT = "data"
DEFAULT_SEVERITY = Severity.WARNING


def _users(subjects: list[str]) -> Text | Count:
    """'2 steps and 1 system'."""
    systems = sum(s.startswith("system:") for s in subjects)
    steps = len(subjects) - systems
    if steps and systems:
        return Text.of(N_("{steps} and {systems}"), steps=Count(steps, STEP), systems=Count(systems, SYSTEM))
    return Count(steps, STEP) if steps else Count(systems, SYSTEM)


def check(ctx):
    users = defaultdict(list)
    for process, step in ctx.model.steps():
        for entity in dict.fromkeys(step.reads + step.writes):
            users[entity].append(step_subject(process.id, step.id))
    for system_id, system in ctx.model.systems.items():
        for entity in dict.fromkeys(system.entities()):
            users[entity].append(f"system:{system_id}")
    masters = ctx.index.masters
    for entity_id in ctx.model.data_entities:
        if entity_id not in users or masters.get(entity_id):
            continue
        in_service = ctx.index.in_service
        holders = ctx.index.advisable([s for u in users[entity_id]
                                       if u.startswith("system:") and (s := u[7:]) in in_service])
        advice = (Text(N_("name a system in service that masters it")) if not holders else
                  Text.of(N_("make `{system}` its master (role: master)"), system=holders[0]) if len(holders) == 1
                  else Text.of(N_("make one of {systems} its master (role: master)"), systems=Names(holders)))
        yield ctx.finding(
            f"data:{entity_id}",
            N_("'{name}' is used by {users} but no system in service masters it; {advice}"),
            name=ctx.model.data_entities[entity_id].name, users=_users(users[entity_id]), advice=advice,
            related=users[entity_id])
