"""import sheet / export sheet (DESIGN 8, 12; docs/import-export.md), as a planner runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.conftest import ROOT, run_cli

MESSY = ROOT / "tests" / "data" / "messy-inventory.xlsx"


def analysis(directory: Path, cwd: Path) -> dict:
    run = run_cli("analyze", str(directory), "--format", "json", "--fail-on", "never", "--no-cache", cwd=cwd)
    assert run.code == 0, run.out + run.err
    return json.loads(run.out)


def same_analysis(before: dict, after: dict) -> None:
    """DESIGN 12: findings by (rule, subject, severity), and the metrics; files and lines may differ."""
    def findings(result):
        return sorted((f["rule"], f["subject"], f["severity"]) for f in result["findings"])

    assert findings(after) == findings(before)
    assert after["metrics"] == before["metrics"]


def round_trip(model: Path, tmp_path: Path) -> tuple[dict, dict]:
    workbook = tmp_path / "model.xlsx"
    assert run_cli("export", "sheet", str(model), "-o", str(workbook), "--no-cache", cwd=tmp_path).code == 0
    imported = tmp_path / "imported"
    run = run_cli("import", "sheet", str(workbook), "-o", str(imported), cwd=tmp_path)
    assert run.code == 0, run.out
    if (model / "egov-align.toml").exists():  # importers write the model, not its configuration
        shutil.copy(model / "egov-align.toml", imported)
    return analysis(model, tmp_path), analysis(imported, tmp_path)


def test_export_then_import_gives_the_same_findings_and_metrics_on_the_sample(tmp_path):
    shutil.copytree(ROOT / "models", tmp_path / "sample" / "models")
    shutil.copytree(ROOT / "processes", tmp_path / "sample" / "processes")
    shutil.copy(ROOT / "egov-align.toml", tmp_path / "sample")
    before, after = round_trip(tmp_path / "sample", tmp_path)
    assert before["findings"], "the sample has findings on purpose"
    same_analysis(before, after)


@pytest.mark.timeout(600)
def test_export_then_import_gives_the_same_findings_and_metrics_at_scale_m(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    generate("M", tmp_path / "M")
    before, after = round_trip(tmp_path / "M", tmp_path)
    assert len(before["findings"]) > 1000
    same_analysis(before, after)


def test_the_example_inventory_is_the_sample_and_imports_cleanly(tmp_path):
    script = ROOT / "examples" / "build_workbooks.py"
    copy = tmp_path / "repo"
    for part in ("models", "processes", "examples", "egov_align"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__", "*.xlsx"))
    shutil.copy(ROOT / "egov-align.toml", copy)
    (copy / "tests").mkdir()
    subprocess.run([sys.executable, str(copy / "examples" / script.name)], check=True, capture_output=True)
    for built, committed in ((copy / "examples/inventory.xlsx", ROOT / "examples/inventory.xlsx"),
                             (copy / "tests/data/messy-inventory.xlsx", MESSY)):
        assert _cells(built) == _cells(committed), f"run: python examples/build_workbooks.py ({committed.name})"
    run = run_cli("import", "sheet", str(ROOT / "examples/inventory.xlsx"), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert run.code == 0, run.out
    assert "Systems: 'Owner institution' -> owner" in run.out
    assert "sheet Systems: 27 read -> 27 systems" in run.out
    shutil.copy(ROOT / "egov-align.toml", tmp_path / "out")
    same_analysis(analysis(ROOT, tmp_path), analysis(tmp_path / "out", tmp_path))


def _cells(path: Path) -> dict:
    workbook = load_workbook(path, read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook}


def test_the_messy_workbook_reports_every_bad_cell_at_its_position_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    run = run_cli("import", "sheet", str(MESSY), "-o", str(out), cwd=tmp_path)
    assert run.code == 1
    assert not out.exists()
    problems = run.out.split("nothing written:\n")[1].splitlines()
    assert problems == [
        "  Capabilities!D4: `shared` must be yes or no (Yes/No, Y/N, TRUE/FALSE, 1/0), not 'maybe'",
        "  Systems!D6: `status` must be one of planned, active, legacy, retiring, retired, not 'operational'",
        "  Systems!K7: `users` must be a whole number, not 'about 200'",
        "  Systems!C8: no institution 'Ministry of Helth' (did you mean 'Ministry of Health'?); give its id or "
        "exact name",
        "  Systems!J9: a formula (=SUM(J4:J8)) with no saved value: open the workbook in Excel and save it, or type "
        "the value",
        "  Systems!C11: \"President's Office - Public Service Management and Good Governance\" names 2 institutions "
        "(popsmgg, president-s-office-public-service-management-and-good-govern): use the id",
    ]
    # what it could read the way the planner meant is said, not silently done
    assert "Systems!J: numbers typed as text read as numbers (J4, J5," in run.out
    assert "Systems!L: Excel serial numbers read as dates" in run.out
    assert "Systems!L: dates typed as text read day first (DD/MM/YYYY)" in run.out
    assert "Systems!P: column 'Contact person' is not a field of systems; left out" in run.out
    assert "Systems: 1 id made from names" not in run.out  # the count is per kind:
    assert "systems: 1 id made from names (no id given)" in run.out


def test_json_report_is_one_object(tmp_path):
    run = run_cli("import", "sheet", str(MESSY), "-o", str(tmp_path / "out"), "--format", "json", cwd=tmp_path)
    report = json.loads(run.out)
    assert run.code == 1 and report["valid"] is False and report["written"] == []
    assert {"position": "Systems!D6", "message": "`status` must be one of planned, active, legacy, retiring, "
                                                 "retired, not 'operational'"} in report["problems"]
    assert report["counts"]["sheet Systems"] == {"read": 27, "to": "systems", "imported": 27}


def _workbook(tmp_path: Path, sheets: dict[str, list[list]], name: str = "book.xlsx") -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


INSTITUTIONS = [["Institution ID", "Institution name", "Type"], ["moh", "Ministry of Health", "Ministry"],
                ["nhif", "National Health Insurance Fund", " agency "]]


def test_headers_units_prefixes_synonyms_booleans_and_explicit_empty_lists(tmp_path):
    book = _workbook(tmp_path, {
        "Institutions": INSTITUTIONS,
        "Capabilities": [["name", "Shared service"], ["Claims", "Y"], ["Membership", "FALSE"]],
        "data entities": [["Data entity", "Classification"], ["Member", "Personal"]],
        "SYSTEMS": [["System name", "Owner institution", "Cost (TZS)", "Capability", "Data held",
                     "Security assessed", "External archimate"],
                    ["Claims system", "National Health Insurance Fund", "TZS 1,250,000", "Claims; Membership",
                     "Member:master", "2024-03-01", "id-77"],
                    ["Claims system", "moh", 5, "-", None, 45352.0, None]],
    })
    run = run_cli("import", "sheet", str(book), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert run.code == 0, run.out
    systems = (tmp_path / "out/models/systems.yaml").read_text()
    assert "  - id: claims-system\n    name: Claims system\n    owner: nhif\n    capabilities: [claims, membership]\n" \
           "    data: [{entity: member, role: master}]\n    annual_cost: 1250000\n    security: {assessed: 2024-03-01}\n" \
           "    external: {archimate: id-77}\n" in systems
    assert "  - id: claims-system-2\n    name: Claims system\n    owner: moh\n    capabilities: []\n" in systems
    assert "assessed: 2024-03-01" in systems and "assessed: 2024-03-01}" in systems
    assert "agency" in (tmp_path / "out/models/institutions.yaml").read_text()
    assert "shared: true" in (tmp_path / "out/models/capabilities.yaml").read_text()
    assert run_cli("validate", str(tmp_path / "out"), cwd=tmp_path).code == 0


def test_a_processes_and_steps_sheet_becomes_process_files_with_flow(tmp_path):
    book = _workbook(tmp_path, {
        "Institutions": INSTITUTIONS,
        "Processes": [["Process ID", "Name", "Owner"], ["claim", "Claim reimbursement", "nhif"]],
        "Steps": [["Process", "Step name", "Next"], ["Claim reimbursement", "Submit claim", None],
                  ["claim", "Check claim", "Pay claim; Reject claim"], ["claim", "Pay claim", "-"],
                  ["claim", "Reject claim", "none"]],
    })
    run = run_cli("import", "sheet", str(book), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert run.code == 0, run.out
    process = (tmp_path / "out/processes/claim.yaml").read_text()
    assert "      - id: check-claim\n        name: Check claim\n        next: [pay-claim, reject-claim]\n" in process
    assert "      - id: pay-claim\n        name: Pay claim\n        next: []\n" in process
    assert "    owner: nhif\n" in process


def test_a_reference_that_is_neither_id_nor_exact_name_is_reported_at_its_cell(tmp_path):
    book = _workbook(tmp_path, {
        "Institutions": INSTITUTIONS,
        "Processes": [["id", "name", "owner"], ["claim", "Claim", "NHIF"]],
        "Steps": [["process", "name", "next"], ["claim", "Submit", "Chek"], ["claim", "Check", None]],
    })
    run = run_cli("import", "sheet", str(book), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert run.code == 1
    assert "Processes!C2: no institution 'NHIF' (did you mean 'nhif'?); give its id or exact name" in run.out
    assert "Steps!C2: no step 'Chek' in process claim (did you mean 'Check'?); give its id or exact name" in run.out


def test_problems_the_loader_finds_are_told_at_the_cell_they_came_from(tmp_path):
    book = _workbook(tmp_path, {"Institutions": [["id", "name", "type"], ["a b", "Bad id", "agency"],
                                                 ["ok", "Fine", "agency"], ["ok", "Again", "agency"]]})
    run = run_cli("import", "sheet", str(book), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert run.code == 1 and not (tmp_path / "out").exists()
    assert "Institutions!A2: schema:" in run.out
    assert "Institutions!A4: duplicate-id:" in run.out


def test_header_row_is_found_below_titles_and_a_sheet_without_one_is_reported(tmp_path):
    book = _workbook(tmp_path, {"Institutions": [["Ministry inventory 2026"], [], ["ID", "Name"], ["moh", "MoH"]],
                                "Systems": [["just a title"], ["nothing else"]]})
    run = run_cli("import", "sheet", str(book), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert "Systems!A1: no header row: no column named `id` or `name` in the first 50 rows" in run.out
    assert run.code == 1


def test_csv_files_in_the_encodings_excel_writes(tmp_path):
    rows = "id;name;type\nmoh;Wizara ya Afya – Ministry of Health;ministry\n"
    for encoding, expected in (("utf-8", "read as UTF-8"), ("utf-8-sig", "byte order mark"),
                               ("utf-16", "UTF-16"), ("cp1252", "read as Windows-1252")):
        path = tmp_path / f"institutions-{encoding}.csv"
        path.write_bytes(rows.encode(encoding))
        out = tmp_path / f"out-{encoding}"
        run = run_cli("import", "sheet", str(path), "--kind", "institutions", "-o", str(out), cwd=tmp_path)
        assert run.code == 0, run.out
        assert expected in run.out and "separated by ';'" in run.out
        assert "Wizara ya Afya – Ministry of Health" in (out / "models/institutions.yaml").read_text(encoding="utf-8")


def test_a_csv_names_its_kind_and_a_bad_row_is_told_as_file_and_row(tmp_path):
    (tmp_path / "institutions.csv").write_text("id,name,type\nmoh,Ministry of Health,ministery\n")
    run = run_cli("import", "sheet", "institutions.csv", "-o", "out", cwd=tmp_path)
    assert run.code == 1
    assert "institutions.csv:2: `type` must be one of ministry," in run.out
    assert "(did you mean 'ministry'?)" in run.out
    (tmp_path / "things.csv").write_text("id,name\na,A\n")
    assert "Give --kind" in run_cli("import", "sheet", "things.csv", "-o", "out", cwd=tmp_path).out


def test_a_single_kind_csv_needs_into_a_model_that_defines_what_it_references(tmp_path):
    (tmp_path / "systems.csv").write_text("name,owner\nClaims,Ministry of Health\n")
    run = run_cli("import", "sheet", "systems.csv", "-o", "out", cwd=tmp_path)
    assert run.code == 1 and not (tmp_path / "out").exists()
    assert "systems.csv:2: no institution 'Ministry of Health'" in run.out
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    existing = "institutions:\n  - id: moh\n    name: Ministry of Health\n"
    (repo / "models/institutions.yaml").write_text(existing)
    (repo / "models/systems.yaml").write_text("systems: []\n")
    run = run_cli("import", "sheet", "systems.csv", "--into", "repo", cwd=tmp_path)
    assert run.code == 0, run.out
    assert (repo / "models/institutions.yaml").read_text() == existing
    assert (repo / "models/systems.yaml").read_text() == "systems: []\n"  # never changed
    written = (repo / "models/systems-systems.yaml").read_text()
    assert "owner: moh" in written
    assert run_cli("validate", "repo", cwd=tmp_path).code == 0


def test_into_reuses_elements_the_model_has_by_name_and_never_duplicates_them(tmp_path):
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    (repo / "models/institutions.yaml").write_text("institutions:\n  - id: moh\n    name: Ministry of Health\n")
    book = _workbook(tmp_path, {"Institutions": [["id", "name"], ["health", "Ministry of Health"], ["tra", "TRA"]],
                                "Systems": [["name", "owner"], ["HMIS", "health"]]})
    run = run_cli("import", "sheet", str(book), "--into", "repo", cwd=tmp_path)
    assert run.code == 0, run.out
    assert "institution 'Ministry of Health' (Institutions!A2): already in the model as moh (the same name)" in run.out
    new = (repo / "models/institutions-book.yaml").read_text()
    assert "tra" in new and "Ministry of Health" not in new
    assert "owner: moh" in (repo / "models/systems.yaml").read_text()


def test_o_must_be_new_or_empty_and_force_replaces_only_what_an_import_wrote(tmp_path):
    book = _workbook(tmp_path, {"Institutions": INSTITUTIONS})
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    run = run_cli("import", "sheet", str(book), "-o", "out", cwd=tmp_path)
    assert run.code == 2 and "not empty" in run.err
    assert run_cli("import", "sheet", str(book), "-o", "out", "--force", cwd=tmp_path).code == 0
    assert run_cli("import", "sheet", str(book), "-o", "out", "--force", cwd=tmp_path).code == 0  # again: its own files
    (out / "models/institutions.yaml").write_text("institutions: []\n")  # a planner took the file over
    run = run_cli("import", "sheet", str(book), "-o", "out", "--force", cwd=tmp_path)
    assert run.code == 1 and "would replace models/institutions.yaml, which an import did not write" in run.out
    assert (out / "models/institutions.yaml").read_text() == "institutions: []\n"
    assert (out / "notes.txt").read_text() == "mine"
    assert run_cli("import", "sheet", str(book), cwd=tmp_path).code == 2  # neither -o nor --into


HOSTILE_TEXT = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                "\tTab first", "ordinary"]


def test_export_writes_model_text_as_text_never_as_a_formula(tmp_path):
    lines = ["institutions:"] + [f"  - id: i{n}\n    name: {json.dumps(text)}" for n, text in enumerate(HOSTILE_TEXT)]
    (tmp_path / "models").mkdir()
    (tmp_path / "models/i.yaml").write_text("\n".join(lines) + "\n")
    assert run_cli("export", "sheet", "-o", "out.xlsx", "--no-cache", cwd=tmp_path).code == 0
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    names = [row[1] for row in load_workbook(tmp_path / "out.xlsx")["institutions"].iter_rows(min_row=2,
                                                                                            values_only=True)]
    assert names == HOSTILE_TEXT
    run = run_cli("import", "sheet", "out.xlsx", "-o", "back", cwd=tmp_path)
    assert run.code == 0, run.out
    assert run_cli("validate", "back", cwd=tmp_path).code == 0


def test_export_sheet_has_findings_with_severity_colours_frozen_headers_filters_and_pick_lists(tmp_path):
    shutil.copytree(ROOT / "models", tmp_path / "models")
    shutil.copytree(ROOT / "processes", tmp_path / "processes")
    run = run_cli("export", "sheet", "-o", "out.xlsx", "--no-cache", cwd=tmp_path)
    assert run.code == 0 and "wrote out.xlsx" in run.out
    workbook = load_workbook(tmp_path / "out.xlsx")
    assert workbook.sheetnames == ["model", "institutions", "capabilities", "data_entities", "systems",
                                   "integrations", "services", "processes", "steps", "findings", "metrics"]
    findings = workbook["findings"]
    assert [c.value for c in findings[1]] == ["rule", "severity", "subject", "message", "file:line"]
    assert findings.freeze_panes == "A2" and findings.auto_filter.ref.startswith("A1:E")
    errors = [row for row in findings.iter_rows(min_row=2) if row[1].value == "error"]
    assert errors and errors[0][1].fill.fgColor.rgb.endswith("F8CBAD")  # the severity cell
    systems = workbook["systems"]
    status = [v for v in systems.data_validations.dataValidation if "planned" in (v.formula1 or "")]
    assert status and str(status[0].sqref).startswith("D2")
    assert systems.column_dimensions["B"].width > 20
    metrics = {row[0]: row[1] for row in workbook["metrics"].iter_rows(min_row=2, values_only=True)}
    assert "alignment" in metrics and "completeness.overall" in metrics
    assert run_cli("export", "sheet", cwd=tmp_path).code == 2  # a workbook needs -o


def test_export_refuses_to_write_into_the_model(tmp_path):
    shutil.copytree(ROOT / "models", tmp_path / "models")
    run = run_cli("export", "sheet", "-o", "models/x.xlsx", cwd=tmp_path)
    assert run.code == 2 and "never writes there" in run.err


def test_csv_downloads_never_hand_a_spreadsheet_a_formula():
    from egov_align.interop.sheet_export import csv_safe

    assert [csv_safe(text) for text in HOSTILE_TEXT[:5]] == ["'" + text for text in HOSTILE_TEXT[:5]]
    assert csv_safe("ordinary") == "ordinary" and csv_safe(3) == 3


def test_the_walk_through_in_the_docs_prints_what_it_shows(tmp_path, monkeypatch):
    """docs/import-export.md: each `$ egov-align …` run as shown, and every line it shows is printed."""
    import re
    import shlex

    monkeypatch.setenv("EGOV_ALIGN_NO_CACHE", "1")
    shutil.copy(ROOT / "examples/inventory.xlsx", tmp_path)
    shutil.copy(MESSY, tmp_path)
    text = (ROOT / "docs" / "import-export.md").read_text()
    blocks = re.findall(r"```console\n(.*?)```", text, re.S)
    assert len(blocks) == 4
    for block in blocks:
        command, *shown = block.strip("\n").split("\n")
        assert command.startswith("$ egov-align ")
        run = run_cli(*shlex.split(command)[2:], cwd=tmp_path)
        printed = run.out.splitlines()
        for line in shown:
            assert line in printed, f"{command}: {line!r} not printed:\n{run.out}{run.err}"
