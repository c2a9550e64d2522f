"""Pages: who may see and do what, the forms, and a fixed number of queries at two data sizes."""

import pytest
from django.core import mail
from django.urls import reverse

from core.text import search_document
from matching import services
from matching.models import Match, MatchStatus, Need, Offer, PartyRef, ProBonoDeliverable
from tests.forms import assert_refused_keeping_input
from tests.matching.factories import (
    BusinessFactory,
    DepartmentFactory,
    GroupFactory,
    NeedFactory,
    OfferFactory,
)

pytestmark = pytest.mark.django_db


def suggestions_url(party) -> str:
    return reverse("matching:suggestions", args=[PartyRef.of(party).key])


@pytest.fixture
def department(official_user, kodomo):
    from core.models import Department

    department = Department.objects.get(name="子ども家庭支援課")
    department.themes.set([kodomo])
    return department


@pytest.fixture
def actors(make_user, member, editor, business_member, official_user, staff_user):
    return {
        "anonymous": None,
        "stranger": member,
        "group editor": editor,
        "business member": business_member,
        "official": official_user,
        "staff": staff_user,
    }


# --- Permissions matrix -------------------------------------------------------------------------

SUGGESTIONS_MATRIX = {
    # party → who may see its suggestions
    "group": {"group editor", "staff"},
    "business": {"business member", "staff"},
    "department": {"official", "staff"},
    "other department": {"staff"},
}


@pytest.mark.parametrize(
    "actor", ["anonymous", "stranger", "group editor", "business member", "official", "staff"]
)
@pytest.mark.parametrize("party_name", list(SUGGESTIONS_MATRIX))
def test_who_sees_which_suggestions(actor, party_name, actors, client, group, design_company, department):
    """Members see their own group's suggestions, officials their department's, staff all."""
    party = {
        "group": group,
        "business": design_company,
        "department": department,
        "other department": DepartmentFactory(name="環境政策課"),
    }[party_name]
    if actors[actor]:
        client.force_login(actors[actor])
    response = client.get(suggestions_url(party))
    if actor == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif actor in SUGGESTIONS_MATRIX[party_name]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("stranger", False),
        ("business member", False),
        ("official", False),
        ("group editor", True),
        ("staff", True),
    ],
)
def test_only_the_partys_people_and_staff_edit_or_close_a_need(actor, allowed, actors, client, group):
    """Strangers cannot edit or close someone else's need; the group's editors and staff can."""
    need = NeedFactory(group=group, title="元のタイトル")
    client.force_login(actors[actor])
    edit = client.get(reverse("matching:need_edit", args=[need.pk]))
    close = client.post(reverse("matching:need_close", args=[need.pk]), {"is_open": "0"})
    need.refresh_from_db()
    if allowed:
        assert edit.status_code == 200 and close.status_code == 302
        assert need.is_open is False
    else:
        assert edit.status_code == 403 and close.status_code == 403
        assert need.is_open is True


@pytest.mark.parametrize(
    "url_name",
    ["matching:pipeline", "matching:staff_business_queue"],
)
@pytest.mark.parametrize("actor", ["stranger", "group editor", "business member", "official"])
def test_staff_pages_refuse_everyone_else(url_name, actor, actors, client):
    client.force_login(actors[actor])
    assert client.get(reverse(url_name)).status_code == 403


def test_introducing_is_for_staff_only(actors, client, group, design_company):
    url = reverse("matching:introduce", args=[PartyRef.of(group).key, PartyRef.of(design_company).key])
    client.force_login(actors["group editor"])
    assert client.post(url, {"note": "x", "action": "introduce"}).status_code == 403
    assert not Match.objects.exists()


def test_an_unapproved_business_is_shown_only_to_its_members_and_staff(client, actors, business_member):
    business = BusinessFactory(pending=True, members=[business_member])
    url = reverse("matching:business_detail", args=[business.pk])
    assert client.get(url).status_code == 404
    client.force_login(actors["business member"])
    assert "承認すると" in client.get(url).content.decode()


def test_a_closed_need_is_hidden_from_the_public(client, group):
    need = NeedFactory(group=group, closed=True)
    assert client.get(reverse("matching:need_detail", args=[need.pk])).status_code == 404


# --- Forms --------------------------------------------------------------------------------------


def test_a_group_editor_posts_a_need(client, post_item, editor, group, kodomo):
    """The editor posts a need for their group; it is open and theirs."""
    client.force_login(editor)
    response = post_item(
        "need",
        group,
        title="子ども食堂のチラシ制作",
        kind="pro_bono",
        deliverable="flyer",
        themes=[kodomo.pk],
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "matching:need_detail", args=[need.pk]
    )
    assert (need.group, need.is_open, need.deliverable) == (group, True, ProBonoDeliverable.FLYER)


@pytest.mark.parametrize("item", ["need", "offer"])
def test_an_editor_of_several_groups_posts_for_any_of_them(client, post_item, editor, group, item):
    """Not only for the first group of the list (the chosen party was read once per group)."""
    second = GroupFactory(name="中央五丁目見守り隊", editors=[editor])
    third = GroupFactory(name="西ケ丘子ども会", editors=[editor])
    client.force_login(editor)
    for party in (third, second, group):
        response = post_item(item, party, title=f"{party.name}の募集", kind="people")
        assert response.status_code == 302, response.content.decode()[:300]
    model = Need if item == "need" else Offer
    assert {(i.group.name, i.title) for i in model.objects.all()} == {
        (g.name, f"{g.name}の募集") for g in (group, second, third)
    }


def test_bad_input_is_explained_in_japanese_and_nothing_typed_is_lost(client, post_item, editor, group):
    client.force_login(editor)
    response = post_item("need", group, title="会場をさがしています", kind="venue", deliverable="flyer")
    assert_refused_keeping_input(
        response, message="成果物は、種類が「プロボノ」のときだけ選べます。", typed="会場をさがしています"
    )
    assert not Need.objects.exists()


def test_nobody_posts_for_a_party_they_do_not_act_for(client, post_item, editor, group):
    """The party field only offers the person's own parties."""
    other = GroupFactory()
    client.force_login(editor)
    response = post_item("need", other, title="なりすまし", kind="venue")
    assert response.status_code == 200
    assert not Need.objects.exists()


def test_a_person_creates_a_business_profile_and_staff_approve_it(client, member, staff_user):
    client.force_login(member)
    client.post(
        reverse("matching:business_create"),
        {"name": "あおば工務店", "name_kana": "あおばこうむてん", "email": "aoba@example.jp"},
    )
    from matching.models import Business

    business = Business.objects.get(name="あおば工務店")
    assert business.status == "pending" and list(business.members.all()) == [member]
    client.force_login(staff_user)
    queue = client.get(reverse("matching:staff_business_queue")).content.decode()
    assert "あおば工務店" in queue
    client.post(reverse("matching:staff_business_decide", args=[business.pk]), {"decision": "approve"})
    business.refresh_from_db()
    assert business.status == "approved"


def test_staff_introduce_a_suggestion_and_both_are_emailed(
    client, staff_user, group, design_company, django_capture_on_commit_callbacks
):
    need = NeedFactory(group=group, title="チラシ制作")
    offer = OfferFactory(business=design_company, title="チラシ制作/デザイン")
    client.force_login(staff_user)
    url = reverse("matching:introduce", args=[PartyRef.of(design_company).key, PartyRef.of(group).key])
    form = client.get(url).content.decode()
    assert "ニーズ「チラシ制作」↔ 提供「チラシ制作/デザイン」" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"note": "ぜひ一度お話しください。", "need": need.pk, "offer": offer.pk, "action": "introduce"},
        )
    match = Match.objects.get()
    assert response["Location"] == match.get_absolute_url()
    # The party with the need is side A, whichever way round the page was opened.
    assert (match.party_a, match.party_b, match.status) == (group, design_company, MatchStatus.INTRODUCED)
    assert len(mail.outbox) == 2


def test_an_illegal_transition_is_refused_with_a_message(client, staff_user, group, design_company):
    match = services.match_create(party_a=group, party_b=design_company, created_by=staff_user)
    client.force_login(staff_user)
    response = client.post(
        reverse("matching:match_transition", args=[match.pk]), {"to_status": "concluded"}, follow=True
    )
    assert "「提案」から「成立」へは変更できません。" in response.content.decode()
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED


def test_the_pipeline_moves_a_match_and_records_who(client, staff_user, group, design_company):
    match = services.match_create(party_a=group, party_b=design_company, created_by=staff_user)
    services.match_transition(match=match, to_status="introduced", by=staff_user, notify=False)
    client.force_login(staff_user)
    response = client.post(
        reverse("matching:match_transition", args=[match.pk]),
        {"to_status": "negotiating", "next": reverse("matching:pipeline")},
    )
    assert response["Location"] == reverse("matching:pipeline")
    match.refresh_from_db()
    assert match.status == MatchStatus.NEGOTIATING
    assert match.history.last().changed_by == staff_user


# --- Query counts at two sizes ------------------------------------------------------------------


def populate(n, kodomo, honmachi, staff_user):
    for _i in range(n):
        business = BusinessFactory(themes=[kodomo], areas=[honmachi])
        offer = OfferFactory(business=business, themes=[kodomo], areas=[honmachi])
        group = GroupFactory(themes=[kodomo], areas=[honmachi])
        need = NeedFactory(group=group, themes=[kodomo], areas=[honmachi])
        BusinessFactory(pending=True, themes=[kodomo], areas=[honmachi])
        match = services.match_create(
            party_a=group, party_b=business, created_by=staff_user, need=need, offer=offer
        )
        services.match_transition(match=match, to_status="introduced", by=staff_user, notify=False)
        DepartmentFactory(themes=[kodomo])


@pytest.fixture
def page_of(client, django_assert_num_queries):
    def get(url, user, queries):
        if user:
            client.force_login(user)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200
        return response

    return get


@pytest.mark.parametrize("size", [2, 7])
def test_list_and_detail_pages_use_a_fixed_number_of_queries(
    size, page_of, group, editor, design_company, department, staff_user, kodomo, honmachi
):
    """Every matching page takes the same number of queries with a few or more rows."""
    populate(size, kodomo, honmachi, staff_user)
    need = NeedFactory(group=group, themes=[kodomo])
    for _i in range(size):
        NeedFactory(department=department, kind="venue", deliverable="", themes=[kodomo])
    match = Match.objects.first()
    page_of(reverse("matching:index"), None, 6)
    page_of(reverse("matching:index") + "?type=offer&theme=" + str(kodomo.pk), None, 7)
    page_of(reverse("matching:need_detail", args=[need.pk]), None, 3)
    page_of(reverse("matching:business_detail", args=[design_company.pk]), None, 5)
    page_of(reverse("matching:department_detail", args=[department.pk]), None, 5)
    # Signed in: session and user with their roles (2), the person's parties and their suggestions
    # (one party here).
    page_of(suggestions_url(group), editor, 10)
    # The same group's suggestions again: its theme/district ranking now comes from the cache.
    page_of(reverse("matching:index"), editor, 16)
    # The suggestions page again: the ranked list comes from the cache (6 queries fewer).
    page_of(suggestions_url(group), editor, 4)
    # Staff's first page records the session's last-seen time (3: update in a transaction); the
    # next ones, within the minute, do not.
    page_of(reverse("matching:pipeline"), staff_user, 7)
    page_of(reverse("matching:match_detail", args=[match.pk]), staff_user, 4)
    page_of(reverse("matching:staff_business_queue"), staff_user, 6)


def test_an_official_sees_the_partners_for_the_departments_themes(client, official_user, department, group):
    """The official's department page links to its suggestions, which list the group sharing its theme."""
    client.force_login(official_user)
    page = client.get(reverse("matching:department_detail", args=[department.pk])).content.decode()
    assert suggestions_url(department) in page
    suggestions = client.get(suggestions_url(department)).content.decode()
    assert group.name in suggestions
    assert "共通テーマ: 子どもの健全育成" in suggestions


def test_an_event_or_a_consultation_can_be_the_origin_of_a_match(client, staff_user, group, design_company):
    """The introduction form records the event and the consultation the match came from."""
    import datetime as dt

    from consultations.models import Consultation
    from events.models import Event, Program

    program = Program.objects.get(code="networking")
    event = Event.objects.create(program=program, title="企業と団体の交流会")
    consultation = Consultation.objects.create(
        consulted_on=dt.date(2026, 5, 1), staff=staff_user, group=group
    )
    client.force_login(staff_user)
    url = reverse("matching:introduce", args=[PartyRef.of(group).key, PartyRef.of(design_company).key])
    form = client.get(url + f"?consultation={consultation.pk}").content.decode()
    assert f'value="{consultation.pk}"' in form
    client.post(
        url,
        {
            "note": "交流会で出会いました。",
            "program": program.pk,
            "origin_event": event.pk,
            "origin_consultation": consultation.pk,
            "action": "propose",
        },
    )
    match = Match.objects.get()
    assert (match.program, match.origin_event, match.origin_consultation) == (program, event, consultation)
    assert match.status == MatchStatus.PROPOSED
    assert not mail.outbox
    page = client.get(match.get_absolute_url()).content.decode()
    assert "企業と団体の交流会" in page and f"相談記録 No.{consultation.pk}" in page


def test_an_unknown_consultation_number_is_explained(client, staff_user, group, design_company):
    client.force_login(staff_user)
    url = reverse("matching:introduce", args=[PartyRef.of(group).key, PartyRef.of(design_company).key])
    response = client.post(url, {"note": "x", "origin_consultation": 999999, "action": "propose"})
    assert "番号 999999 の相談記録はありません。" in response.content.decode()
    assert not Match.objects.exists()


def test_staff_approve_businesses_from_the_admin_through_the_same_service(client, staff_user):
    """The admin action approves like the staff queue does; the admin lists open without errors."""
    business = BusinessFactory(pending=True)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:matching_business_changelist"),
        {"action": "approve", "_selected_action": [business.pk]},
    )
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.status == "approved"
    for name in ("matching_match", "matching_need", "matching_offer"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_cached_suggestions_follow_every_change(client, group, staff_user):
    """Suggestions are kept in the cache per version of what they are made of: a new offer, a
    business suspended, a match proposed or a group's new theme shows on the next request."""
    from groups.models import GroupStatus
    from matching.models import BusinessStatus

    flyer_need = NeedFactory(group=group, title="チラシ制作", deliverable=ProBonoDeliverable.FLYER)
    client.force_login(staff_user)

    def names():
        return [row.suggestion.candidate.name for row in client.get(suggestions_url(group)).context["rows"]]

    assert names() == []
    printer = BusinessFactory(name="みらい印刷")
    OfferFactory(business=printer, kind=flyer_need.kind, deliverable=flyer_need.deliverable)
    assert names() == ["みらい印刷"]
    neighbour = GroupFactory(name="となりの会", status=GroupStatus.APPROVED)
    assert "となりの会" not in names()
    neighbour.themes.add(*group.themes.all())
    neighbour.areas.add(*group.areas.all())
    assert "となりの会" in names()
    services.match_create(party_a=group, party_b=printer, created_by=staff_user, need=flyer_need)
    rows = client.get(suggestions_url(group)).context["rows"]
    assert [row.match_status for row in rows if row.suggestion.candidate.name == "みらい印刷"] == ["proposed"]
    printer.status = BusinessStatus.INACTIVE
    printer.save()
    assert "みらい印刷" not in names()


def test_the_pipeline_searches_through_the_shared_component(client, staff_user, group, design_company):
    """The shared search component: the keyword first, 年度 and 事業 under 詳しい条件, the result
    line repeating the keyword, each chosen condition removable; other parties' matches left out."""
    import re
    from urllib.parse import parse_qs, urlsplit

    from tests.matching.factories import BusinessFactory

    other = BusinessFactory(name="さくら印刷")
    services.match_create(party_a=group, party_b=design_company, created_by=staff_user)
    services.match_create(party_a=group, party_b=other, created_by=staff_user)
    client.force_login(staff_user)

    everything = client.get(reverse("matching:pipeline")).content.decode()
    assert re.search(r"マッチング <strong>2件</strong>", everything)

    html = client.get(reverse("matching:pipeline"), {"q": "デザイン", "fiscal_year": ""}).content.decode()
    assert "条件をしぼる" in html and "詳しい条件" in html and "絞り込み" not in html
    assert re.search(r"「デザイン」の検索結果 <strong>1件</strong>", html)
    assert "みらいデザイン工房" in html and "さくら印刷" not in html
    chips = dict(re.findall(r'<a class="chip" href="([^"]+)"><span>([^<]+)</span>', html))
    remove_keyword = next(url for url, label in chips.items() if label == "キーワード: デザイン")
    assert "q" not in parse_qs(urlsplit(remove_keyword.replace("&amp;", "&")).query)
    assert not re.search(r'class="badge-(optional|required)"', html)


@pytest.mark.parametrize("value", ["bogus", "offers", "OFFER"])
def test_an_unknown_list_type_is_an_error_not_the_needs(client, no_page_cache, group, value):
    """?type=bogus names no list: the page answers 400 with the reason in Japanese and lists
    nothing, instead of showing the needs as if they had been asked for."""
    NeedFactory(group=group, title="夏祭りの受付ボランティア")
    response = client.get(reverse("matching:index"), {"type": value})
    assert response.status_code == 400
    assert list(response.context["page_obj"]) == []
    page = response.content.decode()
    assert f"「表示する種類」: 「{value}」は選べません。一覧から選んでください。" in page
    assert "夏祭りの受付ボランティア" not in page
    assert f'name="type" value="{value}"' not in page  # searching again does not send it back
    for valid, shown in (("", "夏祭りの受付ボランティア"), ("need", "夏祭りの受付ボランティア")):
        ok = client.get(reverse("matching:index"), {"type": valid})
        assert ok.status_code == 200 and shown in ok.content.decode()
    assert client.get(reverse("matching:index"), {"type": "offer"}).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ABC", {"ＡＢＣ子ども食堂のﾁﾗｼを作ってほしい１２３"}),
        ("123", {"ＡＢＣ子ども食堂のﾁﾗｼを作ってほしい１２３"}),
        ("チラシ", {"ＡＢＣ子ども食堂のﾁﾗｼを作ってほしい１２３", "西ヶ丘こども食堂のチラシ作成"}),
        ("西ケ丘", {"西ヶ丘こども食堂のチラシ作成"}),
        ("子ども食堂", {"ＡＢＣ子ども食堂のﾁﾗｼを作ってほしい１２３", "西ヶ丘こども食堂のチラシ作成"}),
        ("ぽすたー", {"ポスター制作"}),
    ],
)
def test_the_keyword_finds_needs_however_they_were_typed(client, no_page_cache, group, query, expected):
    """Widths, kana, ヶ/ケ and 子ども/こども (a synonym) are one for the needs list, as for groups."""
    titles = ("ＡＢＣ子ども食堂のﾁﾗｼを作ってほしい１２３", "西ヶ丘こども食堂のチラシ作成", "ポスター制作")
    for title in titles:
        NeedFactory(group=group, title=title)
    NeedFactory(group=group, title="会議室を貸してほしい", description="")
    page = client.get(reverse("matching:index"), {"q": query})
    assert {need.title for need in page.context["page_obj"]} == expected


def test_a_need_s_search_text_follows_its_title_and_description(group):
    need = NeedFactory(group=group, title="チラシ", description="")
    need.title = "ﾎﾟｽﾀｰ"
    need.save(update_fields=["title"])
    assert Need.objects.get(pk=need.pk).search_text == "ぽすた"
    # bulk_create (the demo and bench data) makes it too.
    (bulk,) = Need.objects.bulk_create([Need(group=group, title="西ヶ丘の見守り", kind="people")])
    assert Need.objects.get(pk=bulk.pk).search_text == search_document("西ケ丘の見守り") != ""


def test_the_origin_event_select_tells_repeated_events_apart_by_date_newest_first(
    client, staff_user, group, design_company
):
    """A program holds the same event again and again: each 協働カフェ is labelled with the date of
    its first session (2026年11月3日 …), the newest first, an event without dates last; the page
    takes the same number of queries with three events or six."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tests.events.factories import EventFactory

    today = timezone.localdate()

    def cafe(days: int):
        day = today + dt.timedelta(days=days)
        starts_at = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
        EventFactory(title="協働カフェ（交流会）", starts_at=starts_at)
        return f"{day.year}年{day.month}月{day.day}日 協働カフェ（交流会）"

    older, newest, oldest = cafe(-30), cafe(10), cafe(-60)
    EventFactory(title="日程の決まらない講座", sessions=0)
    client.force_login(staff_user)
    url = reverse("matching:introduce", args=[PartyRef.of(group).key, PartyRef.of(design_company).key])

    def page_queries() -> tuple[int, list[str]]:
        client.get(url)  # the first request of a staff session records its last-seen time
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        labels = [str(label) for _value, label in response.context["form"].fields["origin_event"].choices]
        return len(context), labels

    few, labels = page_queries()
    assert labels == ["なし", newest, older, oldest, "日程の決まらない講座（日程未定）"]
    for days in (-90, -120, -150):
        cafe(days)
    more, labels = page_queries()
    assert more == few and len(labels) == 8


def test_introducing_a_business_not_yet_approved_is_refused_on_the_page(
    client, staff_user, group, django_capture_on_commit_callbacks
):
    """The introduce page (opened by its address) says why, keeps the note and sends nothing."""
    pending = BusinessFactory(pending=True, name="承認前商事")
    client.force_login(staff_user)
    url = reverse("matching:introduce", args=[PartyRef.of(group).key, PartyRef.of(pending).key])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "ぜひ一度お話しください。", "action": "introduce"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "「承認前商事」は「承認待ち」のため、マッチング・紹介はできません。" in page
    assert "ぜひ一度お話しください。" in page
    assert not Match.objects.exists()
    assert mail.outbox == []


def test_a_business_phone_number_is_checked_and_stored_like_a_groups(client, member):
    """「０００－１２３－４５６７」 is stored half-width; 「abc」 is refused in Japanese with the input
    kept; a number stored before the rule can be sent back unchanged when other fields change."""
    from matching.models import Business

    client.force_login(member)
    url = reverse("matching:business_create")
    data = {"name": "あおば工務店", "name_kana": "あおばこうむてん", "email": "aoba@example.jp"}
    refused = client.post(url, {**data, "phone": "abc"})
    assert "電話番号は、数字とハイフンで入力してください" in refused.content.decode()
    assert not Business.objects.exists()
    client.post(url, {**data, "phone": "０００－１２３－４５６７"})
    business = Business.objects.get()
    assert business.phone == "000-123-4567"
    Business.objects.filter(pk=business.pk).update(phone="03-123-456")  # stored before the rule
    edit = reverse("matching:business_edit", args=[business.pk])
    client.post(edit, {**data, "industry": "建築", "phone": "03-123-456"})
    business.refresh_from_db()
    assert (business.industry, business.phone) == ("建築", "03-123-456")


def test_a_theme_that_is_not_on_the_list_is_refused_in_the_portals_words(client, editor, group, post_item):
    """A tampered checkbox value (themes=abc) is refused like any choice, not with Django's own
    「“abc” は無効な値です。」, and nothing is saved."""
    client.force_login(editor)
    response = post_item("need", group, title="チラシを作ってほしい", kind="people", themes=["abc"])
    assert response.status_code == 200
    assert response.context["form"].errors["themes"] == ["選べないものが含まれています。選び直してください。"]
    assert not Need.objects.filter(title="チラシを作ってほしい").exists()
