"""AppTest for every dashboard page on the sample model, what-if, directories, uploads and bad models."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from conftest import ROOT, run_cli, sample_with_a_cache
from streamlit.testing.v1 import AppTest

from egov_align.analyze import analyze
from egov_align.config import load_config
from egov_align.dashboard.app import page_path
from egov_align.dashboard.common import DIRECTORY_CHOICE, UPLOAD_CHOICE
from egov_align.discovery import discover

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PAGES = [str(page_path(name)) for name in ("processes.py", "landscape.py", "integrations.py", "coordination.py",
                                           "data_quality.py", "findings.py", "what_if.py")]
SHOWN_AS_MARKDOWN = ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success")


def start(argv=None, monkeypatch=None) -> AppTest:
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "argv", ["app.py", *(argv or [])])
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    return app


@pytest.fixture(scope="module")
def app():
    return start()


@pytest.fixture(scope="module")
def expected():
    return json.loads(run_cli("analyze", "models", "processes", "--format", "json", "--no-cache", cwd=ROOT).out)


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def the_sample_copied_to(directory):
    """A copy of the sample model's folders, for a test that reads them as a server does or changes them."""
    for part in ("models", "processes"):
        shutil.copytree(ROOT / part, directory / part)
    return directory


def refuse_a_second_load(monkeypatch) -> None:
    """The first page must find the head start's analysis in the cache: loading the model again fails the test."""
    from egov_align.dashboard import common

    def no_second_load(*_args, **_kwargs):
        raise AssertionError("the first page loaded the model again")

    monkeypatch.setattr(common, "load", no_second_load)


def test_overview_numbers_equal_the_json_output(app, expected):
    summary, metrics = expected["summary"], expected["metrics"]
    assert metric(app, "Institutions") == str(summary["institutions"])
    assert metric(app, "Systems") == str(summary["systems"])
    assert metric(app, "Processes") == str(summary["processes"])
    assert metric(app, "Process steps") == str(summary["steps"])
    assert metric(app, "Alignment") == f"{metrics['alignment']:.0%}"
    assert metric(app, "Integration coverage") == f"{metrics['integration_coverage']:.0%}"
    assert metric(app, "Digital services") == f"{metrics['digital_services']:.0%}"
    assert metric(app, "Redundant spend per year") == f"{metrics['redundant_spend'] / 1e9:,.2f} bn TZS"
    assert (metric(app, "Errors"), metric(app, "Warnings"), metric(app, "Infos")) == \
        (str(summary["errors"]), str(summary["warnings"]), str(summary["infos"]))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_an_exception(app, page):
    app.switch_page(page)
    app.run()
    assert not app.exception, app.exception
    assert not app.error


def test_processes_page_shows_each_process(app):
    app.switch_page(str(page_path("processes.py")))
    app.run()
    for process_id in ("national-id", "land-title"):
        app.selectbox(key="process").set_value(process_id).run()
        assert not app.exception
        steps = app.dataframe[0].value
        assert "status" in steps.columns and len(steps) >= 6
    assert set(app.dataframe[0].value["status"]) == {"aligned", "unsupported", "inactive"}


def test_findings_filters_narrow_the_table(app, expected):
    app.switch_page(str(page_path("findings.py")))
    app.run()
    assert len(app.dataframe[0].value) == len(expected["findings"])
    app.multiselect(key="f_rule").set_value(["integration-gap"]).run()
    table = app.dataframe[0].value
    assert set(table["rule"]) == {"integration-gap"}
    assert len(table) == sum(f["rule"] == "integration-gap" for f in expected["findings"])
    app.multiselect(key="f_institution").set_value(["mlhhsd"]).run()
    assert all("mlhhsd" in cell for cell in app.dataframe[0].value["institutions"])


def test_choosing_a_policy_on_the_findings_page_says_why_the_government_has_it(app):
    app.switch_page(str(page_path("findings.py")))
    app.run()
    app.multiselect(key="f_rule").set_value(["gov-hosting"]).run()
    about = next(e for e in app.expander if e.label.startswith("gov-hosting: "))
    assert "must run in the government data centre or cloud" in about.label
    assert "under the government's control" in about.markdown[0].value.replace("\\", "")


def test_what_if_shows_changes_for_the_chosen_systems(app, expected):
    app.switch_page(str(page_path("what_if.py")))
    app.run()
    app.multiselect(key="retire").set_value(["gepg"]).run()
    assert not app.exception
    assert any("New findings" in h.value for h in app.subheader)
    introduced = json.loads(run_cli("analyze", "models", "processes", "--retire", "gepg", "--format", "json",
                                    "--no-cache", cwd=ROOT).out)["findings"]["introduced"]
    assert any(h.value == f"New findings: {len(introduced)}" for h in app.subheader)
    app.button(key="use_plan").click().run()
    assert app.multiselect(key="retire").value == [i["system"] for i in expected["metrics"]["consolidation"]]


def test_an_invalid_directory_shows_its_diagnostics_not_a_traceback(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "bad.yaml").write_text("systems:\n  - {id: x, name: X, owner: nobody}\n")
    app = start(["--model", str(tmp_path)], monkeypatch)
    assert not app.exception
    assert app.error and "not valid" in app.error[0].value
    table = app.dataframe[0].value
    assert list(table["rule"]) == ["unknown-reference"] and list(table["line"]) == [2]


def test_another_model_directory_from_the_command_line(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(ROOT / "tests" / "examples" / "valid" / "tiny", tmp_path / "tiny")
    app = start(["--model", str(tmp_path / "tiny")], monkeypatch)
    assert metric(app, "Systems") == "3"


def test_model_text_is_never_html(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "x.yaml").write_text(
        "institutions: [{id: i, name: '<b>Ministry</b>'}]\n"
        "systems: [{id: s, name: '<script>alert(1)</script>', owner: i}]\n"
        "processes: [{id: p, name: '**bold**', owner: i,\n"
        "             steps: [{id: a, name: '<img src=x onerror=alert(1)>', systems: [s]}]}]\n")
    app = start(["--model", str(tmp_path)], monkeypatch)
    shown = 0
    for page in [str(page_path("overview.py")), *PAGES]:
        app.switch_page(page)
        app.run()
        assert not app.exception and not app.error
        for kind in SHOWN_AS_MARKDOWN:
            for element in getattr(app, kind):
                text = str(element.value)
                assert "<script" not in text and "<b>" not in text and "<img" not in text, text
                shown += "\\<" in text  # the escaped form: Markdown shows `<` literally
    assert shown


def test_markdown_in_model_names_is_shown_literally(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "x.yaml").write_text(
        "model: {name: '**bold** <script>alert(1)</script>', description: '[link](http://x)'}\n"
        "institutions: [{id: i, name: I}]\n")
    app = start(["--model", str(tmp_path)], monkeypatch)
    assert app.title[0].value == "\\*\\*bold\\*\\* \\<script\\>alert\\(1\\)\\</script\\>"
    assert app.caption[0].value.startswith("\\[link\\]")


def test_the_dashboard_never_allows_html():
    for path in [ROOT / "app.py", *(ROOT / "egov_align" / "dashboard").glob("*.py")]:
        assert "unsafe_allow_html" not in path.read_text(), path


def _zip_of(directory) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.rglob("*.yaml")):
            archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


def test_an_uploaded_zip_is_analysed():
    app = start()
    app.sidebar.radio(key="model_choice").set_value(UPLOAD_CHOICE).run()
    assert not app.exception
    tiny = ROOT / "tests" / "examples" / "valid" / "tiny"
    app.sidebar.file_uploader(key="model_zip").upload("tiny.zip", _zip_of(tiny), "application/zip").run()
    assert not app.exception
    assert metric(app, "Systems") == "3" and metric(app, "Alignment") == "67%"


def test_an_uploaded_inventory_workbook_is_imported_and_analysed():
    app = start()
    app.sidebar.radio(key="model_choice").set_value(UPLOAD_CHOICE).run()
    workbook = (ROOT / "examples" / "inventory.xlsx").read_bytes()
    app.sidebar.file_uploader(key="model_zip").upload("inventory.xlsx", workbook, XLSX).run()
    assert not app.exception and not app.sidebar.error
    assert metric(app, "Systems") == "27"


def test_an_uploaded_workbook_with_mistakes_shows_them_at_their_cells():
    app = start()
    app.sidebar.radio(key="model_choice").set_value(UPLOAD_CHOICE).run()
    workbook = (ROOT / "tests" / "data" / "messy-inventory.xlsx").read_bytes()
    app.sidebar.file_uploader(key="model_zip").upload("messy.xlsx", workbook, XLSX).run()
    assert not app.exception
    error = app.sidebar.error[0].value.replace("\\", "")  # markdown escapes
    assert "6 problem(s) in messy.xlsx" in error and "Systems!D6: `status` must be one of" in error


@pytest.mark.parametrize("name, source, systems", [
    ("Archisurance.xml", ROOT.parent / "shared/corpus/archimate/Archisurance.xml", "10"),
    ("C.4.0.bpmn", ROOT.parent / "shared/corpus/bpmn/miwg-reference/C.4.0.bpmn", "0"),
])
def test_an_uploaded_archimate_model_or_bpmn_map_is_imported_and_analysed(name, source, systems):
    if not source.exists():
        pytest.skip("the shared corpus is beside the repository in CI")
    app = start()
    app.sidebar.radio(key="model_choice").set_value(UPLOAD_CHOICE).run()
    app.sidebar.file_uploader(key="model_zip").upload(name, source.read_bytes(), "application/xml").run()
    assert not app.exception and not app.sidebar.error
    assert metric(app, "Systems") == systems


def test_the_findings_page_offers_the_excel_workbook(monkeypatch):
    app = start(["--model", str(ROOT)], monkeypatch)
    app.switch_page(str(page_path("findings.py"))).run()
    assert not app.exception
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Download Excel workbook" in labels


def test_a_zip_that_escapes_is_refused_with_a_message():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../evil.yaml", "institutions: []\n")
    app = start()
    app.sidebar.radio(key="model_choice").set_value(UPLOAD_CHOICE).run()
    app.sidebar.file_uploader(key="model_zip").upload("evil.zip", buffer.getvalue(), "application/zip").run()
    assert not app.exception
    assert any("outside the upload folder" in e.value for e in app.sidebar.error)


def test_a_rule_set_off_in_egov_align_toml_disappears_from_the_dashboard(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(ROOT / "tests" / "examples" / "valid" / "tiny", tmp_path / "tiny")
    app = start(["--model", str(tmp_path / "tiny")], monkeypatch)
    app.switch_page(str(page_path("findings.py"))).run()
    rules = set(app.dataframe[0].value["rule"])
    assert "integration-gap" in rules
    (tmp_path / "tiny" / "egov-align.toml").write_text('[rules]\nintegration-gap = "off"\n')
    app = start(["--model", str(tmp_path / "tiny")], monkeypatch)
    app.switch_page(str(page_path("findings.py"))).run()
    assert "integration-gap" not in set(app.dataframe[0].value["rule"])
    assert any(c.value.replace("\\", "").endswith("tiny/egov-align.toml") for c in app.sidebar.caption)


def test_visitors_cannot_name_server_folders_by_default():
    app = start()
    assert "A directory" not in app.sidebar.radio(key="model_choice").options


@pytest.mark.parametrize("typed", ["/", "/etc", "{root}/../..", "{root}/link-out", "../x"])
def test_folders_outside_the_allowed_root_are_refused(tmp_path, monkeypatch, typed):
    root = tmp_path / "allowed"
    (root / "ok" / "models").mkdir(parents=True)
    (root / "ok" / "models" / "m.yaml").write_text("institutions: [{id: i, name: I}]\n")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "s.yaml").write_text("institutions: [{id: secret-id, name: Secret}]\n")
    (root / "link-out").symlink_to(tmp_path / "secret")
    app = start(["--allow-directories", str(root)], monkeypatch)
    app.sidebar.radio(key="model_choice").set_value(DIRECTORY_CHOICE).run()
    app.sidebar.text_input(key="model_dir").input(typed.format(root=root)).run()
    assert not app.exception
    assert any("Cannot open this folder" in e.value for e in app.sidebar.error)
    assert not app.metric  # nothing was scanned or shown


def test_a_folder_under_the_allowed_root_opens(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(ROOT / "tests" / "examples" / "valid" / "tiny", tmp_path / "allowed" / "tiny")
    app = start(["--allow-directories", str(tmp_path / "allowed")], monkeypatch)
    app.sidebar.radio(key="model_choice").set_value(DIRECTORY_CHOICE).run()
    app.sidebar.text_input(key="model_dir").input("tiny").run()
    assert not app.exception and metric(app, "Systems") == "3"


def test_with_require_login_nothing_is_shown_before_logging_in(monkeypatch):
    app = start(["--require-login"], monkeypatch)
    assert [b.label for b in app.button] == ["Log in"]
    assert not app.metric and not app.dataframe and not app.sidebar.radio


def test_the_landscape_heatmap_reads_like_a_table_for_leaders(app):
    app.switch_page(str(page_path("landscape.py"))).run()
    table = app.dataframe[0].value
    assert "None" not in table.astype(str).to_numpy().ravel().tolist()  # empty cells are blank
    filled = [sum(1 for v in row[1:] if v) for row in table.itertuples(index=False)]
    totals = [sum(int(v) for v in row[1:] if v) for row in table.itertuples(index=False)]
    assert totals == sorted(totals, reverse=True) and filled[0] >= 2  # duplication first


def test_one_systems_findings_are_those_about_it_or_naming_it(app, expected):
    """The Landscape's "one system up close": a system's own findings, and those that name it."""
    from egov_align.i18n import severity_word

    findings = expected["findings"]
    named = {s.removeprefix("system:") for f in findings for s in f["related"] if s.startswith("system:")}
    system = next(s for s in sorted(named) if any(f["subject"] == f"system:{s}" for f in findings))
    app.switch_page(str(page_path("landscape.py"))).run()
    app.selectbox(key="land_system").set_value(system).run()
    assert not app.exception
    shown = app.dataframe[-1].value
    mine = [f for f in findings if f["subject"] == f"system:{system}" or f"system:{system}" in f["related"]]
    assert list(shown["rule"]) == [f["rule"] for f in mine] and list(shown["message"]) == [f["message"] for f in mine]
    assert list(shown["severity"]) == [severity_word(f["severity"]) for f in mine]
    assert any(f["subject"] != f"system:{system}" for f in mine)  # one that only names it


def test_institution_columns_are_short_names():
    from egov_align.views import short_name

    assert short_name("National Identification Authority (NIDA)") == "NIDA"
    assert short_name("Tanzania Revenue Authority") == "TRA"
    assert short_name("BRELA") == "BRELA"


def test_the_overview_shows_the_coordination_metrics_with_their_meaning(app, expected):
    app.switch_page(str(page_path("overview.py"))).run()
    metrics = expected["metrics"]
    assert metric(app, "Coordination") == f"{metrics['coordination']:.0%}"
    assert metric(app, "Standardised integrations") == f"{metrics['standardised_integrations']:.0%}"
    assert metric(app, "Platform duplication") == f"{metrics['platform_duplication']:.1f}x"
    assert metric(app, "Data completeness") == f"{metrics['completeness']['overall']:.0%}"
    assert any("shared platform exists once" in c.value for c in app.caption)


def test_the_coordination_page_lists_hand_offs_per_process(app, expected):
    app.switch_page(str(page_path("coordination.py"))).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert set(table["coordinated"]) == {"yes", "no"}
    choice, processes = app.selectbox(key="coordination_process"), app.session_state["egov_loaded"].model.processes
    assert choice.options[0] == "All processes" and choice.options[1:] == [
        f"{process.name} ({process_id})" for process_id, process in sorted(processes.items())]
    choice.set_value("land-title").run()
    assert metric(app, "Coordinated hand-offs") == \
        f"{expected['metrics']['processes']['land-title']['coordination']:.0%}"
    assert set(app.dataframe[0].value["process"]) == {"land-title"}


def test_the_data_quality_page_puts_the_thinnest_records_first(app):
    app.switch_page(str(page_path("data_quality.py"))).run()
    assert not app.exception
    shares = [float(v.rstrip("%")) for v in app.dataframe[1].value["completeness"]]
    assert shares == sorted(shares)


def test_the_sidebar_switches_the_dashboard_to_kiswahili(expected):
    app = start()
    assert app.sidebar.selectbox(key="egov_lang").value == "en"
    app.sidebar.selectbox(key="egov_lang").set_value("sw").run()
    assert not app.exception, app.exception
    assert metric(app, "Taasisi") == str(expected["summary"]["institutions"])
    assert metric(app, "Uwiano") == f"{expected['metrics']['alignment']:.0%}"
    assert any(h.value == "Viwango na uratibu" for h in app.subheader)
    placeholders = set()
    for page in [str(page_path("overview.py")), *PAGES]:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert not app.error, page
        placeholders |= {chooser.proto.placeholder for chooser in app.multiselect}
    assert placeholders == {"Chagua"}, "Streamlit's own 'Choose options' is English"
    app.switch_page(str(page_path("findings.py"))).run()
    assert app.title[0].value == "Matokeo"
    table = app.dataframe[0].value
    headings = {key: column["label"] for key, column in json.loads(app.dataframe[0].proto.columns).items()
                if "label" in column}
    assert headings["message"] == "ujumbe" and headings["severity"] == "uzito"
    assert set(table["severity"]) <= {"kosa", "onyo", "taarifa"}
    assert any("inahitaji" in text for text in table["message"])
    app.multiselect(key="f_rule").set_value(["unsupported-step"]).run()
    assert app.expander[0].label.startswith("unsupported-step: Hatua ya mchakato inayohitaji uwezo")
    app.sidebar.selectbox(key="egov_lang").set_value("en").run()
    assert app.title[0].value == "Findings" and set(app.dataframe[0].value["severity"]) <= {"error", "warning", "info"}


def test_roles_statuses_and_support_read_in_kiswahili_where_the_model_writes_english_words():
    app = start()
    app.sidebar.selectbox(key="egov_lang").set_value("sw").run()
    app.switch_page(str(page_path("integrations.py"))).run()
    roles = app.dataframe[-1].value
    cells = {cell for column in roles.columns if column not in ("entity", "masters in service")
             for cell in roles[column] if cell}
    assert "chanzo rasmi" in cells and "nakala" in cells and not cells & {"master", "replica", "reader"}
    app.switch_page(str(page_path("landscape.py"))).run()
    systems = next(frame.value for frame in app.dataframe if "support" in frame.value.columns)
    assert "unatumika" in set(systems["status"]) and "active" not in set(systems["status"])
    assert not set(systems["support"]) & {"in-house", "vendor", "mixed"}
    status = app.multiselect(key="land_status").set_value(["retiring"]).run()
    assert set(next(frame.value for frame in status.dataframe if "support" in frame.value.columns)["status"]) == \
        {"unastaafishwa"}
    app.sidebar.selectbox(key="egov_lang").set_value("en").run()
    systems = next(frame.value for frame in app.dataframe if "support" in frame.value.columns)
    assert set(systems["status"]) == {"retiring"}  # the model's own words in English


def test_the_server_language_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("EGOV_ALIGN_LANG", "sw")
    app = start(monkeypatch=monkeypatch)
    assert app.sidebar.selectbox(key="egov_lang").value == "sw"
    assert metric(app, "Mifumo") == metric(app, "Mifumo")  # the overview in Kiswahili


def test_a_failed_head_start_on_the_diagrams_leaves_the_tables(monkeypatch):
    """The layouts prepared in the background are an optimisation: their failure breaks no page."""
    from egov_align.analyze import analyze
    from egov_align.config import Config
    from egov_align.dashboard import common
    from egov_align.graph import Index
    from egov_align.loader import load_paths

    def broken(*_args):
        raise OSError("dot crashed")

    monkeypatch.setattr(common, "_lay_out_first_views", broken)
    model = load_paths([ROOT / "models", ROOT / "processes"], config=Config(), jobs=1).model
    index = Index(model)
    result = analyze(model, index=index)
    common._lay_out_first_views_if_possible(model, result.findings)  # nothing raised
    tables = common._prepare(model, result, index)
    assert len(tables["system_rows"]) == len(model.systems) and tables["heatmap"]


@pytest.mark.parametrize("asked", [False, True])
def test_the_other_pages_tables_are_prepared_only_after_the_first_page_has_been_drawn(monkeypatch, asked):
    """At national scale they take seconds: started with the analysis, they delayed the overview;
    started as soon as it had run, its drawing in the browser. A page that asks sooner has them at once."""
    import time

    from egov_align.dashboard import common

    started = []  # the models prepared for (earlier tests' pages may still have theirs due)
    monkeypatch.setattr(common, "_prepare", lambda model, *args: started.append(model) or {"heatmap": [1]})
    monkeypatch.setattr(common, "DRAWING_SECONDS", 1.5)
    common._analysed.clear()
    loaded = common.load_repository(ROOT, "sample")
    assert loaded.tables is None and not any(model is loaded.model for model in started)  # analysed, nothing else begun
    app = start()
    data = app.session_state["egov_loaded"]

    def prepared() -> int:
        return sum(model is data.model for model in started)

    assert data.tables is None and not prepared()  # the browser is still drawing the overview
    if asked:
        assert data.heatmap == [1] and prepared() == 1
    waited = time.monotonic()
    while (data.tables is None or data.rows is None) and time.monotonic() - waited < 30:
        time.sleep(0.05)
    assert data.tables is not None and data.tables.result() == {"heatmap": [1]}
    time.sleep(1.6)  # past the grace: the page's own timer finds them prepared
    assert data.heatmap == [1] and prepared() == 1  # once, however often a page asks
    assert len(data.rows.result()) == len(data.result.findings)  # the Findings page's rows, after the messages
    common._analysed.clear()


@pytest.mark.parametrize("pool", ["_WRITING", "_PREPARING"])
def test_work_due_while_the_server_stops_is_left_without_a_traceback(monkeypatch, pool):
    """The grace may end while the server is stopping, its pools shut down for new work."""
    from concurrent.futures import ThreadPoolExecutor

    from egov_align.dashboard import common

    stopped = ThreadPoolExecutor(max_workers=1)
    stopped.shutdown()
    monkeypatch.setattr(common, pool, stopped)
    common._analysed.clear()
    loaded = common.load_repository(ROOT, "sample")
    loaded._prepare_the_rest_unless_leaving()  # the timer's call: nothing raised
    assert loaded.tables is None
    common._analysed.clear()


def test_the_server_writes_the_findings_messages_after_the_first_page(monkeypatch):
    """The overview counts findings and shows no message: the server analyses without them (a
    sixth of a national analysis) and writes them after the first page; the other pages get
    exactly the findings `egov-align analyze` reports."""
    from egov_align.dashboard import common

    monkeypatch.setattr(common, "DRAWING_SECONDS", 30.0)  # no timer writes them during this test
    common._analysed.clear()
    loaded = start().session_state["egov_loaded"]  # the overview, drawn
    assert loaded.messages is None and all(f.message is None for f in loaded.analysed.findings)
    reported = analyze(loaded.model, config=load_config(ROOT))
    assert loaded.analysed.summary() == reported.summary()
    assert loaded.result.findings == reported.findings  # a page that shows them waits for them
    assert loaded.messages.done()
    common._analysed.clear()


def test_the_server_reads_and_analyses_its_model_before_the_first_visit(monkeypatch, tmp_path):
    """`egov-align dashboard` reads its model before Streamlit starts and analyses it while it
    starts (serve.py): the first page finds it in the cache, and loads nothing itself."""
    from egov_align.dashboard import common, serve

    model = the_sample_copied_to(tmp_path / "model")
    head_start = serve._read_model(["serve.py", "run", "app.py", "--server.port", "8600", "--", "--model", str(model)])
    assert head_start.loaded.valid and head_start.paths and all(p.startswith(str(model)) for p in head_start.paths)
    common._analysed.clear()
    common.warm_up(head_start)

    refuse_a_second_load(monkeypatch)
    app = start(["--model", str(model)], monkeypatch)
    assert metric(app, "Systems") == str(len(app.session_state["egov_loaded"].model.systems))
    common._analysed.clear()


def test_a_first_visitor_waiting_for_the_servers_analysis_is_told_in_words_not_by_a_spinner(monkeypatch, tmp_path):
    """A national model's analysis takes seconds after the server answers; a browser on the same
    machine kept drawing the cache's spinner meanwhile, with CPU the analysis needed. The page says
    what is known of the model already, and all of it is gone once the overview is drawn."""
    import threading
    import time

    import streamlit as st

    from egov_align.dashboard import common, server_model

    model = the_sample_copied_to(tmp_path / "model")
    head_start = server_model.read_server_model(["--model", str(model)])
    common._analysed.clear()
    shown, real_empty, real_known = [], st.empty, common.what_is_being_analysed

    class Slot:
        def __init__(self):
            self.slot = real_empty()

        def container(self):
            shown.append("container")
            return self.slot.container()

        def empty(self):
            shown.append(None)
            return self.slot.empty()

    real_radio = st.radio

    def the_model_choice(*args, **kwargs):
        shown.append("choice")
        return real_radio(*args, **kwargs)

    def known_already(model, config):
        shown.append(("known", model is head_start.loaded.model))
        real_known(model, config)

    def analysed_later():
        time.sleep(1)
        try:
            common.warm_up(head_start)
        finally:
            common.head_start_ends()

    monkeypatch.setattr(st, "empty", Slot)
    monkeypatch.setattr(st, "radio", the_model_choice)
    monkeypatch.setattr(common, "what_is_being_analysed", known_already)
    refuse_a_second_load(monkeypatch)
    common.head_start_begins(head_start)
    threading.Thread(target=analysed_later, daemon=True).start()
    try:
        app = start(["--model", str(model)], monkeypatch)
    finally:
        common.HEAD_START_OVER.wait(60)
    # the sidebar's model choice first, then what is known, then nothing once the model is ready
    assert shown[:4] == ["choice", "container", ("known", True), None]
    assert metric(app, "Systems") == str(len(app.session_state["egov_loaded"].model.systems))
    assert not [i for i in app.info if "Loading" in i.value]
    assert not [c for c in app.caption if "checked against" in c.value]
    assert common._ANALYSING is None  # the model read is not held beyond the analysis cache
    common._analysed.clear()


def test_once_the_server_answers_it_analyses_its_model_even_if_saying_where_fails(monkeypatch, tmp_path, capsys):
    """serve.py's thread says where the server answers, then analyses the model it read; a line of
    the log that cannot be written does not leave the first visitor to analyse the model."""
    from streamlit.runtime import Runtime, RuntimeState

    from egov_align.dashboard import common, serve

    model = the_sample_copied_to(tmp_path / "model")
    head_start = serve._read_model(["serve.py", "run", "app.py", "--", "--model", str(model)])
    common._analysed.clear()

    def cannot_say(_lang):
        raise OSError("no network interface")

    with monkeypatch.context() as answering:  # as if Streamlit's server had started
        answering.setattr(Runtime, "exists", lambda: True)
        answering.setattr(Runtime, "instance", lambda: type("Started", (), {"state": RuntimeState.NO_SESSIONS_CONNECTED}))
        answering.setattr(serve, "_say_where", cannot_say)
        serve._once_the_server_answers(head_start, "en")
    assert common.HEAD_START_OVER.is_set() and common._ANALYSING is None
    assert "the model is analysed and ready (14 files" in capsys.readouterr().err

    refuse_a_second_load(monkeypatch)
    app = start(["--model", str(model)], monkeypatch)
    assert metric(app, "Systems") == str(len(app.session_state["egov_loaded"].model.systems))
    common._analysed.clear()


def test_streamlits_question_whether_it_runs_in_a_repl_is_asked_before_the_analysis(monkeypatch):
    """Asked by a page's first element, it walks the stack with inspect, a file lookup per module
    loaded, each waiting for the analysis to let go of the interpreter: the first visitor's waiting
    page came 1.1 s after the page opened (with the default switch interval, only once the analysis
    was over). serve.py asks it before the analysis."""
    import inspect

    import streamlit.delta_generator

    from egov_align.dashboard import serve

    walks = []
    real_stack = inspect.stack

    def counted_stack(*args, **kwargs):
        walks.append(1)
        return real_stack(*args, **kwargs)

    monkeypatch.setattr(inspect, "stack", counted_stack)
    monkeypatch.setattr(streamlit.delta_generator, "_use_warning_has_been_displayed", False)
    serve._ask_streamlits_first_question()
    assert walks == [1]
    app = AppTest.from_function(_one_element, default_timeout=30)
    app.run()
    assert not app.exception and app.markdown[0].value == "one"
    assert walks == [1]  # not asked again by the page


def _one_element():
    import streamlit as st

    st.markdown("one")


def test_the_server_imports_what_the_pages_import_while_the_model_is_read():
    """Each page's own imports (the overview's reporters, the Findings page's exports) were
    imported on its first visit: the overview's, after the analysis, while the first visitor waited."""
    import ast
    import subprocess

    from egov_align.dashboard.app import PAGES

    pages = [page_path(file) for file, _title, _icon in PAGES]
    imported = {node.module for page in pages for node in ast.parse(page.read_text(encoding="utf-8")).body
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.startswith("egov_align")}
    missing = subprocess.run(
        [sys.executable, "-c", "import sys; from egov_align.dashboard import serve; serve._import_the_server(); "
         f"print(sorted(m for m in {sorted(imported)!r} if m not in sys.modules))"],
        capture_output=True, text=True, check=True, timeout=120).stdout.strip()
    assert missing == "[]"


def _what_is_being_analysed(model, config):
    from egov_align.dashboard import common

    common.what_is_being_analysed(model, config)


def test_while_waiting_the_page_shows_the_models_size_and_the_rules_it_is_checked_against(tmp_path, monkeypatch):
    from egov_align.config import load_config
    from egov_align.loader import discover, load
    from egov_align.rules import RULES

    model = sample_with_a_cache(tmp_path, monkeypatch)
    with (model / "egov-align.toml").open("a") as toml:
        toml.write('\n[rules]\nvendor-concentration = "off"\n')
    config = load_config(model)
    loaded = load(discover([str(model / "models"), str(model / "processes")]).sources, policies=config.policy_names)
    app = AppTest.from_function(_what_is_being_analysed, args=(loaded.model, config), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    counts = {m.label: m.value for m in app.metric}
    assert counts == {"Institutions": str(len(loaded.model.institutions)), "Systems": str(len(loaded.model.systems)),
                      "Processes": str(len(loaded.model.processes)), "Process steps": str(loaded.model.step_count)}
    rules = app.dataframe[0].value
    assert list(rules["rule"]) == [name for name in RULES if name != "vendor-concentration"] + [
        "gov-hosting", "no-email-for-personal-data"]
    assert rules["what it finds"].iloc[-1] == config.policies[-1].summary


def test_the_server_reads_each_file_of_its_model_once(monkeypatch, tmp_path):
    """The model's identity (the key of every page's tables) is taken from the bytes the loader
    read: reading every file again beside the analysis cost the analysis half a second at national
    scale. A file saved again unchanged leaves it the same model; one byte changed makes another,
    and so do the same files under other names (their findings name them)."""
    import os

    from egov_align.dashboard import common, server_model
    from egov_align.discovery import Source

    model = the_sample_copied_to(tmp_path / "model")
    head_start = server_model.read_server_model(["--model", str(model)])
    reads = []
    read = Source.read
    monkeypatch.setattr(Source, "read", lambda self, *args, **kwargs: reads.append(self.display) or read(self, *args,
                                                                                                         **kwargs))
    common._analysed.clear()
    first = common.warm_up(head_start)
    assert reads == []
    monkeypatch.undo()

    one_file = next((model / "processes").glob("*.yaml"))
    os.utime(one_file, ns=(1, 1))  # saved again as it was: read again, the same model
    again = common.load_repository(model, "again")
    assert again is not first and again.digest == first.digest
    one_file.write_text(one_file.read_text() + "#\n")
    assert common.load_repository(model, "changed").digest != first.digest
    elsewhere = the_sample_copied_to(tmp_path / "elsewhere")
    assert common.load_repository(elsewhere, "elsewhere").digest != first.digest
    common._analysed.clear()


def test_a_file_changed_after_the_head_start_is_read_again(monkeypatch, tmp_path):
    from egov_align.dashboard import common, server_model

    model = the_sample_copied_to(tmp_path / "model")
    head_start = server_model.read_server_model(["--model", str(model)])
    extra = model / "models" / "more.yaml"
    extra.write_text("institutions:\n  - id: late-comer\n    name: Late Comer\n")
    common._analysed.clear()
    common.warm_up(head_start)
    assert "late-comer" in common.load_repository(model, str(model)).model.institutions
    common._analysed.clear()


def test_a_models_files_are_listed_again_only_when_a_folder_changes(monkeypatch, tmp_path):
    """Every click runs the page again: a national model's 6,001 files are not listed again while
    their folders are unchanged. A file added, removed or renamed changes its folder; so does
    setting its mtime back (its ctime cannot be). A folder changed just before it was listed is
    listed again until it has settled."""
    import os

    from egov_align.dashboard import server_model

    model = the_sample_copied_to(tmp_path / "m")
    listings = []
    monkeypatch.setattr(server_model, "discover", lambda paths: listings.append(paths) or discover(paths))
    monkeypatch.setattr(server_model, "_LISTINGS", {})
    monkeypatch.setattr(server_model, "SETTLED_NS", 0)  # no folder is too fresh to be kept

    def names() -> set[str]:
        return {source.display.rsplit("/", 1)[-1] for source in server_model.repository(model)[2].sources}

    first = server_model.repository(model)[2]
    assert server_model.repository(model)[2] is first and len(listings) == 1  # unchanged: the same listing
    processes = model / "processes"
    (processes / "new-process.yaml").write_text("processes: []\n")
    assert "new-process.yaml" in names() and len(listings) == 2  # added
    names()
    assert len(listings) == 2  # unchanged since
    (processes / "new-process.yaml").rename(processes / "renamed.yaml")
    assert "renamed.yaml" in names() and "new-process.yaml" not in names() and len(listings) == 3
    before = os.stat(processes)
    (processes / "renamed.yaml").unlink()
    os.utime(processes, ns=(before.st_atime_ns, before.st_mtime_ns))  # as it was, to the nanosecond
    assert "renamed.yaml" not in names() and len(listings) == 4
    monkeypatch.setattr(server_model, "SETTLED_NS", 10**18)  # every folder changed just now
    monkeypatch.setattr(server_model, "_LISTINGS", {})
    names()
    names()
    assert len(listings) == 6  # listed each time


def test_no_head_start_without_a_model_to_serve(monkeypatch, tmp_path):
    from egov_align.dashboard import serve, server_model

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(server_model, "ROOT", tmp_path)  # not a checkout with a sample model either
    assert serve._read_model(["serve.py", "run", "app.py", "--", "--allow-directories", str(tmp_path)]) is None
    assert serve._read_model(["serve.py", "run", "app.py", "--", "--model", str(tmp_path / "gone")]) is None


def test_the_overview_says_what_each_rule_finds_in_the_readers_language():
    """A leader reads "Integration that names no standard", not only `non-standard-integration`,
    and a policy of the repository by its own message."""
    app = start()
    by_rule = next(frame.value for frame in app.dataframe if "what it finds" in frame.value.columns)
    finds = dict(zip(by_rule["rule"], by_rule["what it finds"], strict=True))
    assert finds["unsupported-step"] == "A process step that needs capabilities but names no system: it is done by hand."
    assert finds["gov-hosting"].startswith("systems in service that hold personal or confidential data must run")
    app.sidebar.selectbox(key="egov_lang").set_value("sw").run()
    by_rule = next(frame.value for frame in app.dataframe if "what it finds" in frame.value.columns)
    assert dict(zip(by_rule["rule"], by_rule["what it finds"], strict=True))["unsupported-step"].startswith(
        "Hatua ya mchakato inayohitaji uwezo")


def test_a_trend_stopped_with_the_server_is_not_reported_as_a_failure(monkeypatch, capsys):
    """Stopping the server stops the process reading the git history: the log said it could not
    be read ("exit code None") after "Stopping...", as if something had gone wrong."""
    from concurrent.futures import Future

    from egov_align import history
    from egov_align.config import Config
    from egov_align.dashboard import common

    def ended(*_args, **_kwargs):
        raise RuntimeError("reading the model's history ended with exit code None")

    monkeypatch.setattr(history, "trend_in_child", ended)
    for stopping, said in ((False, True), (True, False)):
        monkeypatch.setattr(common, "server_stopping", lambda: stopping)  # noqa: B023 - called in this round
        reading = Future()
        common._read_trend(reading, ("models",), Config())
        assert reading.result() is None
        assert ("could not be read" in capsys.readouterr().err) is said


def test_a_trend_due_while_the_server_stops_leaves_no_traceback(monkeypatch, capsys):
    """The reader's timer may fire as Python stops the server: importing the history's code then
    fails ("can't register atexit after shutdown"), which the log showed as a thread's traceback."""
    from concurrent.futures import Future

    from egov_align.config import Config
    from egov_align.dashboard import common

    monkeypatch.setitem(sys.modules, "egov_align.history", None)  # its import fails
    for stopping, said in ((False, True), (True, False)):
        monkeypatch.setattr(common, "server_stopping", lambda: stopping)  # noqa: B023 - called in this round
        reading = Future()
        common._read_trend(reading, ("models",), Config())  # nothing raised
        assert reading.result() is None
        assert ("could not be read" in capsys.readouterr().err) is said


def test_pages_that_show_messages_write_those_they_show_without_waiting_for_all(monkeypatch):
    """The messages of a national model take seconds to write: Processes, Landscape, Integrations,
    Coordination, Data quality and What-if do not wait for them, and show what analyze writes."""
    from egov_align.dashboard import common
    from egov_align.i18n import message

    monkeypatch.setattr(common, "DRAWING_SECONDS", 30.0)  # no timer writes them during this test
    common._analysed.clear()
    app = start()
    loaded = app.session_state["egov_loaded"]
    for page in PAGES:
        if not page.endswith("findings.py"):
            app.switch_page(page).run()
            assert not app.exception, (page, app.exception)
    assert loaded.messages is None  # not one page asked for all of them
    from egov_align.views import step_rows

    app.switch_page(str(page_path("processes.py"))).run()
    reported = analyze(loaded.model, config=load_config(ROOT))
    written = step_rows(loaded.model, reported.findings, app.selectbox(key="process").value)
    assert list(app.dataframe[0].value["what to do"]) == [row["what to do"] for row in written]
    assert any(row["what to do"] for row in written)
    assert [message(f) for f in loaded.analysed.findings] == [f.message for f in reported.findings]
    common._analysed.clear()


def test_a_long_table_shows_its_first_rows_and_downloads_all(monkeypatch):
    """Coordination's hand-offs (36,781 at national scale) and the consolidation plan (8,232): the
    browser is sent the first rows, those not coordinated first; the CSV holds every row."""
    from egov_align.dashboard import common
    from egov_align.views import handoff_rows

    monkeypatch.setattr(common, "MAX_TABLE_ROWS", 2)
    app = start()
    app.switch_page(str(page_path("coordination.py"))).run()
    assert not app.exception
    loaded = app.session_state["egov_loaded"]
    every = handoff_rows(loaded.model, loaded.index.handoffs)
    assert len(every) > 2 and len(app.dataframe[0].value) == 2
    assert list(app.dataframe[0].value["coordinated"]) == ["no", "no"]
    assert any(f"{len(every):,} hand-offs, those not coordinated first" in c.value for c in app.caption)
    assert "Download CSV" in [b.proto.label for b in app.get("download_button")]
    app.switch_page(str(page_path("what_if.py"))).run()
    plan = loaded.analysed.metrics["consolidation"]
    assert len(plan) > 2 and len(app.dataframe[0].value) == 2
    assert list(app.dataframe[0].value["retire"]) == [item["system"] for item in plan[:2]]


def test_a_csv_download_never_hands_a_spreadsheet_a_formula():
    from egov_align.dashboard.common import csv_of

    written = csv_of([{"name": "=HYPERLINK(\"http://x\")", "cost": 5}, {"name": "+1", "cost": -2}])
    assert written.splitlines() == ["name,cost", "\"'=HYPERLINK(\"\"http://x\"\")\",5", "'+1,-2"]


def test_a_pages_summaries_are_kept_per_model_the_least_recently_used_forgotten_first(monkeypatch):
    from egov_align.dashboard import common

    monkeypatch.setattr(common, "_PER_MODEL", {})
    monkeypatch.setattr(common, "PER_MODEL_ENTRIES", 2)
    made = []

    def summary(name):
        return common.per_model("digest", name, lambda: made.append(name) or name.upper())

    assert [summary("a"), summary("b"), summary("a")] == ["A", "B", "A"] and made == ["a", "b"]
    summary("c")  # "b" was used least recently
    assert summary("a") == "A" and made == ["a", "b", "c"]
    assert summary("b") == "B" and made == ["a", "b", "c", "b"]
