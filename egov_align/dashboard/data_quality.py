"""Data quality: how complete the model's records are, by kind and by institution."""

from __future__ import annotations

import streamlit as st

from egov_align.dashboard.common import current, per_model, table
from egov_align.i18n import RECORD_KINDS, _
from egov_align.reporters.text import percent
from egov_align.views import completeness_by_institution

data = current()
model = data.model
completeness = data.analysed.metrics.get("completeness") or {}
st.title(_("Data quality of the model"))
st.caption(_("Completeness is the share of the fields that matter that are filled in: for systems their "
             "capabilities, vendor, support, hosting, cost, users and (when they hold personal or confidential "
             "data) a security assessment; for integrations their mechanism, standard and encryption; for "
             "services their channels and volume; for steps their needs, systems and data. Defaults do not count."))
st.metric(_("Overall"), percent(completeness.get("overall")))
st.subheader(_("By kind"))
table([{"kind": _(RECORD_KINDS.get(kind, kind)), "completeness": percent(value)} for kind, value in completeness.items()
       if kind != "overall"], hide_index=True)
st.subheader(_("By institution, thinnest records first"))
rows = per_model(data.digest, "completeness_by_institution", lambda: completeness_by_institution(model))
table([{**row, "completeness": percent(row["completeness"])} for row in rows[:200]], hide_index=True)
