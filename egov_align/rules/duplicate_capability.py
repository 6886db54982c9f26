"""A capability provided by two or more systems in service.

Severity is `error` when the capability is `shared: true` (government means to run it
once, as a shared service) and `warning` otherwise.

Why it matters: the same thing is bought, run and secured twice, and the data in the two
systems drifts apart; consolidating is where money is saved.

How to fix: consolidate onto one system (the message suggests the one already used
most of those the consolidation plan keeps); retire or re-scope the others. When a planned
system is to provide the capability too, the message names it: it is either where the
others should go once it is in service, or one more copy not to build. Use
`ignore: [duplicate-capability]` on the capability if the duplication is deliberate.

Fails::

    capabilities: [{id: payments, name: Payments, shared: true}]
    systems:
      - {id: gepg, name: GePG, owner: mof, capabilities: [payments]}
      - {id: lrms, name: Land rent billing, owner: lands, capabilities: [payments]}

Passes::

    systems:
      - {id: gepg, name: GePG, owner: mof, capabilities: [payments]}
      - {id: lrms, name: Land rent billing, owner: lands, status: retired, capabilities: [payments]}
"""

from __future__ import annotations

from egov_align.findings import Severity
from egov_align.i18n import INSTITUTION, N_, Count, Names, Text, naming

NAME = "duplicate-capability"
SUBJECT = "capability"
DEFAULT_SEVERITY = Severity.WARNING


def check(ctx):
    systems, planned = ctx.model.systems, ctx.index.planned_providers
    for capability_id, providers in ctx.index.providers.items():
        capability = ctx.model.capabilities.get(capability_id)
        if len(providers) < 2 or capability is None or capability.generic:
            continue
        owners = sorted({systems[s].owner for s in providers})
        keep = ctx.index.suggest(capability_id, 1)[0]
        coming = planned.get(capability_id, [])
        template = (N_("'{name}' is provided by {count} systems in service ({providers}) owned by {owners}. It is "
                       "meant to be a shared service. Consider consolidating onto one, e.g. `{keep}`{planned}")
                    if capability.shared else
                    N_("'{name}' is provided by {count} systems in service ({providers}) owned by {owners}. Consider "
                       "consolidating onto one, e.g. `{keep}`{planned}"))
        yield ctx.finding(
            f"capability:{capability_id}", template, name=capability.name, count=len(providers),
            providers=Names(providers), owners=Count(len(owners), INSTITUTION), keep=keep,
            planned=_planned(coming), related=[f"system:{s}" for s in [*providers, *coming]],
            severity=Severity.ERROR if capability.shared else None)


def _planned(systems: list[str]) -> Text | str:
    """A planned system for a capability already duplicated in service is the platform the
    others should move to, or one more copy: the planner decides which, the message says both."""
    return naming(systems, N_("; `{system}` is planned to provide it too: consolidate onto it once it is in service, "
                              "or do not build it"),
                  N_("; {systems} are planned to provide it too: consolidate onto one of them once it is in "
                     "service, or build none of them"))
