"""How an uploaded file's bytes become lines of cells: CSV text or an Excel workbook.

An uploaded file is read in memory (ImportUploadHandler stops reading past the size limit),
parsed as data and never stored nor executed. Reading is bounded whatever the file claims:
in bytes, in rows (empty ones too), in columns, in the text a workbook unpacks to, and in
time (READ_SECONDS); past a bound the file is refused with the reason.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Byte order marks, longest first: UTF-32 files are not made by spreadsheets.
BOMS = [
    (codecs.BOM_UTF8, "utf-8", "UTF-8 (BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
]
# The single-byte code pages of the languages staysite speaks, as people know them.
CODE_PAGES = {
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "koi8_r": "KOI8-R",
    "cp866": "DOS-866",
    "iso8859_15": "ISO-8859-15",
}
# Latin-script code pages: a file any of them reads is taken as Windows-1252, which Excel
# writes on Western Windows (they differ in letters German and English files rarely hold).
LATIN_CODE_PAGES = {"cp1252", "cp1250", "iso8859_15"}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
DELIMITER_NAMES = {
    "comma": gettext_lazy("commas"),
    "semicolon": gettext_lazy("semicolons"),
    "tab": gettext_lazy("tabs"),
}

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


@dataclass
class Source:
    """A file as read: its lines of cells, and how they were read, for the preview to say."""

    lines: Iterator[tuple[int, list, set[int]]]
    kind: str = "csv"  # or "xlsx"
    encoding: str = ""  # as people know it: "UTF-8", "Windows-1252"
    delimiter: str = ""  # a key of DELIMITERS


def csv_lines(content: bytes) -> Source:
    """The lines of a CSV file in whichever encoding and with whichever delimiter it has."""
    text, encoding = decode(content)
    if "\x00" in text:
        # Text files hold no NUL characters; a database cannot store them either.
        raise FileRefused(_("The file is not text; save it as CSV (UTF-8)."))
    delimiter = sniff_delimiter(text)
    return Source(_csv_cells(text, delimiter), "csv", encoding, DELIMITERS[delimiter])


def _csv_cells(text: str, delimiter: str):
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for cells in reader:
            # Text a spreadsheet would run as a formula: refused like a formula cell.
            formulas = {i for i, cell in enumerate(cells) if cell.strip().startswith("=")}
            yield reader.line_num, cells[:MAX_COLUMNS], formulas
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)d cannot be read: %(error)s") % {"row": reader.line_num, "error": error}
        ) from None


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding: UTF-8 with or without a byte order
    mark, UTF-16, or the single-byte code page charset-normalizer finds most likely."""
    for bom, codec, name in BOMS:
        if content.startswith(bom):
            return _decoded(content[len(bom) :], codec), name
    with contextlib.suppress(UnicodeDecodeError):
        return content.decode("utf-8"), "UTF-8"
    if b"\x00" in content[:4096]:
        utf16 = _utf16_without_bom(content[:4096])
        if utf16 is None:
            raise FileRefused(
                _("This is not a CSV or Excel file; save it as .xlsx or CSV (UTF-8).")
            )
        return _decoded(content, utf16), "UTF-16"
    from charset_normalizer import from_bytes  # only CSV files of unknown encoding need it

    best = from_bytes(content, cp_isolation=list(CODE_PAGES)).best()
    if best is None:
        raise FileRefused(
            _("The file's encoding cannot be told; save it as CSV (UTF-8) or as a workbook.")
        )
    codec = best.encoding
    if codec in LATIN_CODE_PAGES:
        with contextlib.suppress(UnicodeDecodeError):
            content.decode("cp1252")
            codec = "cp1252"
    return _decoded(content, codec), CODE_PAGES.get(codec, codec)


def _decoded(content: bytes, codec: str) -> str:
    try:
        return content.decode(codec)
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not %(encoding)s text throughout; save it as CSV (UTF-8).")
            % {"encoding": CODE_PAGES.get(codec, codec)}
        ) from None


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 without a byte order mark: text in Latin or Cyrillic script has a zero or a small
    byte in every other place (a PNG or a zip does not)."""
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    for codec, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if sum(byte in (0, 4) for byte in high) >= 0.95 * len(high):
            return codec
    return None


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into the most cells (a title row above the
    header has few); a comma when none splits anything."""
    head = text.splitlines()[: HEADER_SCAN_ROWS + 1]
    best, most = ",", 1
    for delimiter in DELIMITERS:
        with contextlib.suppress(csv.Error):
            width = max((len(cells) for cells in csv.reader(head, delimiter=delimiter)), default=0)
            if width > most:
                best, most = delimiter, width
    return best


def xlsx_lines(content: bytes, deadline: float) -> Source:
    """The lines of the first sheet of a workbook, weighed and scanned first (_weigh)."""
    _weigh(content, deadline)
    return Source(_xlsx_cells(content), "xlsx")


def _weigh(content: bytes, deadline: float) -> None:
    """(row number, cells, formula cells) of the first sheet of a workbook; the header first.

    A workbook is a zip of XML files that may claim anything: a sheet "A1:XFD1048576" in size,
    one cell a million rows down, a hundred megabytes of text packed into a few hundred
    kilobytes. So the parts are weighed before they are read, the sheet is scanned once
    without keeping it (every row counts against the row limit, empty ones too), the XML is
    read through defusedxml, and only the first MAX_COLUMNS columns of each row are kept.
    """
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


def _xlsx_cells(content: bytes):
    from openpyxl import load_workbook  # only imports read spreadsheets

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
    from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]  # no stubs here

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


def read(content: bytes) -> Source:
    """The lines of a CSV file or a workbook's first sheet, each line counted against the row
    limit and the time budget as it is read. Raises FileRefused."""
    check_size(len(content))
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    deadline = time.monotonic() + READ_SECONDS
    if content.startswith(XLSX_MAGIC):
        source = xlsx_lines(content, deadline)
    elif content.startswith(XLS_MAGIC):
        raise FileRefused(
            _("This is an old Excel file (.xls); save it as an Excel workbook (.xlsx) or CSV.")
        )
    else:
        source = csv_lines(content)
    source.lines = _bounded(source.lines, deadline)
    return source


def _bounded(lines, deadline: float):
    for line in lines:
        check_budget(line[0], deadline)
        yield line
