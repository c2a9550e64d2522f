"""The one CSV writer: every export neutralises cells that a spreadsheet would run as a formula."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.csv import CsvWriter, csv_text, neutralise
from tests.groups.factories import GroupFactory

FORMULAS = ['=HYPERLINK("http://evil.example/","詳細")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", FORMULAS)
def test_cells_starting_like_a_formula_get_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["みどりの風", "", "1+1", "a=b", "NPO法人", " =x"])
def test_other_text_is_left_alone(value):
    assert neutralise(value) == value


def test_numbers_stay_numbers_and_none_is_empty():
    writer = CsvWriter(bom=False)
    writer.writerow([-5, 0.5, None, "-5"])
    assert writer.getvalue() == "-5,0.5,,'-5\r\n"


def test_file_is_utf8_bom_crlf_with_header():
    assert csv_text([["あ"]], header=["見出し"]) == "\ufeff見出し\r\nあ\r\n"


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_group_staff_export_and_open_data_neutralise_formulas(client, client_for, staff_user):
    """A group named like a formula goes out as text in the staff export and the open data."""
    GroupFactory(name=FORMULAS[0], purpose="+目的", activities="@活動", address_public=True, address="-1")
    staff_rows = _rows(client_for(staff_user).get(reverse("groups:staff_export")))
    assert "'" + FORMULAS[0] in staff_rows[1] and "'+目的" in staff_rows[1] and "'@活動" in staff_rows[1]
    open_rows = _rows(client.get(reverse("groups:open_data_csv")))
    assert "'" + FORMULAS[0] in open_rows[1] and "'-1" in open_rows[1]


def test_no_module_writes_csv_but_core_csv():
    """Every CSV the portal writes goes through core/csv.py, so none can forget the neutralising."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    # The project's own packages (not the build/ copy a wheel build leaves, nor the virtualenv).
    modules = (
        path for package in ("config", *settings.PROJECT_APPS) for path in (root / package).rglob("*.py")
    )
    for path in modules:
        relative = path.relative_to(root).as_posix()
        if relative == "core/csv.py" or "/migrations/" in relative:
            continue
        if re.search(r"\bcsv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == []


@pytest.mark.django_db
def test_consultation_statistics_neutralise_a_topic_named_like_a_formula(
    client_for, staff_user, time_machine
):
    """Staff name topics: one named like a formula goes out as text in the statistics CSV."""
    import datetime as dt

    time_machine.move_to("2026-12-03 10:00:00+09:00")  # FY2025 is among the years offered

    from consultations.models import Topic
    from tests.consultations.factories import ConsultationFactory

    Topic.objects.create(code="formula", name="=HYPERLINK(1)")
    ConsultationFactory(consulted_on=dt.date(2025, 5, 1), topics=["formula"])
    response = client_for(staff_user).get(reverse("consultations:statistics_export"), {"fiscal_year": "2025"})
    cells = [cell for row in _rows(response) for cell in row]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
