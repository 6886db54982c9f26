"""Findings: filter by rule, severity, institution and process; download what you see."""

from __future__ import annotations

import json

import streamlit as st

from egov_align.dashboard.common import (
    CHOOSE,
    choose_many,
    current,
    download_csv,
    institution_names,
    md,
    per_model,
    process_names,
    table,
)
from egov_align.i18n import _, language, message, severity_word
from egov_align.interop.sheet_export import export_sheet
from egov_align.reporters import ReportOptions
from egov_align.reporters.json_format import as_document
from egov_align.reporters.markdown import render as render_markdown
from egov_align.results import Result
from egov_align.rules import RULES, explanation

MAX_ROWS = 200

data = current()
model, result = data.model, data.result
st.title(_("Findings"))


rows = data.finding_rows
filters = st.columns(4)
rules = filters[0].multiselect(_("Rule"), per_model(data.digest, "rules found", lambda: sorted({r["rule"] for r in rows})),
                               key="f_rule", placeholder=_(CHOOSE))
severities = filters[1].multiselect(_("Severity"), ["error", "warning", "info"], format_func=severity_word,
                                    key="f_severity", placeholder=_(CHOOSE))
with filters[2]:
    institutions = choose_many(_("Institution"), institution_names(data), key="f_institution")
with filters[3]:
    processes = choose_many(_("Process"), process_names(data), key="f_process")
keep = [i for i, row in enumerate(rows)
        if (not rules or row["rule"] in rules) and (not severities or row["severity"] in severities)
        and (not institutions or set(institutions) & set(row["institutions"].split(", ")))
        and (not processes or row["process"] in processes)] if rules or severities or institutions or processes \
    else range(len(rows))
st.write(_("{shown:,} of {count:,} findings", shown=len(keep), count=len(rows)))
if language() == "en":
    shown = [rows[i] for i in keep[:MAX_ROWS]]
else:  # the rows are shared by every session: the reader's language is applied to the rows shown
    shown = [{**rows[i], "severity": severity_word(rows[i]["severity"]), "message": message(result.findings[i])}
             for i in keep[:MAX_ROWS]]
if len(keep) > MAX_ROWS:
    st.caption(_("Showing the first {shown:,}; the downloads hold all {count:,}.", shown=MAX_ROWS, count=len(keep)))
table(shown, hide_index=True, column_config={"message": st.column_config.TextColumn(_("message"), width="large")})
policies = {policy.name: policy for policy in data.config.policies}
for rule in rules:
    if rule in RULES:
        about = explanation(RULES[rule])
        with st.expander(f"{rule}: {_(about['title'])}"):
            st.markdown(f"**{_('Why it matters')}:** {_(about.get('why', ''))}\n\n"
                        f"**{_('How to fix')}:** {_(about.get('fix', ''))}")
    elif rule in policies:  # the government's own rule: its message, and its description when it has one
        with st.expander(f"{rule}: {md(policies[rule].summary)}"):
            st.markdown(f"**{_('Why it matters')}:** {md(policies[rule].why)}" if policies[rule].why
                        else _("A policy of this repository (egov-align.toml)."))

selected = Result(True, [result.findings[i] for i in keep], result.metrics, result.counts)

options = ReportOptions(currency=model.info.currency, model_name=model.info.name)
downloads = st.columns(4)
download_csv(rows if isinstance(keep, range) else [rows[i] for i in keep], file_name="findings.csv", where=downloads[0])
downloads[1].download_button(_("Download JSON"), lambda: json.dumps(as_document(selected), indent=2),
                             file_name="findings.json", mime="application/json")
downloads[2].download_button(_("Download Markdown report"), lambda: render_markdown(selected, options=options),
                             file_name="egov-align-report.md", mime="text/markdown")
downloads[3].download_button(_("Download Excel workbook"), lambda: export_sheet(model, result),
                             file_name="egov-align.xlsx", help=_("The whole model, every finding and the metrics; "
                                                                 "edit it and import it back with `egov-align import sheet`"),
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
