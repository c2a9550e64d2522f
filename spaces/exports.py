"""The monthly statement (利用料のご案内) of a group as PDF and CSV."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from core.csv import csv_response
from spaces.selectors import Statement

CSV_HEADER = (
    gettext_lazy("利用日"),
    gettext_lazy("機器"),
    gettext_lazy("枚数・回数"),
    gettext_lazy("単位"),
    gettext_lazy("単価（円）"),
    gettext_lazy("利用回数"),
    gettext_lazy("1回あたり（円）"),
    gettext_lazy("利用料（円）"),
    gettext_lazy("備考"),
)


def statement_pdf(statement: Statement) -> bytes:
    from core.pdf import render_pdf

    return render_pdf(
        template_name="spaces/pdf/statement.html",
        context={"statement": statement, "issued_on": timezone.localdate()},
        title=gettext("%(group)s %(year)s年%(month)s月 利用料")
        % {"group": statement.group.name, "year": statement.year, "month": statement.month},
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
    rows.append((gettext("合計"), "", "", "", "", "", "", statement.total, ""))
    return rows


def statement_csv_response(statement: Statement, *, filename: str) -> HttpResponse:
    return csv_response(statement_rows(statement), filename, header=[str(cell) for cell in CSV_HEADER])
