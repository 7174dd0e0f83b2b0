"""CSV exports, streamed: rows are written as the database cursor hands them over, a chunk
at a time, so a million ledger rows never sit in memory at once."""

import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse

CHUNK_SIZE = 2000
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the CSV line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: object) -> str:
    """A value as a CSV cell that no spreadsheet will run: a leading apostrophe defuses
    text starting with = + - @ (a name or a reason typed by someone could be a formula)."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)  # a number, negative ones included, stays a number
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[Iterable[object]]
) -> StreamingHttpResponse:
    """A streamed CSV download. `rows` should be lazy (e.g. a queryset's .iterator(chunk_size=
    CHUNK_SIZE) mapped to tuples): it is read only as the response is sent."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
        yield writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
