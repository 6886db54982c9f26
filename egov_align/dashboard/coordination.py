"""Coordination: which hand-offs between institutions run on shared systems or integrations."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import choose_one, current, percent, show_diagram
from egov_align.diagrams import coordination_map
from egov_align.views import handoff_rows

data = current()
model, result, index = data.model, data.result, data.index
metrics = result.metrics
st.title("Coordination between institutions")
st.caption("A hand-off is a step followed by a step of another institution. It is coordinated when the two "
           "steps share a system, or an active integration runs between their systems; otherwise the citizen "
           "or a clerk carries it between offices.")

options = {"": "All processes", **{p: f"{model.processes[p].name} ({p})" for p in sorted(model.processes)}}
chosen = choose_one("Process", options, key="coordination_process") or ""
value = metrics["coordination"] if not chosen else metrics["processes"][chosen].get("coordination")
st.metric("Coordinated hand-offs", percent(value),
          help="coordinated hand-offs between institutions / all hand-offs between institutions")
show_diagram(coordination_map(model, index.handoffs, chosen or None))
rows = handoff_rows(model, index.handoffs, chosen or None)
if rows:
    st.dataframe(sorted(rows, key=lambda r: (r["coordinated"], r["process"])), hide_index=True)
else:
    st.info("No hand-offs between institutions here.")
