"""Processes: the flow of one service's process, and what to fix at each step."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import choose_one, current, md, percent, show_diagram
from egov_align.diagrams import process_flow
from egov_align.views import step_rows

data = current()
model, result = data.model, data.result
st.title("Processes")

if not model.processes:
    st.info("This model has no processes yet.")
    st.stop()


def label(process_id: str) -> str:
    process = model.processes[process_id]
    service = model.services.get(process.service) if process.service else None
    alignment = percent(result.metrics["processes"][process_id]["alignment"])
    return f"{service.name if service else process.name} ({process_id}, alignment {alignment})"


choice = choose_one("Service or process", {p: label(p) for p in sorted(model.processes)}, key="process")
if choice is None:
    st.stop()
process = model.processes[choice]
st.caption(f"Owner: {md(model.institutions[process.owner].name)}. Colours: green aligned, orange misaligned, "
           "red done by hand, purple on a system not in service; red dashed arrows are hand-offs "
           "with no integration; a red border marks a step that asks again for data government holds.")
show_diagram(process_flow(model, result.findings, choice))
st.subheader("Steps and what to do")
st.dataframe(step_rows(model, result.findings, choice), hide_index=True,
             column_config={"what to do": st.column_config.TextColumn(width="large")})
