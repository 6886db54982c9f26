"""The dashboard's entry: page setup and navigation only (`egov-align dashboard`, or app.py).

The pages beside this file display what the egov_align library computes: the same numbers
`egov-align analyze --format json` prints, with the same configuration.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from egov_align.dashboard import common

HERE = Path(__file__).resolve().parent
PAGES = [("overview.py", "Overview", ":material/dashboard:"), ("processes.py", "Processes", ":material/route:"),
         ("landscape.py", "Landscape", ":material/apps:"), ("integrations.py", "Integrations & data", ":material/hub:"),
         ("coordination.py", "Coordination", ":material/share:"),
         ("data_quality.py", "Data quality", ":material/fact_check:"),
         ("findings.py", "Findings", ":material/report:"), ("what_if.py", "What-if", ":material/science:")]


def page_path(name: str) -> Path:
    return HERE / name


def main() -> None:
    st.set_page_config(page_title="egov-align", page_icon=":material/account_tree:", layout="wide")
    page = st.navigation([st.Page(page_path(file), title=title, icon=icon, default=file == "overview.py")
                          for file, title, icon in PAGES])
    common.logged_in_or_stop()
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
    st.sidebar.caption(f"{common.md(data.label)}: {len(data.model.files)} files · configuration: "
                       f"{common.md(data.config.source or 'defaults')}")
    if common.settings().require_login:
        st.sidebar.caption(f"Logged in as {common.md(st.user.get('email') or st.user.get('name') or 'you')}")
        st.sidebar.button("Log out", on_click=st.logout, key="logout")
    page.run()


if __name__ == "__main__":
    main()
