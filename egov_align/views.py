"""Tables the dashboard shows, computed from a Model and a Result: pure data, no Streamlit.

The app only displays these; keeping them here makes them testable and keeps the
dashboard's numbers the ones `egov-align analyze --format json` prints.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from operator import itemgetter

from egov_align.findings import Finding
from egov_align.i18n import N_, _, message, value_word
from egov_align.metrics import completeness_by_element
from egov_align.model import Model, step_subject
from egov_align.perf import gc_paused


def findings_by_subject(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.subject or ""].append(finding)
    return grouped


def findings_about_system(findings: list[Finding], system_id: str) -> list[Finding]:
    """The findings about one system or naming it among their related elements, in order. One
    search: 0.13 s over a national model's 165,000 findings, where grouping them all by system
    once per model took 0.66 s on the Landscape's first visit."""
    named = f"system:{system_id}"
    return [finding for finding in findings if finding.subject == named or named in finding.related]


def step_status(step, rules: set[str]) -> str:
    """One word for the colour of a step: the most serious thing about it."""
    for rule, status in (("inactive-support", "inactive"), ("unsupported-step", "unsupported"),
                         ("misaligned-step", "misaligned"), ("unreachable-step", "unreachable")):
        if rule in rules:
            return status
    if step.needs and step.systems:
        return "aligned"
    return "supported" if step.systems else "manual"


STEP_STATUS = {"inactive": N_("inactive"), "unsupported": N_("unsupported"), "misaligned": N_("misaligned"),
               "unreachable": N_("unreachable"), "aligned": N_("aligned"), "supported": N_("supported"),
               "manual": N_("manual")}


def step_rows(model: Model, findings: list[Finding], process_id: str, *,
              by_subject: dict[str, list[Finding]] | None = None) -> list[dict]:
    """`by_subject`: as for diagrams.process_flow."""
    grouped = by_subject if by_subject is not None else findings_by_subject(findings)
    process = model.processes[process_id]
    rows = []
    for number, step in enumerate(process.steps, 1):
        found = grouped.get(step_subject(process_id, step.id), [])
        rows.append({
            "#": number, "step": step.id, "name": step.name,
            "performer": model.performer(process, step),
            "needs": ", ".join(step.needs), "systems": ", ".join(step.systems) or _("(by hand)"),
            "status": _(STEP_STATUS[step_status(step, {f.rule for f in found})]),
            "findings": "; ".join(f.rule for f in found),
            "what to do": " | ".join(message(f) for f in found),
        })
    return rows


class InstitutionLookup:
    """The institutions a finding concerns (owners, performers, providers), for filtering.

    Built once per model so that 100,000 findings are placed with dictionary lookups.
    """

    def __init__(self, model: Model) -> None:
        owners = {f"system:{i}": s.owner for i, s in model.systems.items()}
        self.by_subject: dict[str, tuple[str, ...]] = {subject: (owner,) for subject, owner in owners.items()}
        self.by_subject.update({f"process:{i}": (p.owner,) for i, p in model.processes.items()})
        self.by_subject.update({f"service:{i}": (s.provider,) for i, s in model.services.items()})
        self.by_subject.update({step_subject(p.id, s.id): (model.performer(p, s),) for p, s in model.steps()})
        self.by_subject.update({f"integration:{i}": tuple(dict.fromkeys(
            owners[f"system:{s}"] for s in (g.from_, g.to) if f"system:{s}" in owners))
            for i, g in model.integrations.items()})
        self.owners = owners

    def __call__(self, finding: Finding) -> set[str]:
        found = set(self.by_subject.get(finding.subject or "", ()))
        if (finding.subject or "").partition(":")[0] in ("capability", "data", "vendor"):
            found.update(self.owners[r] for r in finding.related if r in self.owners)
        return found


def finding_process(finding: Finding) -> str | None:
    prefix, _, rest = (finding.subject or "").partition(":")
    if prefix == "step":
        return rest.partition("/")[0]
    return rest if prefix == "process" else None


def finding_rows(model: Model, findings: list[Finding]) -> list[dict]:
    institutions = InstitutionLookup(model)
    with gc_paused():
        return [{"severity": f.severity.value, "rule": f.rule, "subject": f.subject or "",
                 "message": f.message, "file": f.file, "line": f.line,
                 "institutions": ", ".join(sorted(institutions(f))),
                 "process": finding_process(f) or ""} for f in findings]


def capability_heatmap(model: Model) -> list[dict]:
    """(capability, institution, systems in service) cells: duplication shows as counts above 1."""
    counts: Counter = Counter()
    for system in model.systems.values():
        if system.in_service:
            for capability in dict.fromkeys(system.capabilities):
                counts[(capability, system.owner)] += 1
    names = {c: model.capabilities[c].name if c in model.capabilities else c for c, _ in counts}
    return [{"capability": names[c], "capability_id": c, "institution": i, "systems": n,
             "shared": bool(model.capabilities[c].shared) if c in model.capabilities else False}
            for (c, i), n in sorted(counts.items())]


def short_name(name: str, *, limit: int = 14) -> str:
    """A column header for an institution: its acronym in brackets, a short name, or its initials."""
    if "(" in name and name.rstrip().endswith(")"):
        inside = name[name.rindex("(") + 1:-1].strip()
        if inside and len(inside) <= limit:
            return inside
    if len(name) <= limit:
        return name
    words = [w for w in name.replace("-", " ").split() if w[:1].isupper()]
    return "".join(w[0] for w in words) if len(words) >= 2 else name[:limit - 1] + "…"


def heatmap_table(model: Model, cells: list[dict], *, max_institutions: int) -> tuple[list[dict], list[str], int]:
    """Capability rows x institution columns of the heatmap, duplication first.

    Columns: the institutions with most systems in service (at most `max_institutions`);
    rows: the capabilities provided by most systems first. Empty cells are blank text, not
    None. Returns (rows, institution ids in column order, institutions in all).
    """
    per_institution: Counter = Counter()
    for cell in cells:
        per_institution[cell["institution"]] += cell["systems"]
    shown = sorted(per_institution, key=lambda i: (-per_institution[i], i))[:max_institutions]
    keep = set(shown)
    per_capability: Counter = Counter()
    grid: dict[str, dict] = {}
    for cell in cells:
        if cell["institution"] not in keep:
            continue
        per_capability[cell["capability"]] += cell["systems"]
        grid.setdefault(cell["capability"], {"capability": cell["capability"], **dict.fromkeys(shown, "")})
        grid[cell["capability"]][cell["institution"]] = str(cell["systems"])
    order = sorted(grid, key=lambda c: (-per_capability[c], c))
    return [grid[c] for c in order], shown, len(per_institution)


def system_rows(model: Model, findings: list[Finding], supported: dict[str, int]) -> list[dict]:
    per_subject = Counter(f.subject for f in findings)
    with gc_paused():
        return [{"system": s.id, "name": s.name, "owner": s.owner, "status": s.status,
                 "capabilities": ", ".join(s.capabilities), "vendor": s.vendor or "", "support": s.support,
                 "annual cost": s.annual_cost, "steps supported": supported.get(s.id, 0),
                 "findings": per_subject.get(f"system:{s.id}", 0)}
                for s in model.systems.values()]


def data_role_matrix(model: Model, *, entities=None, limit: int = 60) -> tuple[list[str], list[dict]]:
    """Entity x system roles for the systems holding the chosen entities (at most `limit`)."""
    chosen = set(entities) if entities else set(model.data_entities)
    systems = [s for s in model.systems.values() if any(h.entity in chosen for h in s.data)]
    systems.sort(key=lambda s: (not s.in_service, s.id))
    columns = [s.id for s in systems[:limit]]
    rows = []
    for entity_id in sorted(chosen):
        row = {"entity": entity_id}
        masters = 0
        for system in systems[:limit]:
            role = next((h.role for h in system.data if h.entity == entity_id), "")
            if role == "master" and system.in_service:
                masters += 1
            row[system.id] = value_word(role) if system.in_service or not role else \
                f"{value_word(role)} ({value_word(system.status)})"
        row["masters in service"] = masters
        rows.append(row)
    rows.sort(key=lambda r: (-r["masters in service"], r["entity"]))
    return columns, rows


def handoff_rows(model: Model, handoffs: dict[str, list[tuple]], process_id: str | None = None) -> list[dict]:
    """One row per cross-institution hand-off: who hands what to whom, and whether systems carry it."""
    chosen = {process_id: handoffs.get(process_id, [])} if process_id else handoffs
    return [{"process": pid, "from": source, "to": target, "coordinated": _("yes") if coordinated else _("no"),
             "from step": a.name, "to step": b.name}
            for pid, items in chosen.items() for a, b, source, target, coordinated in items]


def completeness_by_institution(model: Model) -> list[dict]:
    """Whose records are thinnest: the mean completeness of each institution's systems, integrations
    (by the sending system's owner), services and steps (by performer), thinnest first."""
    shares: dict[str, list[float]] = defaultdict(list)
    for _kind, _element, owner, share in completeness_by_element(model):
        shares[owner].append(share)
    rows = [{"institution": model.institutions[i].name if i in model.institutions else i, "id": i,
             "records": len(values), "completeness": round(sum(values) / len(values), 4)}
            for i, values in shares.items() if i]
    return sorted(rows, key=lambda row: (row["completeness"], row["id"]))


def worst(metrics: dict, key: str, count: int = 5) -> list[tuple[str, float]]:
    """The least aligned processes or institutions, worst first."""
    values = [(name, entry["alignment"]) for name, entry in metrics[key].items() if entry["alignment"] is not None]
    return sorted(values, key=lambda item: (item[1], item[0]))[:count]


def trend_chart(rows: list[dict], series: dict[str, str], *, when: str) -> tuple[list[dict], dict]:
    """History rows as a Vega-Lite line chart (its data and spec): each commit at its date and
    time, so commits of one day are points apart, not a vertical line; dates written as numbers
    (2026-11-30), the same in every language. `series` maps keys to their labels."""
    moments = [dt.datetime.fromisoformat(row["date"]) for row in rows]
    data = [{when: moment, "series": label, "value": row[key]}
            for moment, row in zip(moments, rows, strict=True) for key, label in series.items()]
    days = (max(moments) - min(moments)).days if moments else 0
    ticks = "day" if days <= 14 else "week" if days <= 120 else "month" if days <= 1100 else "year"  # labels once
    spec = {"mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": when, "type": "temporal", "title": when,
                      "axis": {"format": "%Y-%m-%d", "labelAngle": -45, "grid": False, "labelOverlap": True,
                               "tickCount": {"interval": ticks, "step": 1}}},
                "y": {"field": "value", "type": "quantitative", "title": ""},
                "color": {"field": "series", "type": "nominal", "title": None, "sort": list(series.values()),
                          "legend": {"orient": "bottom"}},
                "tooltip": [{"field": when, "type": "temporal", "format": "%Y-%m-%d %H:%M", "title": when},
                            {"field": "series", "type": "nominal", "title": " "},
                            {"field": "value", "type": "quantitative", "title": " "}]}}
    return data, spec


def rule_counts(findings: list[Finding]) -> list[dict]:
    counts = {(rule, severity.value): n for (rule, severity), n in Counter(map(_RULE_AND_SEVERITY, findings)).items()}
    return [{"rule": rule, "severity": severity, "findings": n}
            for (rule, severity), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


_RULE_AND_SEVERITY = itemgetter(Finding._fields.index("rule"), Finding._fields.index("severity"))
