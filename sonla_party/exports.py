"""CSV and XLSX exports of a table: every row that matches the filters and the user's scope.

Spreadsheet formula injection is neutralised here, once for every export: a text cell that
begins with =, +, -, @, a tab or a carriage return is written so that Excel shows it as text
(CSV: a leading apostrophe; XLSX: a string cell with the quote-prefix style).
"""

import csv
import datetime
import io
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse
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

    def lines():
        yield "\ufeff"
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


def xlsx_response(sheets: dict[str, Iterable[list]], filename: str) -> HttpResponse:
    """One sheet per entry of `sheets` (title → rows, header first)."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        add_sheet(workbook, title, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(rows: Iterable[list], export_format: str, filename: str, title: str = "Data"):
    if export_format == "csv":
        return csv_response(rows, filename)
    return xlsx_response({title: rows}, filename)
