"""A system in service holding personal or confidential data with no recent security assessment.

Fires when `security.assessed` is missing or more than `assessment-max-age-days` (365)
before the as-of date (`--as-of`, else `model.as_of`, else today).

Why it matters: systems holding citizens' personal data are the ones attackers want; an
assessment at least yearly is the minimum a data-protection regime expects.

How to fix: carry out a security assessment and record its date in `security: {assessed:
YYYY-MM-DD}`.

Fails::

    systems: [{id: npr, name: Population register, owner: nida, data: [{entity: person, role: master}]}]

Passes::

    systems: [{id: npr, name: Population register, owner: nida, data: [{entity: person, role: master}],
               security: {assessed: 2026-03-01}}]
"""

from __future__ import annotations

import datetime as dt

from egov_align.findings import Severity
from egov_align.i18n import N_, Text
from egov_align.schema import SENSITIVE

NAME = "unassessed-sensitive-system"
SUBJECT = "system"
DEFAULT_SEVERITY = Severity.WARNING


def check(ctx):
    entities = ctx.model.data_entities
    try:
        oldest = ctx.as_of - dt.timedelta(days=ctx.config.assessment_max_age_days)
    except OverflowError:  # as-of 0001-01-01: nothing can be older than the earliest date
        oldest = dt.date.min
    for system_id, system in ctx.index.in_service.items():
        sensitive = [e for e in dict.fromkeys(system.entities()) if entities[e].sensitivity in SENSITIVE]
        if not sensitive:
            continue
        assessed = system.security.assessed if system.security else None
        if assessed is not None and assessed >= oldest:
            continue
        when = (Text.of(N_("was last assessed on {assessed}, more than {days} days before {as_of}"),
                        assessed=assessed.isoformat(), days=ctx.config.assessment_max_age_days,
                        as_of=ctx.as_of.isoformat())
                if assessed else Text(N_("has no security assessment on record")))
        yield ctx.finding(
            f"system:{system_id}",
            N_("system '{name}' holds {entities} (personal or confidential) and {when}; assess it and record "
               "`security: {{assessed: DATE}}`"),
            name=system.name, entities=", ".join(sensitive), when=when,
            related=[f"data:{e}" for e in sensitive])
