"""A step that asks again for data another system already masters (the once-only principle).

Fires for step B and entity e when B has systems and reads e; some system in service
masters e; none of B's systems masters e; no earlier step (one from which B can be
reached along the flow) writes e; and no active integration from a master of e to a system
of B carries e.

Why it matters: the citizen is asked again for what government already holds, and the
copies drift apart (seven numbers per person instead of one).

Fails::

    systems: [{id: npr, name: Population register, owner: nida, data: [{entity: person, role: master}]}]
    steps: [{id: apply, name: Apply, reads: [person], systems: [e-passport]}]

Passes::

    integrations: [{from: npr, to: e-passport, data: [person]}]
"""

from __future__ import annotations

from collections import defaultdict

from egov_align.context import names
from egov_align.findings import Severity
from egov_align.model import step_subject

NAME = "once-only-gap"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING


def _written_upstream(process, flows) -> dict[str, set[str]]:
    """step id -> entities written by other steps from which it can be reached."""
    predecessors = defaultdict(list)
    for source, target in flows:
        predecessors[target].append(source)
    writes = {s.id: set(s.writes) for s in process.steps}
    upstream = {}
    for step in process.steps:
        seen, todo = set(), list(predecessors[step.id])
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(predecessors[current])
        seen.discard(step.id)
        upstream[step.id] = set().union(*(writes[s] for s in seen)) if seen else set()
    return upstream


def check(ctx):
    index = ctx.index
    masters, systems = index.masters, ctx.model.systems
    for process_id, process in ctx.model.processes.items():
        readers = [s for s in process.steps if s.systems and any(e in masters for e in s.reads)]
        if not readers:
            continue
        upstream = _written_upstream(process, index.flows[process_id])
        for step in readers:
            own = {e for s in step.systems for e in systems[s].entities("master")}
            for entity in dict.fromkeys(step.reads):
                sources = masters.get(entity)
                if not sources or entity in own or entity in upstream[step.id]:
                    continue
                if index.integrated(sources, step.systems, [entity]):
                    continue
                yield ctx.finding(
                    step_subject(process_id, step.id),
                    f"step '{step.name}' reads '{entity}', which {names(sources)} already "
                    f"master(s), yet no integration brings it to {names(step.systems)}: the "
                    f"applicant is asked again; integrate with {names(sources, 1)} instead",
                    related=[f"data:{entity}"] + [f"system:{s}" for s in sources + step.systems],
                    key=entity)
