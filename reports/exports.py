"""The figures behind a report as an .xlsx workbook (openpyxl) for the committee."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from core.csv import neutralise
from core.fiscal import wareki_date
from reports.models import Report


def figures_workbook(report: Report) -> bytes:
    """One sheet: the report's title, 版 and データ基準日, then the table with its header frozen.
    Text cells are neutralised like the CSV's (a label never runs as a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("数値")
    as_of = report.data_as_of or report.finished_at
    sheet.append([report.figures.get("title") or str(report)])
    sheet.append(
        [
            _("版: %(version)s　データ基準日: %(day)s")
            % {
                "version": report.version_label,
                "day": wareki_date(timezone.localtime(as_of).date()) if as_of else "—",
            }
        ]
    )
    sheet.append([])
    sheet.append(report.figures["header"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in report.figures["rows"]:
        sheet.append([neutralise(value) for value in row])
    sheet.freeze_panes = "A5"
    for column, width in zip("ABCDEFGHI", (14, 14, 34, 6, 12, 11, 11, 11, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
