"""Coordination: which hand-offs between institutions run on shared systems or integrations."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import (
    MAX_TABLE_ROWS,
    choose_one,
    current,
    download_csv,
    per_model,
    process_names,
    show_diagram,
    table,
)
from egov_align.diagrams import coordination_map
from egov_align.i18n import _, language
from egov_align.reporters.text import percent
from egov_align.views import handoff_rows

data = current()
model, index, metrics = data.model, data.index, data.analysed.metrics
lang = language()
st.title(_("Coordination between institutions"))
st.caption(_("A hand-off is a step followed by a step of another institution. It is coordinated when the two "
             "steps share a system, or an active integration runs between their systems; otherwise the citizen "
             "or a clerk carries it between offices."))

options = {"": _("All processes"), **process_names(data, with_ids=True)}
chosen = choose_one(_("Process"), options, key="coordination_process") or ""
value = metrics["coordination"] if not chosen else metrics["processes"][chosen].get("coordination")
st.metric(_("Coordinated hand-offs"), percent(value),
          help=_("coordinated hand-offs between institutions / all hand-offs between institutions"))
show_diagram(per_model(data.digest, ("coordination map", chosen, lang),
                       lambda: coordination_map(model, index.handoffs, chosen or None)))
rows = per_model(data.digest, ("hand-off rows", chosen, lang), lambda: sorted(
    handoff_rows(model, index.handoffs, chosen or None), key=lambda r: (r["coordinated"] == _("yes"), r["process"])))
if rows:
    if len(rows) > MAX_TABLE_ROWS:
        st.caption(_("{count:,} hand-offs, those not coordinated first; the first {shown:,} are listed, the "
                     "download holds all.", count=len(rows), shown=MAX_TABLE_ROWS))
    table(rows[:MAX_TABLE_ROWS], hide_index=True)
    download_csv(rows, file_name="hand-offs.csv", key="handoffs_csv")
else:
    st.info(_("No hand-offs between institutions here."))
