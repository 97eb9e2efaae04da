"""CSV and XLSX exports of a table: every row that matches the filters and the user's scope.

Spreadsheet formula injection is neutralised here, once for every export: a text cell that
begins with =, +, -, @, a tab or a carriage return is written so that Excel shows it as text
(CSV: a leading apostrophe; XLSX: a string cell with the quote-prefix style).
"""

import csv
import datetime
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The names of the files a user downloads: Vietnamese words without accents, then the day it was
# made — "dang-vien-2026-12-01.xlsx". A list's export is named after its model (or its view's
# `export_name`), a document after its kind; the key is replaced where the name starts with it.
FILE_NAMES = {
    "partymember": "dang-vien",
    "candidate": "quan-chung",
    "establishment": "co-so",
    "partycell": "chi-bo",
    "cadre": "can-bo-phu-trach",
    "assignments": "phan-cong-phu-trach",
    "units": "don-vi-hanh-chinh",
    "party-organisations": "to-chuc-dang",
    "work-queue": "viec-den-han",
    "awaiting-decision": "cho-quyet-dinh-ket-nap",
    "training-classes": "lop-boi-duong",
    "sourcelist": "danh-sach-nguon",
    "roster": "danh-sach-lop",
    "checklist": "phieu-kiem-tra-ho-so",
    "form-1": "mau-1-knd",
    "form-2": "mau-2-knd",
    "form-6": "mau-6-knd",
    "form-8": "mau-8-knd",
    "form-9": "mau-9-knd",
    "form-16": "mau-16-knd",
    "lop": "danh-sach-hoc-vien-lop",
    "loi": "dong-loi",
    "mau-establishments": "mau-nhap-co-so",
    "mau-members": "mau-nhap-dang-vien",
    "mau-candidates": "mau-nhap-quan-chung",
}


def ascii_slug(text: str) -> str:
    """ "Đảng viên dự bị" → "dang-vien-du-bi": lower case, no accents, words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", str(text).replace("đ", "d").replace("Đ", "D"))
    folded = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "tep"


def download_name(name: str, extension: str, today: datetime.date | None = None) -> str:
    """The file name of a download: `name` in Vietnamese (`FILE_NAMES`), the date, the extension."""
    for key in sorted(FILE_NAMES, key=len, reverse=True):
        if name == key or name.startswith(f"{key}-"):
            name = FILE_NAMES[key] + name[len(key) :]
            break
    today = today or timezone.localdate()
    return f"{ascii_slug(name)}-{today:%Y-%m-%d}.{extension}"


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value):
    if value is None:
        return ""
    if type(value) is int:  # most cells of a report: nothing to format
        return value
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
    response["Content-Disposition"] = f'attachment; filename="{download_name(filename, "csv")}"'
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


TITLE_FONT = Font(bold=True, size=13)


def add_sheet(workbook: Workbook, title: str, rows: Iterable[list], preamble: Iterable[str] = ()) -> None:
    """Append a sheet whose table starts with a formatted header, the pane frozen below it and the
    columns' widths set from it. `preamble`: lines above the table (title in bold, date, scope)."""
    sheet = workbook.create_sheet(title=title[:31])
    preamble = [str(line) for line in preamble]
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        return
    split = len(preamble) + (2 if preamble else 1)
    for index, width in enumerate(column_widths(header), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{split + 1}"
    for index, line in enumerate(preamble):
        cell = xlsx_cell(sheet, line)
        if index == 0:
            cell.font = TITLE_FONT
        sheet.append([cell])
    if preamble:
        sheet.append([])
    cells = [xlsx_cell(sheet, value) for value in header]
    for cell in cells:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.append(cells)
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])


def write_workbook(sheets: dict[str, Iterable[list]], preamble: Iterable[str] = ()):
    """A write-only workbook of `sheets` (title → rows, header first) in a temporary file: rows go
    to disk as they come, so memory stays flat whatever their number. `preamble` heads every sheet."""
    workbook = Workbook(write_only=True)
    preamble = list(preamble)
    for title, rows in sheets.items():
        add_sheet(workbook, title, rows, preamble)
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook.save(file)
    file.seek(0)
    return file


def xlsx_response(sheets: dict[str, Iterable[list]], filename: str, preamble: Iterable[str] = ()) -> HttpResponse:
    """One sheet per entry of `sheets` (title → rows, header first), for small workbooks; `preamble`:
    the lines above each sheet's table (its title, the date, the scope)."""
    with write_workbook(sheets, preamble) as file:
        response = HttpResponse(file.read(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{download_name(filename, "xlsx")}"'
    return response


# --- Big sheets, written as XML --------------------------------------------------------------
# openpyxl builds an object per cell and serialises it through ElementTree: ≈ 4,000 rows a second.
# A list's export (and the Resolution 03 report's every figure, ≈ 54,000 rows for the province)
# has plain values and a few styles, so its SpreadsheetML is written here directly, row by row,
# into the zip entry of each sheet (memory flat, ≈ 5 times as fast). openpyxl keeps the small
# workbooks (rosters, the quarterly report, bad rows); both writers give the same cells.

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = datetime.datetime(1899, 12, 30)
_STYLE_DATE, _STYLE_DATETIME, _STYLE_HEADER, _STYLE_TEXT, _STYLE_TITLE = 1, 2, 3, 4, 5

_XLSX_PARTS = {
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/>'
        '<numFmt numFmtId="165" formatCode="DD/MM/YYYY HH:MM"/></numFmts>'
        '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font>'
        '<font><b/><sz val="13"/><name val="Calibri"/></font></fonts>'
        '<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FF9E1B1B"/></patternFill></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
        '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _package_parts(count: int) -> dict[str, str]:
    """The parts of a workbook of `count` sheets that name them: content types and relations."""
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>' for n in range(1, count + 1)
    )
    relations = "".join(
        f'<Relationship Id="rId{n}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}"
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relations}"
            f'<Relationship Id="rId{count + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>'
        ),
    }


_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="{split}" topLeftCell="A{first}" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews>'
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


def column_widths(header: list) -> list[float]:
    """A column's width (in characters) from its header: wide enough for the header's longest word
    and for a short value, at most 40 (a long header wraps instead)."""
    widths = []
    for value in header:
        text = str(value)
        widths.append(float(min(40, max(10, len(text) + 2, *(len(word) + 2 for word in text.split())))))
    return widths


def write_sheet_file(title: str, rows: Iterable[list], preamble: Iterable[str] = ()):
    """A one-sheet workbook of `rows` (header first) in a temporary file, written row by row.

    `preamble`: lines above the header (the list's title, its filters, the date, the scope), one
    per row, the first in bold. The pane is frozen below the header; columns get widths from it."""
    return write_sheets_file({title: rows}, preamble)


def write_sheets_file(sheets: dict[str, Iterable[list]], preamble: Iterable[str] = ()):
    """A workbook of `sheets` (title → rows, header first) in a temporary file, each sheet written
    row by row as `write_sheet_file` writes its one; `preamble` heads every sheet."""
    preamble = [str(line) for line in preamble]
    titles = [_XML_ILLEGAL.sub("", str(title)[:31]) for title in sheets]
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**_XLSX_PARTS, **_package_parts(len(titles))}.items():
            archive.writestr(name, content)
        names = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>' for n, title in enumerate(titles, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{names}</sheets></workbook>",
        )
        for n, rows in enumerate(sheets.values(), start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as sheet:
                _write_sheet_xml(sheet, rows, preamble)
    file.seek(0)
    return file


def _write_sheet_xml(sheet, rows: Iterable[list], preamble: list[str]) -> None:
    rows = iter(rows)
    header = next(rows, [])
    split = len(preamble) + (2 if preamble else 1)  # the preamble, a blank row, the header
    sheet.write(_SHEET_START.format(split=split, first=split + 1).encode())
    if header:
        widths = "".join(
            f'<col min="{index}" max="{index}" width="{width!r}" customWidth="1"/>'
            for index, width in enumerate(column_widths(header), start=1)
        )
        sheet.write(f"<cols>{widths}</cols>".encode())
    sheet.write(b"<sheetData>")
    for index, line in enumerate(preamble):
        sheet.write(f"<row>{_text_xml(line, _STYLE_TITLE if index == 0 else 0)}</row>".encode())
    if preamble:
        sheet.write(b"<row/>")
    cells = "".join(_text_xml(str(value), _STYLE_HEADER) for value in header)
    sheet.write(f"<row>{cells}</row>".encode())
    for row in rows:
        sheet.write(f"<row>{''.join(map(_cell_xml, row))}</row>".encode())
    sheet.write(b"</sheetData></worksheet>")


def xlsx_sheets_response(sheets: dict[str, Iterable[list]], filename: str, preamble: Iterable[str] = ()):
    """A workbook of several large sheets (a report's every figure), sent from its file in blocks."""
    return FileResponse(
        write_sheets_file(sheets, preamble),
        as_attachment=True,
        filename=download_name(filename, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


def xlsx_file_response(
    rows: Iterable[list], filename: str, title: str = "Data", preamble: Iterable[str] = ()
) -> FileResponse:
    """A list's export (any number of rows) as a one-sheet workbook, sent from its file in blocks."""
    return FileResponse(
        write_sheet_file(title, rows, preamble),
        as_attachment=True,
        filename=download_name(filename, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


def export_response(
    rows: Iterable[list], export_format: str, filename: str, title: str = "Data", preamble: Iterable[str] = ()
):
    """A list's export. `preamble` (lines above the header, `list_preamble`) goes into the XLSX only:
    a CSV stays the table alone, for the programs that read it."""
    if export_format == "csv":
        return csv_response(rows, filename)
    return xlsx_file_response(rows, filename, title, preamble)


# --- What a sheet says above its table -------------------------------------------------------


def display_value(field, value) -> str:
    """A filter's value as the page shows it: a choice's label, a row's name, a date dd/mm/yyyy."""
    if isinstance(value, list | tuple | set) or hasattr(value, "model"):  # several choices, a queryset
        return ", ".join(display_value(field, item) for item in value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if hasattr(value, "pk") and hasattr(field, "label_from_instance"):
        return str(field.label_from_instance(value))
    choices = getattr(field, "choices", None)
    if choices is not None and not hasattr(value, "pk"):
        for key, label in choices:
            if isinstance(label, list | tuple):  # a group of choices
                for sub_key, sub_label in label:
                    if str(sub_key) == str(value):
                        return str(sub_label)
            elif str(key) == str(value):
                return str(label)
    return str(value)


def filter_pairs(form) -> list[tuple[str, str]]:
    """(label, value) of every filter of a valid filter form that narrows the list, in the form's order."""
    pairs = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()) or (hasattr(value, "exists") and not value.exists()):
            continue
        if isinstance(value, slice):  # a range filter (from – to)
            ends = [display_value(field, end) for end in (value.start, value.stop)]
            pairs.append((str(field.label or name), " – ".join(end or "…" for end in ends)))
            continue
        pairs.append((str(field.label or name), display_value(field, value)))
    return pairs


def list_preamble(title, form, user, today: datetime.date | None = None) -> list[str]:
    """The lines above a list's table in its XLSX: the list's title, the filters that made it
    ("Xã: Chiềng Mung; Giai đoạn: Đảng viên dự bị"), the date and the user's scope."""
    pairs = filter_pairs(form) if form is not None and form.is_valid() else []
    filters = "; ".join(f"{label}: {value}" for label, value in pairs) if pairs else str(_("none (every row)"))
    return [
        str(title),
        _("Filters: %(filters)s") % {"filters": filters},
        *sheet_stamp(user, today),
    ]


def sheet_stamp(user, today: datetime.date | None = None) -> list[str]:
    """The date and the scope lines of an output: "Ngày xuất: 01/12/2026", "Phạm vi: Toàn tỉnh"."""
    today = today or timezone.localdate()
    return [
        _("Exported on: %(date)s") % {"date": f"{today:%d/%m/%Y}"},
        _("Scope: %(scope)s") % {"scope": user.scope_label()},
    ]
