"""Reading the cells of an XLSX sheet as a stream of rows, a few times faster than openpyxl.

openpyxl's read-only mode builds a cell object per cell through its descriptors (and reads a
whole sheet first to find its size when the file does not say it): for an import, the values are
all that is needed. This reads the workbook's sheet list, shared strings and date styles, then
each sheet's XML with `iterparse`, a row at a time, clearing what it has read (memory stays flat).
Values come as openpyxl gives them: text, int or float, bool, datetime for a cell with a date
format, None for an empty cell; a cell holding a formula is reported as such.
"""

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import iterparse
from xml.parsers.expat import ParserCreate

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class Formula(str):
    """The text of a formula found in a cell (`=` first, as openpyxl gives it)."""


@dataclass
class Sheet:
    title: str
    path: str  # inside the archive, e.g. xl/worksheets/sheet1.xml


class Workbook:
    """A workbook opened for reading values. Raises zipfile.BadZipFile, KeyError or a ParseError
    on a damaged or foreign file."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.sheets, self.epoch = self._sheets()
        self.strings = self._shared_strings()
        self.date_styles = self._date_styles()

    def _sheets(self) -> tuple[list[Sheet], object]:
        targets = {}
        for _event, rel in iterparse(self.archive.open("xl/_rels/workbook.xml.rels")):
            if rel.tag == f"{RELS}Relationship":
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                targets[rel.get("Id")] = path
        sheets, epoch = [], CALENDAR_WINDOWS_1900
        for _event, element in iterparse(self.archive.open("xl/workbook.xml")):
            if element.tag == f"{MAIN}sheet":
                sheets.append(Sheet(element.get("name", ""), targets[element.get(f"{DOC_RELS}id")]))
            elif element.tag == f"{MAIN}workbookPr" and element.get("date1904") in ("1", "true"):
                epoch = CALENDAR_MAC_1904
        return sheets, epoch

    def _shared_strings(self) -> list[str]:
        try:
            stream = self.archive.open("xl/sharedStrings.xml")
        except KeyError:
            return []
        strings = []
        for _event, element in iterparse(stream):
            if element.tag == f"{MAIN}si":
                strings.append("".join(t.text or "" for t in element.iter(f"{MAIN}t")))
                element.clear()
        return strings

    def _date_styles(self) -> set[int]:
        try:
            stream = self.archive.open("xl/styles.xml")
        except KeyError:
            return set()
        formats, styles, in_xfs = dict(BUILTIN_FORMATS), [], False
        for event, element in iterparse(stream, events=("start", "end")):
            if element.tag == f"{MAIN}cellXfs":
                in_xfs = event == "start"
            elif event == "end" and element.tag == f"{MAIN}numFmt":
                formats[int(element.get("numFmtId", 0))] = element.get("formatCode", "")
            elif event == "end" and element.tag == f"{MAIN}xf" and in_xfs:
                styles.append(int(element.get("numFmtId", 0)))
        return {index for index, fmt in enumerate(styles) if is_date_format(formats.get(fmt, "") or "")}

    def header(self, sheet: Sheet) -> list:
        """The values of the sheet's first row (an empty list when it has none)."""
        for number, values in self.rows(sheet):
            return values if number == 1 else []
        return []

    def rows(self, sheet: Sheet) -> Iterator[tuple[int, list]]:
        """(row number, the row's values by column index) for each row the sheet's XML holds."""
        reader = _SheetReader(self.strings, self.date_styles, self.epoch)
        stream = self.archive.open(sheet.path)
        while piece := stream.read(BLOCK):
            reader.parser.Parse(piece, False)
            yield from reader.done
            reader.done.clear()
        reader.parser.Parse(b"", True)
        yield from reader.done


BLOCK = 1 << 16  # bytes of the sheet's XML parsed at a time


class _SheetReader:
    """An expat parser's handlers collecting the rows of a sheet: no element tree is built, so
    memory holds a block of XML and the rows parsed from it. The handlers run for each element of
    the sheet (three or four a cell), so they keep their state in plain attributes and name each
    tag once (`names`)."""

    def __init__(self, strings, date_styles, epoch):
        self.strings, self.date_styles, self.epoch = strings, date_styles, epoch
        self.done: list[tuple[int, list]] = []
        self.values: list = []
        self.number = 0
        self.in_cell = False
        self.ref = self.kind = self.style = None
        self.text: list[str] | None = None  # the text of the element being read: v, t or f
        self.parts: dict[str, list[str]] = {}  # of the cell being read: its v, t and f
        self.names: dict[str, str] = {}  # tag (with its namespace) → local name
        self.parser = ParserCreate(namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters

    def _name(self, tag: str) -> str:
        name = self.names[tag] = tag.rpartition("}")[2]
        return name

    def start(self, tag, attributes):
        name = self.names.get(tag) or self._name(tag)
        if name == "c":
            self.in_cell = True
            self.ref, self.kind, self.style = attributes.get("r"), attributes.get("t", "n"), attributes.get("s")
            self.parts = {}
        elif name in ("v", "t", "f"):
            if self.in_cell:
                self.text = self.parts.setdefault(name, [])
        elif name == "row":
            self.number = int(attributes.get("r") or self.number + 1)
            self.values = []

    def characters(self, data):
        if self.text is not None:
            self.text.append(data)

    def end(self, tag):
        name = self.names.get(tag) or self._name(tag)
        if name == "c":
            if self.in_cell:
                values = self.values
                index = _column_index(self.ref, len(values))
                if index > len(values):
                    values.extend([None] * (index - len(values)))
                values.append(self._value())
                self.in_cell = False
        elif name in ("v", "t", "f"):
            self.text = None
        elif name == "row":
            self.done.append((self.number, self.values))

    def _value(self):
        parts = self.parts
        if "f" in parts:
            return Formula("=" + "".join(parts["f"]))
        kind = self.kind
        if kind == "inlineStr":
            return "".join(parts["t"]) if "t" in parts else None
        raw = parts.get("v")
        if raw is None:
            return None
        raw = raw[0] if len(raw) == 1 else "".join(raw)
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return raw in ("1", "true")
        if kind in ("str", "e"):
            return raw
        number = float(raw) if ("." in raw or "e" in raw or "E" in raw) else int(raw)
        style = self.style
        if style is not None and int(style) in self.date_styles:
            return from_excel(number, self.epoch)
        return number


_COLUMNS: dict[str, int] = {}  # a reference's letters → the column's index


def _column_index(reference: str | None, default: int) -> int:
    if not reference:
        return default
    letters = reference.rstrip("0123456789")
    try:
        return _COLUMNS[letters]
    except KeyError:
        pass
    index = 0
    for char in letters:
        index = index * 26 + (ord(char.upper()) - 64)
    if len(_COLUMNS) < 16384:  # a sheet has at most 16,384 columns
        _COLUMNS[letters] = index - 1
    return index - 1
