"""What-if: retire systems and see what changes; the consolidation plan and its savings."""

from __future__ import annotations

import streamlit as st

from egov_align.compare import what_if
from egov_align.dashboard.common import choose_many, current, money, percent

data = current()
model, result = data.model, data.result
st.title("What if we retire systems?")


@st.cache_resource(max_entries=16, show_spinner="Analysing the landscape without them ...")
def comparison(digest: str, retire: tuple[str, ...]):
    return what_if(model, list(retire), config=data.config, baseline=result)


plan = result.metrics["consolidation"]
st.subheader("Consolidation plan")
if plan:
    st.write(f"Retiring these {len(plan)} systems loses no capability and no master data, and saves "
             f"**{money(result.metrics['redundant_spend'], data.currency)}** a year.")
    st.dataframe([{"retire": item["system"], "name": model.systems[item["system"]].name,
                   "annual cost": item["annual_cost"], "steps supported": item["steps_supported"],
                   "taken over by": ", ".join(item["taken_over_by"]),
                   "why them": "; ".join(f"{t}: {item['reasons'][t]}" for t in item["taken_over_by"])}
                  for item in plan],
                 hide_index=True, column_config={"annual cost": st.column_config.NumberColumn(format="%,.0f")})
    if st.button("Try retiring the plan's systems", key="use_plan"):
        st.session_state["retire"] = [item["system"] for item in plan]
else:
    st.write("No system can be retired without losing a capability or master data.")

st.subheader("Choose systems to retire")
in_service = {s: f"{model.systems[s].name} ({s})" for s in sorted(model.systems) if model.systems[s].in_service}
retire = choose_many("Systems", in_service, key="retire")
if not retire:
    st.info("Pick one or more systems to see what their retirement would change.")
    st.stop()

changes = comparison(data.digest, tuple(sorted(retire)))
LABELS = (("alignment", "Alignment"), ("integration_coverage", "Integration coverage"),
          ("digital_services", "Digital services"), ("redundant_spend", "Redundant spend"),
          ("coordination", "Coordination"), ("mediated_integrations", "Mediated integrations"),
          ("standardised_integrations", "Standardised integrations"),
          ("platform_duplication", "Platform duplication"), ("completeness", "Data completeness"))
for row in (LABELS[:4], LABELS[4:]):
    for column, (name, label) in zip(st.columns(len(row)), row, strict=True):
        delta = changes.metric_deltas[name]
        if name == "redundant_spend":
            value = money(delta["after"], data.currency)
            change = None if delta["delta"] is None else f"{delta['delta']:+,.0f}"
        elif name == "platform_duplication":
            value = "n/a" if delta["after"] is None else f"{delta['after']:.1f}x"
            change = None if delta["delta"] is None else f"{delta['delta']:+.2f}"
        else:
            value = percent(delta["after"])
            change = None if delta["delta"] is None else f"{delta['delta'] * 100:+.1f} pt"
        column.metric(label, value, change)

left, right = st.columns(2)
with left:
    st.subheader(f"New findings: {len(changes.introduced)}")
    st.dataframe([{"severity": f.severity.value, "rule": f.rule, "subject": f.subject, "message": f.message}
                  for f in changes.introduced], hide_index=True)
with right:
    st.subheader(f"Resolved findings: {len(changes.resolved)}")
    st.dataframe([{"severity": f.severity.value, "rule": f.rule, "subject": f.subject, "message": f.message}
                  for f in changes.resolved], hide_index=True)
