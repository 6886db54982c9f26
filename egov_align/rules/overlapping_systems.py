"""Two systems in service whose capabilities largely overlap (Jaccard >= overlap-threshold).

Only non-generic capabilities count (a capability with `generic: true`, such as
registration, does not make two systems alike), and both systems need at least 2 of them. The finding is about the system with the
smaller id; `related` names the other. An inverted index over capability sets keeps this
linear in practice: only systems that share a capability are compared, and systems with
the same capability set are compared once.

Why it matters: two systems doing mostly the same jobs are candidates for consolidation,
even where no single capability looks duplicated on its own.

How to fix: compare the two systems' roadmaps: merge them, retire one, or narrow their
capabilities so each does its own job.

Fails::

    systems:
      - {id: chf-imis, name: CHF-IMIS, owner: poralg, capabilities: [registration, digital_registry, case_management]}
      - {id: nhif-ms, name: NHIF membership, owner: nhif, capabilities: [registration, digital_registry]}

Passes::

    systems:
      - {id: chf-imis, name: CHF-IMIS, owner: poralg, capabilities: [registration, case_management]}
      - {id: nhif-ms, name: NHIF membership, owner: nhif, capabilities: [registration, digital_registry]}
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from itertools import combinations

from egov_align.findings import Severity
from egov_align.i18n import N_

NAME = "overlapping-systems"
SUBJECT = "system"
DEFAULT_SEVERITY = Severity.INFO


def overlapping_pairs(systems: dict, threshold: float, generic=frozenset()):
    """(a, b, similarity, common capabilities) with a < b for systems whose capability sets overlap enough.

    Systems with the same set are grouped. With both sets of size >= 2 and a threshold
    above 1/3, similar sets share at least two capabilities (o / (a + b - o) >= t needs
    o >= 4t / (1 + t) > 1), so only groups sharing a capability *pair* are compared. Each
    group meets the later groups of its pairs' buckets once (a set union, in C), and the
    overlap is counted on bit masks: national scale has 4,700 groups and 900,000 bucket entries.
    """
    groups: dict[frozenset, list[str]] = defaultdict(list)
    for system_id, system in systems.items():
        capabilities = frozenset(system.capabilities) - generic
        if len(capabilities) >= 2:
            groups[capabilities].append(system_id)
    width = 2 if threshold > 1 / 3 else 1
    sets = list(groups)
    bit = {capability: 1 << number for number, capability in enumerate(sorted(set().union(*sets)))}
    masks = [sum(bit[c] for c in capabilities) for capabilities in sets]
    buckets: dict[tuple, list[int]] = defaultdict(list)  # capability pair -> numbers of the groups having it, rising
    for number, capabilities in enumerate(sets):
        for key in combinations(sorted(capabilities), width):
            buckets[key].append(number)
    for number, capabilities in enumerate(sets):
        members = groups[capabilities]
        if len(members) > 1:
            common = tuple(sorted(capabilities))
            for a, b in combinations(sorted(members), 2):  # identical sets: similarity 1
                yield a, b, 1.0, common
        later: set[int] = set()
        for key in combinations(sorted(capabilities), width):
            bucket = buckets[key]
            later.update(bucket[bisect_right(bucket, number):])
        mask, size = masks[number], len(capabilities)
        for other in sorted(later):
            overlap = (mask & masks[other]).bit_count()
            similarity = overlap / (size + len(sets[other]) - overlap)
            if similarity < threshold:
                continue
            shared = tuple(sorted(capabilities & sets[other]))  # the same for every pair of the two groups
            for a in members:
                for b in groups[sets[other]]:
                    yield (a, b, similarity, shared) if a < b else (b, a, similarity, shared)


def check(ctx):
    systems, generic = ctx.index.in_service, ctx.index.generic
    listed: dict[tuple, str] = {}  # one text per shared set: thousands of pairs share one
    for a, b, similarity, common in overlapping_pairs(systems, ctx.config.overlap_threshold, generic):
        shown = listed.get(common)
        if shown is None:
            shown = listed[common] = ", ".join(common)
        yield ctx.finding(
            f"system:{a}",
            N_("systems `{first}` and `{second}` overlap: {similarity:.0%} of their capabilities are the same "
               "({common}); consider merging them or retiring one"),
            first=a, second=b, similarity=similarity, common=shown,
            related=(f"system:{b}",), key=b)
