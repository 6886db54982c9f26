"""Overview: the picture in seconds; every number links to the page that explains it."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.app import page_path
from egov_align.dashboard.common import (
    COUNTED,
    TREND_READING,
    current,
    md,
    money,
    per_model,
    short_money,
    speak_the_sessions_language,
    table,
    trend,
)
from egov_align.i18n import N_, _, severity_word
from egov_align.reporters.text import percent
from egov_align.rules import what_each_finds
from egov_align.views import rule_counts, trend_chart, worst

TREND_POLL_SECONDS = 2.0

data = current()
model, result = data.model, data.analysed  # counted, not shown: its findings' messages may be on their way
summary, metrics = result.summary(), result.metrics

st.title(md(model.info.name) if model.info.name else _("Model overview"))
if model.info.description:
    st.caption(md(model.info.description))

# Metric tiles show their label and value on one line, cut off where the column ends: the money
# tile gets the room its figure and Kiswahili label need ("bilioni 1.87 TZS"), and the rows
# above and below it keep the same columns.
WIDTHS = [1, 1.1, 1, 1.6]
counts = st.columns(WIDTHS)
for column, (key, label) in zip(counts, COUNTED.items(), strict=True):
    column.metric(_(label), summary[key])
counts[0].page_link(page_path("landscape.py"), label=_("The landscape"), icon=":material/apps:")
counts[2].page_link(page_path("processes.py"), label=_("The processes"), icon=":material/route:")

headline = st.columns(WIDTHS)
headline[0].metric(_("Alignment"), percent(metrics["alignment"]),
                   help=_("Share of steps with needs whose systems in service provide every need"))
headline[0].page_link(page_path("processes.py"), label=_("Which steps?"), icon=":material/route:")
headline[1].metric(_("Integration coverage"), percent(metrics["integration_coverage"]),
                   help=_("Share of hand-offs between systems that an active integration carries"))
headline[1].page_link(page_path("integrations.py"), label=_("Which hand-offs?"), icon=":material/hub:")
headline[2].metric(_("Digital services"), percent(metrics["digital_services"]),
                   help=_("Share of services offered on web, mobile, USSD, SMS or kiosk"))
headline[2].page_link(page_path("findings.py"), label=_("Which services?"), icon=":material/report:")
headline[3].metric(_("Redundant spend per year"), short_money(metrics["redundant_spend"], data.currency),
                   help=_("{spend}: the annual cost of the systems the consolidation plan could retire",
                          spend=money(metrics["redundant_spend"], data.currency)))
headline[3].page_link(page_path("what_if.py"), label=_("The consolidation plan"), icon=":material/science:")

st.subheader(_("Standards and coordination"))
completeness = metrics.get("completeness") or {}
MEANINGS = [
    (_("Coordination"), percent(metrics.get("coordination")),
     _("of the hand-offs between institutions run on a shared system or an integration")),
    (_("Mediated integrations"), percent(metrics.get("mediated_integrations")),
     _("of active integrations go through the government service bus")),
    (_("Standardised integrations"), percent(metrics.get("standardised_integrations")),
     _("of active integrations follow a named (and, where configured, approved) standard")),
    (_("Platform duplication"), _("n/a") if metrics.get("platform_duplication") is None
     else f"{metrics['platform_duplication']:.1f}x",
     _("systems in service per shared capability: 1.0x means each shared platform exists once")),
    (_("Data completeness"), percent(completeness.get("overall")),
     _("of the fields that matter are filled in the model's records")),
]
tiles = [*st.columns([1, 1.2, 1]), *st.columns([1, 1.2, 1])][:len(MEANINGS)]  # "Miunganiko kupitia kiunganishi cha Serikali" fits
for tile, (label, value, meaning) in zip(tiles, MEANINGS, strict=True):
    tile.metric(label, value, help=meaning)
    tile.caption(meaning)
tiles[0].page_link(page_path("coordination.py"), label=_("Which hand-offs?"), icon=":material/share:")
tiles[4].page_link(page_path("data_quality.py"), label=_("Whose records?"), icon=":material/fact_check:")

st.subheader(_("Findings"))
severity = st.columns(3)
severity[0].metric(_("Errors"), summary["errors"])
severity[1].metric(_("Warnings"), summary["warnings"])
severity[2].metric(_("Infos"), summary["infos"])
by_rule = per_model(data.digest, "rule_counts", lambda: rule_counts(result.findings))
if by_rule:
    finds = what_each_finds(data.config.policies)
    table([{"rule": row["rule"], "what it finds": finds.get(row["rule"], ""), "severity": severity_word(row["severity"]),
            "findings": row["findings"]} for row in by_rule], hide_index=True,
          column_config={"findings": st.column_config.ProgressColumn(
              _("findings"), format="%d", min_value=0, max_value=max(row["findings"] for row in by_rule))})
st.page_link(page_path("findings.py"), label=_("All findings, with filters and downloads"), icon=":material/report:")


def show_trend(history: list[dict]) -> None:
    valid = [row for row in history if row["valid"]]
    st.caption(_("The last {commits} commits that changed the model (git); {invalid} of them did not validate. "
                 "`egov-align history` prints the same.", commits=len(history), invalid=len(history) - len(valid)))
    trend_left, trend_right = st.columns(2)
    LINES = {"alignment": N_("alignment"), "integration_coverage": N_("integration coverage"),
             "digital_services": N_("digital services")}
    COUNTS = {"errors": N_("errors"), "warnings": N_("warnings"), "infos": N_("infos")}
    for column, series in ((trend_left, LINES), (trend_right, COUNTS)):
        data, spec = trend_chart(valid, {key: _(label) for key, label in series.items()}, when=_("date"))
        with column:
            st.vega_lite_chart(data, spec, width="stretch")


@st.fragment(run_every=TREND_POLL_SECONDS)
def trend_on_its_way() -> None:
    """Asks again every few seconds; once the history has been read, the whole page is drawn again with it."""
    speak_the_sessions_language()
    if trend(data) != TREND_READING:
        st.rerun()
    st.caption(_("Reading the model's git history: the trend over its last commits appears here when it is ready."))


history = trend(data)
if history == TREND_READING:
    st.subheader(_("Over time"))
    trend_on_its_way()
elif history and len(history) >= 2:
    st.subheader(_("Over time"))
    show_trend(history)

left, right = st.columns(2)
with left:
    st.subheader(_("Least aligned processes"))
    rows = [{"alignment": percent(a), "process": model.processes[p].name, "id": p}
            for p, a in per_model(data.digest, "worst_processes", lambda: worst(metrics, "processes"))]
    table(rows, hide_index=True)
with right:
    st.subheader(_("Least aligned institutions"))
    rows = [{"alignment": percent(a), "institution": model.institutions[i].name if i in model.institutions else i,
             "id": i} for i, a in per_model(data.digest, "worst_institutions", lambda: worst(metrics, "institutions"))]
    table(rows, hide_index=True)
