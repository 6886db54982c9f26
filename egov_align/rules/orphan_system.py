"""A system in service that supports no process step and takes part in no active integration.

Why it matters: either the model is incomplete, or the government pays for a system that
nothing visible uses; both deserve a look.

How to fix: list the steps the system supports and its integrations; if there are none,
consider retiring it (it is a candidate in the consolidation plan).

Fails::

    systems: [{id: old-portal, name: Old portal, owner: ega}]

Passes::

    steps: [{id: apply, name: Apply online, systems: [old-portal]}]
"""

from __future__ import annotations

from egov_align.findings import Severity
from egov_align.i18n import N_

NAME = "orphan-system"
SUBJECT = "system"
DEFAULT_SEVERITY = Severity.INFO


def check(ctx):
    connected = set()
    for integration in ctx.model.integrations.values():
        if integration.status == "active":
            connected.update((integration.from_, integration.to, integration.via))
    supported = ctx.index.steps_supported
    for system_id, system in ctx.index.in_service.items():
        if supported.get(system_id) or system_id in connected:
            continue
        if system.annual_cost:
            currency = f" {ctx.model.info.currency}" if ctx.model.info.currency else ""
            yield ctx.finding(
                f"system:{system_id}",
                N_("system '{name}' (annual cost {cost}) supports no process step and has no active integration: map "
                   "the steps it supports, or consider retiring it"),
                name=system.name, cost=f"{system.annual_cost:,.0f}{currency}")
        else:
            yield ctx.finding(
                f"system:{system_id}",
                N_("system '{name}' supports no process step and has no active integration: map the steps it "
                   "supports, or consider retiring it"), name=system.name)
