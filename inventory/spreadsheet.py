"""Reading an uploaded spreadsheet (CSV or XLSX) into rows of text, within limits, before
anything looks at what the rows mean (inventory.import_services).

What a volunteer's file may be, and what an attacker's may be, are read alike: the size is
bounded before reading, an .xlsx is checked as a zip (entries, unpacked size, ratio) before
openpyxl opens it read-only, rows and columns are bounded while reading, and cells that a
spreadsheet program would run as formulas are reported, never kept."""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 20
MAX_CELL_LENGTH = 255
# An .xlsx of 5,000 short rows unpacks to a few megabytes; a zip bomb to gigabytes.
MAX_UNPACKED_BYTES = 30 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_RATIO = 200
# What Excel, LibreOffice and Sheets start a formula with (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message is for the coordinator."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the spreadsheet program numbers it, the header being row 1
    cells: dict[str, str | datetime.date | None]


def spreadsheet_read(
    *, name: str, content: bytes, columns: dict[str, str], required: str
) -> list[SheetRow]:
    """The data rows of the file's first sheet, as {column: value}. `columns` maps each
    header a file may use (lower case) to the column it means; other headers are ignored.
    A file without the `required` column is refused."""
    if len(content) > MAX_BYTES:
        raise SpreadsheetError(
            _("The file is larger than %(mb)d MB. Split it, or leave out other columns.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not content:
        raise SpreadsheetError(_("The file is empty."))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif lower.endswith((".csv", ".txt")):
        rows = _csv_rows(content)
    else:
        raise SpreadsheetError(_("Upload a .csv or .xlsx file."))
    return _with_header(rows, columns, required)


def _with_header(rows, columns: dict[str, str], required: str) -> list[SheetRow]:
    header = next(rows, None)
    if header is None:
        raise SpreadsheetError(_("The file has no rows."))
    names = [columns.get(str(cell or "").strip().lower()) for cell in header[:MAX_COLUMNS]]
    if required not in names:
        raise SpreadsheetError(
            _("No column is called %(column)s. The first row must name the columns: %(all)s.")
            % {"column": required, "all": ", ".join(dict.fromkeys(columns.values()))}
        )
    result = []
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise SpreadsheetError(
                _("The file has more than %(max)d rows. Split it into smaller files.")
                % {"max": MAX_ROWS}
            )
        cells = {}
        for column, value in zip(names, row[:MAX_COLUMNS], strict=False):
            if column:
                cells[column] = _cell(value)
        if any(v not in (None, "") for v in cells.values()):
            result.append(SheetRow(number, cells))
    return result


def _cell(value) -> str | datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)[: MAX_CELL_LENGTH + 1].strip()


def _csv_rows(content: bytes):
    encoding = "utf-16" if content.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as error:
        raise SpreadsheetError(
            _(
                "The file is not in UTF-8. In your spreadsheet program, save it as "
                '"CSV UTF-8", or as .xlsx.'
            )
        ) from error
    if "\x00" in text:
        raise SpreadsheetError(_("The file is not a text CSV. Save it as CSV or .xlsx."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text), dialect)
    except csv.Error as error:
        raise SpreadsheetError(
            _("The CSV file is malformed: %(error)s") % {"error": error}
        ) from error


def _xlsx_rows(content: bytes):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as error:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from error
    entries = archive.infolist()
    unpacked = sum(entry.file_size for entry in entries)
    if (
        len(entries) > MAX_ZIP_ENTRIES
        or unpacked > MAX_UNPACKED_BYTES
        or unpacked > MAX_RATIO * max(len(content), 1)
    ):
        raise SpreadsheetError(
            _("The workbook unpacks to far more than its size. Save the sheet as CSV instead.")
        )
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:
        # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors) for a
        # broken workbook; each means the same to the coordinator.
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    except SpreadsheetError:
        raise
    except Exception as error:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from error
    finally:
        workbook.close()


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)
