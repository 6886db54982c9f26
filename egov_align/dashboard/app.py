"""The dashboard's entry: page setup and navigation only (`egov-align dashboard`, or app.py).

The pages beside this file display what the egov_align library computes: the same numbers
`egov-align analyze --format json` prints, with the same configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from egov_align.dashboard import common
from egov_align.i18n import FILE, N_, _, count

HERE = Path(__file__).resolve().parent
# Responsiveness over throughput: with the default 5 ms, a thread preparing tables held the
# interpreter in turns long enough to delay sending a finished page to the browser by seconds.
sys.setswitchinterval(0.0005)
PAGES = [("overview.py", N_("Overview"), ":material/dashboard:"), ("processes.py", N_("Processes"), ":material/route:"),
         ("landscape.py", N_("Landscape"), ":material/apps:"),
         ("integrations.py", N_("Integrations & data"), ":material/hub:"),
         ("coordination.py", N_("Coordination"), ":material/share:"),
         ("data_quality.py", N_("Data quality"), ":material/fact_check:"),
         ("findings.py", N_("Findings"), ":material/report:"), ("what_if.py", N_("What-if"), ":material/science:")]


def page_path(name: str) -> Path:
    return HERE / name


def main() -> None:
    st.set_page_config(page_title="egov-align", page_icon=":material/account_tree:", layout="wide")
    common.choose_language()
    page = st.navigation([st.Page(page_path(file), title=_(title), icon=icon, default=file == "overview.py",
                                  url_path=file.removesuffix(".py"))
                          for file, title, icon in PAGES])
    common.logged_in_or_stop()
    data = common.choose_model()
    if data is None:
        st.title("egov-align")
        st.write(_("Choose a model in the sidebar."))
        st.stop()
    if data.analysed is None:
        st.title("egov-align")
        common.show_diagnostics(data)
        st.stop()
    st.session_state["egov_loaded"] = data
    st.sidebar.caption(_("{label}: {files} · configuration: {source}", label=common.md(_(data.label)),
                         files=count(len(data.model.files), FILE), source=common.md(data.config.source or _("defaults"))))
    if common.settings().require_login:
        st.sidebar.caption(_("Logged in as {user}", user=common.md(st.user.get("email") or st.user.get("name")
                                                                    or _("you"))))
        st.sidebar.button(_("Log out"), on_click=st.logout, key="logout")
    page.run()
    data.prepare_the_rest_soon()  # the findings' messages and the other pages' tables, once this page has been drawn


if __name__ == "__main__":
    main()
