"""A data entity that is used or held but mastered by no system in service.

Why it matters: nobody is the single source of truth, so every copy is as good (or as
wrong) as any other; GovStack's digital registries exist to fix exactly this.

How to fix: make one system the master of the entity (`role: master`) and the others
replicas or readers fed from it. The advice names the system in service that the entity's
integrations (active or planned) start from, where there is one: the copies are fed from
it, so it, not a replica, is the source to make authoritative. Otherwise it names the
active systems that hold the entity, and a legacy one only when no active system does.

Fails::

    data_entities: [{id: birth, name: Birth record}]
    systems: [{id: clinic, name: Clinic system, owner: moh, data: [{entity: birth}]}]

Passes::

    systems: [{id: brs, name: Birth registry, owner: rita, data: [{entity: birth, role: master}]}]
"""

from __future__ import annotations

from collections import defaultdict

from egov_align.findings import Severity
from egov_align.i18n import N_, STEP, SYSTEM, Count, Names, Text, naming
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
    masters, in_service = ctx.index.masters, ctx.index.in_service
    unmastered = {e for e in ctx.model.data_entities if not masters.get(e)}
    if not unmastered:
        return  # 50,000 steps at national scale: read only for the entities no system in service masters
    users = defaultdict(list)
    for process, step in ctx.model.steps():
        for entity in dict.fromkeys(step.reads + step.writes):
            if entity in unmastered:
                users[entity].append(step_subject(process.id, step.id))
    for system_id, system in ctx.model.systems.items():
        for entity in dict.fromkeys(system.entities()):
            if entity in unmastered:
                users[entity].append(f"system:{system_id}")
    passed_on = None
    for entity_id in ctx.model.data_entities:
        if entity_id not in users:
            continue
        if passed_on is None:
            passed_on = _passed_on(ctx.model.integrations.values(), ctx.model.systems)
        fed_to = passed_on.get(entity_id, {})
        sources = ctx.index.advisable(sorted((s for s in fed_to if s in in_service),
                                             key=lambda s: (-len(fed_to[s]), s)))  # feeding the most first
        if sources:
            advice = Text.of(N_("make `{system}` its master (role: master): it passes it on to {receivers}"),
                             system=sources[0], receivers=Names(fed_to[sources[0]]))
        else:
            holders = ctx.index.advisable([s for u in users[entity_id]
                                           if u.startswith("system:") and (s := u[7:]) in in_service])
            advice = naming(holders, N_("make `{system}` its master (role: master)"),
                            N_("make one of {systems} its master (role: master)"),
                            Text(N_("name a system in service that masters it")))
        yield ctx.finding(
            f"data:{entity_id}",
            N_("'{name}' is used by {users} but no system in service masters it; {advice}"),
            name=ctx.model.data_entities[entity_id].name, users=_users(users[entity_id]), advice=advice,
            related=list(dict.fromkeys(users[entity_id] + [f"system:{s}" for s in sources[:1]])))


def _passed_on(integrations, systems: dict) -> dict[str, dict[str, list[str]]]:
    """entity -> the systems its integrations (active or planned, one way, to a system not retired)
    start from -> where they pass it on to. A system that also receives the entity that way only
    relays it: not a source."""
    sent: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    received: dict[str, set[str]] = defaultdict(set)
    for integration in integrations:
        if integration.bidirectional or integration.status not in ("active", "planned") or \
                systems[integration.to].status == "retired":
            continue
        for entity in dict.fromkeys(integration.data):
            if integration.to not in sent[entity][integration.from_]:
                sent[entity][integration.from_].append(integration.to)
            received[entity].add(integration.to)
    return {entity: {system: sorted(to) for system, to in senders.items() if system not in received[entity]}
            for entity, senders in sent.items()}
