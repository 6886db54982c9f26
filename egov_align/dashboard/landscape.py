"""Landscape: where capabilities are duplicated, the systems, and one system up close."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import (
    CHOOSE,
    choose_many,
    choose_one,
    current,
    institution_names,
    per_model,
    show_diagram,
    system_names,
    table,
)
from egov_align.diagrams import system_neighbourhood
from egov_align.i18n import _, language, message, severity_word, value_word
from egov_align.views import findings_about_system, heatmap_table, short_name

MAX_INSTITUTIONS = 25
MAX_ROWS = 200

data = current()
model, result = data.model, data.analysed  # its messages perhaps on their way: i18n.message writes those it shows
lang = language()
st.title(_("System landscape"))


heatmap, all_systems = data.heatmap, data.system_rows
st.subheader(_("Capabilities by institution (systems in service)"))
rows, shown, institutions_in_all = per_model(data.digest, "heatmap table",
                                             lambda: heatmap_table(model, heatmap, max_institutions=MAX_INSTITUTIONS))
if institutions_in_all > MAX_INSTITUTIONS:
    st.caption(_("The {shown} institutions with most systems of {all}; filter the system table below for the rest.",
                 shown=MAX_INSTITUTIONS, all=institutions_in_all))
if rows:
    def _label(institution_id: str) -> tuple[str, str]:
        name = model.institutions[institution_id].name if institution_id in model.institutions else institution_id
        return short_name(name), f"{name} ({institution_id})"

    columns = {i: st.column_config.TextColumn(_label(i)[0], help=_label(i)[1], width="small") for i in shown}
    table(rows, hide_index=True, column_order=["capability", *shown], column_config=columns)
    st.caption(_("Each cell counts the institution's systems in service providing the capability; the most "
                 "provided capabilities come first: a row with several filled cells is a capability built again "
                 "and again."))

st.subheader(_("Systems"))
filters = st.columns(3)
with filters[0]:
    owners = choose_many(_("Institution"), institution_names(data), key="land_owner")
statuses = filters[1].multiselect(_("Status"), ["active", "legacy", "retiring", "retired", "planned"], key="land_status",
                                  format_func=value_word, placeholder=_(CHOOSE))
capabilities = filters[2].multiselect(_("Capability"), sorted(model.capabilities), key="land_capability",
                                      placeholder=_(CHOOSE))


def systems_shown() -> tuple[int, list[dict]]:
    """How many systems pass the filters, and the (at most MAX_ROWS) with most findings."""
    rows = [row for row, system in zip(all_systems, model.systems.values(), strict=True)
            if (not owners or system.owner in owners) and (not statuses or system.status in statuses)
            and (not capabilities or set(capabilities) & set(system.capabilities))]
    return len(rows), sorted(rows, key=lambda r: (-r["findings"], r["system"]))[:MAX_ROWS] if len(rows) > MAX_ROWS else rows


passing, rows = systems_shown() if owners or statuses or capabilities else per_model(data.digest, "systems shown",
                                                                                     systems_shown)
if passing > MAX_ROWS:
    st.caption(_("{count:,} systems; showing the {shown:,} with most findings. Filter to see others.",
                 count=passing, shown=MAX_ROWS))
if lang != "en":  # the rows are shared by every session: the reader's words for the rows shown
    rows = [{**row, "status": value_word(row["status"]), "support": value_word(row["support"])} for row in rows]
table(rows, hide_index=True,
      column_config={"annual cost": st.column_config.NumberColumn(_("annual cost"), format="%,.0f")})

st.subheader(_("One system up close"))
system_id = choose_one(_("System"), system_names(data), key="land_system")
if system_id is None:
    st.stop()
show_diagram(per_model(data.digest, ("system neighbourhood", system_id, lang),
                       lambda: system_neighbourhood(model, result.findings, system_id)))
mine = per_model(data.digest, ("findings about system", system_id), lambda: findings_about_system(result.findings, system_id))
if mine:
    table([{"severity": severity_word(f.severity.value), "rule": f.rule, "subject": f.subject,
            "message": message(f)} for f in mine], hide_index=True)
