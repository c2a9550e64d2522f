"""One change history for every record (core.history): a change made on a page leaves an entry
"who (氏名), when (Japan time), field: old → new" on the record's staff page, readable only by the
staff who may read the record, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.history import TEXT_LIMIT, history_entries
from core.roles import Role

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
# A chosen moment (not today): 2026年6月1日 10:15 in Japan, 01:15 UTC.
MOMENT = dt.datetime(2026, 6, 1, 10, 15, tzinfo=JST)


@pytest.fixture
def at_moment():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def history_section(html: str) -> str:
    start = html.find('id="history"')
    assert start != -1, "no history section"
    end = html.find("</main>", start)
    return html[start : end if end != -1 else None]


def later(traveller, minutes: int = 10) -> None:
    traveller.shift(dt.timedelta(minutes=minutes))


# --- Projects -----------------------------------------------------------------------------------


def project_form(project, **changes) -> dict:
    data = {
        "title": project.title,
        "form": project.form,
        "department": project.department_id or "",
        "themes": [t.pk for t in project.themes.all()],
        "summary": project.summary,
        "starts_on": "",
        "ends_on": "",
        "results": project.results,
        "is_public": "on" if project.is_public else "",
        "partners-TOTAL_FORMS": "0",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "20",
    }
    data.update(changes)
    return data


def test_a_project_edited_on_its_page_shows_who_when_and_old_to_new(client, make_user, at_moment):
    from core.models import Theme
    from tests.projects.factories import ProjectFactory

    staff = make_user(roles=(Role.STAFF,), email="editor@example.jp", full_name="編集 一郎")
    project = ProjectFactory(title="親子ひろば", form="")
    theme = Theme.objects.order_by("pk").first()
    later(at_moment)
    client.force_login(staff)
    response = client.post(
        reverse("projects:project_edit", args=[project.pk]),
        project_form(project, title="親子ひろば さくら", form="co_hosting", themes=[theme.pk]),
    )
    assert response.status_code == 302, response.context["form"].errors

    entry = history_entries(project)[0]
    assert (entry.who, entry.kind) == ("編集 一郎", "変更")
    assert entry.when == MOMENT + dt.timedelta(minutes=10) and entry.when.tzinfo is not None
    changes = {c.label: (c.old, c.new) for c in entry.changes}
    assert changes["事業名"] == ("親子ひろば", "親子ひろば さくら")
    assert changes["協働の形態"] == ("（なし）", "共催")  # a choice by its label
    assert changes["テーマ"] == ("（なし）", str(theme))  # set after the save: still one change

    html = history_section(client.get(reverse("projects:workspace", args=[project.pk])).content.decode())
    assert "2026年6月1日 10:25" in html and "編集 一郎" in html
    assert "親子ひろば さくら" in html and "共催" in html
    assert "editor@example.jp" not in html


def test_the_project_group_sees_its_workspace_but_not_the_history(client, make_user):
    from tests.projects.factories import ProjectFactory, ProjectGroupFactory

    member = make_user(email="member@example.jp")
    project = ProjectFactory(lead_group=ProjectGroupFactory(owner=member))
    client.force_login(member)
    response = client.get(reverse("projects:workspace", args=[project.pk]))
    assert response.status_code == 200
    assert 'id="history"' not in response.content.decode()


def test_history_names_people_never_by_email_and_shortens_long_text(make_user, at_moment):
    from projects.services import project_update
    from tests.projects.factories import ProjectFactory

    nameless = make_user(roles=(Role.STAFF,), email="nameless@example.jp", full_name="")
    project = ProjectFactory()
    later(at_moment)
    from core.history import record_by

    record_by(project, nameless)
    project_update(project=project, summary="あ" * 500)
    entry = history_entries(project)[0]
    assert "nameless@example.jp" not in entry.who and "氏名未登録" in entry.who
    summary = {c.label: c.new for c in entry.changes}["事業の概要"]
    assert len(summary) <= TEXT_LIMIT and summary.endswith("…")


def test_history_queries_do_not_grow_with_the_changes(make_user, at_moment, django_assert_num_queries):
    """The rows with their users, one query per many-to-many field, one per related model named:
    the same with 2 and with 12 changes by 12 different people."""
    from core.models import Department, Theme
    from projects.services import project_update
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory()
    themes = list(Theme.objects.order_by("pk")[:3])

    def change(n: int) -> None:
        for i in range(n):
            later(at_moment)
            user = make_user(roles=(Role.STAFF,), email=f"change{i}-{n}@example.jp", full_name=f"職員 {i}")
            from core.history import record_by

            record_by(project, user)
            department = Department.objects.create(name=f"担当課{i}-{project.history.count()}")
            project_update(
                project=project, title=f"事業{i}", department=department, themes=themes[: 1 + i % 3]
            )

    change(2)
    with django_assert_num_queries(4) as captured:  # rows+users, themes, departments, themes' names
        small = history_entries(project)
    change(10)
    with django_assert_num_queries(len(captured.captured_queries)):
        large = history_entries(project)
    assert len(large) > len(small) >= 2
    assert {entry.who for entry in large} >= {"職員 0", "職員 9"}


# --- Consultations ------------------------------------------------------------------------------


def consultation_form(consultation, **changes) -> dict:
    data = {
        "consulted_on": consultation.consulted_on.isoformat(),
        "channel": consultation.channel,
        "duration_minutes": str(consultation.duration_minutes),
        "staff": consultation.staff_id,
        "group": str(consultation.group_id or ""),
        "person": str(consultation.person_id or ""),
        "topics": [t.pk for t in consultation.topics.all()],
        "question": consultation.question,
        "answer": consultation.answer,
        "status": consultation.status,
    }
    data.update(changes)
    return data


@pytest.fixture
def consultation(db, at_moment):
    from consultations.models import Topic
    from tests.consultations.factories import ConsultationFactory

    record = ConsultationFactory(consulted_on=dt.date(2026, 5, 20))
    record.topics.set([Topic.objects.get(code="funding")])
    return record


def test_a_consultation_edited_on_its_page_shows_the_change_to_staff_with_access(
    client, make_user, consultation, at_moment
):
    from consultations.models import AccessAction, ConsultationAccessLog

    staff = make_user(roles=(Role.STAFF,), email="handler@example.jp", full_name="相談 花子")
    later(at_moment)
    client.force_login(staff)
    response = client.post(
        reverse("consultations:update", args=[consultation.pk]),
        consultation_form(consultation, channel="phone", answer="社協の場所貸しを紹介した。"),
    )
    assert response.status_code == 302

    before = ConsultationAccessLog.objects.count()
    html = history_section(client.get(consultation.get_absolute_url()).content.decode())
    assert "相談 花子" in html and "2026年6月1日 10:25" in html
    assert "相談方法" in html and "来所" in html and "電話" in html
    assert "社協の場所貸しを紹介した。" in html and "市の協働推進基金を案内した。" in html
    assert "handler@example.jp" not in html
    # Reading the history is reading the record: the access log has the line.
    entry = ConsultationAccessLog.objects.order_by("-id").first()
    assert ConsultationAccessLog.objects.count() == before + 1
    assert (entry.user, entry.action, entry.consultation_ids) == (staff, AccessAction.VIEW, [consultation.pk])


def test_staff_without_consultation_access_cannot_read_the_history(client, consultation):
    from consultations.rules import user_can_access
    from core.permissions import may
    from tests.consultations.conftest import take_access_from_staff_role
    from tests.consultations.factories import StaffFactory

    take_access_from_staff_role()
    staff = StaffFactory()
    assert not user_can_access(staff) and not may(staff, "consultations.view_history", consultation)
    client.force_login(staff)
    response = client.get(consultation.get_absolute_url())
    assert response.status_code == 403
    assert "市の協働推進基金を案内した。" not in response.content.decode()


def test_anonymisation_clears_the_history_too(consultation, make_user):
    from consultations import services
    from consultations.services import ANONYMISED_TEXT

    staff = make_user(roles=(Role.STAFF,), email="anon@example.jp")
    services.consultation_update(
        consultation=consultation, actor=staff, answer="山田さんに電話で伝えた。", question="山田さんの相談"
    )
    services.consultations_anonymise_expired(today=dt.date(2032, 6, 1), years=5)
    texts = " ".join(f"{c.old} {c.new}" for entry in history_entries(consultation) for c in entry.changes)
    assert "山田" not in texts and "子ども食堂の助成金" not in texts
    assert set(consultation.history.values_list("question", flat=True)) == {str(ANONYMISED_TEXT)}
    assert set(consultation.history.values_list("person", flat=True)) == {None}


# --- Matching -----------------------------------------------------------------------------------


def test_a_business_edited_by_its_member_shows_the_change_to_staff_only(client, make_user, at_moment):
    from tests.matching.factories import BusinessFactory

    member = make_user(email="biz-member@example.jp", full_name="事業 太郎")
    business = BusinessFactory(name="あおば工務店", name_kana="あおばこうむてん", members=[member])
    later(at_moment)
    client.force_login(member)
    response = client.post(
        reverse("matching:business_edit", args=[business.pk]),
        {"name": "あおば工務店", "name_kana": "あおばこうむてん", "industry": "建築・印刷"},
    )
    assert response.status_code == 302
    assert 'id="history"' not in client.get(business.get_absolute_url()).content.decode()

    staff = make_user(roles=(Role.STAFF,), email="staff-b@example.jp", full_name="職員 次郎")
    client.force_login(staff)
    html = history_section(client.get(business.get_absolute_url()).content.decode())
    assert "事業 太郎" in html and "業種" in html and "建築・印刷" in html and "2026年6月1日 10:25" in html
    assert "biz-member@example.jp" not in html


# --- Events (the admin) -------------------------------------------------------------------------


def test_an_event_session_moved_shows_on_the_staff_event_page(client, make_user, at_moment):
    from events.models import EventSession
    from tests.events.factories import EventFactory

    staff = make_user(roles=(Role.STAFF,), email="events@example.jp", full_name="催し 担当")
    event = EventFactory()
    session = event.sessions.first()
    later(at_moment)
    from core.history import record_by

    old_start = session.starts_at
    session.starts_at = old_start + dt.timedelta(days=7)
    session.ends_at = session.ends_at + dt.timedelta(days=7)
    record_by(session, staff)
    session.save()
    EventSession.objects.get(pk=session.pk)
    client.force_login(staff)
    html = history_section(client.get(reverse("events:staff_event", args=[event.pk])).content.decode())
    assert "催し 担当" in html and "開始日時" in html and "開催日（" in html


def test_a_date_and_time_in_the_history_has_a_space_between_them(client, make_user, at_moment):
    """「2026年12月5日 15:56」 like every date and time of the portal (core/formats), not Django's
    Japanese 「2026年12月5日15:56」."""
    from core.history import record_by
    from tests.events.factories import EventFactory

    staff = make_user(roles=(Role.STAFF,), email="events@example.jp", full_name="催し 担当")
    session = EventFactory().sessions.first()
    session.starts_at = dt.datetime(2026, 12, 5, 15, 56, tzinfo=JST)
    session.ends_at = dt.datetime(2026, 12, 5, 17, 0, tzinfo=JST)
    session.save()
    later(at_moment)
    session.starts_at += dt.timedelta(days=7)
    session.ends_at += dt.timedelta(days=7)
    record_by(session, staff)
    session.save()
    client.force_login(staff)
    page = client.get(reverse("events:staff_event", args=[session.event_id])).content.decode()
    html = history_section(page)
    assert "2026年12月5日 15:56" in html and "2026年12月12日 15:56" in html
    assert "2026年12月5日15:56" not in html
    assert "2026年6月1日 10:25" in html  # the entry's own time, in the same format
