"""CSV and XLSX exports of a table: every row that matches the filters and the user's scope.

Spreadsheet formula injection is neutralised here, once for every export: a text cell that
begins with =, +, -, @, a tab or a carriage return is written so that Excel shows it as text
(CSV: a leading apostrophe; XLSX: a string cell with the quote-prefix style).
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable

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


def xlsx_file_response(sheets: dict[str, Iterable[list]], filename: str) -> FileResponse:
    """The same workbook sent from its file in blocks (a list's export: any number of rows)."""
    return FileResponse(
        write_workbook(sheets), as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )


def export_response(rows: Iterable[list], export_format: str, filename: str, title: str = "Data"):
    if export_format == "csv":
        return csv_response(rows, filename)
    return xlsx_file_response({title: rows}, filename)
