"""Spreadsheet import: reading XLSX / CSV files row by row, and the two-step preview → confirm.

A file is read in a streaming way (openpyxl read-only mode, the csv module), validated in chunks
of rows with a constant number of queries per chunk, and either saved whole or not at all.
The columns of each kind of import, their Vietnamese and English headers, and how a chunk is
validated and saved, are defined next to the models (`establishments/imports.py`,
`candidates/imports.py`); this module only reads files and runs the two steps.
"""

import codecs
import contextlib
import copy
import csv
import datetime
import io
import os
import pickle
import queue
import re
import signal
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import xlsx_read
from .exceptions import RuleViolation
from .search import fold

CHUNK = 1000  # rows validated and saved together
XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(RuleViolation):
    """The file itself cannot be read: wrong type, too large, formulas, merged headers, wrong sheet."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an import: its key, whether it is required, and the headers that name it."""

    key: str
    label: str  # Vietnamese header of the template
    english: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {fold(name) for name in (self.label, self.english, self.key, *self.aliases)}


# What a sample row of the preview says will happen to it (translated for the few rows shown only).
CREATE, UPDATE = gettext_lazy("create"), gettext_lazy("update")


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    column: str
    value: str
    reason: str


@dataclass
class Outcome:
    """What an import would do (preview) or did (confirm)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (row, who it may duplicate)
    samples: list[tuple[int, str, str]] = field(default_factory=list)  # (row, action, description)
    rows: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # column key → the file's own header

    def add_error(self, row: int, column: str, value, reason: str) -> None:
        """`column` is a column's key: the error names it as the file's header does."""
        if isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        name = self.headers.get(column, column)
        self.errors.append(RowError(row, str(name), "" if value is None else str(value), str(reason)))

    def snapshot(self) -> tuple:
        return (self.created, self.updated, self.unchanged, len(self.errors), len(self.duplicates), len(self.samples))

    def restore(self, snapshot: tuple) -> None:
        self.created, self.updated, self.unchanged, errors, duplicates, samples = snapshot
        del self.errors[errors:], self.duplicates[duplicates:], self.samples[samples:]

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
            "duplicates": len(self.duplicates),
        }


# --- Reading files -------------------------------------------------------------------------


def check_size(size: int) -> None:
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB. Split it into smaller files.")
            % {"size": size / 1024 / 1024, "limit": settings.IMPORT_MAX_BYTES // 1024 // 1024}
        )


def read_table(content: bytes, file_name: str, columns: list[ColumnSpec], sheet_names: set[str]):
    """(column key → header, iterator of (row number, {key: value})) of the file's data rows.

    Raises ImportFileError when the file is not XLSX or CSV, has formulas or merged header cells,
    or has no sheet with the expected columns.
    """
    check_size(len(content))
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content, columns, sheet_names)
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods", ".pdf", ".doc", ".docx")):
        raise ImportFileError(
            _("This is not a readable XLSX file. Save it as .xlsx (Excel 2007 or later) or CSV (UTF-8).")
        )
    try:
        _check_utf8(content)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("This file is neither XLSX nor CSV in UTF-8. In Excel, use “Save as” → “CSV UTF-8” or .xlsx.")
        ) from error
    sample = content[:4096].decode("utf-8-sig", errors="ignore")  # a character may be cut at the end
    if "\x00" in sample:
        raise ImportFileError(_("This file is neither XLSX nor CSV in UTF-8."))
    return _read_csv(content, sample, columns)


def _check_utf8(content: bytes, block: int = 1 << 20) -> None:
    """Raises UnicodeDecodeError unless the whole file is UTF-8, decoding a block at a time (the
    text of a large file is never held whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(content), block):
        decoder.decode(content[start : start + block], final=start + block >= len(content))


def header_names(header: list, mapping: dict[int, str], columns: list[ColumnSpec]) -> dict[str, str]:
    """Column key → the header the file gives it (or the template's, for a column it lacks)."""
    names = {column.key: str(column.label) for column in columns}
    names.update({key: str(header[index]) for index, key in mapping.items() if header[index]})
    return names


def _header_map(header: list, columns: list[ColumnSpec]) -> dict[int, str]:
    mapping = {}
    for index, name in enumerate(header):
        folded = fold(name or "")
        for column in columns:
            if folded and folded in column.names():
                mapping[index] = column.key
    return mapping


def _check_header(mapping: dict[int, str], columns: list[ColumnSpec], header: list) -> None:
    missing = [column for column in columns if column.required and column.key not in mapping.values()]
    if missing:
        raise ImportFileError(
            _(
                "Columns missing: %(missing)s. The file's columns are: %(found)s. "
                "Download the template to see the expected ones."
            )
            % {
                "missing": ", ".join(str(c.label) for c in missing),
                "found": ", ".join(str(h) for h in header if h) or "—",
            }
        )


def _read_csv(content: bytes, sample: str, columns: list[ColumnSpec]):
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline=""), dialect)
    header = next(reader, [])
    mapping = _header_map(header, columns)
    _check_header(mapping, columns, header)
    names = header_names(header, mapping, columns)

    def rows():
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            yield number, {key: values[i].strip() if i < len(values) else "" for i, key in mapping.items()}

    return names, rows()


MERGE_CELL = re.compile(rb'<mergeCell ref="[A-Z]+(\d+):[A-Z]+(\d+)"')


def _merged_header(archive: zipfile.ZipFile, sheet_path: str) -> bool:
    try:
        xml = archive.read(sheet_path)
    except KeyError:
        return False
    return any(int(first) == 1 for first, _last in MERGE_CELL.findall(xml))


def _read_xlsx(content: bytes, columns: list[ColumnSpec], sheet_names: set[str]):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        workbook = xlsx_read.Workbook(archive)
        sheet, header, mapping = _find_sheet(workbook, columns, sheet_names)
    except ImportFileError:
        raise
    except Exception as error:  # a damaged or foreign file fails in many ways
        raise ImportFileError(_("The file could not be opened as an XLSX workbook.")) from error
    wanted = sorted(mapping.items())

    def rows():
        for number, cells in workbook.rows(sheet):
            if number == 1:
                continue
            values = {}
            for index, key in wanted:
                value = cells[index] if index < len(cells) else None
                if isinstance(value, str) and value.startswith("="):
                    raise ImportFileError(
                        _(
                            "Row %(row)s, column “%(column)s” holds a formula. "
                            "Paste the values only, then import again."
                        )
                        % {"row": number, "column": header[index]}
                    )
                values[key] = value
            if all(value is None or str(value).strip() == "" for value in values.values()):
                continue  # empty rows, e.g. trailing ones
            yield number, values
        archive.close()

    return header_names(header, mapping, columns), rows()


def _find_sheet(workbook, columns: list[ColumnSpec], sheet_names: set[str]):
    """The sheet named as in the template, else the first whose header has the required columns.
    A sheet that looks like the data but whose header row has merged cells is refused."""
    ordered = sorted(workbook.sheets, key=lambda ws: fold(ws.title) not in sheet_names)
    first_header = None
    for sheet in ordered:
        header = workbook.header(sheet)
        first_header = first_header if first_header is not None else header
        mapping = _header_map(header, columns)
        if mapping and _merged_header(workbook.archive, sheet.path):
            raise ImportFileError(_("The header row has merged cells: give each column its own header cell."))
        if all(c.key in mapping.values() for c in columns if c.required):
            return sheet, header, mapping
    if len(workbook.sheets) > 1:
        raise ImportFileError(
            _("No sheet of this workbook has the expected columns (sheets: %(sheets)s). Use the template's sheet.")
            % {"sheets": ", ".join(sheet.title for sheet in workbook.sheets)}
        )
    _check_header(_header_map(first_header or [], columns), columns, first_header or [])
    raise ImportFileError(_("The sheet has no header row."))


def chunks(rows: Iterator, size: int = CHUNK) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_END = object()


def read_ahead(rows: Iterator, size: int = CHUNK, depth: int = 2) -> Iterator[list]:
    """The chunks of `rows`, read by another process or thread while this one checks and saves
    the chunk before: unpacking an XLSX file is pure Python, a sixth of an import's time. A
    thread shares this process's interpreter lock, so it only runs while this one waits for the
    database, and takes the lock back late after each query: it saved nothing measurable. A
    forked process reads on the other core. It is forked on Linux by a process that has no other
    thread (a worker's): a fork drops the other threads' state in the child, and an object that
    only they held (a database connection, say) would be finalised there. Either way memory
    stays flat (a chunk or two wait read) and an error of the file is raised here, in the
    reader's order, in the caller's language."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return _read_in_child(rows, size)
    return _read_in_thread(rows, size, depth)


def _read_in_child(rows: Iterator, size: int) -> Iterator[list]:
    """`read_ahead` by a forked child, which iterates its copy of `rows` and sends each chunk
    through a pipe (pickled: some milliseconds a chunk). The child touches nothing but the file
    (not the database connections it inherits) and ends by `os._exit`; it is killed when the
    caller stops early, and a child whose caller died fails on the broken pipe."""
    source, sink = os.pipe()
    language = translation.get_language()
    pid = os.fork()
    if pid == 0:  # the child
        status = 0
        try:
            os.close(source)
            with os.fdopen(sink, "wb") as out, translation.override(language):
                try:
                    for chunk in chunks(rows, size):
                        pickle.dump(chunk, out, pickle.HIGHEST_PROTOCOL)
                        out.flush()
                    message = _END_OF_FILE
                except Exception as error:  # handed over, raised by the caller
                    message = _picklable(error)
                pickle.dump(message, out, pickle.HIGHEST_PROTOCOL)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(sink)
    try:
        with os.fdopen(source, "rb") as received:
            while True:
                try:
                    item = pickle.load(received)
                except EOFError:
                    raise ImportFileError(_("The file could not be read to its end.")) from None
                if isinstance(item, str) and item == _END_OF_FILE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
    finally:
        with contextlib.suppress(ProcessLookupError):  # ended already, or stopped early by the caller
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # reaped already by a handler of the process's
            os.waitpid(pid, 0)


_END_OF_FILE = "end of the file"


def _picklable(error: Exception) -> Exception:
    """`error`, or, when it cannot cross to the caller's process, a plain one with its text."""
    try:
        pickle.dumps(error)
        return error
    except Exception:
        return ImportFileError(f"{type(error).__name__}: {error}")


def _read_in_thread(rows: Iterator, size: int, depth: int) -> Iterator[list]:
    """`read_ahead` by a second thread (where processes do not fork): at most `depth` chunks
    wait read."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def give(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        with translation.override(language):
            try:
                for chunk in chunks(rows, size):
                    if not give(chunk):
                        return
            except BaseException as error:  # handed over, raised by the caller
                give(error)
                return
            give(_END)

    reader = threading.Thread(target=read, name="import-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # the caller stopped early: the reader ends at its next chunk
        reader.join()


# --- Values --------------------------------------------------------------------------------

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(value) -> datetime.date | None:
    """dd/mm/yyyy, yyyy-mm-dd or an Excel date cell; empty is None; anything else ValueError."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return _date_of_text(str(value).strip())


@lru_cache(maxsize=4096)
def _date_of_text(text: str) -> datetime.date:
    """A file repeats its dates (the day of the list, birth dates): each is parsed once."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("not a date (write dd/mm/yyyy)"))


@lru_cache(maxsize=64)
def _choice_lookup(choices) -> dict[str, str]:
    """Folded slug, English and Vietnamese label → slug, for one TextChoices class."""
    lookup = {}
    for slug, label in choices.choices:
        for language in ("en", "vi"):
            with translation.override(language):
                lookup[fold(str(label))] = slug
        lookup[fold(slug)] = slug
    return lookup


def parse_choice(value, choices) -> str:
    """A TextChoices value from its slug, its Vietnamese or English label, ignoring accents."""
    if value is None or str(value).strip() == "":
        return ""
    found = _choice_lookup(choices).get(fold(value))
    if found is None:
        raise ValueError(
            _("unknown value; expected one of: %(values)s") % {"values": ", ".join(str(c.label) for c in choices)}
        )
    return found


TRUE_WORDS = {"co", "x", "yes", "true", "1", "dung"}
FALSE_WORDS = {"khong", "no", "false", "0", "sai", ""}


def parse_bool(value) -> bool:
    if value is True or value is False:
        return value
    word = fold(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("write Có or Không"))


def parse_int(value) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if not (text.isascii() and text.lstrip("-").isdigit()):
        raise ValueError(_("not a whole number"))
    return int(text)


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an ID or a code typed as a number
    return str(value).strip()


# --- The two steps -------------------------------------------------------------------------


def database_refusal(error: Exception) -> str:
    """A row error for a write the database refused: the rule's own message when the error names
    one of the project's constraints, else a plain explanation."""
    text = str(error)
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name in text and getattr(constraint, "violation_error_message", None):
                return str(constraint.get_violation_error_message())
    return _(
        "The database refused this row: it conflicts with a record saved in the meantime "
        "(the same citizen ID or code, say). Check the row and import again."
    )


@dataclass
class Importer:
    """One kind of import: its columns, sheet names, and the function validating (and, when
    `save` is true, saving) a chunk of rows into an Outcome."""

    kind: str
    label: object
    columns: list[ColumnSpec]
    sheet_names: set[str]
    permissions: tuple[str, ...]
    process_chunk: Callable  # (user, rows, outcome, save: bool, context: dict) -> None
    sheet_title: str = ""  # the template's sheet
    example: dict = field(default_factory=dict)  # the template's example row

    def run(
        self,
        *,
        content: bytes,
        file_name: str,
        user,
        save: bool,
        as_of=None,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Outcome:
        """Read and validate every row; with `save`, write them all in one transaction, or none
        when any row is wrong (ImportFileError for an unreadable file). `as_of` is the date the
        file's data refers to, for the rows that give none (codes of units are read with it).
        `progress`, when given, is called after each chunk with (rows done, rows in all or None)."""
        headers, rows = read_table(content, file_name, self.columns, {fold(n) for n in self.sheet_names})
        outcome = Outcome(headers=headers)
        context: dict = {"as_of": as_of}
        if not save:
            for chunk in read_ahead(rows, CHUNK):
                outcome.rows += len(chunk)
                self.process_chunk(user, chunk, outcome, False, context)
                if progress is not None:
                    progress(outcome.rows, None)
            return outcome
        with transaction.atomic():
            for chunk in read_ahead(rows, CHUNK):
                outcome.rows += len(chunk)
                self._save_chunk(user, chunk, outcome, context)
                if progress is not None:
                    progress(outcome.rows, None)
            if outcome.errors:
                transaction.set_rollback(True)
        return outcome

    def _save_chunk(self, user, chunk, outcome: Outcome, context: dict) -> None:
        """Save a chunk in a savepoint. When the database refuses it (a constraint the checks did
        not foresee: a record saved meanwhile by someone else, say), the chunk is undone and its
        rows tried one by one, so that the refused row is named with its reason; as there is then
        an error, nothing at all is kept."""
        before = outcome.snapshot(), {key: copy.copy(value) for key, value in context.items()}
        try:
            with transaction.atomic():
                self.process_chunk(user, chunk, outcome, not outcome.errors, context)
        except (IntegrityError, DataError) as error:
            outcome.restore(before[0])
            context.clear()
            context.update(before[1])
            if len(chunk) == 1:
                outcome.add_error(chunk[0][0], "", "", database_refusal(error))
                return
            for row in chunk:
                self._save_chunk(user, [row], outcome, context)


REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    REGISTRY[importer.kind] = importer
    return importer


def run_batch(batch, *, user, save: bool, progress: Callable[[int, int | None], None] | None = None) -> Outcome:
    """Run an uploaded file (an `ImportBatch`) through its importer: its check, or its save."""
    return REGISTRY[batch.kind].run(
        content=bytes(batch.content),
        file_name=batch.file_name,
        user=user,
        save=save,
        as_of=batch.as_of,
        progress=progress,
    )


def allowed_importers(user) -> dict[str, Importer]:
    """The kinds of import this user may run (each needs its importer's permissions)."""
    return {kind: imp for kind, imp in REGISTRY.items() if all(user.has_perm(p) for p in imp.permissions)}
