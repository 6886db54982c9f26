"""Landscape: where capabilities are duplicated, the systems, and one system up close."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import choose_many, choose_one, current, show_diagram
from egov_align.diagrams import system_neighbourhood
from egov_align.views import heatmap_table, short_name

MAX_INSTITUTIONS = 25
MAX_ROWS = 200

data = current()
model, result = data.model, data.result
st.title("System landscape")


heatmap, all_systems = data.heatmap, data.system_rows
st.subheader("Capabilities by institution (systems in service)")
rows, shown, institutions_in_all = heatmap_table(model, heatmap, max_institutions=MAX_INSTITUTIONS)
if institutions_in_all > MAX_INSTITUTIONS:
    st.caption(f"The {MAX_INSTITUTIONS} institutions with most systems of {institutions_in_all}; "
               "filter the system table below for the rest.")
if rows:
    def _label(institution_id: str) -> tuple[str, str]:
        name = model.institutions[institution_id].name if institution_id in model.institutions else institution_id
        return short_name(name), f"{name} ({institution_id})"

    columns = {i: st.column_config.TextColumn(_label(i)[0], help=_label(i)[1], width="small") for i in shown}
    st.dataframe(rows, hide_index=True, column_order=["capability", *shown], column_config=columns)
    st.caption("Each cell counts the institution's systems in service providing the capability; the most "
               "provided capabilities come first: a row with several filled cells is a capability built again "
               "and again.")

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
