"""Workbooks and CSV files -> tables of cell values, safely (docs/security.md).

A workbook is a zip of XML written by anyone. Before the fast reader (calamine, in Rust)
sees it, every part is unpacked here within limits and checked: the real sizes (a zip may
lie about them), the cells' extent (calamine allocates the whole rectangle: one stray cell
at XFD1048576 would ask for terabytes) and formulas that have no saved value. It then
reads a clean copy from memory. CSV files come in every encoding Excel writes.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_SOURCE_BYTES = 50_000_000  # a workbook or CSV file
MAX_UNPACKED_BYTES = 500_000_000  # all of a workbook's parts, unpacked
MAX_PARTS = 10_000
MAX_CELLS = 5_000_000  # a sheet's rows x columns, empty ones included
MAX_HEADER_SCAN = 50


class TableError(Exception):
    """A source that cannot be read at all: one line, with where."""

    def __init__(self, position: str, message: str):
        super().__init__(f"{position}: {message}")
        self.position = position
        self.message = message


@dataclass
class Table:
    """One sheet (or CSV file): `rows[r][c]` is the cell at row r+1, column c+1."""

    name: str
    rows: list[list]
    csv_file: str | None = None  # the CSV file's name, whose positions are `file:row`
    read: bool = True  # False: a sheet the importer had no use for, listed but not read

    def position(self, row: int, column: int | None = None) -> str:
        """`Sheet!B7` (0-based row and column in), or `file.csv:7`."""
        if self.csv_file is not None:
            return f"{self.csv_file}:{row + 1}"
        return f"{self.name}!{column_letter(column or 0)}{row + 1}"

    def column_position(self, column: int) -> str:
        return f"{self.csv_file} column {column + 1}" if self.csv_file is not None else \
            f"{self.name}!{column_letter(column)}"


@dataclass
class Tables:
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (position, message)


@functools.lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number - 1


def read_source(path: Path, wanted=lambda sheet: True) -> Tables:
    """The tables of a workbook (.xlsx, .xlsm; only the sheets `wanted` names) or of one CSV file."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise TableError(str(path), "not a regular file")
    except OSError as error:
        raise TableError(str(path), f"cannot read: {error.strerror or error}") from None
    if size > MAX_SOURCE_BYTES:
        raise TableError(str(path), f"{size:,} bytes, over the limit of {MAX_SOURCE_BYTES:,} for a workbook or CSV "
                                    "file; split it")
    with open(path, "rb") as handle:
        raw = handle.read(MAX_SOURCE_BYTES + 1)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(raw, path.name)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(path.name, "a password-protected workbook, or an old .xls file: open it in Excel and save "
                                    "it without a password as .xlsx")
    if not raw.startswith(b"PK"):
        raise TableError(path.name, "not an .xlsx workbook (nor a .csv file); save it as .xlsx or CSV UTF-8")
    return _read_workbook(raw, path.name, wanted)


# ---------------------------------------------------------------- workbooks


_CELL_OR_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)/?>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_NUMBER = re.compile(rb'\br="([0-9]{1,7})"')
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>\s*[^<\s]|<(?:\w+:)?is\b")  # `<v />` holds nothing
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)


@dataclass
class _SheetScan:
    rows: int = 0
    columns: int = 0
    far: str = ""
    uncached: list[tuple[str, str]] = field(default_factory=list)  # (cell, formula)


_CELL_WITH_CONTENT = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')
_CELL_WITHOUT_REF = re.compile(rb'<(?:\w+:)?c(?:\s+(?![^>]*\br=")[^>]*)?/?>')
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]{1,3}[0-9]{1,7})"[^>]*(?<!/)>\s*<(?:\w+:)?f\b[^>]*?'
                           rb'(?:/>|>([^<]*)</(?:\w+:)?f>)\s*(<(?:\w+:)?v(?:\s[^>]*)?>\s*[^<\s])?')


def _scan_sheet(xml: bytes) -> _SheetScan:
    """The extent of a sheet's cells that hold something, and formulas without a saved value.

    The usual sheet names every cell (`r="B7"`): then a few regular expressions run over it at
    C speed. A sheet that leaves positions implicit is walked cell by cell.
    """
    cells_named = xml.count(b'<c r="')
    plain_cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
    if plain_cells != cells_named or (not plain_cells and _CELL_WITHOUT_REF.search(xml)):  # or `<x:c>` tags
        return _scan_sheet_cell_by_cell(xml)
    scan = _SheetScan()
    cells = _CELL_WITH_CONTENT.findall(xml)
    if cells:
        scan.rows = max(int(row) for _column, row in cells)
        widest = max({column for column, _row in cells}, key=lambda c: (len(c), c))
        scan.columns = _column_index(widest) + 1
        scan.far = f"{widest.decode()}{scan.rows}"
    if b"<f" in xml:
        for cell, formula, value in _FORMULA_CELL.findall(xml):
            if not value and len(scan.uncached) < 50:
                scan.uncached.append((cell.decode(), formula.decode("utf-8", "replace")))
    return scan


def _scan_sheet_cell_by_cell(xml: bytes) -> _SheetScan:
    scan = _SheetScan()
    row, column = 0, -1
    for match in _CELL_OR_ROW.finditer(xml):
        row_attributes, cell_attributes, content = match.groups()
        if row_attributes is not None:
            number = _ROW_NUMBER.search(row_attributes)
            row = int(number.group(1)) - 1 if number else row + 1
            column = -1
            continue
        ref = _REF.search(cell_attributes)
        if ref:
            column, row = _column_index(ref.group(1)), int(ref.group(2)) - 1
        else:
            column += 1
        if not content:
            continue
        has_value = _VALUE.search(content) is not None
        formula = _FORMULA.search(content)
        if formula and not has_value and len(scan.uncached) < 50:
            text = (formula.group(1) or b"").decode("utf-8", "replace")
            scan.uncached.append((f"{column_letter(column)}{row + 1}", text))
        if has_value or formula:
            if row + 1 > scan.rows or column + 1 > scan.columns:
                scan.far = f"{column_letter(column)}{row + 1}"
            scan.rows, scan.columns = max(scan.rows, row + 1), max(scan.columns, column + 1)
    return scan


def _open_zip(raw: bytes, name: str) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """The zip and its parts, within the limits it declares; a bad zip is one clear line."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise TableError(name, f"not a readable .xlsx workbook (a broken zip: {error})") from None
    if len(members) > MAX_PARTS:
        raise TableError(name, f"{len(members):,} parts in the workbook, over the limit of {MAX_PARTS:,}")
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise TableError(name, f"unpacks to more than {MAX_UNPACKED_BYTES:,} bytes (a zip bomb?); not read")
    if any(m.flag_bits & 0x1 for m in members):
        raise TableError(name, "an encrypted workbook: save it without a password")
    by_name = {m.filename: m for m in members}
    if "xl/workbook.xml" not in by_name:
        raise TableError(name, "a zip, but not an .xlsx workbook (no xl/workbook.xml)")
    return archive, by_name


def _part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> bytes:
    try:
        with archive.open(member) as handle:  # stops at the declared size and checks the CRC
            return handle.read(member.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as error:
        raise TableError(name, f"part {member.filename!r} of the workbook cannot be read ({error}); "
                               "the file is damaged: save it again from Excel") from None


def _sheet_parts(workbook_xml: bytes, relations_xml: bytes, name: str) -> dict[str, str]:
    """Sheet name -> the XML part that holds it, from the workbook's own index."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        workbook = ElementTree.fromstring(workbook_xml)
        relations = ElementTree.fromstring(relations_xml)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise TableError(name, f"the workbook's index (xl/workbook.xml) is not readable XML: {error}") from None
    targets = {r.get("Id"): r.get("Target", "") for r in relations}
    found = {}
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet") and sheet.tag != "sheet":
            continue
        relation = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(relation, "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        found[sheet.get("name", "")] = target
    return found


def _read_workbook(raw: bytes, name: str, wanted) -> Tables:
    """Only the sheets `wanted` accepts are unpacked and read; the others are listed, empty."""
    archive, members = _open_zip(raw, name)
    index = _part(archive, members["xl/workbook.xml"], name)
    relations = members.get("xl/_rels/workbook.xml.rels")
    sheets = _sheet_parts(index, _part(archive, relations, name) if relations else b"<Relationships/>", name)
    skipped_parts = {part for sheet, part in sheets.items() if not wanted(sheet)}
    parts, problems = {}, []
    for part, member in members.items():
        if part in skipped_parts:
            continue
        parts[part] = _part(archive, member, name)
    for sheet, part in sheets.items():
        if part in skipped_parts:
            continue
        scan = _scan_sheet(parts.get(part, b""))
        if scan.rows * scan.columns > MAX_CELLS:
            raise TableError(f"{sheet}!{scan.far}", f"the sheet spans {scan.rows:,} rows by {scan.columns:,} "
                             f"columns, over the limit of {MAX_CELLS:,} cells: a value far outside the table? "
                             "Delete the stray cells, or split the sheet")
        problems += [(f"{sheet}!{cell}", f"a formula (={formula}) with no saved value: open the workbook in Excel "
                      "and save it, or type the value") for cell, formula in scan.uncached]
    clean = io.BytesIO()  # what the reader sees: only parts read and checked here, sizes true
    with zipfile.ZipFile(clean, "w", zipfile.ZIP_STORED) as copy:
        for part, content in parts.items():
            copy.writestr(part, content)
    clean.seek(0)
    from python_calamine import CalamineError, CalamineWorkbook

    tables = []
    try:
        workbook = CalamineWorkbook.from_filelike(clean)
        for sheet in workbook.sheet_names:
            if sheets.get(sheet) in skipped_parts:
                tables.append(Table(sheet, [], read=False))
            else:
                tables.append(Table(sheet, workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)))
    except (CalamineError, ValueError, OSError) as error:
        raise TableError(name, f"not a readable .xlsx workbook: {error}") from None
    return Tables(tables, problems=problems)


# ---------------------------------------------------------------- CSV


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text, and a note saying which encoding was assumed, and why."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace"), f"{name}: read as UTF-8 (it starts with a byte order mark)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), f"{name}: read as UTF-16 (it starts with a UTF-16 byte order mark)"
    sample = raw[:2000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        encoding = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        return raw.decode(encoding, "replace"), f"{name}: read as {encoding.upper()} (no byte order mark)"
    try:
        return raw.decode("utf-8"), f"{name}: read as UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), f"{name}: not UTF-8; read as Windows-1252 (save it as \"CSV UTF-8\" to be sure)"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), f"{name}: not UTF-8; read as Latin-1 (save it as \"CSV UTF-8\" to be sure)"


def _read_csv(raw: bytes, name: str) -> Tables:
    text, note = _decode(raw, name)
    try:
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows: list[list] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as error:
        raise TableError(f"{name}:{reader.line_num}", f"not readable as CSV: {error}") from None
    notes = [note]
    if delimiter != ",":
        notes.append(f"{name}: columns separated by {delimiter!r}")
    return Tables([Table(Path(name).stem, rows, csv_file=name)], notes=notes)
