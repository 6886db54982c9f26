"""Coordination: which hand-offs between institutions run on shared systems or integrations."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import choose_one, current, show_diagram, table
from egov_align.diagrams import coordination_map
from egov_align.i18n import _
from egov_align.reporters.text import percent
from egov_align.views import handoff_rows

data = current()
model, result, index = data.model, data.result, data.index
metrics = result.metrics
st.title(_("Coordination between institutions"))
st.caption(_("A hand-off is a step followed by a step of another institution. It is coordinated when the two "
             "steps share a system, or an active integration runs between their systems; otherwise the citizen "
             "or a clerk carries it between offices."))

options = {"": _("All processes"), **{p: f"{model.processes[p].name} ({p})" for p in sorted(model.processes)}}
chosen = choose_one(_("Process"), options, key="coordination_process") or ""
value = metrics["coordination"] if not chosen else metrics["processes"][chosen].get("coordination")
st.metric(_("Coordinated hand-offs"), percent(value),
          help=_("coordinated hand-offs between institutions / all hand-offs between institutions"))
show_diagram(coordination_map(model, index.handoffs, chosen or None))
rows = handoff_rows(model, index.handoffs, chosen or None)
if rows:
    table(sorted(rows, key=lambda r: (r["coordinated"], r["process"])), hide_index=True)
else:
    st.info(_("No hand-offs between institutions here."))
