"""The staff page of one person: registrations, attendance, 修了, survey answers, consultations (for
staff allowed to read them) and matches, across fiscal years; the search that leads to it; merging
a duplicate from it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import ConsultationAccessLog
from core.models import Person
from core.roles import Role
from events import services
from events.models import SurveyResponse
from tests.conftest import frozen_clock
from tests.events.factories import EventFactory, PersonFactory, RegistrationFactory, attend

pytestmark = pytest.mark.django_db

JST = zoneinfo.ZoneInfo("Asia/Tokyo")
TODAY = dt.datetime(2026, 6, 15, 10, 0, tzinfo=JST)
on_a_chosen_day = frozen_clock(TODAY)


@pytest.fixture
def consult_staff(make_user):
    from consultations.apps import CONSULTATION_HANDLER_ROLE

    return make_user(roles=(Role.STAFF, CONSULTATION_HANDLER_ROLE), email="consult-staff@example.jp")


def history(person: Person, *, courses: int = 1) -> None:
    """A ミライ対話 in 令和6年度 and `courses` ALP courses in 令和7年度 (4 of 5 sessions attended, 修了,
    a survey answer)."""
    talk = EventFactory(title="ミライ対話 まちのこれから", starts_at=dt.datetime(2024, 10, 5, 14, tzinfo=JST))
    attend(registration=RegistrationFactory(event=talk, person=person), session=talk.sessions.first())
    for n in range(courses):
        course = EventFactory(
            course=True, title=f"ALP {n + 1}期", starts_at=dt.datetime(2025, 5, 10 + n, 10, tzinfo=JST)
        )
        registration = RegistrationFactory(event=course, person=person)
        for session in list(course.sessions.all())[1:]:
            attend(registration=registration, session=session)
        SurveyResponse.objects.create(
            registration=registration, satisfaction=4, comment=f"仲間ができた{n + 1}"
        )


def test_the_page_shows_every_year_with_sessions_completion_and_survey(client, staff_user):
    person = PersonFactory(name="山田 花子", name_kana="やまだ はなこ")
    history(person)
    client.force_login(staff_user)
    body = client.get(reverse("events:staff_person", args=[person.pk])).content.decode()
    assert "山田 花子" in body and "やまだ はなこ" in body
    # Newest fiscal year first, each with its events.
    years = [body.index('<h2 id="fy-2025">令和7年度</h2>'), body.index('<h2 id="fy-2024">令和6年度</h2>')]
    assert years[0] < body.index("ALP 1期") < years[1] < body.index("ミライ対話 まちのこれから")
    assert "4／5回" in body and "第2回 5月17日" in body and "第5回 6月7日" in body
    assert "2025年6月7日" in body  # 修了日: the end of the last session
    registration = person.registrations.get(event__title="ALP 1期")
    assert reverse("events:certificate", args=[registration.pk]) in body
    assert "満足度 4／5" in body and "仲間ができた1" in body
    assert "出席 のべ5回" in body and "修了 1件" in body


def test_the_page_runs_the_same_queries_however_long_the_history(client, staff_user):
    person = PersonFactory()
    history(person, courses=1)
    client.force_login(staff_user)
    url = reverse("events:staff_person", args=[person.pk])
    client.get(url)
    counts = []
    for more in (0, 4):
        if more:
            history(person, courses=more)
            PersonFactory(name=person.name, name_kana=person.name_kana)  # a namesake to merge
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_consultations_are_listed_only_for_staff_allowed_to_read_them_and_the_view_is_logged(
    client, staff_user, consult_staff
):
    from consultations.apps import ACCESS_PERMISSION
    from tests.consultations.factories import ConsultationFactory

    person = PersonFactory()
    consultation = ConsultationFactory(person=person, consulted_on=dt.date(2025, 7, 1))
    url = reverse("events:staff_person", args=[person.pk])
    detail = reverse("consultations:detail", args=[consultation.pk])

    client.force_login(consult_staff)
    assert consult_staff.has_perm(ACCESS_PERMISSION)
    body = client.get(url).content.decode()
    assert detail in body and "相談の記録" in body and "令和7年度" in body
    log = ConsultationAccessLog.objects.get(user=consult_staff)
    assert log.consultation_ids == [consultation.pk]

    # The staff role keeps the permission in the default set-up: take it away for this check.
    from django.contrib.auth.models import Group as RoleGroup

    RoleGroup.objects.get(name=Role.STAFF).permissions.clear()
    client.force_login(staff_user)
    body = client.get(url).content.decode()
    assert detail not in body and "相談の記録" not in body


def test_matches_of_the_persons_group_are_shown(client, staff_user, make_user):
    from groups.models import GroupMembership
    from matching.models import Match
    from tests.groups.factories import GroupFactory

    user = make_user(email="leader@example.jp", full_name="団体 代表")
    person = services.person_for_user(user=user)
    mine, partner = GroupFactory(name="みどりの会"), GroupFactory(name="あおぞら食堂")
    GroupMembership.objects.create(group=mine, user=user, role=GroupMembership.Role.OWNER)
    match = Match.objects.create(group_a=partner, group_b=mine)
    client.force_login(staff_user)
    body = client.get(reverse("events:staff_person", args=[person.pk])).content.decode()
    assert reverse("matching:match_detail", args=[match.pk]) in body
    assert "みどりの会 の一員として" in body


def test_a_merged_record_leads_to_the_kept_one_and_merging_from_the_page_returns_to_it(client, staff_user):
    keep = PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ", phone="090-1111-2222")
    duplicate = PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ", phone="")
    client.force_login(staff_user)
    page = client.get(reverse("events:staff_person", args=[keep.pk])).content.decode()
    assert f"No.{duplicate.pk} を No.{keep.pk} に統合" in page

    response = client.post(
        reverse("events:staff_merge"), {"keep": keep.pk, "duplicate": duplicate.pk, "next": "person"}
    )
    assert response["Location"] == reverse("events:staff_person", args=[keep.pk])
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == keep.pk
    response = client.get(reverse("events:staff_person", args=[duplicate.pk]))
    assert response["Location"] == reverse("events:staff_person", args=[keep.pk])


def test_search_finds_people_by_reading_and_refuses_a_query_of_symbols(client, staff_user):
    person = PersonFactory(name="鈴木 健太", name_kana="すずき けんた")
    PersonFactory(name="田中 一郎", name_kana="たなか いちろう")
    client.force_login(staff_user)
    url = reverse("events:staff_people")
    body = client.get(url, {"q": "スズキ"}).content.decode()
    assert reverse("events:staff_person", args=[person.pk]) in body and "田中" not in body

    response = client.get(url, {"q": "・・"})
    assert response.status_code == 400
    assert "記号だけでは探せません" in response.content.decode()
    assert 'value="・・"' in response.content.decode()


@pytest.mark.parametrize(
    "typed", ["090-1234", "09012345678", "０９０－１２３４", "０９０１２３４５６７８", "1234 5678"]
)
def test_search_finds_a_phone_number_however_it_was_typed(client, staff_user, typed):
    """A number heard on the phone is typed without hyphens or in full width: both staff searches
    (the people page and the phone registration) find the person stored as 090-1234-5678."""
    event = EventFactory()
    person = PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ", phone="090-1234-5678")
    PersonFactory(name="田中 一郎", name_kana="たなか いちろう", phone="03-5555-0000")
    client.force_login(staff_user)
    for url in (reverse("events:staff_people"), reverse("events:staff_register", args=[event.pk])):
        body = client.get(url, {"q": typed}).content.decode()
        assert reverse("events:staff_person", args=[person.pk]) in body or f'value="{person.pk}"' in body
        assert "田中" not in body


def test_the_phone_registration_search_for_symbols_finds_nobody(client, staff_user):
    """A keyword of symbols only has nothing to search: nobody is offered, never everybody."""
    event = EventFactory()
    PersonFactory(name="田中 一郎", name_kana="たなか いちろう", phone="03-5555-0000")
    client.force_login(staff_user)
    body = client.get(reverse("events:staff_register", args=[event.pk]), {"q": "・・"}).content.decode()
    assert "田中" not in body


def test_search_queries_are_fixed(client, staff_user):
    for n in range(2):
        RegistrationFactory(person=PersonFactory(name=f"高橋 {n}", name_kana=f"たかはし {n}"))
    client.force_login(staff_user)
    url = reverse("events:staff_people") + "?q=たかはし"
    client.get(url)
    counts = []
    for more in (0, 10):
        for n in range(more):
            RegistrationFactory(person=PersonFactory(name=f"高橋 x{n}", name_kana=f"たかはし x{n}"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_roster_check_in_list_and_consultation_link_to_the_person_page(client, consult_staff):
    from tests.consultations.factories import ConsultationFactory

    event = EventFactory(starts_at=TODAY - dt.timedelta(hours=1))
    registration = RegistrationFactory(event=event)
    page = reverse("events:staff_person", args=[registration.person_id])
    client.force_login(consult_staff)
    assert page in client.get(reverse("events:staff_event", args=[event.pk])).content.decode()
    session = event.sessions.first()
    assert page in client.get(reverse("events:staff_checkin", args=[session.pk])).content.decode()
    consultation = ConsultationFactory(person=registration.person)
    assert page in client.get(reverse("consultations:detail", args=[consultation.pk])).content.decode()


def test_members_and_officials_cannot_open_a_person_page(client, member, official_user):
    person = PersonFactory()
    for user in (member, official_user):
        client.force_login(user)
        assert client.get(reverse("events:staff_person", args=[person.pk])).status_code == 403
        assert client.get(reverse("events:staff_people")).status_code == 403


def test_the_person_search_is_the_shared_search_component(client, staff_user):
    """The keyword box of the shared search component, the result line repeating the
    keyword and a chip that removes it; without a keyword nobody is listed."""
    import re

    PersonFactory(name="佐藤 花子", name_kana="さとう はなこ")
    PersonFactory(name="佐藤 次郎", name_kana="さとう じろう")
    client.force_login(staff_user)
    url = reverse("events:staff_people")
    html = client.get(url, {"q": "さとう"}).content.decode()
    assert "条件をしぼる" in html and 'role="search"' in html
    assert re.search(r"「さとう」の検索結果 <strong>2件</strong>", html)
    chip = "<span>氏名・ふりがな・電話番号・メールアドレス: さとう</span>"
    assert f'<a class="chip" href="?">{chip}' in html
    assert not re.search(r'class="badge-(optional|required)"', html)
    empty = client.get(url).content.decode()
    assert "佐藤" not in empty and "検索結果" not in empty
