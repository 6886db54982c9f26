"""A data entity carried by active integrations that use different standards.

Two or more active integrations carry the entity and their `standard`s (trimmed, compared
case-insensitively) differ; integrations with no standard are not counted. `related` names
the active integrations carrying the entity that have a standard.

Why it matters: the same record exchanged as HL7 FHIR with one institution and as a CSV
file or a home-grown SOAP message with another is the "same system built again with
different standards" problem: every new partner costs another adapter.

How to fix: agree on one standard for the entity (the data standard of the sector, e.g.
HL7 FHIR R4 for health, ISO 20022 for payments), record it as the entity's `standard`, and
move the other integrations to it.

Fails::

    integrations:
      - {from: nida-npr, to: nhif, data: [person], standard: HL7 FHIR R4}
      - {from: nida-npr, to: tra, data: [person], standard: SOAP}

Passes::

    integrations:
      - {from: nida-npr, to: nhif, data: [person], standard: HL7 FHIR R4}
      - {from: nida-npr, to: tra, data: [person], standard: hl7 fhir r4}
"""

from __future__ import annotations

from collections import defaultdict

from egov_align.findings import Severity
from egov_align.i18n import N_, Names

NAME = "divergent-standards"
SUBJECT = "data"
DEFAULT_SEVERITY = Severity.WARNING


def check(ctx):
    carried: dict[str, list] = defaultdict(list)  # entity -> active integrations with a standard
    for integration in ctx.model.integrations.values():
        if integration.status == "active" and integration.standard and integration.standard.strip():
            for entity in dict.fromkeys(integration.data):
                carried[entity].append(integration)
    for entity_id, integrations in carried.items():
        standards = {}
        for integration in integrations:
            standards.setdefault(integration.standard.strip().lower(), integration.standard.strip())
        if len(standards) < 2 or entity_id not in ctx.model.data_entities:
            continue
        entity = ctx.model.data_entities[entity_id]
        template = (N_("'{name}' is exchanged in {count} different standards ({standards}) by {integrations}; the "
                       "entity's own standard is {own}; agree on one and move the other integrations to it")
                    if entity.standard else
                    N_("'{name}' is exchanged in {count} different standards ({standards}) by {integrations}; agree "
                       "on one and move the other integrations to it"))
        yield ctx.finding(
            f"data:{entity_id}", template, name=entity.name, count=len(standards),
            standards=", ".join(sorted(standards.values())), integrations=Names([i.id for i in integrations]),
            own=entity.standard,
            related=[f"integration:{i.id}" for i in integrations])
