"""`export sheet`: the model, its findings and metrics as one Excel workbook (DESIGN 8).

Planners edit it and import it back (`import sheet` gives the same model), leaders filter the
findings. Every field the model has is written, and only where the file wrote it (a default
left unwritten stays an empty cell, so completeness survives the round trip). Model text is
untrusted: a name starting with `=`, `+`, `-` or `@` is written as text, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from egov_align.interop.columns import COLUMNS, Column
from egov_align.interop.tables import column_letter
from egov_align.model import Model

HEADER_FILL = "1F4E79"
SEVERITY_FILLS = {"error": "F8CBAD", "warning": "FFE699", "info": "DDEBF7"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not storable in a workbook at all
MAX_WIDTH = 60


def csv_safe(value: object) -> object:
    """A CSV cell that a spreadsheet will not run: text that starts like a formula gets a `'` first (OWASP)."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _list(values: list) -> str:
    return "; ".join(str(v) for v in values) if values else "-"


def _field_value(element, column: Column):
    """The cell for one field, or None when the file did not write it."""
    name = column.field.split(".")[0]
    if name == "from":
        name = "from_"
    written = element.model_fields_set
    if name not in written and not (name == "from_" and "from_" in written):
        return None
    value = getattr(element, name)
    if column.field == "security.assessed":
        return value.assessed if value is not None else None
    if column.type == "holdings":
        return _list([f"{h.entity}:{h.role}" if "role" in h.model_fields_set else h.entity for h in value])
    if isinstance(value, list):
        return _list(value)
    return value


def _kind_rows(elements, columns: tuple[Column, ...], extra: list[str]) -> list[list]:
    rows = []
    for element in elements:
        row = [_field_value(element, c) for c in columns]
        row += [element.external.get(name) for name in extra]
        rows.append(row)
    return rows


def _external_names(elements) -> list[str]:
    return sorted({name for element in elements for name in element.external})


def sheet_rows(model: Model, result) -> list[tuple[str, list[str], list[list], dict]]:
    """(title, headers, rows, options) for every sheet, in order."""
    info = model.info
    sheets = [("model", ["name", "currency", "as_of", "description"],
               [[info.name, info.currency, info.as_of, info.description]], {})]
    for kind in ("institutions", "capabilities", "data_entities", "systems", "integrations", "services"):
        columns = COLUMNS[kind]
        elements = list(model.kind(kind).values())
        extra = _external_names(elements)
        sheets.append((kind, [c.field for c in columns] + [f"external {n}" for n in extra],
                       _kind_rows(elements, columns, extra), {"columns": columns}))
    process_columns = tuple(c for c in COLUMNS["processes"])
    processes = list(model.processes.values())
    extra = _external_names(processes)
    sheets.append(("processes", [c.field for c in process_columns] + [f"external {n}" for n in extra],
                   _kind_rows(processes, process_columns, extra), {"columns": process_columns}))
    step_columns = COLUMNS["steps"][1:]
    steps = [step for p in processes for step in p.steps]
    extra = _external_names(steps)
    rows = [[process.id, *_kind_rows([step], step_columns, extra)[0]] for process, step in model.steps()]
    sheets.append(("steps", ["process", *(c.field for c in step_columns), *(f"external {n}" for n in extra)],
                   rows, {"columns": COLUMNS["steps"]}))
    if result is not None:
        sheets.append(("findings", ["rule", "severity", "subject", "message", "file:line"],
                       [[f.rule, f.severity.value, f.subject, f.message, f"{f.file}:{f.line}"]
                        for f in result.findings], {"severity_column": 1}))
        sheets.append(("metrics", ["metric", "value"], [list(item) for item in _flat(result.metrics)], {}))
    return sheets


def _flat(metrics: dict, prefix: str = ""):
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flat(value, name + ".")
        elif isinstance(value, list):
            yield name, "; ".join(str(v) if not isinstance(v, dict) else ", ".join(f"{k}: {x}" for k, x in v.items())
                                  for v in value) or "-"
        else:
            yield name, value


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return min(len(str(value)), MAX_WIDTH)


def export_sheet(model: Model, result=None) -> bytes:
    """The workbook's bytes: one sheet per kind, `processes`, `steps`, `findings`, `metrics`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    bold = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    fills = {name: PatternFill("solid", fgColor=colour) for name, colour in SEVERITY_FILLS.items()}
    for title, headers, rows, options in sheet_rows(model, result):
        sheet = workbook.create_sheet(title)
        widths = [max([len(h) + 2, *(_width(r[i]) + 2 for r in rows)]) for i, h in enumerate(headers)]
        for index, width in enumerate(widths):
            sheet.column_dimensions[column_letter(index)].width = min(width, MAX_WIDTH)
        sheet.freeze_panes = "A2"
        last = max(len(rows) + 1, 2)
        sheet.auto_filter.ref = f"A1:{column_letter(len(headers) - 1)}{last}"
        for index, column in enumerate(options.get("columns", ())):
            allowed = (column.values if column.type == "enum" else ("TRUE", "FALSE") if column.type == "bool" else ())
            if allowed:
                validation = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True,
                                            showErrorMessage=True, errorTitle=column.field,
                                            error=f"{column.field}: one of {', '.join(allowed)}")
                validation.add(f"{column_letter(index)}2:{column_letter(index)}1048576")
                sheet.data_validations.append(validation)
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font, cell.fill = bold, header_fill
            header_cells.append(cell)
        sheet.append(header_cells)
        severity_column = options.get("severity_column")
        for row in rows:
            row = [_cell(sheet, value, None, WriteOnlyCell) if _needs_cell(value) else value for value in row]
            if severity_column is not None:
                row[severity_column] = _cell(sheet, row[severity_column], fills.get(row[severity_column]),
                                             WriteOnlyCell)
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _needs_cell(value) -> bool:
    """A plain value is written as it is; these need a cell object (text kept text, a date format)."""
    if type(value) is str:
        return value.startswith(FORMULA_STARTS) or _ILLEGAL.search(value) is not None
    return isinstance(value, (dt.date, dt.datetime))


def _cell(sheet, value, fill, make):
    if isinstance(value, str):
        value = _ILLEGAL.sub("\ufffd", value)
    cell = make(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # text, never a formula: model text is not trusted
    elif isinstance(value, (dt.date, dt.datetime)):
        cell.number_format = "yyyy-mm-dd"
    if fill is not None:
        cell.fill = fill
    return cell
