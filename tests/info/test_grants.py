"""Grants and support programs: the public list, its filters, the archive, who may post and edit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from info import services
from info.models import Grant
from tests.groups.factories import GroupFactory
from tests.info.conftest import TODAY
from tests.info.factories import GrantFactory

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [grant.title for grant in response.context["page_obj"].object_list]


def test_list_shows_open_grants_soonest_deadline_first_and_archives_past_ones(client, frozen):
    GrantFactory(title="来月締切", closes_on=TODAY + dt.timedelta(days=40))
    GrantFactory(title="随時", closes_on=None)
    GrantFactory(title="明日締切", closes_on=TODAY + dt.timedelta(days=1))
    GrantFactory(title="今日締切", closes_on=TODAY)
    GrantFactory(title="昨日締切", closes_on=TODAY - dt.timedelta(days=1))
    GrantFactory(title="非公開", hidden=True)

    response = client.get(reverse("info:grant_list"))

    assert titles(response) == ["今日締切", "明日締切", "来月締切", "随時"]
    detail = {
        grant.title: client.get(reverse("info:grant_detail", args=[grant.pk])).content.decode()
        for grant in Grant.objects.filter(title__in=["今日締切", "明日締切"])
    }
    assert "（今日が締切です）" in detail["今日締切"] and "あと0日" not in detail["今日締切"]
    assert "（あと1日）" in detail["明日締切"]
    archive = client.get(reverse("info:grant_archive"))
    assert [g.title for g in archive.context["page_obj"].object_list] == ["昨日締切"]
    assert (
        client.get(reverse("info:grant_detail", args=[Grant.objects.get(title="非公開").pk])).status_code
        == 404
    )


def test_filters_by_theme_legal_form_amount_and_closing_soon(client, frozen, kosodate, kankyo):
    GrantFactory(title="子ども・NPOのみ・50万", themes=[kosodate], legal_forms=",npo,", amount_max=500_000)
    GrantFactory(title="環境・誰でも・10万", themes=[kankyo], amount_max=100_000)
    GrantFactory(title="分野不問・任意団体・上限なし", legal_forms=",voluntary,", amount_max=None)
    GrantFactory(title="子ども・締切間近", themes=[kosodate], closes_on=TODAY + dt.timedelta(days=10))

    def filtered(**params):
        return sorted(titles(client.get(reverse("info:grant_list"), params)))

    assert filtered(theme=kosodate.pk) == [
        "分野不問・任意団体・上限なし",
        "子ども・NPOのみ・50万",
        "子ども・締切間近",
    ]
    assert filtered(legal_form="voluntary") == [
        "分野不問・任意団体・上限なし",
        "子ども・締切間近",
        "環境・誰でも・10万",
    ]
    assert filtered(amount="500000") == ["分野不問・任意団体・上限なし", "子ども・NPOのみ・50万"]
    assert filtered(soon="on") == ["子ども・締切間近"]


def test_an_invalid_filter_is_an_error_not_every_grant(client, frozen):
    GrantFactory()
    response = client.get(reverse("info:grant_list"), {"amount": "すべて見せて"})
    assert response.status_code == 400
    assert response.context["page_obj"] is None
    assert "正しく選択してください" in response.content.decode()


@pytest.mark.parametrize("value", ["maybe", "はい", "2", "on " * 20])
def test_a_bogus_closing_soon_value_is_an_error_not_a_ticked_box(client, frozen, value):
    """?soon=maybe is neither ticked nor unticked: the page says so in Japanese, lists nothing
    and leaves the box unticked (Django's checkbox read any such value as ticked)."""
    GrantFactory(title="締切間近", closes_on=TODAY + dt.timedelta(days=3))
    GrantFactory(title="来年締切", closes_on=TODAY + dt.timedelta(days=300))

    response = client.get(reverse("info:grant_list"), {"soon": value})

    assert response.status_code == 400
    assert response.context["page_obj"] is None
    page = response.content.decode()
    assert "は選べません。チェックを入れるか外して探してください。" in page
    assert 'name="soon" id="id_soon" checked' not in page and 'name="soon" checked' not in page


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("on", ["締切間近"]),
        ("1", ["締切間近"]),
        ("true", ["締切間近"]),
        ("", ["来年締切", "締切間近"]),
        ("0", ["来年締切", "締切間近"]),
        ("false", ["来年締切", "締切間近"]),
    ],
)
def test_closing_soon_reads_the_values_a_checkbox_or_a_link_sends(client, frozen, value, found):
    GrantFactory(title="締切間近", closes_on=TODAY + dt.timedelta(days=3))
    GrantFactory(title="来年締切", closes_on=TODAY + dt.timedelta(days=300))
    response = client.get(reverse("info:grant_list"), {"soon": value})
    assert response.status_code == 200
    assert sorted(titles(response)) == found
    # An unticked box is no condition: no chip to remove it, the list under its usual heading.
    page = response.content.decode()
    assert ("この条件を外す" in page) is (len(found) == 1)
    assert ("受付中・受付予定</h2>" in page) is (len(found) == 2)


@pytest.mark.parametrize(
    ("keyword", "found"),
    [
        ("西ヶ丘", ["西ケ丘 子ども食堂応援助成"]),  # ヶ/ケ
        ("こども食堂", ["西ケ丘 子ども食堂応援助成"]),  # 子ども/こども
        ("ｺﾄﾞﾓ", ["西ケ丘 子ども食堂応援助成"]),  # half-width katakana
        ("ＮＰＯ基金", ["防災まちづくり助成"]),  # the provider, full width
        ("チラシ", ["防災まちづくり助成"]),  # the summary, written in half width
        ("防災　チラシ", ["防災まちづくり助成"]),  # every word, a full-width space between
        ("防災 子ども", []),
    ],
)
def test_keyword_finds_a_grant_however_its_words_are_typed(client, frozen, keyword, found):
    GrantFactory(title="西ケ丘 子ども食堂応援助成", provider="みらい市 子ども家庭支援課")
    GrantFactory(
        title="防災まちづくり助成", provider="みらいNPO基金", summary="防災ﾁﾗｼの印刷費を助成します。"
    )
    GrantFactory(title="締切を過ぎた子ども食堂助成", closes_on=TODAY - dt.timedelta(days=1))

    response = client.get(reverse("info:grant_list"), {"q": keyword})

    assert response.status_code == 200
    assert titles(response) == found


def test_a_keyword_of_symbols_only_is_an_error_not_every_grant(client, frozen):
    GrantFactory()
    response = client.get(reverse("info:grant_list"), {"q": "・・"})
    assert response.status_code == 400
    assert "記号だけでは検索できません" in response.content.decode()


def test_an_edited_grant_is_found_by_its_new_words(client, frozen, staff_user):
    grant = GrantFactory(title="市民活動応援補助金")
    services.grant_update(grant=grant, title="ボランティア団体応援補助金")
    assert titles(client.get(reverse("info:grant_list"), {"q": "ボランティア"})) == [
        "ボランティア団体応援補助金"
    ]
    assert titles(client.get(reverse("info:grant_list"), {"q": "市民活動"})) == []


@pytest.mark.parametrize("size", [2, 12])
def test_list_takes_the_same_number_of_queries_at_two_sizes(
    client, frozen, kosodate, kankyo, size, django_assert_num_queries
):
    for n in range(size):
        GrantFactory(themes=[kosodate, kankyo], closes_on=TODAY + dt.timedelta(days=n))
    with django_assert_num_queries(4):  # theme choices, count, page, themes
        response = client.get(reverse("info:grant_list"), {"legal_form": "npo"})
    assert len(titles(response)) == size
    client.get(reverse("info:grant_list"), {"q": "補助金"})  # the synonym table, read once and cached
    with django_assert_num_queries(4):  # the keyword is one more condition of the same queries
        response = client.get(reverse("info:grant_list"), {"q": "応援 補助金", "soon": "on"})
    assert len(titles(response)) == size


def test_official_posts_for_own_department_and_edits_only_its_grants(
    client_for, official_user, staff_user, frozen
):
    own = official_user.departments.get()
    from core.models import Department

    other = Department.objects.create(name="防災課", name_kana="ぼうさいか")
    client = client_for(official_user)
    form = client.get(reverse("info:grant_create")).context["form"]
    assert list(form.fields["department"].queryset) == [own]

    response = client.post(
        reverse("info:grant_create"),
        {
            "provider": "みらい市 子ども家庭支援課",
            "title": "子どもの居場所づくり補助金",
            "summary": "子ども食堂の立ち上げを支援します。",
            "amount_max": "300000",
            "legal_forms": ["npo", "voluntary"],
            "closes_on": "2026-07-31",
            "department": own.pk,
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    grant = Grant.objects.get(title="子どもの居場所づくり補助金")
    assert grant.legal_form_list == ["npo", "voluntary"]
    assert grant.created_by == official_user
    assert grant.published_at is not None

    others = GrantFactory(department=other)
    assert client.get(reverse("info:grant_edit", args=[grant.pk])).status_code == 200
    assert client.get(reverse("info:grant_edit", args=[others.pk])).status_code == 403
    assert client_for(staff_user).get(reverse("info:grant_edit", args=[others.pk])).status_code == 200


def test_invalid_grant_input_keeps_what_was_typed_and_says_why_in_japanese(client_for, staff_user, frozen):
    """Amounts or a period out of order are said beside 金額（上限） / 締切日, where the mistake
    is, not only above the form."""
    response = client_for(staff_user).post(
        reverse("info:grant_create"),
        {
            "provider": "みらい財団",
            "title": "逆転した金額",
            "summary": "内容",
            "amount_min": "500000",
            "amount_max": "10万円",
            "opens_on": "2026-08-01",
            "closes_on": "2026-07-31",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "金額の下限は上限以下にしてください。" in page
    assert 'value="逆転した金額"' in page
    errors = response.context["form"].errors
    assert errors["amount_max"] == ["金額の下限は上限以下にしてください。"]
    assert errors["closes_on"] == ["締切日は受付開始日より後にしてください。"]
    assert "__all__" not in errors
    assert not Grant.objects.exists()


def test_a_group_page_and_mypage_show_the_grants_that_fit_the_group(
    client_for, make_user, frozen, kosodate, kankyo
):
    owner = make_user(email="owner@example.jp")
    group = GroupFactory(themes=[kosodate], legal_form="npo", owner=owner, founded_year=2025)
    GrantFactory(title="子ども向け", themes=[kosodate])
    GrantFactory(title="環境向け", themes=[kankyo])
    GrantFactory(title="任意団体だけ", legal_forms=",voluntary,")
    GrantFactory(title="5年以上の活動", min_years_active=5)
    GrantFactory(title="締切済み", closes_on=TODAY - dt.timedelta(days=1))

    page = client_for(owner).get(group.get_absolute_url()).content.decode()
    assert "この団体に合いそうな助成金" in page
    assert "子ども向け" in page
    for title in ("環境向け", "任意団体だけ", "5年以上の活動", "締切済み"):
        assert title not in page
    mypage = client_for(owner).get(reverse("core:mypage")).content.decode()
    assert "団体に合いそうな助成金" in mypage and "子ども向け" in mypage and "環境向け" not in mypage


def test_amounts_out_of_order_are_refused_by_the_service(staff_user):
    with pytest.raises(Exception) as error:
        services.grant_create(
            user=staff_user, provider="財団", title="x", summary="y", amount_min=9, amount_max=1
        )
    assert "金額の下限は上限以下" in str(error.value)


def test_a_grants_title_and_provider_are_stored_tidied_as_a_groups_name(staff_user):
    """Half-width katakana in full width, full-width letters in half width, spaces tidied."""
    grant = services.grant_create(
        user=staff_user, provider="ﾐﾗｲ財団", title="ＮＰＯ　 活動応援助成 ", summary="ＮＰＯ向け"
    )
    grant.refresh_from_db()
    assert grant.provider == "ミライ財団"
    assert grant.title == "NPO 活動応援助成"
    assert grant.summary == "ＮＰＯ向け"  # text as written stays as written
    services.grant_update(grant=grant, provider="ＮＰＯ法人ﾐﾗｲ")
    grant.refresh_from_db()
    assert grant.provider == "NPO法人ミライ"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("１０万円", 100_000),
        ("30万", 300_000),
        ("2.5万円", 25_000),
        ("1,000,000円", 1_000_000),
        ("１，２００，０００", 1_200_000),
        (" 500000 ", 500_000),
        ("1億円", 100_000_000),
    ],
)
def test_an_amount_is_read_as_written_in_an_announcement(client_for, staff_user, frozen, typed, stored):
    """Amounts copied from a foundation's announcement (full-width digits, 万, 円, commas) are read
    as yen."""
    response = client_for(staff_user).post(
        reverse("info:grant_create"),
        {"provider": "みらい財団", "title": "助成", "summary": "内容", "amount_max": typed},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Grant.objects.get().amount_max == stored


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("99999999999", "金額は10億円以下で入力してください。"),
        ("２０億円", "金額は10億円以下で入力してください。"),
        ("-5", "金額は0円以上で入力してください。"),
        ("十万円", "金額は数字で入力してください（例: 300000、30万円）。"),
        ("1.23456万円", "金額は1円単位で入力してください。"),
    ],
)
def test_an_amount_that_cannot_be_is_refused_in_japanese_and_kept(
    client_for, staff_user, frozen, typed, error
):
    response = client_for(staff_user).post(
        reverse("info:grant_create"),
        {"provider": "みらい財団", "title": "助成", "summary": "内容", "amount_max": typed},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount_max"] == [error]
    assert f'value="{typed}"' in response.content.decode()
    assert not Grant.objects.exists()


def test_the_service_refuses_an_absurd_amount_or_number_of_years(staff_user):
    """The bounds are the model's, so the admin and every other path refuse them too."""
    with pytest.raises(ValidationError) as error:
        services.grant_create(
            user=staff_user,
            provider="財団",
            title="x",
            summary="y",
            amount_max=5_000_000_000,
            min_years_active=500,
        )
    assert set(error.value.message_dict) == {"amount_max", "min_years_active"}
