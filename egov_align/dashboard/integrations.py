"""Integrations & data: who talks to whom, who masters what, and the hand-offs with no link."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import (
    MAX_TABLE_ROWS,
    choose_many,
    choose_one,
    current,
    institution_names,
    per_model,
    show_diagram,
    table,
)
from egov_align.diagrams import MAX_NODES, integration_map
from egov_align.i18n import _, language, message
from egov_align.views import data_role_matrix

data = current()
model, result = data.model, data.analysed  # its messages perhaps on their way: i18n.message writes those it shows
lang = language()
st.title(_("Integrations and data"))

st.subheader(_("Integration map"))
institution = choose_one(_("Institution"), {"": _("All institutions"), **institution_names(data)},
                         key="int_institution")
if not institution and len(model.systems) > MAX_NODES:
    st.caption(_("Large model: the map shows links between institutions; choose one to see its systems."))
show_diagram(per_model(data.digest, ("integration map", institution, lang),
                       lambda: integration_map(model, result.findings, institution=institution or None)))
st.caption(_("Purple hexagons are service buses; colours are mechanisms (blue api, purple esb, orange file, "
             "green database); grey dashed links are planned; red dashed ones are hand-offs with no integration."))

st.subheader(_("Hand-offs without an integration"))


def integration_gaps() -> list:
    return [f for f in result.findings if f.rule == "integration-gap"
            and (not institution or institution in {model.systems[r.removeprefix("system:")].owner
                                                    for r in f.related if r.startswith("system:")})]


gaps = per_model(data.digest, ("integration gaps", institution), integration_gaps)
if gaps:
    if len(gaps) > MAX_TABLE_ROWS:
        st.caption(_("{count:,} hand-offs; the first {shown:,} are listed (all are on the Findings page).",
                     count=len(gaps), shown=MAX_TABLE_ROWS))
    table([{"step": f.subject, "after step": f.key, "message": message(f), "where": f"{f.file}:{f.line}"}
           for f in gaps[:MAX_TABLE_ROWS]], hide_index=True)
else:
    st.success(_("Every hand-off between systems runs over an active integration."))

st.subheader(_("Who holds which data"))
conflicted = per_model(data.digest, "entities mastered twice or never", lambda: sorted(
    {f.subject.removeprefix("data:") for f in result.findings if f.rule in ("conflicting-master", "no-authoritative-source")}))
if "int_entities" not in st.session_state:
    st.session_state["int_entities"] = conflicted[:12]  # entities with two masters or none first
entities = choose_many(_("Data entities"), per_model(data.digest, "entity names", lambda: {
    e: model.data_entities[e].name for e in sorted(model.data_entities)}), key="int_entities")
columns, rows = data_role_matrix(model, entities=entities or None)
table(rows, hide_index=True, column_order=["entity", "masters in service", *columns])
st.caption(_("A row with more than one master in service is a conflicting master; with none, nobody is "
             "the authoritative source."))
