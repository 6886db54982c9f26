"""egov-align dashboard for leaders: `streamlit run app.py` (sample model) or `-- --model DIR`.

Page setup and navigation only; the pages in dashboard/ display what the egov_align
library computes, the same numbers `egov-align analyze --format json` prints.
"""

from __future__ import annotations

import streamlit as st

from dashboard import common

st.set_page_config(page_title="egov-align", page_icon=":material/account_tree:", layout="wide")

PAGES = [
    st.Page("dashboard/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("dashboard/processes.py", title="Processes", icon=":material/route:"),
    st.Page("dashboard/landscape.py", title="Landscape", icon=":material/apps:"),
    st.Page("dashboard/integrations.py", title="Integrations & data", icon=":material/hub:"),
    st.Page("dashboard/findings.py", title="Findings", icon=":material/report:"),
    st.Page("dashboard/what_if.py", title="What-if", icon=":material/science:"),
]

page = st.navigation(PAGES)
data = common.choose_model()
if data is None:
    st.title("egov-align")
    st.write("Choose a model in the sidebar.")
    st.stop()
if data.result is None:
    st.title("egov-align")
    common.show_diagnostics(data)
    st.stop()
st.session_state["egov_loaded"] = data
st.sidebar.caption(f"{common.md(data.label)}: {len(data.model.files)} files")
page.run()
