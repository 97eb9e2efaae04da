"""CSV and XLSX exports of a table: every row that matches the filters and the user's scope.

Spreadsheet formula injection is neutralised here, once for every export: a text cell that
begins with =, +, -, @, a tab or a carriage return is written so that Excel shows it as text
(CSV: a leading apostrophe; XLSX: a string cell with the quote-prefix style).
"""

import csv
import datetime
import re
import tempfile
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

FORMATS = ("csv", "xlsx")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    value = str(value) if not isinstance(value, int | float) else value
    if is_formula_like(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """Stream rows as UTF-8 CSV with a BOM, so Excel reads Vietnamese correctly."""
    writer = csv.writer(_Echo())
    language = translation.get_language()  # the stream is read after the view has returned

    def lines():
        yield "\ufeff"
        with translation.override(language):
            for row in rows:
                yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="9E1B1B")


def xlsx_cell(sheet, value):
    if isinstance(value, datetime.datetime):
        value = value.replace(tzinfo=None)
    if isinstance(value, bool):
        value = "x" if value else ""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"
    elif is_formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def add_sheet(workbook: Workbook, title: str, rows: Iterable[list]) -> None:
    """Append a sheet whose first row is a formatted header."""
    sheet = workbook.create_sheet(title=title[:31])
    for index, row in enumerate(rows):
        cells = [xlsx_cell(sheet, value) for value in row]
        if index == 0:
            for cell in cells:
                cell.font = HEADER_FONT
                cell.fill = HEADER_FILL
            sheet.freeze_panes = "A2"
        sheet.append(cells)


def write_workbook(sheets: dict[str, Iterable[list]]):
    """A write-only workbook of `sheets` (title → rows, header first) in a temporary file: rows go
    to disk as they come, so memory stays flat whatever their number."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        add_sheet(workbook, title, rows)
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook.save(file)
    file.seek(0)
    return file


def xlsx_response(sheets: dict[str, Iterable[list]], filename: str) -> HttpResponse:
    """One sheet per entry of `sheets` (title → rows, header first), for small workbooks."""
    with write_workbook(sheets) as file:
        response = HttpResponse(file.read(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- One big sheet, written as XML ----------------------------------------------------------
# openpyxl builds an object per cell and serialises it through ElementTree: ≈ 4,000 rows a second.
# A list's export has one sheet of plain values and three styles, so its SpreadsheetML is written
# here directly, row by row, into the zip entry of the sheet (memory flat, ≈ 5 times as fast).
# openpyxl keeps the workbooks of several sheets (reports, rosters); both give the same cells.

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime.datetime(1899, 12, 30)
_STYLE_DATE, _STYLE_DATETIME, _STYLE_HEADER, _STYLE_TEXT = 1, 2, 3, 4

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/>'
        '<numFmt numFmtId="165" formatCode="DD/MM/YYYY HH:MM"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>'
        '<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FF9E1B1B"/></patternFill></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews><sheetData>'
)


def _text_xml(value: str, style: int = 0) -> str:
    text = escape(_XML_ILLEGAL.sub("", value))
    attributes = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{attributes}><is><t xml:space="preserve">{text}</t></is></c>'


def _cell_xml(value) -> str:
    """One cell, as `xlsx_cell` would write it: dates as dated numbers, booleans "x", formula-like
    text as quote-prefixed text."""
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        return _text_xml("x") if value else "<c/>"
    if isinstance(value, int | float):
        return f"<c><v>{value!r}</v></c>"
    if isinstance(value, datetime.datetime):
        serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c s="{_STYLE_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c s="{_STYLE_DATE}"><v>{(value - _EPOCH.date()).days}</v></c>'
    value = str(value)
    return _text_xml(value, _STYLE_TEXT if is_formula_like(value) else 0)


def write_sheet_file(title: str, rows: Iterable[list]):
    """A one-sheet workbook of `rows` (header first) in a temporary file, written row by row."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in _XLSX_PARTS.items():
            archive.writestr(name, content)
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name={quoteattr(_XML_ILLEGAL.sub("", title[:31]))} sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.encode())
            rows = iter(rows)
            header = next(rows, [])
            cells = "".join(_text_xml(str(value), _STYLE_HEADER) for value in header)
            sheet.write(f"<row>{cells}</row>".encode())
            for row in rows:
                sheet.write(f"<row>{''.join(map(_cell_xml, row))}</row>".encode())
            sheet.write(b"</sheetData></worksheet>")
    file.seek(0)
    return file


def xlsx_file_response(rows: Iterable[list], filename: str, title: str = "Data") -> FileResponse:
    """A list's export (any number of rows) as a one-sheet workbook, sent from its file in blocks."""
    return FileResponse(
        write_sheet_file(title, rows), as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )


def export_response(rows: Iterable[list], export_format: str, filename: str, title: str = "Data"):
    if export_format == "csv":
        return csv_response(rows, filename)
    return xlsx_file_response(rows, filename, title)
