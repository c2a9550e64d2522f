"""A file that is not a CSV is refused with what to do, not read as garbled Shift_JIS."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groups import csv_io
from groups.models import Group

pytestmark = pytest.mark.django_db


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (xlsx_bytes(), "Excelのファイル（.xlsx・.xls）のままです"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4,
            "Excelのファイル（.xlsx・.xls）のままです",
        ),
        (b"%PDF-1.4\n%\x00\x00\n1 0 obj\n<< /Type /Catalog >>\n", "CSVファイルではないようです"),
    ],
)
def test_a_spreadsheet_or_binary_file_is_refused_with_what_to_do(client_for, staff_user, data, says):
    preview = csv_io.parse(data)
    assert preview.file_errors and says in preview.file_errors[0]
    upload = SimpleUploadedFile("meibo.csv", data, "text/csv")
    html = client_for(staff_user).post(reverse("groups:staff_import"), {"file": upload}).content.decode()
    assert says in html and "知らない見出し" not in html
    assert not Group.objects.exists()
