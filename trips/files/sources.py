"""How an uploaded file's bytes become lines of cells: CSV text or an Excel workbook.

An uploaded file is read in memory (ImportUploadHandler stops reading past the size limit),
parsed as data and never stored nor executed. Reading is bounded whatever the file claims:
in bytes, in rows (empty ones too), in columns, in the text a workbook unpacks to, and in
time (READ_SECONDS); past a bound the file is refused with the reason.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import time
import zipfile

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# A workbook unpacks to far more than its size; more than this many times is a zip bomb.
XLSX_UNPACK_FACTOR = 50
# Shared strings hold each distinct text of a workbook once: a trip list's fit in a few
# megabytes, while a workbook of a few hundred kilobytes may unpack to a hundred of them.
XLSX_SHARED_STRINGS_FACTOR = 4
# A sheet's XML: a trip list of the largest size takes a small part of this.
XLSX_SHEET_FACTOR = 16
# Excel's own limit of columns in a row; a sheet claiming more is not Excel's.
XLSX_MAX_CELLS_PER_ROW = 16_384
# The most columns read from any row: the header's, and no trip list has more.
MAX_COLUMNS = 64
# Reading a file stops after this many seconds with a refusal, whatever the file holds.
READ_SECONDS = 5
# The header may sit below a title and a few notes: so many rows are searched for it.
HEADER_SCAN_ROWS = 10


class ImportUploadHandler(FileUploadHandler):
    """Keeps an uploaded file in memory and stops keeping it past STAYSITE_IMPORT_MAX_BYTES.

    The file's real size still reaches the form, which refuses it with a clear message;
    nothing of it is written to disk.
    """

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) <= settings.STAYSITE_IMPORT_MAX_BYTES:
            self.buffer.write(raw_data)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class FileRefused(ValueError):
    """The file as a whole cannot be read as a trip list; the message says why."""


def check_size(size: int) -> None:
    limit = settings.STAYSITE_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRefused(
            _("The file is %(size)s; files of up to %(limit)s can be imported.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(limit)d rows; split it into files of at most %(limit)d.")
        % {"limit": settings.STAYSITE_IMPORT_MAX_ROWS}
    )


def csv_lines(content: bytes):
    """(line number, cells, formula cells) of a CSV file; the header first."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not UTF-8 text; save it as CSV (UTF-8) or as an Excel workbook.")
        ) from None
    if "\x00" in text:
        # Text files hold no NUL characters; a database cannot store them either.
        raise FileRefused(_("The file is not text; save it as CSV (UTF-8)."))
    dialect = csv.excel
    with contextlib.suppress(csv.Error):
        # German spreadsheets separate CSV columns with semicolons.
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    try:
        for cells in reader:
            # Text a spreadsheet would run as a formula: refused like a formula cell.
            formulas = {i for i, cell in enumerate(cells) if cell.strip().startswith("=")}
            yield reader.line_num, cells, formulas
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)d cannot be read: %(error)s") % {"row": reader.line_num, "error": error}
        ) from None


def xlsx_lines(content: bytes, deadline: float):
    """(row number, cells, formula cells) of the first sheet of a workbook; the header first.

    A workbook is a zip of XML files that may claim anything: a sheet "A1:XFD1048576" in size,
    one cell a million rows down, a hundred megabytes of text packed into a few hundred
    kilobytes. So the parts are weighed before they are read, the sheet is scanned once
    without keeping it (every row counts against the row limit, empty ones too), the XML is
    read through defusedxml, and only the first MAX_COLUMNS columns of each row are kept.
    """
    from openpyxl import load_workbook  # only imports read spreadsheets

    limit = settings.STAYSITE_IMPORT_MAX_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            sheet = _first_sheet(archive)
            unpacked = sum(member.file_size for member in members)
            strings = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
            if unpacked > XLSX_UNPACK_FACTOR * limit:
                raise FileRefused(
                    _("The workbook unpacks to too much data; save it as CSV instead.")
                )
            if strings > XLSX_SHARED_STRINGS_FACTOR * limit:
                raise FileRefused(
                    _("The workbook holds too much text for a trip list; save it as CSV instead.")
                )
            if sheet is not None:
                if archive.getinfo(sheet).file_size > XLSX_SHEET_FACTOR * limit:
                    raise too_many_rows()
                with archive.open(sheet) as source:
                    _scan_sheet(source, deadline)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        if isinstance(error, FileRefused):
            raise
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of error for a damaged workbook
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    try:
        worksheet = workbook.worksheets[0]
        # The size the sheet claims is not believed: rows are not padded to it.
        worksheet.reset_dimensions()
        for number, cells in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            values, formulas = [], set()
            for index, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    formulas.add(index)
                values.append(cell.value)
            yield number, values, formulas
    except FileRefused:
        raise
    except Exception:  # a damaged sheet shows only while it is read
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The path of the workbook's first sheet in the zip, as openpyxl will open it."""
    names = sorted(
        (name for name in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name)),
        key=lambda name: int(re.sub(r"\D", "", name)),
    )
    return names[0] if names else None


def _most_lines() -> int:
    """The most lines a file may have: the rows, and a few above the header."""
    return settings.STAYSITE_IMPORT_MAX_ROWS + HEADER_SCAN_ROWS + 1


def check_budget(line: int, deadline: float) -> None:
    if line > _most_lines():
        raise too_many_rows()
    if time.monotonic() > deadline:
        raise FileRefused(
            _("The file took too long to read; save it as CSV, or split it into smaller files.")
        )


def _scan_sheet(source, deadline: float) -> None:
    """Refuses a sheet with more rows than may be imported, counting the rows it skips (a row
    numbered 1,048,576 is that many rows), or with a row wider than Excel makes one."""
    from defusedxml.ElementTree import iterparse

    cells = rows = 0
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "c":
                cells += 1
                if cells > XLSX_MAX_CELLS_PER_ROW:
                    raise FileRefused(
                        _("The workbook has a row wider than Excel allows; save it as CSV.")
                    )
            continue
        if tag == "row":
            number = element.get("r", "")
            rows = int(number) if number.isdigit() else rows + 1
            check_budget(rows, deadline)
            cells = 0
            element.clear()
        elif tag == "sheetData":
            element.clear()


def lines(content: bytes):
    """(line number, cells, formula cells) of a CSV file or a workbook's first sheet, each line
    counted against the row limit and the time budget. Raises FileRefused."""
    check_size(len(content))
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    deadline = time.monotonic() + READ_SECONDS
    if content.startswith(XLSX_MAGIC):
        found = xlsx_lines(content, deadline)
    elif content.startswith(XLS_MAGIC):
        raise FileRefused(
            _("This is an old Excel file (.xls); save it as an Excel workbook (.xlsx) or CSV.")
        )
    elif b"\x00" in content[:4096]:
        raise FileRefused(_("This is not a CSV or Excel file; save it as .xlsx or CSV (UTF-8)."))
    else:
        found = csv_lines(content)
    for line in found:
        check_budget(line[0], deadline)
        yield line
