"""Landscape: where capabilities are duplicated, the systems, and one system up close."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import choose_many, choose_one, current, show_diagram
from egov_align.diagrams import system_neighbourhood

MAX_INSTITUTIONS = 25
MAX_ROWS = 200

data = current()
model, result = data.model, data.result
st.title("System landscape")


heatmap, all_systems = data.heatmap, data.system_rows
st.subheader("Capabilities by institution (systems in service)")
cells = heatmap
per_institution: dict[str, int] = {}
for cell in cells:
    per_institution[cell["institution"]] = per_institution.get(cell["institution"], 0) + cell["systems"]
shown = sorted(per_institution, key=lambda i: (-per_institution[i], i))[:MAX_INSTITUTIONS]
if len(per_institution) > MAX_INSTITUTIONS:
    st.caption(f"The {MAX_INSTITUTIONS} institutions with most systems of {len(per_institution)}; "
               "filter the system table below for the rest.")
cells = [c for c in cells if c["institution"] in set(shown)]
if cells:
    capabilities_shown = sorted({c["capability"] for c in cells})
    grid = {capability: {"capability": capability} for capability in capabilities_shown}
    for cell in cells:
        grid[cell["capability"]][cell["institution"]] = cell["systems"]
    columns = {i: st.column_config.NumberColumn(i, help=model.institutions[i].name if i in model.institutions else i,
                                                format="%d") for i in shown}
    st.dataframe(list(grid.values()), hide_index=True, column_order=["capability", *shown], column_config=columns)
    st.caption("Each cell counts the institution's systems in service providing the capability: "
               "a row with several filled cells is a capability built again and again.")

st.subheader("Systems")
filters = st.columns(3)
with filters[0]:
    owners = choose_many("Institution", {i: model.institutions[i].name for i in sorted(model.institutions)},
                         key="land_owner")
statuses = filters[1].multiselect("Status", ["active", "legacy", "retiring", "retired", "planned"], key="land_status")
capabilities = filters[2].multiselect("Capability", sorted(model.capabilities), key="land_capability")
rows = [row for row, system in zip(all_systems, model.systems.values(), strict=True)
        if (not owners or system.owner in owners) and (not statuses or system.status in statuses)
        and (not capabilities or set(capabilities) & set(system.capabilities))]
if len(rows) > MAX_ROWS:
    st.caption(f"{len(rows):,} systems; showing the {MAX_ROWS:,} with most findings. Filter to see others.")
    rows = sorted(rows, key=lambda r: (-r["findings"], r["system"]))[:MAX_ROWS]
st.dataframe(rows, hide_index=True, column_config={"annual cost": st.column_config.NumberColumn(format="%,.0f")})

st.subheader("One system up close")
system_id = choose_one("System", {s: f"{model.systems[s].name} ({s})" for s in sorted(model.systems)},
                       key="land_system")
if system_id is None:
    st.stop()
show_diagram(system_neighbourhood(model, result.findings, system_id))
mine = [f for f in result.findings if f.subject == f"system:{system_id}" or f"system:{system_id}" in f.related]
if mine:
    st.dataframe([{"severity": f.severity.value, "rule": f.rule, "subject": f.subject, "message": f.message}
                  for f in mine], hide_index=True)
