"""Processes: the flow of one service's process, and what to fix at each step."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import choose_one, current, md, per_model, show_diagram, table
from egov_align.diagrams import process_flow
from egov_align.i18n import _, language
from egov_align.reporters.text import percent
from egov_align.views import findings_by_subject, step_rows

data = current()
model, result = data.model, data.analysed  # its messages perhaps on their way: i18n.message writes those it shows
lang = language()
st.title(_("Processes"))

if not model.processes:
    st.info(_("This model has no processes yet."))
    st.stop()


def label(process_id: str) -> str:
    process = model.processes[process_id]
    service = model.services.get(process.service) if process.service else None
    alignment = percent(result.metrics["processes"][process_id]["alignment"])
    return _("{name} ({id}, alignment {alignment})", name=service.name if service else process.name, id=process_id,
             alignment=alignment)


labels = per_model(data.digest, ("process labels", lang), lambda: {p: label(p) for p in sorted(model.processes)})
choice = choose_one(_("Service or process"), labels, key="process")
if choice is None:
    st.stop()
process = model.processes[choice]
st.caption(_("Owner: {owner}. Colours: green aligned, orange misaligned, red done by hand, purple on a system not "
             "in service; red dashed arrows are hand-offs with no integration; a red border marks a step that asks "
             "again for data government holds.", owner=md(model.institutions[process.owner].name)))
by_subject = per_model(data.digest, "findings by subject", lambda: findings_by_subject(result.findings))
show_diagram(per_model(data.digest, ("process flow", choice, lang),
                       lambda: process_flow(model, result.findings, choice, by_subject=by_subject)))
st.subheader(_("Steps and what to do"))
table(per_model(data.digest, ("step rows", choice, lang),
                lambda: step_rows(model, result.findings, choice, by_subject=by_subject)), hide_index=True,
      column_config={"what to do": st.column_config.TextColumn(_("what to do"), width="large")})
