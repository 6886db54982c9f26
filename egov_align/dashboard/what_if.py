"""What-if: retire systems and see what changes; the consolidation plan and its savings."""

from __future__ import annotations

import streamlit as st

from egov_align.compare import what_if
from egov_align.consolidation import reason_in_language
from egov_align.dashboard.common import MAX_TABLE_ROWS, choose_many, current, download_csv, money, per_model, system_names, table
from egov_align.i18n import N_, _, language, message, severity_word
from egov_align.reporters.text import percent

data = current()
model, metrics = data.model, data.analysed.metrics  # the findings shown through i18n.message, which writes their messages
st.title(_("What if we retire systems?"))


@st.cache_resource(max_entries=16, show_spinner="Analysing the landscape without them ...")
def comparison(digest: str, retire: tuple[str, ...]):
    return what_if(model, list(retire), config=data.config, baseline=data.analysed)  # matched without messages


plan = metrics["consolidation"]
st.subheader(_("Consolidation plan"))
if plan:
    st.write(_("Retiring these {count} systems loses no capability and no master data, and saves **{spend}** a year.",
               count=len(plan), spend=money(metrics["redundant_spend"], data.currency)))
    rows = per_model(data.digest, ("consolidation plan", language()), lambda: [
        {"retire": item["system"], "name": model.systems[item["system"]].name, "annual cost": item["annual_cost"],
         "steps supported": item["steps_supported"], "taken over by": ", ".join(item["taken_over_by"]),
         "why them": "; ".join(f"{t}: {reason_in_language(item['reasons'][t])}" for t in item["taken_over_by"])}
        for item in plan])
    if len(rows) > MAX_TABLE_ROWS:
        st.caption(_("The first {shown:,} of the plan's {count:,} systems are listed; the download holds all.",
                     shown=MAX_TABLE_ROWS, count=len(rows)))
    table(rows[:MAX_TABLE_ROWS], hide_index=True,
          column_config={"annual cost": st.column_config.NumberColumn(_("annual cost"), format="%,.0f")})
    download_csv(rows, file_name="consolidation-plan.csv", key="plan_csv")
    if st.button(_("Try retiring the plan's systems"), key="use_plan"):
        st.session_state["retire"] = [item["system"] for item in plan]
else:
    st.write(_("No system can be retired without losing a capability or master data."))

st.subheader(_("Choose systems to retire"))
retire = choose_many(_("Systems"), system_names(data, in_service=True), key="retire")
if not retire:
    st.info(_("Pick one or more systems to see what their retirement would change."))
    st.stop()

changes = comparison(data.digest, tuple(sorted(retire)))
LABELS = (("alignment", N_("Alignment")), ("integration_coverage", N_("Integration coverage")),
          ("digital_services", N_("Digital services")), ("redundant_spend", N_("Redundant spend")),
          ("coordination", N_("Coordination")), ("mediated_integrations", N_("Mediated integrations")),
          ("standardised_integrations", N_("Standardised integrations")),
          ("platform_duplication", N_("Platform duplication")), ("completeness", N_("Data completeness")))
for row in (LABELS[:4], LABELS[4:]):
    for column, (name, label) in zip(st.columns(len(row)), row, strict=True):
        delta = changes.metric_deltas[name]
        if name == "redundant_spend":
            value = money(delta["after"], data.currency)
            change = None if delta["delta"] is None else f"{delta['delta']:+,.0f}"
        elif name == "platform_duplication":
            value = _("n/a") if delta["after"] is None else f"{delta['after']:.1f}x"
            change = None if delta["delta"] is None else f"{delta['delta']:+.2f}"
        else:
            value = percent(delta["after"])
            change = None if delta["delta"] is None else f"{delta['delta'] * 100:+.1f} pt"
        column.metric(_(label), value, change)

left, right = st.columns(2)
with left:
    st.subheader(_("New findings: {count}", count=len(changes.introduced)))
    table([{"severity": severity_word(f.severity.value), "rule": f.rule, "subject": f.subject,
            "message": message(f)} for f in changes.introduced], hide_index=True)
with right:
    st.subheader(_("Resolved findings: {count}", count=len(changes.resolved)))
    table([{"severity": severity_word(f.severity.value), "rule": f.rule, "subject": f.subject,
            "message": message(f)} for f in changes.resolved], hide_index=True)
