"""A step that cannot be reached from the first step of its process along the flow.

Why it matters: usually a typo in `next` or a forgotten branch; the process as drawn never
performs the step, so its needs and data are silently left out of the picture.

How to fix: fix the `next` list that should lead to the step, or delete the step if the
process no longer performs it.

Fails::

    steps:
      - {id: a, name: Apply, next: []}
      - {id: b, name: Approve}

Passes::

    steps:
      - {id: a, name: Apply, next: [b]}
      - {id: b, name: Approve}
"""

from __future__ import annotations

from collections import defaultdict

from egov_align.findings import Severity
from egov_align.i18n import N_
from egov_align.model import step_subject

NAME = "unreachable-step"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING


def reachable(first: str, edges) -> set[str]:
    successors = defaultdict(list)
    for source, target in edges:
        successors[source].append(target)
    seen, todo = {first}, [first]
    while todo:
        for target in successors[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def check(ctx):
    flows = ctx.index.flows
    for process_id, process in ctx.model.processes.items():
        seen = reachable(process.steps[0].id, flows[process_id])
        for step in process.steps:
            if step.id not in seen:
                yield ctx.finding(
                    step_subject(process_id, step.id),
                    N_("step '{name}' cannot be reached from the first step '{first}'; check the `next` lists that "
                       "should lead to it"),
                    name=step.name, first=process.steps[0].name,
                    related=[step_subject(process_id, process.steps[0].id)])
