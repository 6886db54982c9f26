"""A step that asks again for data another system already masters (the once-only principle).

Fires for step B and entity e when B has systems and reads e; some system in service
masters e; none of B's systems masters e; no earlier step (one from which B can be
reached along the flow) writes e; and no active integration from a master of e to a system
of B carries e.

Why it matters: the citizen is asked again for what government already holds, and the
copies drift apart (seven numbers per person instead of one).

How to fix: add an integration from the master system (the message names an active one
before a legacy one, then the one that already feeds most systems) to the step's system,
so the data is fetched instead of asked for.

Fails::

    systems: [{id: npr, name: Population register, owner: nida, data: [{entity: person, role: master}]}]
    steps: [{id: apply, name: Apply, reads: [person], systems: [e-passport]}]

Passes::

    integrations: [{from: npr, to: e-passport, data: [person]}]
"""

from __future__ import annotations

from collections import defaultdict

from egov_align.findings import Severity
from egov_align.i18n import N_, Names
from egov_align.model import step_subject

NAME = "once-only-gap"
SUBJECT = "step"
DEFAULT_SEVERITY = Severity.WARNING


def _upstream_writes(step_id: str, predecessors: dict[str, list[str]], writes: dict[str, list[str]]) -> set[str]:
    """Entities written by other steps from which `step_id` can be reached along the flow."""
    seen, todo = set(), list(predecessors.get(step_id, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(predecessors.get(current, ()))
    seen.discard(step_id)
    return {entity for other in seen for entity in writes[other]}


def check(ctx):
    index = ctx.index
    masters, mastered = index.masters, index.mastered_by
    about: dict[str, tuple[str, str]] = {}  # entity -> (its masters, the one to integrate with)
    for process_id, process in ctx.model.processes.items():
        predecessors, writes = None, None
        for step in process.steps:
            if not step.systems or not step.reads:
                continue
            candidates = [e for e in dict.fromkeys(step.reads)
                          if e in masters and not any(e in mastered[s] for s in step.systems)]
            if not candidates:
                continue
            if predecessors is None:
                predecessors, writes = defaultdict(list), {s.id: s.writes for s in process.steps}
                for source, target in index.flows[process_id]:
                    predecessors[target].append(source)
            upstream = _upstream_writes(step.id, predecessors, writes)
            for entity in candidates:
                sources = masters[entity]
                if entity in upstream or index.integrated(sources, step.systems, (entity,)):
                    continue
                if entity not in about:
                    about[entity] = (Names(sources), index.best_source(entity))
                listed, best = about[entity]
                yield ctx.finding(
                    step_subject(process_id, step.id),
                    N_("step '{name}' reads '{entity}', which {masters} already masters, yet no integration brings it "
                       "to {systems}: the applicant is asked again; integrate with `{best}` instead")
                    if len(sources) == 1 else
                    N_("step '{name}' reads '{entity}', which {masters} already master, yet no integration brings it "
                       "to {systems}: the applicant is asked again; integrate with `{best}` instead"),
                    name=step.name, entity=entity, masters=listed, systems=Names(step.systems), best=best,
                    related=[f"data:{entity}"] + [f"system:{s}" for s in sources[:5] + step.systems],
                    key=entity)
