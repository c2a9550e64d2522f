"""CSV import as an upsert on a real center's messy list.

80 groups typed as centers type them: 法人格 before or after the name, in long or short form,
ＮＰＯ in full width, spaces of both widths inside names, katakana, ヶ. The same file is
imported as Shift_JIS and again as UTF-8 with a BOM; an update leaves out columns.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groups import csv_io
from groups.csv_io import RowAction
from groups.models import Group, GroupRenewal, GroupStatus, LegalForm
from groups.validators import corporate_number_check_digit
from tests.groups.factories import AreaFactory, GroupFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "団体名",
    "ふりがな",
    "法人格",
    "法人番号",
    "活動分野",
    "活動地域",
    "代表者名",
    "電話番号",
    "所在地",
    "活動の目的",
]
PREFIXES = [
    ("NPO法人 ", LegalForm.NPO),
    ("ＮＰＯ法人　", LegalForm.NPO),
    ("特定非営利活動法人", LegalForm.NPO),
    ("一般社団法人 ", LegalForm.GENERAL_INCORPORATED),
    ("", LegalForm.VOLUNTARY),
]
PLACES = ["西ヶ丘", "東町", "みどり台", "サクラ通り"]
WORDS = ["子ども食堂", "シニア サロン", "障がい者 支援の会", "まちづくり　協議会"]


def corporate_number(n: int) -> str:
    body = f"{n:012d}"
    return f"{corporate_number_check_digit(body)}{body}"


def messy_rows(count: int = 80) -> list[list[str]]:
    rows = []
    for i in range(count):
        prefix, legal_form = PREFIXES[i % len(PREFIXES)]
        name = f"{prefix}{PLACES[i % 4]}{WORDS[(i // 4) % 4]}{i}"
        number = corporate_number(1000 + i) if legal_form != LegalForm.VOLUNTARY else ""
        label = {LegalForm.NPO: "NPO法人", LegalForm.GENERAL_INCORPORATED: "一般社団法人"}.get(
            legal_form, "任意団体"
        )
        rows.append(
            [
                name,
                f"ダンタイ{i}",
                label,
                number,
                "まちづくり",
                "本町",
                f"代表 {i}",
                "000-111-2222",
                "本町1-1",
                "目的",
            ]
        )
    return rows


def as_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def honmachi():
    return AreaFactory(name="本町")


def test_the_same_file_twice_creates_nothing_twice(staff_user):
    """Shift_JIS first, then the same list as UTF-8 with BOM: the second time every row is 変更なし."""
    text = as_csv(HEADER, messy_rows())
    first = csv_io.parse(text.encode("cp932"))
    assert first.is_valid, [(r.line, r.errors) for r in first.bad_rows]
    assert first.count(RowAction.NEW) == 80
    csv_io.import_rows(preview=first, staff=staff_user)
    assert Group.objects.count() == 80

    again = csv_io.parse(("\ufeff" + text).encode("utf-8"))
    assert again.encoding == "UTF-8" and again.is_valid
    assert again.count(RowAction.UNCHANGED) == 80, [(r.line, r.action, r.changes) for r in again.rows]
    csv_io.import_rows(preview=again, staff=staff_user)
    assert Group.objects.count() == 80


def test_rows_match_by_corporate_number_then_registration_number_then_name(staff_user):
    by_number = GroupFactory(name="旧名の会", legal_form=LegalForm.NPO, corporate_number=corporate_number(7))
    by_registration = GroupFactory(name="登録番号の会", registration_number="R6-0042")
    by_name = GroupFactory(name="NPO法人 みどりの風", legal_form=LegalForm.NPO, corporate_number="")
    text = as_csv(
        ["団体名", "法人番号", "登録番号", "電話番号"],
        [
            ["新名の会", corporate_number(7), "", "000-222-3333"],
            ["登録番号の会（改称）", "", "R6-0042", "000-222-4444"],
            ["特定非営利活動法人　みどりの 風", "", "", "000-222-5555"],
        ],
    )
    preview = csv_io.parse(text.encode("utf-8"))
    assert preview.is_valid, [(r.line, r.errors) for r in preview.bad_rows]
    assert [r.group for r in preview.rows] == [by_number, by_registration, by_name]
    assert [r.action for r in preview.rows] == [RowAction.UPDATE] * 3
    changes = {c.label: (c.old, c.new) for c in preview.rows[0].changes}
    assert changes == {"団体名": ("旧名の会", "新名の会"), "電話番号": ("000-123-4567", "000-222-3333")}


def test_missing_columns_and_empty_cells_leave_fields_untouched(staff_user):
    group = GroupFactory(
        name="あおばの会", representative_name="佐藤 陽子", address="本町1-2-3", purpose="目的です"
    )
    text = as_csv(
        ["ID", "団体名", "電話番号", "代表者名"], [[str(group.pk), "あおばの会", "000-999-8888", ""]]
    )
    preview = csv_io.parse(text.encode("cp932"))
    assert [(c.label, c.old, c.new) for c in preview.rows[0].changes] == [
        ("電話番号", "000-123-4567", "000-999-8888")
    ]
    csv_io.import_rows(preview=preview, staff=staff_user)
    group.refresh_from_db()
    assert group.phone == "000-999-8888"
    assert (
        group.representative_name == "佐藤 陽子"
        and group.address == "本町1-2-3"
        and group.purpose == "目的です"
    )
    assert group.registered_on is not None and group.registration_number


def test_empty_cells_clear_only_when_staff_ask(staff_user):
    group = GroupFactory(name="あおばの会", representative_name="佐藤 陽子")
    text = as_csv(["ID", "団体名", "代表者名"], [[str(group.pk), "あおばの会", ""]])
    preview = csv_io.parse(text.encode("utf-8"), clear_empty=True)
    assert [(c.label, c.old, c.new) for c in preview.rows[0].changes] == [("代表者名", "佐藤 陽子", "")]
    csv_io.import_rows(preview=preview, staff=staff_user)
    group.refresh_from_db()
    assert group.representative_name == ""


def test_rows_naming_one_group_are_duplicates_skipped_unless_chosen(staff_user):
    """A file that lists a group twice: both rows are 重複; nothing happens to them until staff choose."""
    text = as_csv(
        ["団体名", "ふりがな", "法人格", "電話番号"],
        [
            ["ひまわり 子ども食堂", "ひまわり", "任意団体", "000-111-1111"],
            ["ひまわり子ども食堂", "ひまわり", "任意団体", "000-111-2222"],
            ["あさひの会", "あさひ", "任意団体", ""],
        ],
    )
    preview = csv_io.parse(text.encode("utf-8"))
    assert preview.is_valid
    assert [r.action for r in preview.rows] == [RowAction.DUPLICATE, RowAction.DUPLICATE, RowAction.NEW]
    assert "3行目と同じ団体です" in preview.rows[0].duplicate_reason
    csv_io.import_rows(preview=preview, staff=staff_user)
    assert list(Group.objects.values_list("name", flat=True)) == ["あさひの会"]

    both = csv_io.parse(text.encode("utf-8"), choices={"choice-2": "new", "choice-3": "new"})
    assert not both.is_valid and "どちらか1行を選んでください" in " ".join(both.rows[1].errors)
    chosen = csv_io.parse(text.encode("utf-8"), choices={"choice-3": "new"})
    assert [r.action for r in chosen.rows] == [RowAction.DUPLICATE, RowAction.NEW, RowAction.UNCHANGED]
    csv_io.import_rows(preview=chosen, staff=staff_user)
    assert Group.objects.get(name="ひまわり子ども食堂").phone == "000-111-2222"


def test_a_row_that_fits_two_existing_groups_is_a_duplicate(staff_user):
    """The old importer made every group twice: a row with that name must not pick one at random."""
    first = GroupFactory(name="NPO法人 みどりの風", legal_form=LegalForm.NPO, corporate_number="")
    second = GroupFactory(name="ＮＰＯ法人みどりの風", legal_form=LegalForm.NPO, corporate_number="")
    text = as_csv(["団体名", "電話番号"], [["みどりの風", "000-555-5555"]])
    preview = csv_io.parse(text.encode("utf-8"))
    row = preview.rows[0]
    assert row.action == RowAction.DUPLICATE and set(row.candidates) == {first, second}
    assert [value for value, _label in row.choices()] == [
        "skip",
        f"group-{first.pk}",
        f"group-{second.pk}",
        "new",
    ]
    chosen = csv_io.parse(text.encode("utf-8"), choices={"choice-2": f"group-{second.pk}"})
    csv_io.import_rows(preview=chosen, staff=staff_user)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.phone == "000-555-5555" and first.phone == "000-123-4567"


def test_any_row_in_error_saves_nothing(staff_user):
    rows = messy_rows(5)
    rows[3][3] = "1234567890123"  # wrong check digit
    preview = csv_io.parse(as_csv(HEADER, rows).encode("utf-8"))
    assert not preview.is_valid and [r.line for r in preview.bad_rows] == [5]
    with pytest.raises(Exception):  # noqa: B017
        csv_io.import_rows(preview=preview, staff=staff_user)
    assert not Group.objects.exists()


def test_approval_through_the_import_is_the_staff_queue_approval(staff_user, time_machine):
    """登録 without a number: the number of the Japan date's fiscal year, a renewal record, history."""
    time_machine.move_to("2026-03-31 15:30:00+00:00")  # 2026-04-01 00:30 in Japan: FY2026 (令和8年度)
    pending = GroupFactory(pending=True, name="申請中の会", themes=[])
    text = as_csv(["ID", "団体名", "登録状況"], [[str(pending.pk), "申請中の会", "登録"]])
    preview = csv_io.parse(text.encode("utf-8"))
    assert preview.is_valid, [r.errors for r in preview.rows]
    csv_io.import_rows(preview=preview, staff=staff_user)
    pending.refresh_from_db()
    assert pending.status == GroupStatus.APPROVED and pending.registration_number == "R8-0001"
    assert GroupRenewal.objects.filter(group=pending, fiscal_year=2026).exists()
    reasons = list(pending.history.values_list("history_change_reason", flat=True))
    assert any(reason.startswith("承認") for reason in reasons) and "CSVインポート" in reasons


def test_preview_page_shows_old_and_new_and_lets_staff_choose(client_for, staff_user):
    group = GroupFactory(name="あおばの会", phone="000-123-4567")
    text = as_csv(
        ["団体名", "ふりがな", "法人格", "電話番号"],
        [
            ["あおばの会", "あおば", "任意団体", "000-765-4321"],
            ["こだまの会", "こだま", "任意団体", ""],
            ["こだまの会", "こだま", "任意団体", ""],
        ],
    )
    c = client_for(staff_user)
    upload = SimpleUploadedFile("groups.csv", text.encode("cp932"), "text/csv")
    response = c.post(reverse("groups:staff_import"), {"file": upload})
    html = response.content.decode()
    assert "電話番号: 000-123-4567 → 000-765-4321" in html
    assert "更新 1件" in html and "重複 2件" in html
    token = response.context["token"]
    c.post(reverse("groups:staff_import_confirm"), {"token": token, "choice-4": "new"})
    group.refresh_from_db()
    assert group.phone == "000-765-4321"
    assert Group.objects.filter(name="こだまの会").count() == 1


# --- A phone number stored before today's rule (03-123-456) -----------------------------------------


def test_an_exported_file_imports_again_with_a_group_s_old_phone_number(client_for, staff_user):
    """The number the group already stores is kept, with a note; the file does not fail on it."""
    group = GroupFactory(name="あおばの会", phone="03-123-456", purpose="前の目的")
    text = csv_io.export_csv([group]).replace("前の目的", "新しい目的")
    preview = csv_io.parse(text.encode("utf-8"))
    assert preview.is_valid, [(r.line, r.errors) for r in preview.bad_rows]
    [row] = preview.rows
    assert [(c.label, c.old, c.new) for c in row.changes] == [("活動の目的", "前の目的", "新しい目的")]
    assert row.notes == [
        "電話番号「03-123-456」は今の書き方（数字とハイフンで10〜11桁）に合っていませんが、"
        "登録済みの番号と同じなので、そのままにします。正しい番号に直してください。"
    ]
    upload = SimpleUploadedFile("groups.csv", text.encode("utf-8"), "text/csv")
    response = client_for(staff_user).post(reverse("groups:staff_import"), {"file": upload})
    assert "登録済みの番号と同じなので、そのままにします" in response.content.decode()
    client_for(staff_user).post(reverse("groups:staff_import_confirm"), {"token": response.context["token"]})
    group.refresh_from_db()
    assert (group.purpose, group.phone) == ("新しい目的", "03-123-456")


@pytest.mark.parametrize(
    ("columns", "cells"),
    [
        (["ID", "団体名", "電話番号"], ["{pk}", "あおばの会", "03-999-999"]),  # another refused number
        (
            ["団体名", "ふりがな", "法人格", "電話番号"],
            ["こだまの会", "こだま", "任意団体", "03-123-456"],
        ),  # new
    ],
)
def test_a_refused_phone_number_that_is_not_the_stored_one_is_an_error(columns, cells):
    group = GroupFactory(name="あおばの会", phone="03-123-456")
    text = as_csv(columns, [[cell.format(pk=group.pk) for cell in cells]])
    preview = csv_io.parse(text.encode("utf-8"))
    assert not preview.is_valid
    assert preview.bad_rows[0].errors == [
        f"電話番号「{cells[-1]}」の形式が正しくありません（例: 000-123-4567）。"
    ]


def test_a_row_in_error_lists_its_phone_number_only_when_it_is_not_the_stored_one():
    group = GroupFactory(name="あおばの会", phone="03-123-456")
    text = as_csv(
        ["ID", "団体名", "会員数", "電話番号"],
        [
            [str(group.pk), "あおばの会", "たくさん", "03-123-456"],
            [str(group.pk), "あおばの会", "たくさん", "1-2"],
        ],
    )
    first, second = csv_io.parse(text.encode("utf-8")).rows
    assert len(first.errors) == 1 and "会員数" in first.errors[0]
    assert len(second.errors) == 2 and "電話番号「1-2」" in second.errors[1]
