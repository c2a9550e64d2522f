import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import Theme
from core.text import LEGAL_FORM_WORDS
from groups.models import LEGAL_FORM_OF_SEARCH_WORD, Group, GroupStatus, LegalForm
from matching.models import ExchangeKind, Need
from tests.admin_actions import admin_change_data
from tests.groups.factories import AreaFactory, GroupFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("groups:index")


def names(response) -> list[str]:
    return [g.name for g in response.context["groups"]]


# --- directory ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["ＮＰＯ", "NPO", "npo", "ｎｐｏ"])
def test_keyword_matches_full_and_half_width_latin(client, query):
    GroupFactory(name="みらいＮＰＯサポートセンター", name_kana="みらいえぬぴーおーさぽーとせんたー")
    GroupFactory(name="ひまわり子ども食堂", name_kana="ひまわりこどもしょくどう")
    assert names(client.get(INDEX, {"q": query})) == ["みらいＮＰＯサポートセンター"]


@pytest.mark.parametrize("query", ["こども", "コドモ", "ｺﾄﾞﾓ", "子ども"])
def test_keyword_matches_hiragana_katakana_and_half_width_kana(client, query):
    """こども/コドモ/ｺﾄﾞﾓ find the group through its reading; 子ども through its name."""
    GroupFactory(name="ひまわり子ども食堂", name_kana="ひまわりこどもしょくどう")
    GroupFactory(
        name="みどり環境の会", name_kana="みどりかんきょうのかい", purpose="川の清掃", activities="清掃"
    )
    assert names(client.get(INDEX, {"q": query})) == ["ひまわり子ども食堂"]


@pytest.mark.parametrize("query", ["３丁目", "3丁目"])
def test_keyword_matches_full_and_half_width_digits(client, query):
    GroupFactory(name="本町3丁目見守り隊", name_kana="ほんまちさんちょうめみまもりたい")
    GroupFactory(name="本町4丁目見守り隊", name_kana="ほんまちよんちょうめみまもりたい")
    assert names(client.get(INDEX, {"q": query})) == ["本町3丁目見守り隊"]


@pytest.mark.parametrize(
    "query",
    [
        "NPO法人みどりの風",
        "ＮＰＯ法人　みどりの風",
        "特定非営利活動法人 みどりの風",
        "みどりの風",
        "みどり の風",
    ],
)
def test_keyword_ignores_spaces_and_legal_form_spellings(client, query):
    """However a caller says the name and its 法人格, 「NPO法人 みどりの風」 is found."""
    GroupFactory(name="NPO法人 みどりの風", name_kana="みどりのかぜ")
    GroupFactory(name="NPO法人 みどりの森", name_kana="みどりのもり")
    assert names(client.get(INDEX, {"q": query})) == ["NPO法人 みどりの風"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("NPO法人", ["NPO法人 みどりの風", "ひだまりの会"]),  # written in the name, or only recorded
        ("特定非営利活動法人", ["NPO法人 みどりの風", "ひだまりの会"]),
        ("（株）", ["ハナミズキ"]),
        ("ＮＰＯ法人　ひだまり", ["ひだまりの会"]),  # with a name, the name decides
        ("NPO法人 ハナミズキ", ["ハナミズキ"]),
    ],
)
def test_a_legal_form_alone_finds_the_groups_recorded_with_it(client, query, found):
    """The 法人格 a group records counts when the keyword is a 法人格 alone, written or not."""
    GroupFactory(name="NPO法人 みどりの風", name_kana="みどりのかぜ", legal_form=LegalForm.NPO)
    GroupFactory(name="ひだまりの会", name_kana="ひだまりのかい", legal_form=LegalForm.NPO)
    GroupFactory(name="ハナミズキ", name_kana="はなみずき", legal_form=LegalForm.COMPANY)
    GroupFactory(name="こもれびの会", name_kana="こもれびのかい", legal_form=LegalForm.VOLUNTARY)
    assert sorted(names(client.get(INDEX, {"q": query}))) == sorted(found)


def test_every_legal_form_search_word_is_one_the_search_makes():
    """A key the search never produces (a typo, another spelling) would never match."""
    assert set(LEGAL_FORM_OF_SEARCH_WORD) <= LEGAL_FORM_WORDS
    assert set(LEGAL_FORM_OF_SEARCH_WORD.values()) <= set(LegalForm.values)


@pytest.mark.parametrize("query", ["西ヶ丘", "西ケ丘", "西ヵ丘"])
def test_keyword_folds_small_ke(client, query):
    GroupFactory(name="西ケ丘子ども会", name_kana="にしがおかこどもかい")
    GroupFactory(name="東丘子ども会", name_kana="ひがしおかこどもかい")
    assert names(client.get(INDEX, {"q": query})) == ["西ケ丘子ども会"]


def test_keyword_with_a_synonym_finds_every_spelling_and_says_so(client):
    """The search box's own example 「こども食堂」 finds 子ども食堂 and 子供食堂 and the page says so."""
    GroupFactory(name="ひまわり子ども食堂", name_kana="ひまわりしょくどう")
    GroupFactory(name="あさひ子供食堂", name_kana="あさひしょくどう")
    GroupFactory(name="みどり環境の会", name_kana="みどりかんきょうのかい", purpose="清掃", activities="清掃")
    response = client.get(INDEX, {"q": "こども食堂"})
    assert names(response) == ["あさひ子供食堂", "ひまわり子ども食堂"]
    assert "「こども」は「子ども」「子供」でも検索しました。" in response.content.decode()


def test_staff_extend_the_synonym_table(client):
    from core.models import SearchSynonym

    GroupFactory(name="ゆうやけキッズ", name_kana="ゆうやけきっず")
    assert names(client.get(INDEX, {"q": "ゆうやけ児童"})) == []
    SearchSynonym.objects.create(variants="児童/キッズ")
    assert names(client.get(INDEX, {"q": "ゆうやけ児童"})) == ["ゆうやけキッズ"]


def test_keyword_searches_the_description_too(client):
    GroupFactory(name="あおぞらの会", name_kana="あおぞらのかい", activities="毎月プレーパークを開いています")
    assert names(client.get(INDEX, {"q": "ぷれーぱーく"})) == ["あおぞらの会"]


def test_only_approved_groups_are_listed(client):
    GroupFactory(name="公開の会", name_kana="こうかいのかい")
    for trait in ("draft", "pending", "returned", "paused", "withdrawn"):
        GroupFactory(name=f"{trait}の会", name_kana=f"{trait}", **{trait: True})
    assert names(client.get(INDEX)) == ["公開の会"]


def test_filters_theme_area_legal_form_and_need(client):
    """Each filter narrows the list, and the filters combine (all kept in the query string)."""
    kids = Theme.objects.get(short_name="子どもの健全育成")
    env = Theme.objects.get(short_name="環境の保全")
    honmachi, higashi = AreaFactory(name="本町"), AreaFactory(name="東町")
    a = GroupFactory(
        name="あの会",
        name_kana="あのかい",
        themes=[kids],
        areas=[honmachi],
        legal_form=LegalForm.NPO,
        corporate_number="7000012050002",
    )
    b = GroupFactory(name="いの会", name_kana="いのかい", themes=[kids], areas=[higashi])
    GroupFactory(name="うの会", name_kana="うのかい", themes=[env], areas=[honmachi])
    Need.objects.create(group=a, title="ボランティア募集", kind=ExchangeKind.PEOPLE, is_open=True)
    Need.objects.create(group=b, title="会場募集（終了）", kind=ExchangeKind.VENUE, is_open=False)
    assert names(client.get(INDEX, {"theme": kids.pk})) == ["あの会", "いの会"]
    assert names(client.get(INDEX, {"theme": kids.pk, "area": honmachi.pk})) == ["あの会"]
    assert names(client.get(INDEX, {"legal_form": "npo"})) == ["あの会"]
    assert names(client.get(INDEX, {"need": "people"})) == ["あの会"]
    assert names(client.get(INDEX, {"need": "venue"})) == []


def test_aiueo_order_and_row_index(client):
    """Sorted by reading (not by kanji); the row index links only rows that have groups."""
    GroupFactory(name="湊の会", name_kana="みなとのかい")
    GroupFactory(name="赤坂の会", name_kana="あかさかのかい")
    GroupFactory(name="北野の会", name_kana="キタノノカイ")  # katakana reading sorts with hiragana
    response = client.get(INDEX)
    assert names(response) == ["赤坂の会", "北野の会", "湊の会"]
    rows = dict(response.context["kana_rows"])
    assert rows["あ"] and rows["か"] and rows["ま"] and not rows["さ"]
    assert names(client.get(INDEX, {"row": "か"})) == ["北野の会"]
    html = response.content.decode()
    assert 'href="?row=%E3%81%8B"' in html  # か行 link keeps the query string


def test_directory_is_paginated_and_keeps_the_filters(client):
    GroupFactory.create_batch(25, name_kana="さくら")
    response = client.get(INDEX, {"q": "会", "page": 2})
    assert len(response.context["groups"]) == 5
    html = response.content.decode()
    # The previous page link keeps the keyword; the kana-row links keep it and drop the page.
    assert 'href="?q=%E4%BC%9A&amp;page=1" rel="prev"' in html
    assert 'href="?q=%E4%BC%9A&amp;row=%E3%81%95"' in html


def _count_queries(client, django_assert_num_queries, url, expected):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", [10, 200])
def test_directory_query_count_does_not_grow(client, no_page_cache, django_assert_num_queries, size):
    """Same number of queries for 10 and 200 groups: rows-and-total aggregate, page, themes, areas
    (the theme and district choices come from the cache after the first request)."""
    theme = Theme.objects.get(short_name="子どもの健全育成")
    area = AreaFactory(name="本町")
    GroupFactory.create_batch(size, themes=[theme], areas=[area], purpose="こどもの居場所")
    url = f"{INDEX}?q=こども&theme={theme.pk}&area={area.pk}"
    client.get(url)  # fills the choices cache
    response = _count_queries(client, django_assert_num_queries, url, 4)
    assert len(response.context["groups"]) == min(size, 20)
    assert response.context["page_obj"].paginator.count == size


def test_theme_and_area_choices_follow_staff_edits(client):
    """The cached choices are cleared when staff add a district."""
    client.get(INDEX)
    AreaFactory(name="新しい地区")
    assert "新しい地区" in client.get(INDEX).content.decode()


@pytest.mark.parametrize("size", [10, 200])
def test_group_page_query_count_does_not_grow(
    client, no_page_cache, django_assert_num_queries, monkeypatch, size
):
    """The group page itself: the group, its themes, its areas (sections of other apps left out here)."""
    monkeypatch.setattr("groups.views._related_sections", lambda request, group: [])
    theme = Theme.objects.get(short_name="子どもの健全育成")
    groups = GroupFactory.create_batch(size, themes=[theme], areas=[AreaFactory(name="本町")])
    _count_queries(client, django_assert_num_queries, groups[-1].get_absolute_url(), 3)


def test_group_page_with_other_apps_sections_is_fixed_too(client, no_page_cache):
    """With whatever sections events and projects add, 10 or 200 groups make no difference."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    theme = Theme.objects.get(short_name="子どもの健全育成")
    counts = []
    for size in (10, 190):
        group = GroupFactory.create_batch(size, themes=[theme])[-1]
        with CaptureQueriesContext(connection) as captured:
            assert client.get(group.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_group_page_shows_its_projects_needs_and_offers_and_staff_see_the_history_link(
    client, client_for, staff_user, member
):
    """Other apps' sections: public projects (5, then a link to all), open needs and offers only,
    and the consultation history link for staff alone."""
    from matching.models import ExchangeKind, ProBonoDeliverable
    from tests.matching.factories import NeedFactory, OfferFactory
    from tests.projects.factories import ProjectFactory

    group = GroupFactory(name="みなと子ども食堂")
    for n in range(6):
        ProjectFactory(lead_group=group, title=f"みなと協働事業{n}")
    ProjectFactory(lead_group=group, title="中止した事業", cancelled=True)
    NeedFactory(group=group, title="夏まつりのチラシ制作", deliverable=ProBonoDeliverable.FLYER)
    NeedFactory(group=group, title="締め切ったニーズ", closed=True)
    OfferFactory(group=group, title="調理室の貸し出し", kind=ExchangeKind.VENUE, deliverable="")

    html = client.get(group.get_absolute_url()).content.decode()
    assert html.count("みなと協働事業") == 5 and "中止した事業" not in html
    assert f"/projects/groups/{group.pk}/" in html
    assert "夏まつりのチラシ制作" in html and "調理室の貸し出し" in html and "締め切ったニーズ" not in html
    assert "相談履歴" not in html
    assert "相談履歴" not in client_for(member).get(group.get_absolute_url()).content.decode()
    assert (
        f"/consultations/group/{group.pk}/"
        in client_for(staff_user).get(group.get_absolute_url()).content.decode()
    )


def test_group_page_sections_take_a_fixed_number_of_queries(
    client_for, staff_user, django_assert_num_queries
):
    """More projects, needs and offers add no query (seen by staff, with every section)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.matching.factories import NeedFactory, OfferFactory
    from tests.projects.factories import ProjectFactory

    group = GroupFactory()
    client = client_for(staff_user)
    counts = []
    for more in (1, 6):
        for _ in range(more):
            ProjectFactory(lead_group=group)
            NeedFactory(group=group)
            OfferFactory(group=group)
        client.get(group.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            assert client.get(group.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


# --- group page and privacy --------------------------------------------------------------------------


def test_stranger_sees_no_private_field(client_for, stranger, group):
    """Private contact details (the default) never appear on the page for strangers or visitors."""
    for c in (client_for(stranger),):
        html = c.get(group.get_absolute_url()).content.decode()
        for secret in ("secret-group@example.jp", "000-999-8888", "非公開 太郎", "秘密町"):
            assert secret not in html
        assert group.name in html


def test_anonymous_sees_only_published_contact(client, group):
    group.phone_public = True
    group.save()
    html = client.get(group.get_absolute_url()).content.decode()
    assert "000-999-8888" in html
    assert "secret-group@example.jp" not in html


def test_editor_sees_private_fields(client_for, editor, group):
    html = client_for(editor).get(group.get_absolute_url()).content.decode()
    assert "secret-group@example.jp" in html


def test_unapproved_group_pages_are_hidden_from_strangers(client_for, client, stranger, owner):
    draft = GroupFactory(draft=True, owner=owner)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client_for(stranger).get(draft.get_absolute_url()).status_code == 404


def test_stranger_edits_nothing(client_for, stranger, group):
    """A signed-in stranger cannot open or post any editing page of someone else's group."""
    c = client_for(stranger)
    for name in ("groups:edit", "groups:manage", "groups:renew"):
        assert c.get(reverse(name, args=[group.pk])).status_code in (403, 404), name
    response = c.post(reverse("groups:edit", args=[group.pk]), {"name": "乗っ取り", "action": "save"})
    assert response.status_code in (403, 404)
    assert c.post(reverse("groups:invite", args=[group.pk]), {"email": "x@example.jp"}).status_code in (
        403,
        404,
    )
    assert c.post(reverse("groups:change_status", args=[group.pk, "withdraw"])).status_code in (403, 404)
    group.refresh_from_db()
    assert group.name != "乗っ取り" and group.status == GroupStatus.APPROVED


def test_editor_of_group_a_cannot_touch_group_b(client_for, editor, group, make_user):
    other = GroupFactory(name="別の団体", owner=make_user(email="other-owner@example.jp"))
    c = client_for(editor)
    assert c.get(reverse("groups:edit", args=[group.pk])).status_code == 200
    assert c.get(reverse("groups:edit", args=[other.pk])).status_code == 403
    c.post(reverse("groups:edit", args=[other.pk]), {"name": "書き換え", "action": "save"})
    other.refresh_from_db()
    assert other.name == "別の団体"


def test_staff_pages_are_closed_to_members(client_for, owner, group):
    c = client_for(owner)
    for name in (
        "groups:staff_queue",
        "groups:staff_renewal",
        "groups:staff_import",
        "groups:staff_export",
        "groups:staff_changes",
    ):
        assert c.get(reverse(name)).status_code == 403, name
    assert c.get(reverse("groups:staff_history", args=[group.pk])).status_code == 403


# --- applying ----------------------------------------------------------------------------------------

APPLICATION = {
    "name": "みらい子ども食堂",
    "name_kana": "ミライコドモショクドウ",
    "legal_form": "npo",
    "corporate_number": "７０００－０１２０－５０００２",
    "purpose": "子どもの居場所",
    "email": "kodomo@example.jp",
    "phone": "０００－１２３－４５６７",
    "postal_code": "１０００００１",
}


def test_apply_form_keeps_everything_typed_and_shows_japanese_errors(client_for, stranger):
    c = client_for(stranger)
    data = {**APPLICATION, "corporate_number": "7000012050003", "action": "submit"}
    response = c.post(reverse("groups:apply"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "確認用の数字が一致しません" in html
    assert "活動分野を1つ以上" in html or "この項目は必須です" in html
    assert 'value="みらい子ども食堂"' in html and "子どもの居場所" in html
    assert not Group.objects.exists()


def test_apply_normalises_and_submits(client_for, stranger):
    theme = Theme.objects.get(short_name="子どもの健全育成")
    c = client_for(stranger)
    response = c.post(reverse("groups:apply"), {**APPLICATION, "themes": [theme.pk], "action": "submit"})
    group = Group.objects.get()
    assert response.status_code == 302
    assert group.status == GroupStatus.PENDING
    assert group.name_kana == "みらいこどもしょくどう"
    assert group.corporate_number == "7000012050002"
    assert group.postal_code == "100-0001"
    assert group.phone == "000-123-4567"
    assert group.memberships.get().user == stranger


def test_a_draft_can_be_saved_and_finished_later(client_for, stranger):
    theme = Theme.objects.get(short_name="子どもの健全育成")
    c = client_for(stranger)
    c.post(reverse("groups:apply"), {"name": "途中の会", "action": "draft"})
    group = Group.objects.get()
    assert group.status == GroupStatus.DRAFT
    c.post(
        reverse("groups:edit", args=[group.pk]),
        {**APPLICATION, "name": "途中の会", "themes": [theme.pk], "action": "submit"},
    )
    group.refresh_from_db()
    assert group.status == GroupStatus.PENDING


def test_names_and_address_are_stored_tidy_and_still_found_as_typed(client, client_for, stranger, staff_user):
    """団体名, 代表者名 and 所在地 typed with half-width kana, full-width letters and digits and
    full-width spaces are stored in one spelling, on applying and on editing; the directory still
    finds the group by the name as it was typed."""
    from groups.services import group_approve

    theme = Theme.objects.get(short_name="子どもの健全育成")
    c = client_for(stranger)
    c.post(
        reverse("groups:apply"),
        {
            **APPLICATION,
            "name": "\u3000ＮＰＯ法人　みらい子ども食堂ﾈｯﾄﾜｰｸ\u3000",
            "representative_name": "山田\u3000\u3000花子",
            "address": "みらい市本町１－２－３\u3000\u3000市民活動プラザ",
            "themes": [theme.pk],
            "action": "submit",
        },
    )
    group = Group.objects.get()
    assert group.name == "NPO法人 みらい子ども食堂ネットワーク"
    assert group.representative_name == "山田 花子"
    assert group.address == "みらい市本町1-2-3 市民活動プラザ"

    group_approve(group=group, staff=staff_user)
    c.post(
        reverse("groups:edit", args=[group.pk]),
        {**APPLICATION, "name": group.name, "representative_name": "ｻﾄｳ　ﾖｳｺ", "themes": [theme.pk]},
    )
    group.refresh_from_db()
    assert group.representative_name == "サトウ ヨウコ"
    for query in ("ＮＰＯ法人　みらい子ども食堂ﾈｯﾄﾜｰｸ", "子ども食堂ネットワーク", "ﾈｯﾄﾜｰｸ"):
        assert names(client.get(INDEX, {"q": query})) == ["NPO法人 みらい子ども食堂ネットワーク"], query


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("03（1234）5678", "03-1234-5678"),
        ("(03)1234-5678", "03-1234-5678"),
        ("03–1234–5678", "03-1234-5678"),
    ],
)
def test_the_group_phone_is_stored_by_the_profiles_rule(client_for, stranger, typed, stored):
    response = client_for(stranger).post(
        reverse("groups:apply"), {"name": "電話の会", "phone": typed, "action": "draft"}
    )
    assert response.status_code == 302
    assert Group.objects.get().phone == stored


@pytest.mark.parametrize("typed", ["03-123-456", "0120-12-34", "03(1234)"])
def test_a_group_phone_the_profile_refuses_is_refused(client_for, stranger, typed):
    """Too few digits for a Japanese number (the old group check let 03-123-456 through)."""
    response = client_for(stranger).post(
        reverse("groups:apply"), {"name": "電話の会", "phone": typed, "action": "draft"}
    )
    assert response.status_code == 200
    assert "電話番号は、数字とハイフンで入力してください" in str(response.context["form"].errors["phone"])
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    ("founded_year", "error"),
    [
        ("5", "1868年（明治元年）以降"),
        ("1867", "1868年（明治元年）以降"),
        ("next year", "以前の西暦で入力してください"),
    ],
)
def test_a_founded_year_before_meiji_or_after_this_year_is_refused(client_for, stranger, founded_year, error):
    """設立年 runs from 1868 to this year (the Japan date when it is checked), drafts included."""
    if founded_year == "next year":
        founded_year = str(timezone.localdate().year + 1)
    response = client_for(stranger).post(
        reverse("groups:apply"), {"name": "年の会", "founded_year": founded_year, "action": "draft"}
    )
    assert response.status_code == 200
    assert error in str(response.context["form"].errors["founded_year"])
    assert not Group.objects.exists()


def test_founded_year_bounds_are_1868_and_this_year(client_for, stranger):
    c = client_for(stranger)
    for year in (1868, timezone.localdate().year):
        c.post(reverse("groups:apply"), {"name": f"{year}年の会", "founded_year": year, "action": "draft"})
    assert sorted(Group.objects.values_list("founded_year", flat=True)) == [1868, timezone.localdate().year]


def test_a_member_count_over_100000_is_refused(client_for, stranger):
    c = client_for(stranger)
    response = c.post(
        reverse("groups:apply"), {"name": "大きな会", "member_count": "100001", "action": "draft"}
    )
    assert "会員数は100,000人以下" in str(response.context["form"].errors["member_count"])
    c.post(reverse("groups:apply"), {"name": "大きな会", "member_count": "100000", "action": "draft"})
    assert Group.objects.get().member_count == 100_000


def test_the_model_refuses_what_the_form_refuses(owner):
    """Admin, services and the CSV import clean the model: the same bounds apply there."""
    group = GroupFactory(owner=owner)
    for field, value in (("founded_year", 1867), ("founded_year", timezone.localdate().year + 1)):
        group.founded_year = value
        with pytest.raises(ValidationError) as caught:
            group.full_clean()
        assert field in caught.value.message_dict
    group.founded_year = 2015
    group.member_count = 100_001
    with pytest.raises(ValidationError) as caught:
        group.full_clean()
    assert "member_count" in caught.value.message_dict


def test_the_group_page_shows_the_member_count_with_a_thousands_separator(client, owner):
    group = GroupFactory(owner=owner, member_count=12345, founded_year=1990)
    html = client.get(group.get_absolute_url()).content.decode()
    assert "12,345人" in html and "1990年" in html


def test_submitting_an_incomplete_draft_names_the_button_to_finish_it(client_for, owner):
    """The message points to the button the editors' page really shows."""
    group = GroupFactory(draft=True, owner=owner, name_kana="", themes=[])
    response = client_for(owner).post(reverse("groups:submit", args=[group.pk]), follow=True)
    html = response.content.decode()
    assert "「入力を続ける・申請する」から入力してください" in html
    assert ">入力を続ける・申請する</a>" in html
    group.refresh_from_db()
    assert group.status == GroupStatus.DRAFT


def test_the_queue_is_oldest_application_first_with_undated_ones_after(client_for, staff_user, owner):
    """申請の古い順. An application without 申請日時 (imported before the import dated them) comes
    after those with one, on SQLite as on PostgreSQL, instead of at the top."""
    GroupFactory(
        pending=True, owner=owner, name="二番目の申請", submitted_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    )
    GroupFactory(pending=True, name="日時のない申請", submitted_at=None)
    GroupFactory(
        pending=True, owner=owner, name="一番目の申請", submitted_at=dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
    )
    response = client_for(staff_user).get(reverse("groups:staff_queue"))
    assert names(response) == ["一番目の申請", "二番目の申請", "日時のない申請"]


def test_applications_imported_without_a_date_are_dated_when_they_were_created(time_machine):
    """The migration gives an undated application (the import's) its row's creation time."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("groups.migrations.0008_imported_applications_submitted_at")
    time_machine.move_to("2026-11-15 10:00:00+09:00", tick=False)
    imported = GroupFactory(pending=True, submitted_at=None)
    dated = GroupFactory(pending=True)
    draft = GroupFactory(draft=True)
    time_machine.move_to("2026-12-01 10:00:00+09:00", tick=False)
    migration.date_imported_applications(apps, None)
    for group in (imported, dated, draft):
        group.refresh_from_db()
    assert imported.submitted_at == imported.created_at == dt.datetime(2026, 11, 15, 1, 0, tzinfo=dt.UTC)
    assert dated.submitted_at == dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    assert draft.submitted_at is None


def test_staff_approve_and_return_through_the_queue(
    client_for, staff_user, owner, django_capture_on_commit_callbacks
):
    pending = GroupFactory(pending=True, owner=owner, name="審査待ちの会")
    other = GroupFactory(pending=True, owner=owner, name="差戻しの会")
    c = client_for(staff_user)
    assert "審査待ちの会" in c.get(reverse("groups:staff_queue")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("groups:staff_review", args=[pending.pk]), {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.status == GroupStatus.APPROVED and pending.registration_number
    response = c.post(reverse("groups:staff_review", args=[other.pk]), {"decision": "return", "reason": ""})
    assert "この項目は必須です" in response.content.decode() or "理由" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(
            reverse("groups:staff_review", args=[other.pk]), {"decision": "return", "reason": "写真を添えて"}
        )
    other.refresh_from_db()
    assert other.status == GroupStatus.RETURNED and other.status_reason == "写真を添えて"
    assert "写真を添えて" in mail.outbox[-1].body


def test_returning_without_a_reason_asks_for_it_and_keeps_the_form_as_it_was(client_for, staff_user, owner):
    """The reason is marked 「差し戻すときは必須」 before and after a failed return, its help text
    stays, the message says what is missing; approving needs no reason."""
    pending = GroupFactory(pending=True, owner=owner)
    url = reverse("groups:staff_review", args=[pending.pk])
    c = client_for(staff_user)
    before = c.get(url).content.decode()
    response = c.post(url, {"decision": "return", "reason": "  "})
    after = response.content.decode()
    assert response.status_code == 200
    assert "差し戻す理由を入力してください。申請者にそのままメールで伝わります。" in after
    assert "この項目は必須です" not in after
    for html in (before, after):
        assert "差し戻すときは必須" in html and ">任意<" not in html
        assert "直してほしい点を具体的に書いてください。" in html
    pending.refresh_from_db()
    assert pending.status == GroupStatus.PENDING
    c.post(url, {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.status == GroupStatus.APPROVED


def test_an_approval_refused_says_why_as_a_message(client_for, staff_user, owner):
    pending = GroupFactory(pending=True, owner=owner, name_kana="")
    response = client_for(staff_user).post(
        reverse("groups:staff_review", args=[pending.pk]), {"decision": "approve"}, follow=True
    )
    assert "団体名のふりがなを入力してください。" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == GroupStatus.PENDING


def test_approving_says_the_applicant_was_told_only_when_a_mail_was_queued(
    client_for, staff_user, owner, django_capture_on_commit_callbacks
):
    """An imported application with no editor gets no mail: staff are told no one was told."""
    orphan = GroupFactory(pending=True, name="編集者のいない会")
    applied = GroupFactory(pending=True, owner=owner, name="申請した会")
    c = client_for(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        html = c.post(
            reverse("groups:staff_review", args=[orphan.pk]), {"decision": "approve"}, follow=True
        ).content.decode()
    assert "申請者にメールでお知らせしました" not in html
    assert "メールではお知らせしていません" in html
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        html = c.post(
            reverse("groups:staff_review", args=[applied.pk]), {"decision": "approve"}, follow=True
        ).content.decode()
    assert "申請者にメールでお知らせしました" in html
    assert mail.outbox[-1].to == [owner.email]


def test_admin_actions_call_the_same_services(client_for, make_user, owner):
    from core.roles import Role

    admin_user = make_user(roles=(Role.STAFF,), email="admin-staff@example.jp", is_superuser=True)
    pending = GroupFactory(pending=True, owner=owner)
    c = client_for(admin_user)
    c.post(
        reverse("admin:groups_group_changelist"),
        {"action": "approve_selected", "_selected_action": [pending.pk]},
    )
    pending.refresh_from_db()
    assert pending.status == GroupStatus.APPROVED and pending.registration_number


def test_the_admin_stores_names_and_address_tidy_like_the_portal(client_for, make_user, owner):
    """The admin's own form saves 団体名, 代表者名 and 所在地 in the portal's one spelling."""
    from core.roles import Role

    admin_user = make_user(roles=(Role.STAFF,), email="admin-tidy@example.jp", is_superuser=True)
    group = GroupFactory(owner=owner, name="あおばの会")
    url = reverse("admin:groups_group_change", args=[group.pk])
    c = client_for(admin_user)
    data = admin_change_data(c.get(url)) | {
        "name": "ｱｵﾊﾞの会\u3000",
        "representative_name": "\u3000山田\u3000\u3000花子",
        "address": "みらい市本町１－２－３",
    }
    response = c.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    group.refresh_from_db()
    assert (group.name, group.representative_name, group.address) == (
        "アオバの会",
        "山田 花子",
        "みらい市本町1-2-3",
    )


def test_the_admin_checks_and_stores_the_phone_like_the_portal(client_for, make_user, owner):
    from core.roles import Role

    admin_user = make_user(roles=(Role.STAFF,), email="admin-phone@example.jp", is_superuser=True)
    group = GroupFactory(owner=owner, phone="000-123-4567")
    url = reverse("admin:groups_group_change", args=[group.pk])
    c = client_for(admin_user)
    data = admin_change_data(c.get(url))
    response = c.post(url, data | {"phone": "03-123-456"})
    assert "電話番号は、数字とハイフンで入力してください" in str(response.context["adminform"].form.errors)
    assert c.post(url, data | {"phone": "03（1234）5678"}).status_code == 302
    group.refresh_from_db()
    assert group.phone == "03-1234-5678"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("西ケ丘", ["西ヶ丘見守り隊"]),
        ("西ヶ丘", ["西ヶ丘見守り隊"]),
        ("こども食堂", ["ひまわり子ども食堂"]),
        ("子ども食堂", ["ひまわり子ども食堂"]),
        ("ﾐﾏﾓﾘ", ["西ヶ丘見守り隊"]),
        ("R7-0042", ["ひまわり子ども食堂"]),
        ("7000-0120-50002", ["西ヶ丘見守り隊"]),
    ],
)
def test_admin_search_finds_groups_like_the_directory(client_for, make_user, query, found):
    """However the name is typed (ヶ/ケ, 子ども/こども, widths, kana) the admin finds what the
    public directory finds; the registration number and 法人番号 are found too."""
    from core.roles import Role

    admin_user = make_user(roles=(Role.STAFF,), email="admin-search@example.jp", is_superuser=True)
    GroupFactory(
        name="西ヶ丘見守り隊",
        name_kana="にしがおかみまもりたい",
        corporation=True,
        purpose="登下校の見守り",
        activities="通学路に立ちます",
    )
    GroupFactory(name="ひまわり子ども食堂", name_kana="ひまわりしょくどう", registration_number="R7-0042")
    GroupFactory(name="みどり環境の会", name_kana="みどりかんきょうのかい", purpose="清掃", activities="清掃")
    response = client_for(admin_user).get(reverse("admin:groups_group_changelist"), {"q": query})
    assert sorted(g.name for g in response.context["cl"].result_list) == found


def test_history_page_shows_who_and_what(client_for, staff_user, owner, group):
    from groups.services import group_update

    group_update(group=group, user=owner, fields={"purpose": "新しい目的です"})
    html = client_for(staff_user).get(reverse("groups:staff_history", args=[group.pk])).content.decode()
    assert "新しい目的です" in html and "地域の子どもたちの居場所をつくります。" in html
    assert owner.full_name in html


def test_an_invitation_not_sent_shows_the_same_editors_page_again(client_for, owner, group):
    """An invalid address is shown on the editors' page with everything the page shows otherwise:
    the renewal state and the status actions, not a shorter page."""
    c = client_for(owner)
    page = c.get(reverse("groups:manage", args=[group.pk]))
    response = c.post(reverse("groups:invite", args=[group.pk]), {"email": "not-an-address"})
    assert response.status_code == 400
    assert response.context["invitation_form"].errors
    again = response.content.decode()
    withdraw = reverse("groups:change_status", args=[group.pk, "withdraw"])
    assert withdraw in again and withdraw in page.content.decode()
    assert response.context["needs_renewal"] == page.context["needs_renewal"]
    assert response.context["perms_for_group"] == page.context["perms_for_group"]


# --- contact form ------------------------------------------------------------------------------------

MESSAGE = {"name": "協働 太郎", "email": "taro@example.jp", "body": "見学できますか", "homepage": ""}


def test_contact_form_emails_the_group_without_showing_its_address(
    client, group, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("groups:contact", args=[group.pk]), MESSAGE, follow=True)
    assert "メッセージを送信しました" in response.content.decode()
    assert "secret-group@example.jp" not in response.content.decode()
    sent = mail.outbox[-1]
    assert sent.to == ["secret-group@example.jp"] and sent.reply_to == ["taro@example.jp"]
    assert "見学できますか" in sent.body


def test_an_empty_contact_form_says_what_to_fill_in_naming_each_field(client, group):
    """Not Django's 「この項目は必須です。」 under every field (core.forms.NamedRequiredBoundField)."""
    response = client.post(reverse("groups:contact", args=[group.pk]), {"homepage": ""})
    assert response.status_code == 400
    html = response.content.decode()
    for message in (
        "お名前を入力してください。",
        "返信先のメールアドレスを入力してください。",
        "お問い合わせ内容を入力してください。",
    ):
        assert message in html
    assert "この項目は必須です" not in html


def test_reloading_the_contact_address_after_an_error_goes_back_to_the_form(client, group):
    """A form with errors is shown at /groups/<pk>/contact/: a reload or a bookmark of it (GET)
    goes to the contact section of the group's page, not to an empty 405."""
    url = reverse("groups:contact", args=[group.pk])
    assert client.post(url, {**MESSAGE, "email": "not-an-address"}).status_code == 400
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == group.get_absolute_url() + "#contact-title"


def test_reloading_the_invite_address_after_an_error_goes_back_to_the_editors_page(client_for, owner, group):
    c = client_for(owner)
    url = reverse("groups:invite", args=[group.pk])
    assert c.post(url, {"email": "not-an-address"}).status_code == 400
    response = c.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:manage", args=[group.pk]) + "#members-title"


def test_the_invite_address_still_refuses_a_stranger(client_for, stranger, group):
    assert client_for(stranger).get(reverse("groups:invite", args=[group.pk])).status_code in (403, 404)


def test_a_group_without_public_contact_or_form_does_not_point_to_a_form(client, owner):
    """No public contact and no e-mail (so no contact form): the page does not mention a form."""
    group = GroupFactory(owner=owner, email="", phone="000-999-8888")
    html = client.get(group.get_absolute_url()).content.decode()
    assert "公開している連絡先はありません。" in html
    assert "下のフォームからメッセージを送れます" not in html
    assert 'id="contact-title"' not in html


def test_a_group_with_only_the_form_points_to_it_and_hides_its_address(client, group):
    html = client.get(group.get_absolute_url()).content.decode()
    assert "公開している連絡先はありません。下のフォームからメッセージを送れます。" in html
    assert "（団体のアドレスは表示されません）" in html
    assert "secret-group@example.jp" not in html


def test_a_group_whose_address_is_public_does_not_say_it_is_hidden(client, owner):
    group = GroupFactory(owner=owner, email="open-group@example.jp", email_public=True)
    html = client.get(group.get_absolute_url()).content.decode()
    assert "open-group@example.jp" in html and 'id="contact-title"' in html
    assert "団体のアドレスは表示されません" not in html


def test_contact_honeypot_sends_nothing(client, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("groups:contact", args=[group.pk]), {**MESSAGE, "homepage": "http://spam.example"}
        )
    assert mail.outbox == []


def test_contact_is_rate_limited_per_ip(client, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert client.post(reverse("groups:contact", args=[group.pk]), MESSAGE).status_code == 302
        response = client.post(reverse("groups:contact", args=[group.pk]), MESSAGE)
    assert response.status_code == 429
    assert "一時停止" in response.content.decode()
    assert len(mail.outbox) == 5


def test_contact_is_rate_limited_per_group(client, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(20):
            client.post(reverse("groups:contact", args=[group.pk]), MESSAGE, REMOTE_ADDR=f"10.0.0.{i}")
        response = client.post(reverse("groups:contact", args=[group.pk]), MESSAGE, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429
    assert len(mail.outbox) == 20


# --- open data, mypage, staff links --------------------------------------------------------------------


def test_open_data_has_public_fields_only(client, group):
    group.representative_name_public = True
    group.save()
    GroupFactory(pending=True, name="未公開の会")
    data = client.get(reverse("groups:open_data_json")).json()
    assert [g["name"] for g in data["groups"]] == [group.name]
    record = data["groups"][0]
    assert record["representative_name"] == "非公開 太郎"
    assert record["email"] == "" and record["phone"] == "" and record["address"] == ""
    csv_text = client.get(reverse("groups:open_data_csv")).content.decode("utf-8")
    assert csv_text.startswith("\ufeff登録番号,団体名")
    assert "secret-group@example.jp" not in csv_text and "未公開の会" not in csv_text


def test_mypage_lists_my_groups(client_for, owner, group):
    html = client_for(owner).get(reverse("core:mypage")).content.decode()
    assert group.name in html and reverse("groups:manage", args=[group.pk]) in html


def test_staff_dashboard_shows_the_queue_count(client_for, staff_user):
    GroupFactory.create_batch(2, pending=True)
    html = client_for(staff_user).get(reverse("core:staff_dashboard")).content.decode()
    assert "団体登録の申請（確認待ち）" in html and "2件" in html


def test_home_page_lists_recent_groups(client):
    GroupFactory(name="最近登録の会")
    assert "最近登録の会" in client.get("/").content.decode()


def test_admin_return_action_asks_for_a_reason(
    client_for, make_user, owner, django_capture_on_commit_callbacks
):
    from core.roles import Role

    admin_user = make_user(roles=(Role.STAFF,), email="admin-return@example.jp", is_superuser=True)
    pending = GroupFactory(pending=True, owner=owner)
    c = client_for(admin_user)
    url = reverse("admin:groups_group_changelist")
    response = c.post(url, {"action": "return_selected", "_selected_action": [pending.pk]})
    assert "差し戻す理由" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == GroupStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        c.post(
            url,
            {
                "action": "return_selected",
                "_selected_action": [pending.pk],
                "apply": "1",
                "reason": "連絡先を確認できませんでした",
            },
        )
    pending.refresh_from_db()
    assert pending.status == GroupStatus.RETURNED and pending.status_reason == "連絡先を確認できませんでした"
    assert "連絡先を確認できませんでした" in mail.outbox[-1].body


def test_forged_forwarded_for_does_not_escape_the_ip_limit(
    client, group, settings, django_capture_on_commit_callbacks
):
    """Only the address added by our own proxy (the last one) counts."""
    settings.TRUSTED_PROXY_COUNT = 1
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            client.post(
                reverse("groups:contact", args=[group.pk]),
                MESSAGE,
                HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.9",
            )
        response = client.post(
            reverse("groups:contact", args=[group.pk]), MESSAGE, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9"
        )
    assert response.status_code == 429


def test_an_application_like_a_registered_group_warns_staff_and_the_applicant(client, staff_user):
    """Same 法人番号 or name without 法人格: staff see which group; the applicant only that one may exist."""
    registered = GroupFactory(
        name="NPO法人 みどりの風",
        legal_form=LegalForm.NPO,
        corporate_number="7000012050002",
        email="private@example.jp",
    )
    applicant = GroupFactory(pending=True, name="特定非営利活動法人みどりの風", legal_form=LegalForm.NPO)
    other = GroupFactory(pending=True, name="あおぞらの会")
    client.force_login(staff_user)
    review = client.get(reverse("groups:staff_review", args=[applicant.pk])).content.decode()
    assert "すでに登録されている団体と同じかもしれません" in review and f"ID {registered.pk}" in review
    assert "団体名が同じ" in review
    assert (
        "すでに登録されている団体"
        not in client.get(reverse("groups:staff_review", args=[other.pk])).content.decode()
    )
    same_number = GroupFactory(
        pending=True, name="みどり", legal_form=LegalForm.NPO, corporate_number="7000012050002"
    )
    assert (
        "法人番号が同じ" in client.get(reverse("groups:staff_review", args=[same_number.pk])).content.decode()
    )

    from groups.models import GroupMembership

    owner = GroupMembership.objects.filter(group=applicant).first()
    if owner is None:
        from core.models import User

        user = User.objects.create_user(email="applicant@example.jp", password="x")
        GroupMembership.objects.create(group=applicant, user=user, role=GroupMembership.Role.OWNER)
        owner_user = user
    else:
        owner_user = owner.user
    client.force_login(owner_user)
    page = client.get(reverse("groups:manage", args=[applicant.pk])).content.decode()
    assert "すでにセンターに登録されているかもしれません" in page
    assert "private@example.jp" not in page and registered.registration_number not in page


def test_a_superuser_is_offered_only_what_the_group_s_status_allows(client_for, make_user, group):
    """A superuser counts as centre staff: on an approved group's editors' page, pausing and
    withdrawing, not resuming (the group is not paused) nor applying (it is not a draft)."""
    superuser = make_user(is_superuser=True, is_staff=True)
    response = client_for(superuser).get(reverse("groups:manage", args=[group.pk]))
    assert response.status_code == 200
    assert response.context["perms_for_group"] == {
        "change": True,
        "submit": False,
        "pause": True,
        "resume": False,
        "withdraw": True,
        "recall": False,
        "renew": True,
        "manage_members": True,
    }
    html = response.content.decode()
    assert reverse("groups:change_status", args=[group.pk, "pause"]) in html
    assert reverse("groups:change_status", args=[group.pk, "resume"]) not in html


def test_a_refused_reason_is_shown_on_the_form_with_what_was_typed(client_for, owner, staff_user, make_user):
    """A withdrawal, a return in the queue and the admin's return action with a reason longer than
    the model allows (20,000 characters) show the error next to the reason and keep the text; it
    used to be stored and mailed whole."""
    from core.roles import Role

    approved = GroupFactory(owner=owner)
    pending = GroupFactory(pending=True, owner=owner)
    reason = "活動を終えます" + "。" * 20_000
    response = client_for(owner).post(
        reverse("groups:change_status", args=[approved.pk, "withdraw"]), {"reason": reason}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "20000文字以内で入力してください" in html and reason in html
    response = client_for(staff_user).post(
        reverse("groups:staff_review", args=[pending.pk]), {"decision": "return", "reason": reason}
    )
    assert response.status_code == 200 and "20000文字以内で入力してください" in response.content.decode()
    admin_user = make_user(roles=(Role.STAFF,), email="admin-long@example.jp", is_superuser=True)
    response = client_for(admin_user).post(
        reverse("admin:groups_group_changelist"),
        {"action": "return_selected", "_selected_action": [pending.pk], "apply": "1", "reason": reason},
    )
    assert response.status_code == 200 and "20000文字以内で入力してください" in response.content.decode()
    approved.refresh_from_db()
    pending.refresh_from_db()
    assert approved.status == GroupStatus.APPROVED and pending.status == GroupStatus.PENDING
