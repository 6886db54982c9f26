"""An active integration with no `standard`, or, when approved standards are configured, one not approved.

Severity: info, or warning when `[standards] approved` is set in egov-align.toml (an empty
list counts as set). Standards compare trimmed and case-insensitively.

Why it matters: an exchange built to no standard, or to one the government has not adopted,
is bespoke: it is rebuilt for every new partner and ties both ends to their contractors.

How to fix: record the standard the integration follows (`standard: REST/OpenAPI`,
`X-Road`, `HL7 FHIR R4`, `ISO 20022` ...), and move integrations to an approved one.

Fails::

    integrations:
      - {from: brela-ors, to: tra-idras, data: [company]}

Passes::

    integrations:
      - {from: brela-ors, to: tra-idras, data: [company], standard: REST/OpenAPI}
"""

from __future__ import annotations

from egov_align.config import meets_standard
from egov_align.findings import Severity
from egov_align.i18n import N_, Text

NAME = "non-standard-integration"
SUBJECT = "integration"
DEFAULT_SEVERITY = Severity.INFO
SEVERITY_TEXT = N_("info (warning when approved standards are configured)")


def check(ctx):
    approved = ctx.config.approved_standards
    severity = Severity.WARNING if approved is not None else None
    for integration_id, integration in ctx.model.integrations.items():
        if integration.status != "active" or meets_standard(integration.standard, approved):
            continue
        standard = (integration.standard or "").strip()
        if not standard:
            template = N_("integration {source} -> {target} names no standard; record the one it follows (`standard: "
                          "REST/OpenAPI`, `X-Road`, `HL7 FHIR R4` ...)")
        else:
            template = N_("integration {source} -> {target} follows {standard}, which is not an approved standard "
                          "({approved}); move it to one that is")
        yield ctx.finding(f"integration:{integration_id}", template, source=integration.from_, target=integration.to,
                          standard=standard, approved=", ".join(approved or ()) or Text(N_("none is approved yet")),
                          related=[f"system:{integration.from_}", f"system:{integration.to}"], severity=severity)
