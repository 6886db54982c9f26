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

NAME = "non-standard-integration"
SUBJECT = "integration"
DEFAULT_SEVERITY = Severity.INFO
SEVERITY_TEXT = "info (warning when approved standards are configured)"


def check(ctx):
    approved = ctx.config.approved_standards
    severity = Severity.WARNING if approved is not None else None
    for integration_id, integration in ctx.model.integrations.items():
        if integration.status != "active" or meets_standard(integration.standard, approved):
            continue
        standard = (integration.standard or "").strip()
        if not standard:
            message = (f"integration {integration.from_} -> {integration.to} names no standard; record the one it "
                       "follows (`standard: REST/OpenAPI`, `X-Road`, `HL7 FHIR R4` ...)")
        else:
            message = (f"integration {integration.from_} -> {integration.to} follows {standard}, which is not an "
                       f"approved standard ({', '.join(approved) or 'none is approved yet'}); move it to one that is")
        yield ctx.finding(f"integration:{integration_id}", message,
                          related=[f"system:{integration.from_}", f"system:{integration.to}"], severity=severity)
