"""`egov-align dashboard` runs this: Streamlit's own command line, with the server's model
loaded and analysed as the server starts, not when the first visitor opens a page.

At national scale that is seconds of work; begun with the server, the first leader to open the
dashboard waits only for what is left of it (nothing, once the server has been up a while).
`streamlit run app.py` serves the same dashboard and loads the model on the first visit.
"""

from __future__ import annotations

import logging
import threading
import time

WARM_UP_THREAD = "egov-align-warm-up"


class _NoPageHere(logging.Filter):
    """The warm-up fills the page's cache outside any page: Streamlit's warning that a thread has
    no page to show a spinner in is expected there, and would only puzzle whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return threading.current_thread().name != WARM_UP_THREAD


def _warm_up() -> None:
    """Once the server is up (not while it is still importing: the loader forks its workers, and
    a fork while another thread imports can leave a worker waiting on a lock for ever)."""
    try:
        from streamlit.runtime import Runtime, RuntimeState

        while not Runtime.exists() or Runtime.instance().state == RuntimeState.INITIAL:
            time.sleep(0.02)
        logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoPageHere())
        from egov_align.dashboard import common

        common.warm_up()
    except Exception:  # noqa: BLE001 - a head start only: the first page loads the model itself and says what is wrong
        pass


def main() -> None:
    threading.Thread(target=_warm_up, name=WARM_UP_THREAD, daemon=True).start()
    from streamlit.web.cli import main as streamlit

    streamlit(prog_name="streamlit")


if __name__ == "__main__":
    main()
