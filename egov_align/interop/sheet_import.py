"""`import sheet`: an inventory workbook (or one CSV file) -> drafts of model elements (DESIGN 8, 12).

Real inventories are messy: titles above the header, numbers typed as text with thousands
separators, dates as Excel serial numbers or as text, `Yes`/`N`/`TRUE` for booleans, stray
spaces. Each cell is read the way a planner meant it, or reported at `Sheet!B7` with what
was expected; every bad cell is reported, and nothing is written while any is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

from egov_align.interop.columns import COLUMNS, OUTPUT_SHEETS, SHEET_KINDS, Column, match_header, names_a_key, sheet_kind
from egov_align.interop.draft import KIND_SINGULAR, Draft, Ref, Report, StepRef
from egov_align.interop.tables import MAX_HEADER_SCAN, Table, TableError, column_letter, read_source
from egov_align.names import did_you_mean, printable

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x", "ndiyo", "ndio"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "hapana"})
EMPTY_LIST_WORDS = frozenset({"-", "none"})
_LIST_SPLIT = re.compile(r"[;\n]")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TEXT_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d %B %Y", "%d %b %Y",
                      "%B %d, %Y", "%b %d, %Y", "%d/%m/%y")


class CellError(ValueError):
    """A cell that cannot be read as its column's type: the message says what was expected."""


_BLANKS = " \t\r\n\u00a0"  # stray spaces, line breaks and Excel's non-breaking spaces around a value


def _empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip(_BLANKS))


def _text(value: object) -> str:
    if type(value) is str:
        return value.strip(_BLANKS)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip(" \t\r\n\u00a0")


def _number(value: object, what: str) -> tuple[float, bool]:
    """A number, and whether it was typed as text (`1,250,000`, `TZS 1 250 000`)."""
    if isinstance(value, bool):
        raise CellError(f"a {what}, not {_text(value)!r}")
    if isinstance(value, (int, float)):
        return float(value), False
    text = _text(value)
    cleaned = re.sub(r"^[A-Za-z]{3}\s*|^[$€£]\s*", "", text)
    cleaned = re.sub(r"(?<=\d)[,\s\u00a0'_](?=\d{3}(\D|$))", "", cleaned)
    try:
        return float(cleaned), True
    except ValueError:
        raise CellError(f"a {what}, not {text!r}") from None


def _date(value: object) -> tuple[dt.date, str | None]:
    """A date, and how it was read when not from a date cell."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value)), "Excel serial numbers read as dates"
        raise CellError(f"a date (YYYY-MM-DD), not the number {_text(value)}")
    text = _text(value)
    for pattern in _TEXT_DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return parsed, None if pattern == "%Y-%m-%d" else "dates typed as text read day first (DD/MM/YYYY)"
    raise CellError(f"a date (YYYY-MM-DD, or DD/MM/YYYY), not {text!r}")


def _enum(text: str, column: Column) -> str:
    wanted = re.sub(r"[\s_]+", "-", text.strip().lower())
    if wanted in column.values:
        return wanted
    raise CellError(f"one of {', '.join(column.values)}, not {text!r}{did_you_mean(wanted, column.values)}")


def _items(value: object) -> list[str] | None:
    """A list cell: `;` or new lines between items (names contain commas); `-` or `none`: empty."""
    text = _text(value)
    if ";" not in text and "\n" not in text:
        return None if text.lower() in EMPTY_LIST_WORDS else [text]
    return [item.strip(_BLANKS) for item in _LIST_SPLIT.split(text) if item.strip(_BLANKS)]


def _yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise CellError(f"yes or no (Yes/No, Y/N, TRUE/FALSE, 1/0), not {_text(value)!r}")


class _Reader:
    """Cells -> values for one import, remembering what it had to interpret, for the report."""

    def __init__(self, report: Report):
        self.report = report
        self.interpreted: dict[tuple[str, str], list[str]] = defaultdict(list)

    def note(self, table: Table, column: int, what: str, position: str) -> None:
        self.interpreted[(table.column_position(column), what)].append(position)

    def converter(self, column: Column, table: Table, index: int):
        """The function that reads this column's cells: `(value, position) -> value`, or CellError."""
        kind, refers = column.type, column.refers
        if kind in ("text", "id"):
            return _text  # read inline by _Rows.draft
        if kind == "enum":
            return lambda value, position: _enum(_text(value), column)
        if kind == "bool":
            return lambda value, position: _yes_no(value)
        if kind in ("count", "amount"):
            def number(value, position):
                read, typed = _number(value, "whole number" if kind == "count" else "number")
                if typed:
                    self.note(table, index, "numbers typed as text read as numbers", position)
                if kind == "count":
                    if not read.is_integer():
                        raise CellError(f"a whole number, not {_text(value)!r}")
                    return int(read)
                return int(read) if read.is_integer() and abs(read) < 2**53 else read
            return number
        if kind == "date":
            def date(value, position):
                read, how = _date(value)
                if how:
                    self.note(table, index, how, position)
                return read
            return date
        if kind == "ref":
            return lambda value, position: Ref(refers, _text(value), position)
        each = {
            "refs": lambda item, position: Ref(refers, item, position),
            "enums": lambda item, position: _enum(item, column),
            "texts": lambda item, position: item,
            "steps": lambda item, position: StepRef(item, position),
            "holdings": lambda item, position: self._holding(item, column, position),
        }[kind]

        def listed(value, position):
            items = _items(value)
            return [] if items is None else [each(item, position) for item in items]
        return listed

    @staticmethod
    def _holding(item: str, column: Column, position: str) -> tuple:
        entity, _, role = item.rpartition(":")
        if not entity:
            return (Ref(column.refers, item, position), None)
        role = role.strip().lower()
        if role not in ("master", "replica", "reader"):
            raise CellError(f"entity:role with role master, replica or reader, not {item!r}")
        return (Ref(column.refers, entity.strip(), position), role)

    def notes(self) -> list[str]:
        out = []
        for (where, what), cells in self.interpreted.items():
            shown = ", ".join(c.split("!")[-1] for c in cells[:5]) + (f" and {len(cells) - 5} more" if len(cells) > 5 else "")
            out.append(f"{where}: {what} ({shown})")
        return out


def _header_row(table: Table, kind: str) -> int | None:
    for number, row in enumerate(table.rows[:MAX_HEADER_SCAN]):
        if any(names_a_key(kind, cell) for cell in row):
            return number
    return None


def _columns(table: Table, kind: str, header: int, report: Report) -> dict[int, Column | str]:
    """Column index -> the field it holds; what is not a field is reported, never dropped silently."""
    mapping: dict[int, Column | str] = {}
    taken: dict[str, int] = {}
    for index, title in enumerate(table.rows[header]):
        if _empty(title):
            if any(not _empty(r[index]) for r in table.rows[header + 1:] if index < len(r)):
                report.left_out(table.column_position(index), "values under an empty header; left out")
            continue
        column = match_header(kind, title)
        if column is None:
            known = [c.field for c in COLUMNS[kind]]
            report.left_out(table.column_position(index), f"column {printable(_text(title))!r} is not a field of "
                            f"{kind.replace('_', ' ')}{did_you_mean(_text(title).lower(), known)}; left out")
            continue
        field = column if isinstance(column, str) else column.field
        if field in taken:
            report.problem(table.position(header, index), f"column {printable(_text(title))!r} gives `{field}`, "
                           f"like column {column_letter(taken[field])}; keep one")
            continue
        taken[field] = index
        mapping[index] = column
        if normal_title(title) != field:
            report.mapped.append(f"{table.name}: {printable(_text(title))!r} -> {field}")
    for column in COLUMNS[kind]:
        if column.required and column.field not in taken:
            report.problem(table.position(header, 0), f"no `{column.field}` column; every "
                           f"{KIND_SINGULAR.get(kind, kind)} needs one (headers found: "
                           f"{', '.join(_text(t) for t in table.rows[header] if not _empty(t))})")
    return mapping


def normal_title(title: object) -> str:
    return _text(title).strip().lower()


EMPTY_ROW = Draft("", "", {})  # a row with nothing in the mapped columns: skipped, not counted


class _Rows:
    """One sheet's data rows -> drafts, with each column's reader chosen once."""

    def __init__(self, table: Table, kind: str, mapping: dict, reader: _Reader, report: Report):
        self.table, self.kind, self.report = table, kind, report
        self.plan = [(index, column, None if isinstance(column, str) else reader.converter(column, table, index))
                     for index, column in mapping.items()]
        self.order = [c.field.split(".")[0] for c in COLUMNS[kind]] + ["external"]
        mapped = {column.field: index for index, column in mapping.items() if isinstance(column, Column)}
        self.required = [(c.field, mapped[c.field]) for c in COLUMNS[kind] if c.required and c.field in mapped]

    def draft(self, row: int) -> Draft | None:
        table = self.table
        cells = table.rows[row]
        width = len(cells)
        values: dict = {}
        origins: dict[str, str] = {}
        external: dict[str, str] = {}
        for index, column, convert in self.plan:
            value = cells[index] if index < width else None
            if _empty(value):
                continue
            position = table.position(row, index)
            if convert is _text:
                values[column.field], origins[column.field] = _text(value), position
                continue
            if convert is None:  # external.NAME
                external[column.split(".", 1)[1]] = _text(value)
                origins["external"] = position
                continue
            try:
                converted = convert(value, position)
            except CellError as error:
                self.report.problem(position, f"`{column.field}` must be {error}")
                continue
            if column.field == "security.assessed":
                values["security"], origins["security"] = {"assessed": converted}, position
            else:
                values[column.field], origins[column.field] = converted, position
        if external:
            values["external"] = external
        if not origins:
            return EMPTY_ROW
        for field, index in self.required:
            if field not in values:
                self.report.problem(table.position(row, index), f"`{field}` is empty; every "
                                                                f"{KIND_SINGULAR.get(self.kind, self.kind)} needs one")
                return None
        return Draft(self.kind, table.position(row, 0), {name: values[name] for name in self.order if name in values},
                     origins)


def _kind_of(table: Table, given: str | None, report: Report) -> str | None:
    if table.csv_file is not None:
        kind = given or sheet_kind(table.name)
        if kind is None:
            report.problem(table.csv_file, f"which kind does this CSV file hold? Give --kind "
                                           f"({', '.join(k for k in SHEET_KINDS)})")
        return kind
    kind = sheet_kind(table.name)
    if kind is None:
        reason = ("egov-align's own output; passed over" if table.name.strip().lower() in OUTPUT_SHEETS else
                  f"not a kind ({', '.join(SHEET_KINDS)}); not imported")
        if not table.read or any(any(not _empty(c) for c in r) for r in table.rows):
            report.left_out(f"sheet {printable(table.name)!r}", reason)
    return kind


def read_drafts(path: Path, report: Report, *, kind: str | None = None) -> tuple[dict[str, list[Draft]], tuple | None]:
    """Drafts by kind (a process's steps inside it) and the model's own row, or problems in the report."""
    try:
        tables = read_source(path, wanted=lambda sheet: sheet_kind(sheet) is not None)
    except TableError as error:
        report.problem(error.position, error.message)
        return {}, None
    report.notes += tables.notes
    for position, message in tables.problems:
        report.problem(position, message)
    reader = _Reader(report)
    drafts: dict[str, list[Draft]] = defaultdict(list)
    model_info = None
    for table in tables.tables:
        table_kind = _kind_of(table, kind, report)
        if table_kind is None:
            continue
        header = _header_row(table, table_kind)
        if header is None:
            if any(any(not _empty(c) for c in r) for r in table.rows):
                report.problem(table.position(0, 0), f"no header row: no column named `id` or `name` in the first "
                                                     f"{MAX_HEADER_SCAN} rows")
            continue
        mapping = _columns(table, table_kind, header, report)
        source_type = f"sheet {table.name}" if table.csv_file is None else table.csv_file
        read = 0
        rows = _Rows(table, table_kind, mapping, reader, report)
        for row in range(header + 1, len(table.rows)):
            draft = rows.draft(row)
            if draft is EMPTY_ROW:
                continue
            read += 1
            if draft is None:
                continue
            if table_kind == "model":
                if model_info is not None:
                    report.problem(draft.origin, "a second row in the model sheet; it holds one row")
                model_info = (draft.values, draft.origin, draft.origins)
            else:
                drafts[table_kind].append(draft)
        report.count(source_type, table_kind, read, 0)
    report.notes += reader.notes()
    _attach_steps(drafts, report)
    _note_duplicate_names(drafts, report)
    return dict(drafts), model_info


def _attach_steps(drafts: dict[str, list[Draft]], report: Report) -> None:
    """Each `steps` row joins its process (by id or exact name), in row order."""
    processes = drafts.get("processes", [])
    by_key: dict[str, list[Draft]] = defaultdict(list)
    for process in processes:
        for key in {process.values.get("id"), process.name} - {None}:
            by_key[key].append(process)
    for step in drafts.pop("steps", []):
        ref = step.values.pop("process")
        step.origins.pop("process", None)
        owners = by_key.get(ref.text, [])
        if len(owners) == 1:
            owners[0].steps.append(step)
        elif owners:
            report.problem(ref.origin, f"{ref.text!r} names {len(owners)} processes: use the process id")
        else:
            report.problem(ref.origin, f"no process {ref.text!r} in the processes sheet"
                                       f"{did_you_mean(ref.text, list(by_key))}")
    for process in processes:
        if not process.steps:
            report.problem(process.origin, f"process {process.name or process.values.get('id')!r} has no steps: add its "
                                           "rows to the steps sheet (process, id, name, performer, systems, next …)")


def _note_duplicate_names(drafts: dict[str, list[Draft]], report: Report) -> None:
    for kind, items in drafts.items():
        seen: dict[str, list[Draft]] = defaultdict(list)
        for draft in items:
            if draft.name:
                seen[draft.name].append(draft)
        for name, same in seen.items():
            if len(same) > 1:
                report.notes.append(f"{kind}: {len(same)} rows named {printable(name)!r} "
                                    f"({', '.join(d.origin for d in same)}); a reference by that name must use the id")


def import_counts(drafts: dict[str, list[Draft]], report: Report) -> None:
    """How many rows of each source became elements, once they are known."""
    for entry in report.counts.values():
        kind = entry["to"]
        if kind == "steps":
            entry["imported"] = sum(len(p.steps) for p in drafts.get("processes", []))
        elif kind == "model":
            entry["imported"] = entry["read"]
        else:
            entry["imported"] = len(drafts.get(kind, []))
