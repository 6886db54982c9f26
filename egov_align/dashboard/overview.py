"""Overview: the picture in seconds; every number links to the page that explains it."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.app import page_path
from egov_align.dashboard.common import current, md, money, per_model, percent, short_money, trend
from egov_align.views import rule_counts, worst

data = current()
model, result = data.model, data.result
summary, metrics = result.summary(), result.metrics

st.title(md(model.info.name) if model.info.name else "Model overview")
if model.info.description:
    st.caption(md(model.info.description))

counts = st.columns(4)
counts[0].metric("Institutions", summary["institutions"])
counts[1].metric("Systems", summary["systems"])
counts[2].metric("Processes", summary["processes"])
counts[3].metric("Process steps", summary["steps"])
counts[0].page_link(page_path("landscape.py"), label="The landscape", icon=":material/apps:")
counts[2].page_link(page_path("processes.py"), label="The processes", icon=":material/route:")

headline = st.columns(4)
headline[0].metric("Alignment", percent(metrics["alignment"]),
                   help="Share of steps with needs whose systems in service provide every need")
headline[0].page_link(page_path("processes.py"), label="Which steps?", icon=":material/route:")
headline[1].metric("Integration coverage", percent(metrics["integration_coverage"]),
                   help="Share of hand-offs between systems that an active integration carries")
headline[1].page_link(page_path("integrations.py"), label="Which hand-offs?", icon=":material/hub:")
headline[2].metric("Digital services", percent(metrics["digital_services"]),
                   help="Share of services offered on web, mobile, USSD, SMS or kiosk")
headline[2].page_link(page_path("findings.py"), label="Which services?", icon=":material/report:")
headline[3].metric("Redundant spend per year", short_money(metrics["redundant_spend"], data.currency),
                   help=f"{money(metrics['redundant_spend'], data.currency)}: the annual cost of the systems "
                        "the consolidation plan could retire")
headline[3].page_link(page_path("what_if.py"), label="The consolidation plan", icon=":material/science:")

st.subheader("Standards and coordination")
completeness = metrics.get("completeness") or {}
MEANINGS = [
    ("Coordination", percent(metrics.get("coordination")),
     "of the hand-offs between institutions run on a shared system or an integration"),
    ("Mediated integrations", percent(metrics.get("mediated_integrations")),
     "of active integrations go through the government service bus"),
    ("Standardised integrations", percent(metrics.get("standardised_integrations")),
     "of active integrations follow a named (and, where configured, approved) standard"),
    ("Platform duplication", "n/a" if metrics.get("platform_duplication") is None
     else f"{metrics['platform_duplication']:.1f}x",
     "systems in service per shared capability: 1.0x means each shared platform exists once"),
    ("Data completeness", percent(completeness.get("overall")),
     "of the fields that matter are filled in the model's records"),
]
tiles = st.columns(len(MEANINGS))
for tile, (label, value, meaning) in zip(tiles, MEANINGS, strict=True):
    tile.metric(label, value, help=meaning)
    tile.caption(meaning)
tiles[0].page_link(page_path("coordination.py"), label="Which hand-offs?", icon=":material/share:")
tiles[4].page_link(page_path("data_quality.py"), label="Whose records?", icon=":material/fact_check:")

st.subheader("Findings")
severity = st.columns(3)
severity[0].metric("Errors", summary["errors"])
severity[1].metric("Warnings", summary["warnings"])
severity[2].metric("Infos", summary["infos"])
by_rule = per_model(data.digest, "rule_counts", lambda: rule_counts(result.findings))
if by_rule:
    st.dataframe(by_rule, hide_index=True, column_config={"findings": st.column_config.ProgressColumn(
        "findings", format="%d", min_value=0, max_value=max(row["findings"] for row in by_rule))})
st.page_link(page_path("findings.py"), label="All findings, with filters and downloads", icon=":material/report:")

history = trend(data)
if history and len(history) >= 2:
    st.subheader("Over time")
    valid = [row for row in history if row["valid"]]
    st.caption(f"The last {len(history)} commits that changed the model (git); "
               f"{len(history) - len(valid)} of them did not validate. `egov-align history` prints the same.")
    trend_left, trend_right = st.columns(2)
    with trend_left:
        st.line_chart([{"date": r["date"], "alignment": r["alignment"], "integration coverage":
                        r["integration_coverage"], "digital services": r["digital_services"]} for r in valid],
                      x="date", y=["alignment", "integration coverage", "digital services"])
    with trend_right:
        st.line_chart([{"date": r["date"], "errors": r["errors"], "warnings": r["warnings"], "infos": r["infos"]}
                       for r in valid], x="date", y=["errors", "warnings", "infos"])

left, right = st.columns(2)
with left:
    st.subheader("Least aligned processes")
    rows = [{"alignment": percent(a), "process": model.processes[p].name, "id": p}
            for p, a in per_model(data.digest, "worst_processes", lambda: worst(metrics, "processes"))]
    st.dataframe(rows, hide_index=True)
with right:
    st.subheader("Least aligned institutions")
    rows = [{"alignment": percent(a), "institution": model.institutions[i].name if i in model.institutions else i,
             "id": i} for i, a in per_model(data.digest, "worst_institutions", lambda: worst(metrics, "institutions"))]
    st.dataframe(rows, hide_index=True)
