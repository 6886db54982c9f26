"""An active integration that carries personal or confidential data without encryption.

Why it matters: personal data crossing networks in clear text is one of the security
threats that grow as systems are connected; marking `encrypted: true` records that it is
protected in transit.

How to fix: encrypt the exchange in transit (TLS, or route it through the service bus)
and record `encrypted: true`.

Fails::

    data_entities: [{id: person, name: Person, sensitivity: personal}]
    integrations: [{from: ors, to: npr, data: [person]}]

Passes::

    integrations: [{from: ors, to: npr, data: [person], encrypted: true}]
"""

from __future__ import annotations

from egov_align.findings import Severity
from egov_align.i18n import N_, Parts, Text, value_text
from egov_align.schema import SENSITIVE

NAME = "unprotected-sensitive-data"
SUBJECT = "integration"
DEFAULT_SEVERITY = Severity.ERROR


def check(ctx):
    entities = ctx.model.data_entities
    for integration_id, integration in ctx.model.integrations.items():
        if integration.status != "active" or integration.encrypted:
            continue
        sensitive = [e for e in integration.data if entities[e].sensitivity in SENSITIVE]
        if not sensitive:
            continue
        yield ctx.finding(
            f"integration:{integration_id}",
            N_("integration {source} -> {target} carries {entities} unencrypted; encrypt it in transit (TLS or the "
               "service bus) and set `encrypted: true`"),
            source=integration.from_, target=integration.to,
            entities=Parts(tuple(Text.of(N_("'{entity}' ({sensitivity})"), entity=e,
                                         sensitivity=value_text(entities[e].sensitivity)) for e in sensitive), ", "),
            related=[f"data:{e}" for e in sensitive]
            + [f"system:{integration.from_}", f"system:{integration.to}"])
