import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groups import csv_io
from groups.models import Group, GroupStatus
from tests.groups.factories import AreaFactory, GroupFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "団体名,ふりがな,法人格,法人番号,活動分野,活動地域,"
    "メールアドレス,メールアドレスの公開,登録番号,登録日\r\n"
)
GOOD_ROWS = (
    "みらい子ども食堂,みらいこどもしょくどう,任意団体,,子どもの健全育成;まちづくり,本町,a@example.jp,公開,R6-0007,2024/5/1\r\n"
    "ＮＰＯ法人あおば,あおば,NPO法人,7000012050002,環境の保全,,,非公開,,\r\n"
)
BAD_ROWS = (
    ",なまえなし,任意団体,,,,,,,\r\n"  # 2: no name
    "番号ちがいの会,ばんごうちがいのかい,NPO法人,7000012050003,,,,,,\r\n"  # 3: bad check digit
    "分野ちがいの会,ぶんやちがいのかい,任意団体,,宇宙開発,火星,,,,\r\n"  # 4: unknown theme and area
    "形式ちがいの会,けいしきちがいのかい,株式会社,,,,not-an-email,たぶん,R6-0007,2024/13/1\r\n"  # 5: many
)


@pytest.fixture(autouse=True)
def honmachi():
    return AreaFactory(name="本町")


def test_utf8_with_and_without_bom_and_shift_jis_all_read_the_same():
    text = HEADER + GOOD_ROWS
    for data, encoding in (
        (text.encode("utf-8"), "UTF-8"),
        (("\ufeff" + text).encode("utf-8"), "UTF-8"),
        (text.encode("cp932"), "Shift_JIS"),
    ):
        preview = csv_io.parse(data)
        assert preview.encoding == encoding
        assert preview.is_valid, [r.errors for r in preview.rows] + preview.file_errors
        assert [r.values["name"] for r in preview.rows] == ["みらい子ども食堂", "NPO法人あおば"]


def test_import_saves_normalised_groups_with_themes_areas_and_numbers(staff_user):
    preview = csv_io.parse((HEADER + GOOD_ROWS).encode("cp932"))
    saved = csv_io.import_rows(preview=preview, staff=staff_user)
    kodomo = Group.objects.get(name="みらい子ども食堂")
    assert kodomo.status == GroupStatus.APPROVED and kodomo.registration_number == "R6-0007"
    assert sorted(str(t) for t in kodomo.themes.all()) == ["まちづくり", "子どもの健全育成"]
    assert [a.name for a in kodomo.areas.all()] == ["本町"]
    assert kodomo.email_public is True
    assert kodomo.search_text and kodomo.kana_row == "ま"
    aoba = Group.objects.get(name="NPO法人あおば")  # typed ＮＰＯ法人あおば
    assert aoba.status == GroupStatus.PENDING and aoba.corporate_number == "7000012050002"
    assert len(saved) == 2
    # The next approval in FY2024 continues after the imported number.
    from groups.services import registration_number_allocate

    assert registration_number_allocate(fiscal_year=2024) == "R6-0008"


def test_names_and_addresses_are_imported_tidy_and_a_second_import_changes_nothing(staff_user):
    """団体名, 代表者名, 連絡担当者名 and 所在地 are stored as the portal's form stores them (half-width
    kana full width, full-width letters and digits half width, one half-width space), and the
    preview shows them so: the same messy file imported again is 変更なし, not an update."""
    text = (
        "団体名,ふりがな,法人格,代表者名,連絡担当者名,所在地\r\n"
        "\u3000ﾐﾗｲ\u3000\u3000ﾈｯﾄﾜｰｸ\u3000,みらいねっとわーく,任意団体,"
        "山田\u3000\u3000花子,ｽｽﾞｷ ｹﾝﾀ,みらい市本町１－２－３\u3000プラザ２Ｆ\r\n"
    )
    preview = csv_io.parse(text.encode("cp932"))
    assert preview.is_valid, [r.errors for r in preview.rows]
    assert preview.rows[0].values["name"] == "ミライ ネットワーク"
    csv_io.import_rows(preview=preview, staff=staff_user)
    group = Group.objects.get()
    assert (group.name, group.representative_name, group.contact_name, group.address) == (
        "ミライ ネットワーク",
        "山田 花子",
        "スズキ ケンタ",
        "みらい市本町1-2-3 プラザ2F",
    )
    again = csv_io.parse(text.encode("utf-8"))
    assert [row.action for row in again.rows] == [csv_io.RowAction.UNCHANGED], again.rows[0].changes


def test_phones_are_imported_by_the_rule_of_the_form_and_the_profile(staff_user):
    """Brackets, full-width digits and spaces as the form takes them; a number too short for
    Japan refused as the form refuses it."""
    text = (
        "団体名,ふりがな,法人格,電話番号\r\n"
        "かっこの会,かっこのかい,任意団体,03（1234）5678\r\n"
        "くうはくの会,くうはくのかい,任意団体,０３－１２３４　５６７８\r\n"
        "みじかい会,みじかいかい,任意団体,03-123-456\r\n"
    )
    preview = csv_io.parse(text.encode("cp932"))
    assert [row.values["phone"] for row in preview.rows[:2]] == ["03-1234-5678", "03-12345678"]
    assert [row.line for row in preview.bad_rows] == [4]
    assert "電話番号「03-123-456」の形式が正しくありません" in preview.bad_rows[0].errors[0]


def test_imported_applications_are_dated_when_they_come_in_and_approved_rows_are_not(
    staff_user, time_machine
):
    """A row the import puts in 申請中 enters the staff queue at the import's time (申請日時), after
    the applications already waiting; a group already waiting keeps its date; a row registered
    before the portal (登録番号) never waited and gets none."""
    time_machine.move_to("2026-12-01 09:00:00+09:00", tick=False)
    waiting = GroupFactory(pending=True, name="待っている会", themes=[])
    earlier = waiting.submitted_at
    text = (
        "ID,団体名,ふりがな,法人格,登録番号,登録日\r\n"
        ",取り込んだ会,とりこんだかい,任意団体,,\r\n"
        ",登録済みの会,とうろくずみのかい,任意団体,R6-0007,2024/5/1\r\n"
        f"{waiting.pk},待っている会,まっているかい,任意団体,,\r\n"
    )
    preview = csv_io.parse(text.encode("utf-8"))
    assert preview.is_valid, [r.errors for r in preview.rows]
    csv_io.import_rows(preview=preview, staff=staff_user)
    imported = Group.objects.get(name="取り込んだ会")
    assert imported.status == GroupStatus.PENDING
    assert imported.submitted_at == dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
    assert Group.objects.get(name="登録済みの会").submitted_at is None
    waiting.refresh_from_db()
    assert waiting.submitted_at == earlier


def test_every_bad_row_is_listed_with_japanese_reasons_and_nothing_is_saved(staff_user):
    preview = csv_io.parse((HEADER + GOOD_ROWS + BAD_ROWS).encode("cp932"))
    assert not preview.is_valid
    bad = {row.line: " / ".join(row.errors) for row in preview.bad_rows}
    assert sorted(bad) == [4, 5, 6, 7]
    assert "団体名が空です" in bad[4]
    assert "法人番号" in bad[5] and "確認用の数字" in bad[5]
    assert "活動分野「宇宙開発」が見つかりません" in bad[6] and "活動地域「火星」が見つかりません" in bad[6]
    assert "法人格「株式会社」" in bad[7] and "メールアドレス" in bad[7] and "公開・非公開" in bad[7]
    assert "登録日" in bad[7]
    with pytest.raises(Exception):  # noqa: B017
        csv_io.import_rows(preview=preview, staff=staff_user)
    assert not Group.objects.exists()


def test_registration_dates_in_the_japanese_calendar_are_read(staff_user):
    """登録日 kept in a city ledger as 令和7年4月1日 or R7.4.1 are read as the dates they name."""
    text = (
        "団体名,ふりがな,法人格,登録番号,登録日\r\n"
        "令和の会,れいわのかい,任意団体,R7-0001,令和7年4月1日\r\n"
        "略記の会,りゃっきのかい,任意団体,R7-0002,R7.4.1\r\n"
        "平成の会,へいせいのかい,任意団体,H31-0001,平成31年4月30日\r\n"
        "元年の会,がんねんのかい,任意団体,R1-0001,令和元年5月1日\r\n"
    )
    preview = csv_io.parse(text.encode("cp932"))
    assert preview.is_valid, [r.errors for r in preview.rows]
    csv_io.import_rows(preview=preview, staff=staff_user)
    assert dict(Group.objects.values_list("name", "registered_on")) == {
        "令和の会": dt.date(2025, 4, 1),
        "略記の会": dt.date(2025, 4, 1),
        "平成の会": dt.date(2019, 4, 30),
        "元年の会": dt.date(2019, 5, 1),
    }


@pytest.mark.parametrize("typed", ["平成31年5月1日", "令和7年2月30日", "R7年度"])
def test_a_registration_date_that_is_no_day_is_named_with_its_row_and_column(typed):
    text = (
        "団体名,ふりがな,法人格,登録番号,登録日\r\n"
        "よめる会,よめるかい,任意団体,R7-0001,R7.4.1\r\n"
        f"よめない会,よめないかい,任意団体,R7-0002,{typed}\r\n"
    )
    preview = csv_io.parse(text.encode("utf-8"))
    assert not preview.is_valid
    assert [(row.line, row.errors) for row in preview.bad_rows] == [
        (3, [f"登録日「{typed}」は日付として読めません（例: 2025/4/1、令和7年4月1日、R7.4.1）。"])
    ]


def test_themes_and_areas_are_found_in_any_spelling_of_the_search_synonyms():
    """活動分野 typed 「こどもの健全育成」 is the theme 「子どもの健全育成」 (子ども/こども/子供 are one
    word for search), and 「西ヶ丘」 is the area 「西ケ丘」."""
    AreaFactory(name="西ケ丘")
    text = (
        "団体名,ふりがな,法人格,活動分野,活動地域\r\n"
        "みらいの会,みらいのかい,任意団体,こどもの健全育成,西ヶ丘\r\n"
    )
    preview = csv_io.parse(text.encode("cp932"))
    assert preview.is_valid, [r.errors for r in preview.rows]
    (row,) = preview.rows
    assert [str(theme) for theme in row.themes] == ["子どもの健全育成"]
    assert [area.name for area in row.areas] == ["西ケ丘"]


def test_a_group_whose_name_differs_only_by_a_synonym_is_a_duplicate_for_staff_to_choose(staff_user):
    """「ささえあいこども食堂」 in the file and 「ささえあい子ども食堂」 registered may be one group (the
    duplicate check of applications says so too): the row waits for staff to choose, it is not
    silently a second group."""
    registered = GroupFactory(name="ささえあい子ども食堂", name_kana="ささえあいこどもしょくどう")
    text = "団体名,ふりがな,法人格\r\nささえあい こども食堂,ささえあいこどもしょくどう,任意団体\r\n"
    preview = csv_io.parse(text.encode("utf-8"))
    (row,) = preview.rows
    assert row.is_duplicate and row.candidates == [registered]
    assert "ささえあい子ども食堂" in row.duplicate_reason
    assert [value for value, _label in row.choices()] == ["skip", f"group-{registered.pk}", "new"]
    csv_io.import_rows(preview=preview, staff=staff_user)
    assert Group.objects.count() == 1


def test_two_new_rows_whose_names_differ_only_by_a_synonym_are_duplicates():
    text = (
        "団体名,ふりがな,法人格\r\n"
        "みなと子ども食堂,みなとこどもしょくどう,任意団体\r\n"
        "みなと こども食堂,みなとこどもしょくどう,任意団体\r\n"
    )
    preview = csv_io.parse(text.encode("utf-8"))
    assert [(row.line, row.duplicate_lines) for row in preview.duplicate_rows] == [(2, [3]), (3, [2])]


def test_headers_are_read_in_katakana_half_width_and_with_spaces():
    """「フリガナ」 (as spreadsheets often head the column), 「ﾒｰﾙｱﾄﾞﾚｽ」 and 「団体 名」 are the
    columns ふりがな, メールアドレス and 団体名."""
    text = "団体 名,フリガナ,法人格,ﾒｰﾙｱﾄﾞﾚｽ\r\nみだしの会,みだしのかい,任意団体,midashi@example.jp\r\n"
    preview = csv_io.parse(text.encode("cp932"))
    assert preview.is_valid, preview.file_errors
    assert preview.rows[0].values["name_kana"] == "みだしのかい"
    assert preview.rows[0].values["email"] == "midashi@example.jp"
    repeated = csv_io.parse("団体名,ふりがな,フリガナ\r\nみだしの会,みだしのかい,みだしのかい\r\n".encode())
    assert repeated.file_errors == ["同じ見出しが2回あります: ふりがな。"]


def test_a_tab_separated_file_is_read_as_excel_saves_it():
    """Excel's 「テキスト（タブ区切り）」 saves the same table with tabs between the cells."""
    text = "団体名\tふりがな\t法人格\t活動分野\r\nタブの会\tたぶのかい\t任意団体\tまちづくり;環境の保全\r\n"
    preview = csv_io.parse(text.encode("cp932"))
    assert preview.is_valid, preview.file_errors
    (row,) = preview.rows
    assert (row.values["name"], row.values["name_kana"]) == ("タブの会", "たぶのかい")
    assert len(row.themes) == 2


def test_unknown_or_missing_headers_are_file_errors():
    preview = csv_io.parse("ふりがな,好きな色\r\nあのかい,赤\r\n".encode())
    assert not preview.is_valid
    text = " ".join(preview.file_errors)
    assert "好きな色" in text and "必要な見出しがありません: 団体名" in text


def test_undecodable_bytes_are_a_file_error():
    preview = csv_io.parse(b"\xff\xfe\x00\x81\x00bad")
    assert preview.file_errors and "文字コード" in preview.file_errors[0]


def test_export_is_utf8_with_bom_and_round_trips(staff_user):
    """Excel opens the export (BOM); importing it again updates the same groups (by ID)."""
    group = GroupFactory(
        name="往復の会", name_kana="おうふくのかい", areas=[AreaFactory(name="本町")], email_public=True
    )
    data = csv_io.export_csv(csv_io.iter_for_export(Group.objects.all()))
    assert data.startswith("\ufeffID,登録番号,登録日,登録状況,団体名")
    rows = list(csv.DictReader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows[0]["団体名"] == "往復の会" and rows[0]["メールアドレスの公開"] == "公開"
    edited = data.replace("往復の会", "往復の会（改）")
    preview = csv_io.parse(edited.encode("utf-8"))
    assert preview.is_valid, [r.errors for r in preview.rows]
    assert preview.rows[0].group == group
    csv_io.import_rows(preview=preview, staff=staff_user)
    group.refresh_from_db()
    assert group.name == "往復の会（改）" and Group.objects.count() == 1


def test_import_pages_preview_then_confirm(client_for, staff_user):
    c = client_for(staff_user)
    assert "令和7年4月1日、R7.4.1" in c.get(reverse("groups:staff_import")).content.decode()
    bad = SimpleUploadedFile("bad.csv", (HEADER + GOOD_ROWS + BAD_ROWS).encode("cp932"), "text/csv")
    html = c.post(reverse("groups:staff_import"), {"file": bad}).content.decode()
    assert "エラーのある行が4行あります。何も保存していません。" in html
    assert "7行目" in html and "確認用の数字" in html
    assert not Group.objects.exists()
    good = SimpleUploadedFile("good.csv", ("\ufeff" + HEADER + GOOD_ROWS).encode("utf-8"), "text/csv")
    response = c.post(reverse("groups:staff_import"), {"file": good})
    token = response.context["token"]
    assert token and not Group.objects.exists()  # the preview saves nothing
    c.post(reverse("groups:staff_import_confirm"), {"token": token})
    assert Group.objects.count() == 2
    # The same token cannot be used twice.
    c.post(reverse("groups:staff_import_confirm"), {"token": token})
    assert Group.objects.count() == 2


def _previewed_import(client):
    good = SimpleUploadedFile("good.csv", (HEADER + GOOD_ROWS).encode("utf-8"), "text/csv")
    return client.post(reverse("groups:staff_import"), {"file": good}).context["token"]


def test_a_second_confirm_while_the_first_is_importing_is_refused_by_the_claim(
    client_for, staff_user, monkeypatch
):
    """A double click sends the same token while the first request is still saving (its session
    still holds the token): only the request that claimed the file imports it; the other saves
    nothing and says the file is being or was imported."""
    c = client_for(staff_user)
    token = _previewed_import(c)
    confirm = reverse("groups:staff_import_confirm")
    real_import_rows = csv_io.import_rows
    seconds = []

    def import_rows_while_a_second_confirm_arrives(**kwargs):
        if not seconds:
            seconds.append(None)
            seconds[0] = c.post(confirm, {"token": token}, follow=True)
        return real_import_rows(**kwargs)

    monkeypatch.setattr(csv_io, "import_rows", import_rows_while_a_second_confirm_arrives)
    first = c.post(confirm, {"token": token})
    assert first.status_code == 302
    assert Group.objects.count() == 2
    second = seconds[0]
    assert second.redirect_chain[-1][0] == reverse("groups:staff_queue")
    assert "このファイルは取り込み中か、すでに取り込み済みです" in second.content.decode()
    # A later repeat (the page reloaded after the import) saves nothing either.
    third = c.post(confirm, {"token": token}, follow=True)
    assert Group.objects.count() == 2
    assert third.status_code == 200


def test_a_confirm_that_saves_nothing_gives_up_its_claim(client_for, staff_user, monkeypatch):
    """A confirm refused while saving (the preview is shown again, nothing saved) does not keep
    the file claimed: confirming it once more imports it."""
    c = client_for(staff_user)
    token = _previewed_import(c)
    confirm = reverse("groups:staff_import_confirm")
    real_import_rows = csv_io.import_rows

    def refused(**kwargs):
        raise ValidationError("3行目: 登録にできません。")

    monkeypatch.setattr(csv_io, "import_rows", refused)
    assert c.post(confirm, {"token": token}).status_code == 400
    monkeypatch.setattr(csv_io, "import_rows", real_import_rows)
    assert c.post(confirm, {"token": token}).status_code == 302
    assert Group.objects.count() == 2


def test_the_confirm_button_is_sent_once(client_for, staff_user):
    """The 取り込む form is marked for static/js/site.js to ignore a second click."""
    c = client_for(staff_user)
    good = SimpleUploadedFile("good.csv", (HEADER + GOOD_ROWS).encode("utf-8"), "text/csv")
    html = c.post(reverse("groups:staff_import"), {"file": good}).content.decode()
    confirm = reverse("groups:staff_import_confirm")
    assert f'action="{confirm}" data-submit-once' in html


def test_staff_export_download(client_for, staff_user):
    GroupFactory(name="書き出しの会")
    response = client_for(staff_user).get(reverse("groups:staff_export"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    assert "書き出しの会" in response.content.decode("utf-8-sig")


def test_years_in_the_japanese_calendar_are_read():
    """設立年 and 最終更新年度 as a city ledger writes them (平成27年, 令和6年度, R6) are read as the
    years they name; a year its era never had is refused with the row and the column."""
    ledger = [("平成27年", "令和6年度"), ("H27", "R6"), ("令和元年", "平成31年度"), ("平成32年", "2024")]
    text = "団体名,ふりがな,法人格,設立年,最終更新年度\r\n" + "".join(
        f"{kana}の会,{kana}のかい,任意団体,{founded},{renewed}\r\n"
        for kana, (founded, renewed) in zip("いろはに", ledger, strict=True)
    )
    preview = csv_io.parse(text.encode("cp932"))
    read = [(row.values["founded_year"], row.values["last_renewed_fiscal_year"]) for row in preview.rows[:3]]
    assert read == [(2015, 2024), (2015, 2024), (2019, 2019)]
    assert [row.line for row in preview.bad_rows] == [5]
    assert preview.bad_rows[0].errors[0].startswith("設立年「平成32年」は")


def test_counts_and_years_are_read_as_typed_in_excel_and_a_range_is_refused():
    """会員数 and 設立年: full-width digits and thousands separators are read; a range (10-20) or a
    negative number is an error in words, not imported as 1020 members or 5."""
    header = "団体名,ふりがな,法人格,設立年,会員数\r\n"
    rows = (
        '一の会,いちのかい,任意団体,２０１５,"1,200"\r\n'
        "二の会,にのかい,任意団体,2015,10-20\r\n"
        "三の会,さんのかい,任意団体,2015,-5\r\n"
        "四の会,よんのかい,任意団体,2015-2016,5\r\n"
    )
    preview = csv_io.parse((header + rows).encode("utf-8"))
    first, *others = preview.rows
    assert not first.errors
    assert (first.values["founded_year"], first.values["member_count"]) == (2015, 1200)
    assert ["会員数「10-20」" in " ".join(row.errors) for row in others] == [True, False, False]
    assert "会員数「-5」は0〜100000の数字で入力してください。" in others[1].errors
    assert any(error.startswith("設立年「2015-2016」") for error in others[2].errors)
