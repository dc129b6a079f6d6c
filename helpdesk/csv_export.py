"""CSV downloads people open in a spreadsheet: streamed, quoted, and safe against formulas.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as
a formula; text that came from outside (a User-Agent, a subject) could do so. Such cells get a
leading apostrophe, which spreadsheets show as text. The file starts with a byte order mark, so a
spreadsheet opens Cyrillic (or any non-Latin) text as UTF-8 rather than the system's code page."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def csv_cell(value) -> str:
    """A cell's text: None as empty, anything a spreadsheet would run as a formula made text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object csv.writer writes one row into, which is handed straight back."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[list]
) -> StreamingHttpResponse:
    """Stream `rows` (plain values, escaped here) under `header` as a UTF-8 CSV download."""
    writer = csv.writer(_Echo())

    def lines():
        yield BOM + writer.writerow([csv_cell(name) for name in header])
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
