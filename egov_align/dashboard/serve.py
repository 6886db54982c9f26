"""`egov-align dashboard` runs this: Streamlit's own command line, with the server's model read
before the server starts and analysed while it starts, not when the first visitor opens a page.

At national scale that is seconds of work; begun with the server, the first leader to open the
dashboard waits only for what is left of it (only for the page, once the server has been up a while).
`streamlit run app.py` serves the same dashboard and loads the model on the first visit.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from typing import TYPE_CHECKING

from egov_align.i18n import FILE, N_, PROBLEM, _, count

if TYPE_CHECKING:
    from egov_align.dashboard.server_model import HeadStart

WARM_UP_THREAD = "egov-align-warm-up"
STARTED = time.perf_counter()


class _NoPageHere(logging.Filter):
    """The warm-up fills the page's cache outside any page: Streamlit's warning that a thread has
    no page to show a spinner in is expected there, and would only puzzle whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return threading.current_thread().name != WARM_UP_THREAD


def _read_model(argv: list[str]) -> HeadStart | None:
    """Read in this, the only thread (the loader forks its workers: a fork beside Streamlit's
    threads could leave a worker waiting on a lock one of them held), importing the server
    meanwhile."""
    try:
        from egov_align.dashboard import server_model

        return server_model.read_server_model(argv[argv.index("--") + 1:] if "--" in argv else [],
                                              reading=_say_reading, meanwhile=_import_the_server)
    except Exception:  # noqa: BLE001 - a head start only: the first page reads the model itself and says what is wrong
        return None


SERVER_MODULES = ("streamlit.web.cli", "egov_align.dashboard.common", "pandas", "pyarrow", "pyarrow.pandas_compat",
                  # what the pages import themselves (a test keeps the list whole)
                  "egov_align.dashboard.app", "egov_align.compare", "egov_align.consolidation", "egov_align.diagrams",
                  "egov_align.interop.sheet_export", "egov_align.reporters.json_format",
                  "egov_align.reporters.markdown", "egov_align.reporters.text", "egov_align.results",
                  "egov_align.rules", "egov_align.views")


def _import_the_server() -> None:
    """Streamlit, the pages' code and the libraries of their tables: imported while the loader's
    workers read the model (a second or more of work at national scale that otherwise comes after
    the read, or on the first visit: the overview imported the reporters after the analysis)."""
    for module in SERVER_MODULES:
        importlib.import_module(module)


def _say(template: str, lang: str, **fields) -> None:
    """A line of the server's log, in the language the server starts in."""
    print("egov-align: " + _(template, lang, **fields), file=sys.stderr, flush=True)


def _say_reading(files: int, lang: str) -> None:
    """The server answers once the model is read: at national scale seconds of silence, otherwise."""
    _say(N_("reading the model ({files}) before the server starts"), lang, files=count(files, FILE, lang))


def _once_the_server_answers(head_start: HeadStart | None, lang: str) -> None:
    """Say where the server answers, then analyse the model read (the head start). The analysis
    waits for the server: started together, the two shared the interpreter, and the server did not
    answer (nor show a visitor that the model is on its way) until the analysis was done."""
    from egov_align.dashboard import common

    if head_start is not None:
        common.head_start_begins(head_start)  # a first visitor's page waits for this analysis, and says so
    try:
        from streamlit.runtime import Runtime, RuntimeState

        while not Runtime.exists() or Runtime.instance().state == RuntimeState.INITIAL:
            time.sleep(0.02)
        try:
            _say_where(lang)
        except Exception:  # noqa: BLE001 - a line of the log: the server answers, and analyses, all the same
            pass
        if head_start is not None:
            logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoPageHere())
            _ask_streamlits_first_question()
            _say_done(common.warm_up(head_start), head_start.lang)
    except Exception:  # noqa: BLE001 - as above: the first page analyses the model itself
        pass
    finally:
        if head_start is not None:
            common.head_start_ends()


EVERY_ADDRESS = ("", "0.0.0.0", "::")


def _say_where(lang: str) -> None:
    """Where to open the dashboard, in place of Streamlit's welcome lines (launch.py turns them off):
    on a headless server listening on every address, they asked checkip.amazonaws.com for its
    external address, a request from a government server at every start that held up the server
    for up to 2 s where it cannot be reached (10 s with Streamlit 1.56). Said from what this machine
    knows."""
    from streamlit import config, net_util
    from streamlit.web.server.server import server_address_is_unix_socket
    from streamlit.web.server.server_util import get_url

    address = config.get_option("server.address") or ""
    if server_address_is_unix_socket():
        where = [address]
    elif address not in EVERY_ADDRESS:
        where = [get_url(address)]
    else:
        network = net_util.get_internal_ip()  # 127.0.0.1 when the machine has no network
        where = [get_url("localhost"), *([get_url(network)] if network and network != "127.0.0.1" else [])]
    for url in where:
        _say(N_("the dashboard answers at {url}"), lang, url=url)


def _ask_streamlits_first_question() -> None:
    """Before the analysis: a page's first element asks once whether Streamlit runs in a REPL, by
    walking the stack with inspect, which looks up the file of every module loaded: a realpath
    each, every one of them waiting for the analysis to let go of the interpreter. The first
    visitor's waiting page was drawn 1.1 s after it opened, now 0.3-0.5 s (with the default switch
    interval it stayed blank until the analysis was over). Asked here, it is not asked again."""
    first_question = getattr(importlib.import_module("streamlit.delta_generator"), "_maybe_print_use_warning", None)
    if first_question is not None:
        first_question()


def _say_done(data, lang: str) -> None:
    """The log's line when the head start is over: when the first visitor will wait for nothing more."""
    if data.analysed is None:
        _say(N_("the model does not validate ({problems}); the dashboard lists them"), lang,
             problems=count(len(data.loaded.diagnostics), PROBLEM, lang))
    else:
        _say(N_("the model is analysed and ready ({files}, {seconds} s after starting)"), lang,
             files=count(data.loaded.counts.get("files", 0), FILE, lang), seconds=f"{time.perf_counter() - STARTED:.1f}")


def main() -> None:
    try:
        head_start = _read_model(sys.argv)
    except KeyboardInterrupt:  # stopped while reading, as the server would be: no traceback
        sys.exit(130)
    from egov_align.dashboard.server_model import language_of

    lang = head_start.lang if head_start is not None else language_of(None)
    threading.Thread(target=_once_the_server_answers, args=(head_start, lang), name=WARM_UP_THREAD,
                     daemon=True).start()
    from streamlit.web.cli import main as streamlit

    streamlit(prog_name="streamlit")


if __name__ == "__main__":
    main()
