"""What every page shares: the chosen model, loaded and analysed once per content."""

from __future__ import annotations

import gc
import hashlib
import shutil
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from egov_align.analyze import analyze, model_counts
from egov_align.config import Config, ConfigError
from egov_align.dashboard.server_model import (
    HeadStart,
    config_of,
    default_model,
    language_of,
    repository,
    settings,
    stamp_of,
)
from egov_align.findings import with_messages
from egov_align.graph import Index
from egov_align.i18n import LANGUAGES, N_, PROBLEM, _, count, message, use
from egov_align.isolated import AnalysisTimeout, analyse_isolated
from egov_align.loader import Discovery, LoadResult, PathNotFound, load
from egov_align.model import Model
from egov_align.perf import gc_paused
from egov_align.results import Result
from egov_align.rules import RULES, what_each_finds
from egov_align.upload import IMPORTED_SUFFIXES, UnpackedUpload, UploadError, import_upload, unpack_models
from egov_align.views import capability_heatmap, finding_rows, system_rows


def logged_in_or_stop() -> None:
    """With --require-login, every page waits for an OpenID Connect login (Streamlit's st.login)."""
    if not settings().require_login or getattr(st.user, "is_logged_in", False):
        return
    st.title("egov-align")
    st.write(_("Log in with your government account to see the dashboard."))
    st.button(_("Log in"), on_click=st.login, type="primary", key="login")
    st.stop()


def _server_language() -> str:
    """The language the server starts in: `lang` of the default model's egov-align.toml, else
    EGOV_ALIGN_LANG, else English (each visitor then picks their own in the sidebar)."""
    default = default_model(settings())
    try:
        return language_of(config_of(default[0]) if default else None)
    except (ConfigError, OSError):
        return "en"


def choose_language() -> str:
    """The sidebar's language switch, first in the sidebar; each session keeps its own choice."""
    if "egov_lang" not in st.session_state:
        st.session_state["egov_lang"] = _server_language()
    lang = st.sidebar.selectbox("Lugha / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="egov_lang")
    use(lang)
    return lang


def speak_the_sessions_language() -> None:
    """In a fragment's own rerun: it runs without the page around it, so in English unless told."""
    use(st.session_state.get("egov_lang") or _server_language())


@dataclass
class Loaded:
    """One analysed model, shared by all pages and sessions while its files are unchanged."""

    label: str
    loaded: LoadResult
    model: Model | None
    analysed: Result | None  # the analysis, its findings' messages perhaps still being written: see `result`
    index: Index | None
    config: Config = field(default_factory=Config)
    paths: tuple[str, ...] = ()  # the model paths, for the trend over the git history
    visitor: bool = False  # an upload or a visitor's folder: no git history is read for it
    tables: Future | None = None  # the Landscape's tables, prepared in the background once a page has shown
    rows: Future | None = None  # the Findings page's rows, prepared after those and the messages
    messages: Future | None = None  # the findings' messages, written in the background once a page has shown

    @property
    def digest(self) -> str:
        """The identity of the model's files, as read: what the pages key their tables on."""
        return self.loaded.digest

    @property
    def result(self) -> Result | None:
        """The analysis, every finding with its message. The server analyses without them
        (analyze's messages=False: a sixth of a national analysis) and writes them once the first
        page has run. A page that shows messages only through i18n.message, which writes a
        missing one itself, reads `analysed` instead; one that compares or exports findings waits
        for them here."""
        if self.analysed is not None:
            self.write_messages().result()
        return self.analysed

    def write_messages(self) -> Future:
        with _PREPARING_LOCK:
            if self.messages is None:
                self.messages = _WRITING.submit(self._write_messages)
        return self.messages

    def _write_messages(self) -> None:
        with gc_paused():
            self.analysed.findings = with_messages(self.analysed.findings)
        gc.freeze()  # kept for the model's life, like the analysis: see _analysed

    def prepare_tables(self) -> Future:
        """Start preparing what the other pages open with, once for all sessions. Called after
        the first page has run, not before: seconds of work at national scale that would share
        the interpreter with the overview and delay it. They need no message."""
        with _PREPARING_LOCK:
            if self.tables is None:
                self.tables = _PREPARING.submit(_prepare, self.model, self.analysed, self.index)
                _PREPARING.submit(_lay_out_first_views_if_possible, self.model, self.analysed.findings)
        return self.tables

    def prepare_rows(self) -> Future:
        """The Findings page's rows, with the messages: after the tables and the first diagrams, in
        the same worker."""
        with _PREPARING_LOCK:
            if self.rows is None:
                self.rows = _PREPARING.submit(self._finding_rows)
        return self.rows

    def _finding_rows(self) -> list[dict]:
        rows = finding_rows(self.model, self.result.findings)
        gc.freeze()  # kept for the model's life, like the analysis: see _analysed
        return rows

    def prepare_the_rest_soon(self) -> None:
        """The findings' messages, then the other pages' tables, once the browser has had time to
        draw the page that just ran: begun at once, their work (and dot's) shared the two cores
        with the browser drawing the overview, shown 0.3-0.6 s later at national scale. A page
        that needs either sooner starts it itself."""
        if self.tables is None:
            timer = threading.Timer(DRAWING_SECONDS, self._prepare_the_rest_unless_leaving)
            timer.daemon = True
            timer.start()

    def _prepare_the_rest_unless_leaving(self) -> None:
        try:
            self.write_messages()
            self.prepare_tables()
            self.prepare_rows()
        except RuntimeError:  # the server is stopping (no new work for the pool): no page will need them
            pass

    @property
    def finding_rows(self) -> list[dict]:
        """One row per finding, for the Findings page."""
        return self.prepare_rows().result()

    @property
    def heatmap(self) -> list[dict]:
        """Capability x institution cells, for the Landscape page."""
        return self.prepare_tables().result()["heatmap"]

    @property
    def system_rows(self) -> list[dict]:
        """One row per system, for the Landscape page."""
        return self.prepare_tables().result()["system_rows"]

    @property
    def currency(self) -> str:
        return (self.model.info.currency or "") if self.model else ""


@st.cache_resource(max_entries=4, show_spinner="Loading and analysing the model ...")
def _analysed(stamp: str, paths: tuple[str, ...], label: str, config_key: str, _config: Config, _found: Discovery,
              isolated: bool = False, _loaded: LoadResult | None = None) -> Loaded:
    """Loaded once per state of the files and configuration: switching pages never reloads.

    A model a visitor brings (an upload, a folder under --allow-directories) is loaded and
    analysed in a worker process with a time limit (egov_align.isolated), so it can neither
    hold up the other sessions nor run for ever. `_loaded`: the files as read before the server
    started (HeadStart).
    """
    if isolated:
        analysed = analyse_isolated(list(paths), _config)
        loaded, result = analysed.loaded, analysed.result
    else:
        loaded = _loaded if _loaded is not None else load(
            _found.sources, max_bytes=_config.max_file_bytes, cache=None, notices=_found.notices,
            policies=_config.policy_names)
        result = None
    if not loaded.valid:
        return Loaded(label, loaded, None, None, None, _config, paths=paths, visitor=isolated)
    index = Index(loaded.model)
    result = result or analyze(loaded.model, config=_config, index=index, messages=False)
    # Millions of long-lived objects: move them out of the collector's sight, or every later
    # full collection (on any page switch) walks them all again.
    gc.freeze()
    return Loaded(label, loaded, loaded.model, result, index, _config, paths=paths, visitor=isolated)


DRAWING_SECONDS = 1.0  # what a browser gets to draw the first page before the messages and tables begin
_PREPARING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="egov-align-tables")
# The findings' messages: not in _PREPARING, whose Findings rows wait for them, and so that a page
# asking for them does not wait behind the tables.
_WRITING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="egov-align-messages")
_PREPARING_LOCK = threading.Lock()


def _prepare(model: Model, result: Result, index: Index) -> dict:
    """What the Landscape page opens with, prepared while the leader reads the overview."""
    tables = dict(heatmap=capability_heatmap(model), system_rows=system_rows(model, result.findings, index.steps_supported))
    gc.freeze()  # kept for the model's life, like the analysis: see _analysed
    return tables


def _lay_out_first_views_if_possible(model: Model, findings) -> None:
    """After the tables, which the Landscape waits for: a second of dot at national scale."""
    try:
        _lay_out_first_views(model, findings)
    except Exception:  # noqa: BLE001 - a head start only: a page lays out its diagram itself (and shows why not)
        pass


def load_repository(directory: Path, label: str, *, visitor: bool = False) -> Loaded:
    """A model repository (or folder of model files) with its own egov-align.toml in force, like the CLI."""
    config, paths, found = repository(directory)
    return _analysed(stamp_of(found.sources), tuple(paths), label, repr(config), config, found, visitor)


# Cleared while serve.py's head start analyses the server's own model, which a first visitor waits for.
HEAD_START_OVER = threading.Event()
HEAD_START_OVER.set()
_ANALYSING: HeadStart | None = None  # that model, read already


def head_start_begins(head_start: HeadStart) -> None:
    """serve.py: a first visitor's page waits from now on for the analysis of this model."""
    global _ANALYSING
    _ANALYSING = head_start
    HEAD_START_OVER.clear()


def head_start_ends() -> None:
    """serve.py: the pages wait no longer; the model read is the analysis cache's to keep, or not."""
    global _ANALYSING
    _ANALYSING = None
    HEAD_START_OVER.set()


def wait_for_the_server_model() -> None:
    """Say in words, without an animation, that the server's own model is still being analysed,
    and what is already known of it.

    The cache's spinner said it with one, which a browser keeps drawing: on the server's own
    machine (`make run`, a laptop) that took CPU from the analysis the visitor was waiting for.
    """
    if HEAD_START_OVER.is_set() or st.session_state.get("model_choice", SERVER_CHOICE) != SERVER_CHOICE:
        return
    waiting = st.empty()
    with waiting.container():
        st.info(_("Loading and analysing the model ..."))
        head_start = _ANALYSING
        if head_start is not None and head_start.loaded.valid:
            what_is_being_analysed(head_start.loaded.model, head_start.config)
    HEAD_START_OVER.wait()
    waiting.empty()


COUNTED = {"institutions": N_("Institutions"), "systems": N_("Systems"), "processes": N_("Processes"),
           "steps": N_("Process steps")}


def what_is_being_analysed(model: Model, config: Config) -> None:
    """The model's size and the rules it is checked against, known before the analysis ends.

    Drawn with the overview's kinds of element (metric tiles, a table), so the browser fetches
    and compiles their code while it waits: after a national model's analysis, the overview
    waited 1.3 s more for that code (1.7 MB of it).
    """
    counts = model_counts(model)
    for tile, (key, label) in zip(st.columns(len(COUNTED)), COUNTED.items(), strict=True):
        tile.metric(_(label), counts[key])
    st.caption(_("The rules it is checked against:"))
    finds = what_each_finds(config.policies)
    table([{"rule": name, "what it finds": finds.get(name, "")} for name in [*RULES, *config.policy_names]
           if config.rules.get(name) != "off"], hide_index=True)


def warm_up(head_start: HeadStart) -> Loaded:
    """Analyse what read_server_model read, into the cache the first page reads (or waits for)."""
    return _analysed(head_start.stamp, head_start.paths, head_start.label, repr(head_start.config),
                     head_start.config, head_start.found, False, head_start.loaded)


SERVER_CHOICE, DIRECTORY_CHOICE, UPLOAD_CHOICE = "server", "directory", "upload"


def _unpacked(data: bytes, name: str = "upload.zip") -> Path:
    """This session's upload, unpacked once; the previous one's folder is removed when replaced,
    and the last one's when the session ends (its UnpackedUpload is dropped with the session)."""
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    held = st.session_state.get("egov_upload")
    if held is not None and held[0] == digest and not held[1].removed:
        return held[1].directory
    if held is not None:
        held[1].remove()
        del st.session_state["egov_upload"]
    imported = Path(name).suffix.lower() in IMPORTED_SUFFIXES
    upload: UnpackedUpload = import_upload(data, name) if imported else unpack_models(data)
    st.session_state["egov_upload"] = (digest, upload)
    return upload.directory


class DirectoryRefused(Exception):
    """A visitor named a folder outside what the server allows."""


def allowed_directory(typed: str, root: str) -> Path:
    """The folder a visitor typed, if it lies under ROOT once links are resolved; else DirectoryRefused."""
    base = Path(root).resolve()
    candidate = Path(typed).expanduser()
    if ".." in candidate.parts:
        raise DirectoryRefused("`..` is not allowed in a model directory")
    if not candidate.is_absolute():
        candidate = base / candidate
    resolved = candidate.resolve()
    if resolved != base and base not in resolved.parents:
        raise DirectoryRefused(f"only folders under {base} can be opened here")
    if not resolved.is_dir():
        raise DirectoryRefused(f"no such folder under {base}")
    return resolved


def choose_model() -> Loaded | None:
    """The sidebar: the model the server was started on, a folder under --allow-directories, or an upload."""
    given = settings()
    default = default_model(given)
    labels = {SERVER_CHOICE: _("This server's model ({name})", name=_(default[1])) if default else "",
              DIRECTORY_CHOICE: _("A directory"), UPLOAD_CHOICE: _("Upload a file")}
    options = ([SERVER_CHOICE] if default else []) + ([DIRECTORY_CHOICE] if given.allow_directories else []) + \
        [UPLOAD_CHOICE]
    with st.sidebar:
        st.header(_("Model"))
        choice = st.radio(_("Which model?"), options, format_func=labels.get, key="model_choice",
                          label_visibility="collapsed")
    # The choice is shown while the server's model is analysed (and the browser has its code when the
    # overview follows).
    wait_for_the_server_model()
    with st.sidebar:
        try:
            if choice == DIRECTORY_CHOICE:
                typed = st.text_input(_("Model directory"), key="model_dir",
                                      help=_("A folder under {root} with models/ and processes/",
                                             root=given.allow_directories))
                if not typed:
                    st.info(_("Type the path of a model directory."))
                    return None
                directory = allowed_directory(typed, given.allow_directories)
                return load_repository(directory, str(directory), visitor=True)
            if choice == UPLOAD_CHOICE:
                upload = st.file_uploader(_("A zip of YAML model files, an inventory workbook, an ArchiMate model "
                                            "or a BPMN map"), type=["zip", "xlsx", "xml", "bpmn"], key="model_zip")
                if upload is None:
                    st.info(_("Upload a .zip of your models/ and processes/ folders, an .xlsx inventory (one sheet "
                              "per kind), an ArchiMate exchange .xml or a BPMN .bpmn file (docs/import-export.md)."))
                    return None
                return load_repository(_unpacked(upload.getvalue(), upload.name), upload.name, visitor=True)
            if default is None:
                return None
            return load_repository(*default)
        except DirectoryRefused as error:
            st.error(_("Cannot open this folder: {error}", error=md(error)))
        except UploadError as error:
            st.error(_("Cannot use this upload: {error}", error=md(error)))
        except AnalysisTimeout as error:
            st.error(_("Cannot show this model: {error}. Split it, or ask the administrators to raise "
                       "EGOV_ALIGN_ANALYSIS_TIMEOUT.", error=md(error)))
        except (PathNotFound, ConfigError) as error:
            st.error(md(error))
    return None


_PER_MODEL: dict[tuple, object] = {}
PER_MODEL_ENTRIES = 256  # the least recently used is forgotten first
_PER_MODEL_LOCK = threading.Lock()
_MISSING = object()


def per_model(digest: str, name: str | tuple, compute):
    """A page's summary, diagram or table of the model, computed once per model content and `name`
    (which holds the reader's language and the page's choices when the result depends on them):
    at national scale each is a tenth of a second or more, on every visit to the page."""
    key = (digest, name)
    with _PER_MODEL_LOCK:  # sessions run their pages in threads of their own
        value = _PER_MODEL.pop(key, _MISSING)
    if value is _MISSING:
        value = compute()
    with _PER_MODEL_LOCK:
        _PER_MODEL.pop(key, None)
        while len(_PER_MODEL) >= PER_MODEL_ENTRIES:
            del _PER_MODEL[next(iter(_PER_MODEL))]
        _PER_MODEL[key] = value
    return value


def institution_names(data: Loaded) -> dict[str, str]:
    """Every institution's id -> name, sorted by id: the pages' institution filters."""
    return per_model(data.digest, "institution names",
                     lambda: {i: data.model.institutions[i].name for i in sorted(data.model.institutions)})


def system_names(data: Loaded, *, in_service: bool = False) -> dict[str, str]:
    """Every system's (or every system in service's) id -> "name (id)", sorted by id."""
    systems = data.model.systems
    return per_model(data.digest, ("system names", in_service),
                     lambda: {s: f"{systems[s].name} ({s})" for s in sorted(systems)
                              if systems[s].in_service or not in_service})


def process_names(data: Loaded, *, with_ids: bool = False) -> dict[str, str]:
    """Every process's id -> name (or "name (id)"), sorted by id."""
    processes = data.model.processes
    return per_model(data.digest, ("process names", with_ids),
                     lambda: {p: f"{processes[p].name} ({p})" if with_ids else processes[p].name for p in sorted(processes)})


TREND_COMMITS = 50
TREND_READING = "reading"  # what trend() says while the history is being read
_TRENDS: dict[tuple, Future] = {}
_TRENDS_LOCK = threading.Lock()


def trend(data: Loaded) -> list[dict] | str | None:
    """The model's history when it lives in a git repository (never for a visitor's model): a row per
    commit that changed it (the last 50); TREND_READING while it is read; else None.

    Read once per model paths, HEAD and configuration, in the background: it analyses the model at
    each of those commits (minutes at national scale), which the first leader to open the overview
    used to wait for.
    """
    if data.visitor or not data.paths:
        return None
    from egov_align.gitsource import GitError, head_commit

    try:
        head = head_commit(Path(data.paths[0]))
    except (GitError, ValueError, OSError):
        return None
    if not head:
        return None
    key = (data.paths, head, repr(data.config))
    with _TRENDS_LOCK:
        reading = _TRENDS.get(key)
        if reading is None:
            if len(_TRENDS) >= 4:
                _TRENDS.pop(next(iter(_TRENDS)))
            reading = _TRENDS[key] = Future()
            # once the page that asked has been drawn: the history's process shares the cores with the browser
            reader = threading.Timer(DRAWING_SECONDS, _read_trend, args=(reading, data.paths, data.config))
            reader.daemon = True  # a server that stops does not wait for it
            reader.start()
    return reading.result() if reading.done() else TREND_READING


def _read_trend(reading: Future, paths: tuple[str, ...], config: Config) -> None:
    try:
        # imported here, in the try: as Python stops the server, importing fails (a traceback in the log)
        from egov_align.history import trend_in_child

        reading.set_result(trend_in_child(list(paths), config, cwd=Path.cwd(), limit=TREND_COMMITS))
    except Exception as error:  # noqa: BLE001 - a bug of ours: said in the server's log; the overview goes without
        if not server_stopping():  # then its reader is stopped with it: nothing went wrong
            print(f"egov-align: the trend over the model's git history could not be read: {error}", file=sys.stderr,
                  flush=True)
        reading.set_result(None)


def server_stopping() -> bool:
    """The server's main thread has ended: Python is stopping the server's child processes."""
    return not threading.main_thread().is_alive()


def current() -> Loaded:
    """The analysed model for a page; app.py has already stopped if there is none."""
    return st.session_state["egov_loaded"]


def show_diagnostics(data: Loaded) -> None:
    """An invalid model: its diagnostics as a readable table, never a traceback."""
    st.error(_("The model in {label} is not valid: {problems}. Fix them in the YAML files; the table says where.",
               label=md(data.label), problems=count(len(data.loaded.diagnostics), PROBLEM)))
    table([{"file": d.file, "line": d.line, "column": d.column, "rule": d.rule, "message": message(d)}
           for d in data.loaded.diagnostics], hide_index=True, width="stretch")


_SVGS: dict[str, str] = {}


def _svg(source: str) -> str:
    """dot's SVG for a DOT source, remembered (shared by all sessions, at most 128)."""
    if source not in _SVGS:
        import graphviz

        if len(_SVGS) >= 128:
            _SVGS.clear()
        _SVGS[source] = graphviz.Source(source).pipe(format="svg", encoding="utf-8", quiet=True)
    return _SVGS[source]


def show_diagram(graph) -> None:
    """Laid out on the server by Graphviz's dot when it is installed (fast, cached), else in
    the browser. The SVG is shown as an image, so nothing in it runs as HTML. A drawing too
    dense to lay out quickly (a hostile process) is refused with a message, never sent to dot."""
    from egov_align.diagrams import DiagramTooLarge, check_drawable

    try:
        check_drawable(graph)
    except DiagramTooLarge as error:
        st.warning(md(error))
        return
    if shutil.which("dot"):
        st.image(_svg(graph.source), width="stretch")
    else:
        st.graphviz_chart(graph)


def _lay_out_first_views(model: Model, findings) -> None:
    """The diagrams each page opens with, laid out while the model loads, so a leader's first
    visit to a page does not wait for dot."""
    if not shutil.which("dot"):
        return
    from egov_align import diagrams

    views = [diagrams.integration_map(model, findings)]
    if model.processes:
        views.append(diagrams.process_flow(model, findings, sorted(model.processes)[0]))
    if model.systems:
        views.append(diagrams.system_neighbourhood(model, findings, sorted(model.systems)[0]))
    for graph in views:
        if diagrams.edge_count(graph) <= diagrams.MAX_EDGES:
            _svg(graph.source)


MAX_OPTIONS = 300


def _narrowed(options: dict[str, str], key: str, keep=()) -> list[str]:
    """All options when there are few; else those matching a search box (at most 100)."""
    if len(options) <= MAX_OPTIONS:
        return list(options)
    query = st.text_input(_("Search ({count:,} to choose from)", count=len(options)), key=f"{key}_search",
                          placeholder=_("part of an id or a name")).strip().lower()
    matches = [k for k, label in options.items() if query and (query in k.lower() or query in label.lower())]
    return list(dict.fromkeys([*keep, *(matches[:100] if query else list(options)[:100])]))


CHOOSE = N_("Choose options")  # a multiselect's placeholder: Streamlit's own is in English


def choose_one(label: str, options: dict[str, str], *, key: str) -> str | None:
    """A selectbox that stays fast with thousands of options (id -> label)."""
    shown = _narrowed(options, key, keep=[st.session_state[key]] if st.session_state.get(key) in options else [])
    if not shown:
        st.caption(_("Nothing matches the search."))
        return None
    return st.selectbox(label, shown, format_func=lambda k: options[k], key=key)


def choose_many(label: str, options: dict[str, str], *, key: str) -> list[str]:
    """A multiselect that stays fast with thousands of options (id -> label)."""
    chosen = [k for k in st.session_state.get(key, []) if k in options]
    shown = _narrowed(options, key, keep=chosen)
    return st.multiselect(label, shown, format_func=lambda k: options[k], key=key, placeholder=_(CHOOSE))


def md(text: object) -> str:
    """Model text inside Markdown (titles, captions, messages): shown literally, never formatted."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$" else c for c in str(text))


def money(value, currency: str) -> str:
    return f"{value:,.0f} {currency}".strip()


def short_money(value, currency: str) -> str:
    """1.87 bn TZS: fits a metric tile; the exact figure goes in its help."""
    for size, unit in ((1e12, N_("{value:,.2f} tn {currency}")), (1e9, N_("{value:,.2f} bn {currency}")),
                       (1e6, N_("{value:,.2f} m {currency}"))):
        if abs(value) >= size:
            return _(unit, value=value / size, currency=currency).strip()
    return money(value, currency)


# The column headings of the dashboard's tables (keys of the rows in egov_align.views and the
# pages), marked here so that the catalog has them; `table` shows them in the reader's language.
COLUMN_NAMES = (N_("#"), N_("step"), N_("name"), N_("performer"), N_("needs"), N_("systems"), N_("status"),
                N_("findings"), N_("what to do"), N_("system"), N_("owner"), N_("capabilities"), N_("vendor"),
                N_("support"), N_("annual cost"), N_("steps supported"), N_("entity"), N_("masters in service"),
                N_("process"), N_("from"), N_("to"), N_("coordinated"), N_("from step"), N_("to step"),
                N_("institution"), N_("id"), N_("records"), N_("completeness"), N_("rule"), N_("severity"),
                N_("subject"), N_("message"), N_("file"), N_("line"), N_("column"), N_("institutions"),
                N_("capability"), N_("alignment"), N_("kind"), N_("after step"), N_("where"), N_("retire"),
                N_("taken over by"), N_("why them"), N_("date"), N_("commit"), N_("what it finds"))


MAX_TABLE_ROWS = 500  # rows a long table shows; its download holds all (the browser draws what it is sent)


def csv_of(rows: list[dict]) -> str:
    """The rows as CSV, every cell a spreadsheet would run as a formula made text (csv_safe)."""
    import csv
    import io

    from egov_align.interop.sheet_export import csv_safe

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["rule"])
    writer.writeheader()
    writer.writerows({key: csv_safe(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def download_csv(rows: list[dict], *, file_name: str, key: str | None = None, where=st) -> None:
    """A button that downloads all the rows as CSV, written only when pressed (megabytes at national scale)."""
    where.download_button(_("Download CSV"), lambda: csv_of(rows), file_name=file_name, mime="text/csv", key=key)


def table(rows: list[dict], *, column_config: dict | None = None, **options) -> None:
    """st.dataframe with the column headings in the reader's language (the data keeps its keys)."""
    headings = {key: _(key) for key in (rows[0] if rows else {})}
    st.dataframe(rows, column_config={**headings, **(column_config or {})}, **options)
