"""Build the example inventory workbooks from the sample model, so they never drift from it.

    python examples/build_workbooks.py

writes
- examples/inventory.xlsx: the sample as a ministry's ICT inventory might look: a title row,
  plain-English headers (`System name`, `Owner institution`, `Annual cost (TZS)`);
- tests/data/messy-inventory.xlsx: the same with what real inventories have: merged title
  rows, names instead of ids, numbers typed with thousands separators, dates as Excel serials
  and as text, Yes/No, stray spaces, a duplicate name, an extra column, trailing empty rows,
  and five mistakes that `import sheet` must report at their cells (tests/test_import_sheet.py).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from egov_align.config import load_config  # noqa: E402
from egov_align.interop.sheet_export import sheet_rows  # noqa: E402
from egov_align.loader import load_paths  # noqa: E402

TITLES = {"model": "Model", "institutions": "Institutions", "capabilities": "Capabilities",
          "data_entities": "Data entities", "systems": "Systems", "integrations": "Integrations",
          "services": "Services", "processes": "Processes", "steps": "Steps"}
HEADERS = {  # field -> what an inventory's author would write
    "id": "ID", "name": "Name", "owner": "Owner institution", "annual_cost": "Annual cost (TZS)",
    "users": "Number of users", "security.assessed": "Last security assessment", "from": "Source system",
    "to": "Target system", "data": "Data exchanged", "provider": "Provider institution",
    "annual_volume": "Transactions per year", "performer": "Performed by", "next": "Next steps",
    "systems": "Systems used",
}
SYSTEM_HEADERS = {"data": "Data held", "name": "System name"}
INVENTORY_TITLE = "United Republic of Tanzania: ICT systems inventory (sample), as at 2026-06-30"


def _model():
    config = load_config(ROOT)
    loaded = load_paths([str(ROOT / "models"), str(ROOT / "processes")], config=config, jobs=1)
    assert loaded.valid, loaded.diagnostics
    return loaded.model


def _header(kind: str, field: str) -> str:
    if kind == "systems" and field in SYSTEM_HEADERS:
        return SYSTEM_HEADERS[field]
    if kind == "integrations" and field == "data":
        return HEADERS["data"]
    if kind != "integrations" and field == "data":
        return field
    return HEADERS.get(field, field.replace("_", " ").capitalize())


def _workbook(sheets):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append([INVENTORY_TITLE])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(headers), 2))
        sheet.append([])
        sheet.append(headers)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A4"
    workbook.properties.creator = "egov-align examples/build_workbooks.py"
    fixed = dt.datetime(2026, 6, 30)
    workbook.properties.created = workbook.properties.modified = fixed
    return workbook


def inventory_sheets(model):
    sheets = []
    for kind, headers, rows, _options in sheet_rows(model, None):
        sheets.append((TITLES[kind], [_header(kind, h) for h in headers], [list(r) for r in rows]))
    return sheets


def messy_sheets(model):
    """The inventory as people really keep it; the comments say what each change tests."""
    sheets = {title: (headers, rows) for title, headers, rows in inventory_sheets(model)}
    names = {i.id: i.name for i in model.institutions.values()}
    headers, rows = sheets["Systems"]
    column = {h: i for i, h in enumerate(headers)}
    for number, row in enumerate(rows):
        row[column["Owner institution"]] = f"  {names[row[column['Owner institution']]]} "  # a name, stray spaces
        cost = row[column["Annual cost (TZS)"]]
        if cost is not None:
            row[column["Annual cost (TZS)"]] = f"{int(cost):,}"  # a number typed as text: 900,000,000
        assessed = row[column["Last security assessment"]]
        if isinstance(assessed, dt.date):  # an Excel serial number, and a date typed day first
            row[column["Last security assessment"]] = ((assessed - dt.date(1899, 12, 30)).days
                                                       if number % 2 else assessed.strftime("%d/%m/%Y"))
    rows[1][column["ID"]] = None  # no id: made from the name
    headers.append("Contact person")  # not a field: reported, left out
    for row in rows:
        row.append("ict@example.go.tz")
    rows[2][column["Status"]] = "operational"  # mistake 1: not a status
    rows[3][column["Number of users"]] = "about 200"  # mistake 2: not a number
    rows[4][column["Owner institution"]] = "Ministry of Helth"  # mistake 3: no such institution
    rows[5][column["Annual cost (TZS)"]] = "=SUM(J4:J8)"  # mistake 4: a formula with no saved value
    rows += [[None] * len(headers)] * 3  # trailing empty rows
    headers, rows = sheets["Capabilities"]
    column = {h: i for i, h in enumerate(headers)}
    for row in rows:
        for field in ("Shared", "Generic"):
            if isinstance(row[column[field]], bool):
                row[column[field]] = "Yes" if row[column[field]] else "N"
    rows[0][column["Shared"]] = "maybe"  # mistake 5: not yes or no
    headers, rows = sheets["Institutions"]
    rows.append([None, rows[0][1], "agency", None, "A second institution of the same name", None, None])
    return [(title, *sheets[title]) for title in TITLES.values()]


def main() -> None:
    model = _model()
    _workbook(inventory_sheets(model)).save(ROOT / "examples" / "inventory.xlsx")
    (ROOT / "tests" / "data").mkdir(exist_ok=True)
    _workbook(messy_sheets(model)).save(ROOT / "tests" / "data" / "messy-inventory.xlsx")
    print("wrote examples/inventory.xlsx and tests/data/messy-inventory.xlsx")


if __name__ == "__main__":
    main()
