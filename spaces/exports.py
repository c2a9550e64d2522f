"""The monthly statement (利用料のご案内) of a group as PDF and CSV."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from spaces.selectors import Statement

CSV_HEADER = (
    "利用日",
    "機器",
    "枚数・回数",
    "単位",
    "単価（円）",
    "利用回数",
    "1回あたり（円）",
    "利用料（円）",
    "備考",
)


def statement_pdf(statement: Statement) -> bytes:
    from reports.pdf import render_pdf  # moves to core.pdf today (issue 18)

    return render_pdf(
        template_name="spaces/pdf/statement.html",
        context={"statement": statement, "issued_on": timezone.localdate()},
        title=f"{statement.group.name} {statement.year}年{statement.month}月 利用料",
    )


def statement_rows(statement: Statement) -> list[tuple]:
    rows = [
        (
            f"{use.used_on:%Y-%m-%d}",
            use.machine.name,
            use.count,
            use.machine.unit,
            use.unit_price,
            use.uses,
            use.use_price,
            use.fee,
            use.note,
        )
        for use in statement.uses
    ]
    rows.append(("合計", "", "", "", "", "", "", statement.total, ""))
    return rows


def statement_csv_response(statement: Statement, *, filename: str) -> HttpResponse:
    try:
        from core.csv import csv_response  # the shared writer that neutralises formulas (issue 14)
    except ImportError:
        csv_response = _csv_response
    return csv_response(statement_rows(statement), filename, header=CSV_HEADER)


def _csv_response(rows, filename: str, *, header) -> HttpResponse:
    import csv
    import io

    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                "'" + c if isinstance(c, str) and c.startswith(("=", "+", "-", "@", "\t", "\r")) else c
                for c in row
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
