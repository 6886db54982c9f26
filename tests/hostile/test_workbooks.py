"""Hostile workbooks and CSV files for `import sheet`: one clear line each, exit 1, nothing written.

Each runs the real command in its own process with a timeout: the fast reader is native
code, and a crash there would kill the process rather than raise.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.hostile.runner import egov

pytestmark = pytest.mark.timeout(120)


def _xlsx(path: Path, build=None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Institutions"
    sheet.append(["id", "name"])
    sheet.append(["moh", "Ministry of Health"])
    if build:
        build(sheet)
    workbook.save(path)
    return path


def _replace_part(path: Path, part: str, content: bytes) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts[part] = content
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def _append_rows(book: Path, rows: str) -> None:
    """Raw `<row>` XML added at the end of the first sheet, as no writer library would write it."""
    with zipfile.ZipFile(book) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    _replace_part(book, "xl/worksheets/sheet1.xml", sheet.replace("</sheetData>", rows + "</sheetData>").encode())


def _body(xml: bytes) -> bytes:
    """The XML without its declaration, so a DOCTYPE can go in front."""
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def _import(path: Path, tmp_path: Path, *extra: str):
    ran = egov("import", "sheet", str(path), "-o", str(tmp_path / "out"), *extra, cwd=tmp_path)
    assert "Traceback" not in ran.err + ran.out
    assert not (tmp_path / "out").exists(), "nothing is written when the source is bad"
    return ran


def test_one_stray_cell_far_away_is_refused_before_the_reader_allocates_the_rectangle(tmp_path):
    book = _xlsx(tmp_path / "far.xlsx", lambda s: s.cell(row=1_048_576, column=16_384, value="far"))
    ran = _import(book, tmp_path)
    assert ran.code == 1, ran.err  # not killed by an allocation of terabytes
    assert "Institutions!XFD1048576: the sheet spans 1,048,576 rows by 16,384 columns, over the limit" in ran.out


def test_a_password_protected_workbook(tmp_path):
    book = tmp_path / "secret.xlsx"
    book.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)  # what Excel writes when encrypting
    ran = _import(book, tmp_path)
    assert ran.code == 1 and "password-protected workbook, or an old .xls file" in ran.out


@pytest.mark.parametrize("content, says", [
    (b"this is not a workbook", "not an .xlsx workbook (nor a .csv file)"),
    (b"PK\x03\x04 truncated", "not a readable .xlsx workbook (a broken zip"),
])
def test_not_a_workbook(tmp_path, content, says):
    book = tmp_path / "bad.xlsx"
    book.write_bytes(content)
    ran = _import(book, tmp_path)
    assert ran.code == 1 and says in ran.out


def test_a_truncated_workbook(tmp_path):
    book = _xlsx(tmp_path / "cut.xlsx")
    book.write_bytes(book.read_bytes()[:-200])
    ran = _import(book, tmp_path)
    assert ran.code == 1 and "cut.xlsx: not a readable .xlsx workbook" in ran.out


def test_a_zip_that_declares_huge_parts_is_not_unpacked(tmp_path):
    book = _xlsx(tmp_path / "bomb.xlsx")
    raw = bytearray(book.read_bytes())
    # the central directory's "uncompressed size" of every part: 400 MB each
    position = raw.find(b"PK\x01\x02")
    while position != -1:
        raw[position + 24:position + 28] = struct.pack("<I", 400_000_000)
        position = raw.find(b"PK\x01\x02", position + 4)
    book.write_bytes(bytes(raw))
    ran = _import(book, tmp_path)
    assert ran.code == 1 and "unpacks to more than 500,000,000 bytes (a zip bomb?)" in ran.out


def test_a_zip_that_lies_small_about_a_part_is_caught_by_its_checksum(tmp_path):
    book = _xlsx(tmp_path / "liar.xlsx")
    with zipfile.ZipFile(book) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    raw = bytearray(book.read_bytes())
    position = raw.find(b"PK\x01\x02")
    while position != -1:
        length = struct.unpack("<H", raw[position + 28:position + 30])[0]
        if raw[position + 46:position + 46 + length] == b"xl/worksheets/sheet1.xml":
            raw[position + 24:position + 28] = struct.pack("<I", sheet.file_size // 2)
        position = raw.find(b"PK\x01\x02", position + 4)
    book.write_bytes(bytes(raw))
    ran = _import(book, tmp_path)
    assert ran.code == 1 and "part 'xl/worksheets/sheet1.xml' of the workbook cannot be read" in ran.out


def test_too_many_parts(tmp_path):
    book = _xlsx(tmp_path / "parts.xlsx")
    with zipfile.ZipFile(book, "a") as archive:
        for number in range(10_001):
            archive.writestr(f"junk/{number}", b"")
    ran = _import(book, tmp_path)
    assert ran.code == 1 and "parts in the workbook, over the limit of 10,000" in ran.out


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                             for n in range(1, 10))
                  + b"]>")


def test_an_entity_bomb_in_the_workbook_index_is_refused(tmp_path):
    book = _xlsx(tmp_path / "lol.xlsx")
    with zipfile.ZipFile(book) as archive:
        index = archive.read("xl/workbook.xml")
    _replace_part(book, "xl/workbook.xml", BILLION_LAUGHS + _body(index))
    ran = _import(book, tmp_path)
    assert ran.code == 1 and "the workbook's index (xl/workbook.xml) is not readable XML" in ran.out


def test_an_entity_bomb_or_external_entity_in_the_cells_expands_nothing(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    book = _xlsx(tmp_path / "lol.xlsx", lambda s: s.append(["x", "placeholder-name"]))
    with zipfile.ZipFile(book) as archive:
        strings = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in archive.namelist() else None
        sheet = archive.read("xl/worksheets/sheet1.xml")
    doctype = BILLION_LAUGHS[:-2] + b'<!ENTITY xxe SYSTEM "file://' + str(secret).encode() + b'">]>'
    body = _body(sheet).replace(b"placeholder-name", b"&lol9;&xxe;")
    _replace_part(book, "xl/worksheets/sheet1.xml", doctype + body)
    if strings is not None:
        _replace_part(book, "xl/sharedStrings.xml", doctype + _body(strings).replace(b"placeholder-name", b"&lol9;&xxe;"))
    ran = egov("import", "sheet", str(book), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert "Traceback" not in ran.err
    written = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.yaml")) if (tmp_path / "out").exists() else ""
    assert "TOP-SECRET" not in ran.out + written
    assert "lollollol" not in ran.out + written


def test_a_source_over_the_size_limit_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(60_000_000)
    ran = _import(big, tmp_path, "--kind", "systems")
    assert ran.code == 1 and "60,000,000 bytes, over the limit of 50,000,000" in ran.out


def test_control_characters_and_nul_bytes_in_a_csv(tmp_path):
    csv_file = tmp_path / "institutions.csv"
    csv_file.write_bytes(b"id,name\nmoh,Evil\x1b]0;owned\x07 name\nnul,with\x00nul\n")
    ran = egov("import", "sheet", str(csv_file), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert "Traceback" not in ran.err and "\x1b" not in ran.out
    assert ran.code == 0, ran.out
    text = (tmp_path / "out/models/institutions.yaml").read_text()
    assert "\x1b" not in text and "\x00" not in text
    assert 'name: "Evil\\x1b]0;owned\\x07 name"' in text and 'name: "with\\x00nul"' in text
    assert egov("validate", str(tmp_path / "out"), cwd=tmp_path).code == 0


def test_output_through_a_symbolic_link_is_refused(tmp_path):
    book = _xlsx(tmp_path / "ok.xlsx")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "elsewhere")
    ran = egov("import", "sheet", str(book), "-o", "out", cwd=tmp_path)
    assert ran.code == 2 and "exists and is not a directory" in ran.one_line
    assert not any((tmp_path / "elsewhere").iterdir())


def test_a_workbook_that_is_a_zip_of_something_else(tmp_path):
    book = tmp_path / "other.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    book.write_bytes(buffer.getvalue())
    ran = _import(book, tmp_path)
    assert ran.code == 1 and "a zip, but not an .xlsx workbook" in ran.out


def test_cells_without_positions_are_measured_one_by_one(tmp_path):
    """`<c>` without `r=` takes the next column: a wide last row far down is caught all the same."""
    book = _xlsx(tmp_path / "positional.xlsx")
    _append_rows(book, '<row r="1048576">' + "<c><v>1</v></c>" * 16_384 + "</row>")
    ran = _import(book, tmp_path)
    assert ran.code == 1 and "Institutions!XFD1048576: the sheet spans 1,048,576 rows by 16,384 columns" in ran.out


def test_a_formula_with_its_saved_value_is_read_by_value(tmp_path):
    book = _xlsx(tmp_path / "saved.xlsx")
    _append_rows(book, '<row r="3"><c r="A3" t="str"><f>LOWER("NHIF")</f><v>nhif</v></c><c r="B3" t="str">'
                       '<f>"NHIF"</f><v>National Health Insurance Fund</v></c></row>')
    ran = egov("import", "sheet", str(book), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert ran.code == 0, ran.out
    assert "id: nhif\n    name: National Health Insurance Fund" in (tmp_path / "out/models/institutions.yaml").read_text()
