"""A capability that some step needs and no system in service provides.

Why it matters: the government has no working system for this job at all; every step that
needs it is manual or relies on a system that is not running. This is a gap to plan for.

How to fix: plan a system for the capability, bring a planned one into service, or keep
a retiring one running until a successor is live.

Fails::

    capabilities: [{id: esignature, name: E-signature}]
    steps: [{id: sign, name: Sign certificate, needs: [esignature]}]

Passes::

    systems: [{id: gov-sign, name: GovSign, owner: ega, capabilities: [esignature]}]
"""

from __future__ import annotations

from collections import defaultdict

from egov_align.findings import Severity
from egov_align.i18n import N_, STEP, Count, Names, Text
from egov_align.model import step_subject

NAME = "capability-gap"
SUBJECT = "capability"
DEFAULT_SEVERITY = Severity.ERROR


def check(ctx):
    providers = ctx.index.providers
    unprovided = {c for c in ctx.model.capabilities if not providers.get(c)}
    if not unprovided:
        return  # 50,000 steps at national scale: read only for the capabilities nothing provides
    needed_by = defaultdict(list)
    for process, step in ctx.model.steps():
        for need in dict.fromkeys(step.needs):
            if need in unprovided:
                needed_by[need].append(step_subject(process.id, step.id))
    systems = ctx.model.systems
    for capability_id, steps in needed_by.items():
        dormant = [s for s, system in systems.items() if capability_id in system.capabilities]
        advice = (Text.of(N_("only systems not in service provide it ({dormant})"), dormant=Names(dormant))
                  if dormant else Text(N_("no system provides it at all")))
        yield ctx.finding(
            f"capability:{capability_id}",
            N_("capability '{name}' is needed by {count} ({steps}) but {advice}; plan or bring into service a "
               "system for it"),
            name=ctx.model.capabilities[capability_id].name, count=Count(len(steps), STEP), steps=Names(steps, 3),
            advice=advice, related=steps + [f"system:{s}" for s in dormant])
