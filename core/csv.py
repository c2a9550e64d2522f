"""The one CSV writer of the portal: every CSV that leaves it goes through here.

Files are UTF-8 with a byte order mark and CRLF line ends, so Excel in Japan opens them
without garbling. A cell whose text starts with = + - @ a tab or a carriage return would be
run by a spreadsheet as a formula (CSV injection, e.g. ``=HYPERLINK("http://evil/","詳細")``);
such a cell is written with a leading apostrophe, which spreadsheets show as plain text.
Numbers stay numbers: only text is touched, so a negative amount written as an int is kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The cell as a spreadsheet will show it as text, never run it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer that neutralises every cell; ``getvalue()`` gives the whole file."""

    def __init__(self, *, bom: bool = True) -> None:
        self._buffer = io.StringIO()
        if bom:
            self._buffer.write(BOM)
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise("" if cell is None else cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)

    def getvalue(self) -> str:
        return self._buffer.getvalue()


def csv_text(rows: Iterable[Sequence[Any]], *, header: Sequence[str] | None = None, bom: bool = True) -> str:
    writer = CsvWriter(bom=bom)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return writer.getvalue()


def csv_response(
    rows: Iterable[Sequence[Any]], filename: str, *, header: Sequence[str] | None = None
) -> HttpResponse:
    """A download that browsers save under ``filename`` and caches never keep."""
    response = HttpResponse(csv_text(rows, header=header), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
