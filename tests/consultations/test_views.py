"""The record screen, search, filters, statistics and exports, as staff use them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import AccessAction, Consultation, ConsultationStatus, FollowUp, Referral, Topic
from core.models import Person
from groups.models import LegalForm

from .factories import (
    ConsultationFactory,
    DepartmentFactory,
    FollowUpFactory,
    GroupFactory,
    PersonFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def test_the_record_screen_starts_with_today_me_and_walk_in(client_for, staff_user):
    """Defaults: today, the signed-in staff member, 来所, 30 minutes, 完了; the search box has focus."""
    response = client_for(staff_user).get(reverse("consultations:create"))
    form = response.context["form"]
    assert form["consulted_on"].value() == timezone.localdate()
    assert form["staff"].value() == staff_user.pk
    assert form["channel"].value() == "visit"
    assert form["status"].value() == "closed"
    body = response.content.decode()
    assert 'name="party_q"' in body and "autofocus" in body
    assert 'hx-get="/consultations/search/"' in body


def test_recording_with_a_new_person_and_a_follow_up(record, staff_user):
    """A new person is created, the follow-up is owned by the staff member and the record is 対応中."""
    response = record(
        new_person_name="山田 太郎",
        new_person_kana="やまだ たろう",
        follow_up_due_on=(timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        follow_up_description="電話する",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:create")
    consultation = Consultation.objects.get()
    assert consultation.person.name == "山田 太郎"
    assert consultation.staff == staff_user
    assert consultation.created_by == staff_user
    assert consultation.status == ConsultationStatus.OPEN
    assert FollowUp.objects.get().owner == staff_user


@pytest.mark.parametrize(
    ("fields", "errors", "typed"),
    [
        # フォローアップでやること without its 期限 is an error on the 期限, not a silent 完了 record.
        pytest.param(
            {
                "is_anonymous": "on",
                "question": "会場を探している",
                "follow_up_description": "来週電話で確認する",
            },
            {"follow_up_due_on": ["フォローアップの期限を入れてください。"]},
            ["来週電話で確認する", "会場を探している"],
            id="a follow-up to do without a date",
        ),
        # 「yamada」 and 「abc」 are errors in Japanese on their fields.
        pytest.param(
            {"new_person_name": "山田 太郎", "new_person_kana": "yamada", "new_person_phone": "abc"},
            {
                "new_person_kana": [
                    "ふりがなは、ひらがなかカタカナだけで入力してください（例: さとう ようこ）。"
                ],
                "new_person_phone": ["電話番号は、数字とハイフンで入力してください（例: 090-1234-5678）。"],
            },
            ["yamada"],
            id="a reading in latin letters and a phone in words",
        ),
    ],
)
def test_a_refused_record_says_why_on_its_fields_and_nothing_typed_is_lost(record, fields, errors, typed):
    """The errors stand on their fields, what was typed is shown again and nothing is saved."""
    response = record(**fields)
    assert response.status_code == 200
    form_errors = response.context["form"].errors
    assert {field: form_errors[field] for field in errors} == errors
    body = response.content.decode()
    assert all(text in body for text in typed)
    assert not Consultation.objects.exists()
    assert not FollowUp.objects.exists() and not Person.objects.exists()


def test_a_new_person_s_reading_and_phone_are_stored_as_the_profile_stores_them(record):
    """ｶﾀｶﾅ and a full-width phone are kept as ひらがな and half-width digits with hyphens."""
    response = record(
        new_person_name="山田 太郎",
        new_person_kana="ヤマダ　ﾀﾛｳ",
        new_person_phone="０９０－１２３４－５６７８",
    )
    assert response.status_code == 302
    person = Consultation.objects.get().person
    assert (person.name_kana, person.phone) == ("やまだ たろう", "090-1234-5678")


def test_recording_for_a_group_and_a_known_person(record):
    """Picking a group and a person from the search results links both."""
    group, person = GroupFactory(), PersonFactory()
    response = record(
        group=str(group.pk),
        person=str(person.pk),
        _save="1",
        _another=None,
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == consultation.get_absolute_url()
    assert (consultation.group, consultation.person) == (group, person)


def test_a_client_is_required_and_nothing_typed_is_lost(record):
    """Without a group, a person or 匿名 the form says so in Japanese and keeps what was typed."""
    response = record(question="活動場所を探している")
    assert response.status_code == 200
    body = response.content.decode()
    assert "匿名の相談" in body and "入力内容を確認してください" in body
    assert "活動場所を探している" in body
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("group", "abc", "選んだ団体: 団体が見つかりません。"),
        ("person", "999999", "選んだ相談者（個人）: 相談者が見つかりません。"),
    ],
)
def test_the_error_summary_names_the_chosen_group_and_person_in_japanese(record, field, value, expected):
    """A group or person that cannot be found is reported under its Japanese label."""
    response = record(**{field: value})
    assert response.status_code == 200
    body = response.content.decode()
    assert expected in body
    assert "Group:" not in body and "Person:" not in body


def test_anonymous_with_a_person_is_refused(record):
    """匿名 and a named person contradict each other."""
    response = record(is_anonymous="on", new_person_name="山田 太郎")
    assert response.status_code == 200
    assert not Consultation.objects.exists()
    assert not Person.objects.exists()


def test_search_as_you_type_returns_radio_buttons(client_for, staff_user):
    """The htmx endpoint answers with a fragment of groups and people whose name or reading matches."""
    GroupFactory(name="みらい子ども食堂", name_kana="みらいこどもしょくどう")
    PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ")
    PersonFactory(name="鈴木 誠", name_kana="すずき まこと")
    client = client_for(staff_user)
    fragment = client.get(reverse("consultations:search"), {"party_q": "サトウ"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body
    assert 'name="person"' in body and "佐藤 陽子" in body and "鈴木" not in body
    fragment = client.get(reverse("consultations:search"), {"party_q": "こども"}, HTTP_HX_REQUEST="true")
    assert 'name="group"' in fragment.content.decode()
    page = client.get(reverse("consultations:search"), {"q": "さとう"})
    assert "<html" in page.content.decode()
    assert f"{reverse('consultations:create')}?person=" in page.content.decode()


def test_search_works_without_javascript(client_for, staff_user):
    """さがす re-renders the form with candidates and everything typed, without validating or saving."""
    PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ")
    response = client_for(staff_user).post(
        reverse("consultations:create"),
        {"party_q": "さとう", "_search": "1", "question": "書きかけの相談内容", "channel": "phone"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "佐藤 陽子" in body and "書きかけの相談内容" in body
    assert "入力内容を確認してください" not in body
    assert "errorlist" not in body
    assert not Consultation.objects.exists()


def test_filters(client_for, staff_user, make_user):
    """Period, topic, channel, staff, group and status each narrow the list."""
    from core.roles import Role

    other_staff = make_user(roles=(Role.STAFF,), email="other@example.jp")
    group = GroupFactory(name="青葉防災会", name_kana="あおばぼうさいかい")
    today = timezone.localdate()
    a = ConsultationFactory(consulted_on=today - dt.timedelta(days=400), channel="phone", topics=["venue"])
    b = ConsultationFactory(consulted_on=today, channel="email", staff=other_staff, group=group, open=True)
    c = ConsultationFactory(consulted_on=today, channel="visit", topics=["accounting"])
    client = client_for(staff_user)

    def shown(**params):
        return {
            x.pk for x in client.get(reverse("consultations:index"), params).context["page_obj"].object_list
        }

    assert shown() == {a.pk, b.pk, c.pk}
    assert shown(date_from=(today - dt.timedelta(days=10)).isoformat()) == {b.pk, c.pk}
    assert shown(date_to=(today - dt.timedelta(days=10)).isoformat()) == {a.pk}
    assert shown(topic=Topic.objects.get(code="venue").pk) == {a.pk}
    assert shown(channel="email") == {b.pk}
    assert shown(staff=other_staff.pk) == {b.pk}
    assert shown(group_name="アオバ") == {b.pk}
    assert shown(group=group.pk) == {b.pk}
    assert shown(status="open") == {b.pk}
    assert shown(q="助成金", channel="visit") == {c.pk}
    # A 法人格 alone asks the legal form the group records, which its name need not write.
    assert shown(group_name="NPO法人") == set()
    group.legal_form = LegalForm.NPO
    group.save()
    assert shown(group_name="特定非営利活動法人") == {b.pk}


@pytest.mark.parametrize("value", ["1.5", "1.0", "1e0", "-1", "0", "abc"])
def test_an_id_in_the_query_that_is_not_a_whole_number_is_refused(client_for, auditor, value):
    """?group=1.5 is an error in Japanese on the list (400, no rows) and on the CSV (400, nothing
    written), never read as group 1 nor as no condition; so is the access log's record id."""
    group = GroupFactory()
    ConsultationFactory(group=group)
    ConsultationFactory()
    services.access_log_write(user=auditor, action=AccessAction.VIEW, consultations=[1])
    client = client_for(auditor)

    response = client.get(reverse("consultations:index"), {"group": value})
    assert response.status_code == 400
    assert list(response.context["page_obj"].object_list) == []
    assert "整数" in response.content.decode()
    response = client.get(reverse("consultations:export"), {"group": value})
    assert response.status_code == 400 and "整数" in response.content.decode()
    response = client.get(reverse("consultations:access_log"), {"consultation": value})
    assert response.status_code == 400
    assert list(response.context["page_obj"].object_list) == []
    assert "整数" in response.content.decode()


def test_a_record_answered_by_staff_who_have_since_left_keeps_them(client_for, staff_user):
    """The member of staff who answered stays selected when the record is edited after their
    account was deactivated (the select offered active staff only, so the first of them was
    selected and saving the record changed who had answered), and the list can still be
    filtered by them. Active staff who answered nothing are still offered to both."""
    left = StaffFactory(full_name="退職 一郎")
    record = ConsultationFactory(staff=left)
    other = ConsultationFactory(staff=staff_user)
    left.is_active = False
    left.save()
    client = client_for(staff_user)

    body = client.get(reverse("consultations:update", args=[record.pk])).content.decode()
    assert f'<option value="{left.pk}" selected>退職 一郎</option>' in body
    choices = client.get(reverse("consultations:index")).context["filter"].form.fields["staff"].choices
    assert {str(label) for label in dict(choices).values()} >= {"退職 一郎", str(staff_user)}
    shown = client.get(reverse("consultations:index"), {"staff": left.pk}).context["page_obj"].object_list
    assert [c.pk for c in shown] == [record.pk]
    assert other.staff == staff_user


def test_a_period_that_ends_before_it_begins_is_an_error(client_for, auditor):
    """期間（まで） before 期間（から） is said next to the field (400, no rows) on the list, the CSV
    and the access log, not answered with an empty list as if nothing had been found."""
    ConsultationFactory(consulted_on=dt.date(2026, 6, 1))
    services.access_log_write(user=auditor, action=AccessAction.VIEW, consultations=[1])
    client = client_for(auditor)
    period = {"date_from": "2026-07-01", "date_to": "2026-05-01"}
    message = "期間（まで）は、期間（から）と同じ日かそれより後の日にしてください"
    for url in (reverse("consultations:index"), reverse("consultations:access_log")):
        response = client.get(url, period)
        assert response.status_code == 400, url
        assert message in " ".join(response.context["filter"].form.errors["date_to"]), url
        assert 'value="2026-05-01"' in response.content.decode(), url
    response = client.get(reverse("consultations:export"), period)
    assert response.status_code == 400 and message in response.content.decode()
    same_day = {"date_from": "2026-06-01", "date_to": "2026-06-01"}
    assert len(client.get(reverse("consultations:index"), same_day).context["page_obj"].object_list) == 1


def test_the_list_names_each_row_s_channel_and_status(client_for, staff_user):
    """The table's 方法 and 状況 columns show the labels (read per row without get_FOO_display)."""
    ConsultationFactory(channel="phone", status="open")
    ConsultationFactory(channel="outreach", status="closed")
    body = client_for(staff_user).get(reverse("consultations:index")).content.decode()
    table = body.split('<table class="consultation-table">', 1)[1]
    for label in ("<td>電話</td>", "<td>訪問（アウトリーチ）</td>", ">対応中</span>", ">完了</span>"):
        assert label in table


def test_each_row_names_the_client_the_topics_and_the_staff(client_for, staff_user):
    """A row shows its date, 団体 ／ 相談者 (or 匿名), the topics in their order and who answered."""
    group = GroupFactory(name="青葉防災会")
    staff = StaffFactory(full_name="対応 一郎")
    ConsultationFactory(
        consulted_on=dt.date(2025, 5, 1),
        group=group,
        person=PersonFactory(name="山田 花子"),
        staff=staff,
        topics=["venue", "funding"],
    )
    ConsultationFactory(consulted_on=dt.date(2025, 4, 1), anonymous=True, staff=staff, topics=["other"])
    body = client_for(staff_user).get(reverse("consultations:index")).content.decode()
    rows = body.split('<table class="consultation-table">', 1)[1].split("<tbody>")[1].split("<tr>")[1:]
    assert "2025年5月1日" in rows[0] and "<td>青葉防災会 ／ 山田 花子</td>" in rows[0]
    assert "<td>資金調達・助成金、活動場所</td>" in rows[0] and "<td>対応 一郎</td>" in rows[0]
    assert "2025年4月1日" in rows[1] and "<td>匿名</td>" in rows[1]


def test_the_list_s_filter_form_follows_topics_and_staff(client_for, staff_user, make_user):
    """The filter form is kept between requests, yet a renamed topic or a new staff member is
    offered on the next request, and a keyword someone typed is never kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.roles import Role

    client = client_for(staff_user)
    url = reverse("consultations:index")

    def form(**params) -> str:
        body = client.get(url, params).content.decode()
        return body.split('role="search"', 1)[1].split("</form>", 1)[0]

    assert "活動場所" in form()
    with CaptureQueriesContext(connection) as queries:
        form()
    assert not [q for q in queries.captured_queries if "consultations_topic" in q["sql"]]
    venue = Topic.objects.get(code="venue")
    venue.name = "活動の場所"
    venue.save()
    assert "活動の場所" in form()
    make_user(roles=(Role.STAFF,), email="new-staff@example.jp", full_name="新人 次郎")
    assert "新人 次郎" in form()
    assert 'value="山田"' in form(q="山田")
    assert 'value="佐藤"' in form(q="佐藤") and "山田" not in form(q="佐藤")


def test_the_list_s_kept_count_follows_every_change(client_for, staff_user):
    """The number of matching consultations (the pager's) is kept between requests, yet a new or
    deleted record changes it on the next request, and a keyword's count is never kept."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = ConsultationFactory(channel="visit")
    ConsultationFactory(channel="phone")
    client = client_for(staff_user)
    url = reverse("consultations:index")

    def counted(**params) -> tuple[int, bool]:
        with CaptureQueriesContext(connection) as queries:
            count = client.get(url, params).context["page_obj"].paginator.count
        return count, any("COUNT(" in q["sql"] for q in queries.captured_queries)

    assert counted() == (2, True)
    assert counted() == (2, False)
    assert counted(channel="visit") == (1, True)
    assert counted(channel="visit") == (1, False)
    ConsultationFactory(channel="visit")
    assert counted() == (3, True)
    assert counted(channel="visit") == (2, True)
    first.delete()
    assert counted(channel="visit") == (1, True)
    assert counted(q="相談")[1] and counted(q="相談")[1]  # counted on every request


def test_the_list_s_kept_rows_follow_records_and_names(
    client_for, staff_user, make_user, django_capture_on_commit_callbacks
):
    """A page of rows is kept between requests (the access log still names what was shown), yet
    a changed record, a renamed person, group or staff member, a moved person and an
    anonymisation show on the next request; rows found by a typed keyword are never kept."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultations import services
    from consultations.models import AccessAction, ConsultationAccessLog

    person = PersonFactory(name="山田 花子")
    group = GroupFactory(name="青葉防災会")
    record = ConsultationFactory(
        consulted_on=dt.date(2020, 5, 1), group=group, person=person, staff=staff_user, channel="visit"
    )
    client = client_for(staff_user)
    url = reverse("consultations:index")

    def first_row(**params) -> tuple[str, bool]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, params).content.decode()
        row = body.split("<tbody>", 1)[1].split("</tr>", 1)[0]
        read = any("consultations_consultation_topics" in q["sql"] for q in queries.captured_queries)
        return row, read

    row, read = first_row()
    assert "<td>青葉防災会 ／ 山田 花子</td>" in row and "<td>来所</td>" in row and read
    row, read = first_row()
    assert "<td>青葉防災会 ／ 山田 花子</td>" in row and not read
    logged = ConsultationAccessLog.objects.filter(action=AccessAction.VIEW).order_by("-pk").first()
    assert logged.consultation_ids == [record.pk]

    record.channel = "phone"
    record.save()
    assert "<td>電話</td>" in first_row()[0]
    person.name = "山田 はな"
    person.save()
    assert "山田 はな" in first_row()[0]
    group.name = "青葉防災の会"
    group.save()
    assert "青葉防災の会" in first_row()[0]
    get_user_model().objects.filter(pk=staff_user.pk).update(full_name="相談 花子")
    get_user_model().objects.get(pk=staff_user.pk).save()
    assert "相談 花子" in first_row()[0]

    assert first_row(q="山田")[1] and first_row(q="山田")[1]  # read on every request
    # Moving and anonymising are plain UPDATEs (no signal): the version moves when they commit.
    other = PersonFactory(name="佐藤 一郎", user=make_user(email="sato@example.jp"))
    with django_capture_on_commit_callbacks(execute=True):
        services.consultations_move_person(keep=other, duplicate=person, by=staff_user)
    assert "佐藤 一郎" in first_row()[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.consultations_anonymise_expired(today=dt.date(2030, 5, 2), years=5) == 1
    row = first_row()[0]
    assert "佐藤" not in row and "<td>青葉防災の会 ／ 匿名</td>" not in row and "匿名" in row


def test_a_consultation_with_several_topics_is_listed_once(client_for, staff_user):
    """Filtering by a topic, or by none, lists a consultation with several topics exactly once."""
    both = ConsultationFactory(topics=["venue", "funding"])
    ConsultationFactory(topics=["funding"])
    client = client_for(staff_user)

    def listed(**params):
        page = client.get(reverse("consultations:index"), params).context["page_obj"]
        return [x.pk for x in page.object_list], page.paginator.count

    ids, count = listed()
    assert ids.count(both.pk) == 1 and count == 2
    funding = Topic.objects.get(code="funding").pk
    ids, count = listed(topic=funding)
    assert ids.count(both.pk) == 1 and count == 2
    assert listed(topic=Topic.objects.get(code="venue").pk) == ([both.pk], 1)


def test_csv_export_opens_in_excel(client_for, staff_user):
    """UTF-8 with a BOM, a Japanese header row, one row per record, filters applied."""
    ConsultationFactory(channel="phone", question="電話での相談")
    ConsultationFactory(channel="visit")
    response = client_for(staff_user).get(reverse("consultations:export"), {"channel": "phone"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["ID", "相談日", "年度", "相談方法"]
    assert len(rows) == 2
    assert rows[1][3] == "電話" and "電話での相談" in rows[1]


def test_csv_export_defuses_formulas(client_for, staff_user):
    """A question typed as =HYPERLINK(...) is written as text, not as an Excel formula."""
    ConsultationFactory(question='=HYPERLINK("http://example.com","x")', answer="-1+1")
    response = client_for(staff_user).get(reverse("consultations:export"))
    row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1]
    assert '\'=HYPERLINK("http://example.com","x")' in row
    assert "'-1+1" in row


def test_statistics_count_by_month_and_fiscal_year(client_for, staff_user):
    """Counts per channel and topic by month of the fiscal year and by fiscal year, with an SVG chart."""
    ConsultationFactory(consulted_on=dt.date(2025, 4, 10), channel="phone", topics=["funding", "venue"])
    ConsultationFactory(consulted_on=dt.date(2025, 4, 20), channel="phone")
    ConsultationFactory(consulted_on=dt.date(2026, 3, 31), channel="online")
    ConsultationFactory(consulted_on=dt.date(2026, 4, 1), channel="online")  # next fiscal year
    response = client_for(staff_user).get(reverse("consultations:statistics"), {"fiscal_year": "2025"})
    monthly = response.context["monthly"]
    channel = monthly["channel"]
    phone = channel.rows[channel.row_labels.index("電話")]
    assert phone[1][0] == 2 and phone[2] == 2  # April, total
    online = channel.rows[channel.row_labels.index("オンライン")]
    assert online[1][11] == 1 and online[2] == 1  # March only
    topic = monthly["topic"]
    assert topic.rows[topic.row_labels.index("資金調達・助成金")][2] == 3
    assert topic.rows[topic.row_labels.index("活動場所")][2] == 1
    body = response.content.decode()
    assert (
        "<svg" in body
        and 'role="img"' in body
        and "style=" not in body.split("<svg", 1)[1].split("</svg>")[0]
    )
    yearly = response.context["yearly"]["channel"]
    assert yearly.column_totals[yearly.column_labels.index("令和7年度")] == 3
    csv_response = client_for(staff_user).get(
        reverse("consultations:statistics_export"), {"fiscal_year": "2025"}
    )
    assert csv_response.content.startswith("\ufeff".encode())
    assert "令和7年度 相談方法別・月別の相談件数" in csv_response.content.decode("utf-8-sig")


def test_statistics_kept_in_the_cache_follow_every_change(client_for, staff_user):
    """The counts and the rendered tables are cached per version of the consultations: a new
    consultation, a changed topic, a new referral or a deletion shows on the next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import ReferralFactory

    client = client_for(staff_user)
    url = reverse("consultations:statistics")

    def figures():
        response = client.get(url, {"fiscal_year": "2025"})
        topic = response.context["monthly"]["topic"]
        # The rendered figures are kept with the counts: the page shows the same total.
        total = response.context["summary"]["total"]
        assert f"相談件数</span> <strong>{total}件</strong>" in response.content.decode()
        return (
            response.context["summary"]["total"],
            topic.rows[topic.row_labels.index("活動場所")][2],
            response.context["summary"]["referrals"],
        )

    first = ConsultationFactory(consulted_on=dt.date(2025, 5, 1), channel="phone")
    assert figures() == (1, 0, 0)
    client.get(reverse("consultations:index"))  # an access-log line leaves the counts cached
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"fiscal_year": "2025"})
    assert not [q for q in queries.captured_queries if "consultations_consultation" in q["sql"]]
    ConsultationFactory(consulted_on=dt.date(2025, 6, 1), channel="phone")
    assert figures() == (2, 0, 0)
    first.topics.add(Topic.objects.get(code="venue"))
    assert figures() == (2, 1, 0)
    ReferralFactory(consultation=first)
    assert figures() == (2, 1, 1)
    first.delete()
    assert figures() == (1, 0, 0)


def test_referral_and_result(client_for, staff_user, consultation):
    """A department referral is added from the record, and its result recorded later."""
    department = DepartmentFactory()
    client = client_for(staff_user)
    response = client.post(
        reverse("consultations:referral_add", args=[consultation.pk]),
        {"department": department.pk, "note": "窓口を紹介"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.department == department and referral.result == "pending"
    client.post(reverse("consultations:referral_result", args=[referral.pk]), {"result": "connected"})
    referral.refresh_from_db()
    assert referral.result == "connected" and referral.result_recorded_on == timezone.localdate()


def test_an_invalid_result_shows_the_record_again_with_the_memo_kept(client_for, staff_user, consultation):
    """A result that is none of the choices is not recorded: the record page is shown again (no
    redirect), the error is next to the result of that referral, and the memo typed is still
    there; the other referral's form shows its own stored memo."""
    from .factories import ReferralFactory

    referral = ReferralFactory(consultation=consultation)
    other = ReferralFactory(consultation=consultation, result_note="前回のメモ")
    response = client_for(staff_user).post(
        reverse("consultations:referral_result", args=[referral.pk]),
        {"result": "maybe", "result_note": "5月に申請する予定と聞いた"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "正しく選択してください（「maybe」は選べません）。" in html
    assert f'id="id_result_note_{referral.pk}">\n5月に申請する予定と聞いた</textarea>' in html
    assert f'id="id_result_note_{other.pk}">\n前回のメモ</textarea>' in html
    # The summary's link leads to the choices of that referral.
    assert f'href="#id_result_{referral.pk}"' in html and f'id="id_result_{referral.pk}"' in html
    referral.refresh_from_db()
    assert referral.result == "pending" and referral.result_note == ""


def test_a_follow_up_the_service_refuses_is_shown_again_on_its_field(client_for, staff_user):
    """A due date before the consultation is said next to 期限, with what was typed kept (it was a 500)."""
    consultation = ConsultationFactory(consulted_on=timezone.localdate() - dt.timedelta(days=10))
    due = consultation.consulted_on - dt.timedelta(days=1)
    response = client_for(staff_user).post(
        reverse("consultations:follow_up_add", args=[consultation.pk]),
        {"due_on": due.isoformat(), "owner": staff_user.pk, "description": "申請書が書けたか電話で確認する"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "期限は相談日" in html and 'value="申請書が書けたか電話で確認する"' in html
    assert not FollowUp.objects.exists()


def test_a_link_that_cannot_be_chosen_shows_the_record_again_with_the_choices_kept(
    client_for, staff_user, consultation
):
    """An event that is not offered is an error on the links form; the project chosen with it stays
    selected and nothing is saved."""
    from projects.models import Project

    project = Project.objects.create(
        title="こども食堂ネットワーク事業", kind="registration", fiscal_year=2026
    )
    response = client_for(staff_user).post(
        reverse("consultations:related_links", args=[consultation.pk]),
        {"related_events": ["999999"], "related_projects": [project.pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "999999" in html and 'class="error-summary"' in html
    assert f'<option value="{project.pk}" selected>こども食堂ネットワーク事業</option>' in html
    assert not consultation.related_projects.exists()


def test_a_referral_note_the_model_refuses_is_shown_again_on_its_field(client_for, staff_user, consultation):
    """A note with a character no text may hold (here U+202E, which turns text around) is said
    next to つないだ内容, with the department chosen and the note typed kept, and nothing is added
    (it was a 500)."""
    department = DepartmentFactory()
    response = client_for(staff_user).post(
        reverse("consultations:referral_add", args=[consultation.pk]),
        {"department": department.pk, "note": "窓口を紹介\u202eした"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "文字の向きを変える制御文字（U+202E）" in html
    assert "窓口を紹介\u202eした</textarea>" in html
    assert f'<option value="{department.pk}" selected>' in html
    assert not Referral.objects.exists()


def test_referral_to_a_group_found_by_search(client_for, staff_user, consultation):
    """A group or business is picked from search results; choosing none and a department is refused."""
    target = GroupFactory(name="みなと環境ネット", name_kana="みなとかんきょうねっと")
    client = client_for(staff_user)
    searched = client.post(
        reverse("consultations:referral_add", args=[consultation.pk]), {"target_q": "みなと", "_search": "1"}
    )
    assert f'value="group:{target.pk}"' in searched.content.decode()
    client.post(
        reverse("consultations:referral_add", args=[consultation.pk]), {"target": f"group:{target.pk}"}
    )
    assert Referral.objects.get().group == target
    refused = client.post(reverse("consultations:referral_add", args=[consultation.pk]), {"note": "x"})
    assert refused.status_code == 200 and Referral.objects.count() == 1


def test_follow_up_dashboard_shows_overdue_and_this_week(client_for, staff_user, time_machine):
    """Overdue and due-this-week follow-ups are listed; later and finished ones are not."""
    time_machine.move_to(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC))  # a Wednesday
    overdue = FollowUpFactory(due_on=dt.date(2026, 11, 20))
    this_week = FollowUpFactory(due_on=dt.date(2026, 11, 29))
    FollowUpFactory(due_on=dt.date(2026, 11, 30))
    FollowUpFactory(due_on=dt.date(2026, 11, 1), done=True)
    response = client_for(staff_user).get(reverse("consultations:follow_ups"))
    assert [f.pk for f in response.context["overdue"]] == [overdue.pk]
    assert [f.pk for f in response.context["this_week"]] == [this_week.pk]
    back = reverse("consultations:follow_ups") + "?overdue_page=2&mine=1"
    done = client_for(staff_user).post(
        reverse("consultations:follow_up_done", args=[overdue.pk]), {"next": back}
    )
    assert done.status_code == 302 and done["Location"] == back
    elsewhere = client_for(staff_user).post(
        reverse("consultations:follow_up_done", args=[this_week.pk]), {"next": "https://evil.example/"}
    )
    assert elsewhere["Location"].startswith(reverse("consultations:detail", args=[this_week.consultation_id]))
    overdue.refresh_from_db()
    assert overdue.done and overdue.done_on == dt.date(2026, 11, 25)


def test_follow_up_dashboard_pages_a_backlog_without_hiding_this_week(client_for, staff_user, time_machine):
    """25 overdue follow-ups: the first page lists the 20 oldest and this week's, the headings count
    all of them, and each list pages on its own, keeping the other list's page and the filter."""
    time_machine.move_to(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC))  # a Wednesday
    overdue = [FollowUpFactory(due_on=dt.date(2026, 10, 1) + dt.timedelta(days=i)) for i in range(25)]
    this_week = FollowUpFactory(due_on=dt.date(2026, 11, 27))
    client = client_for(staff_user)

    first = client.get(reverse("consultations:follow_ups"))
    assert [f.pk for f in first.context["overdue"]] == [f.pk for f in overdue[:20]]
    assert [f.pk for f in first.context["this_week"]] == [this_week.pk]
    page = first.content.decode()
    assert "期限切れ（25件）" in page and "、1件）" in page
    assert "全25件中 1〜20件目" in page
    assert 'href="?overdue_page=2"' in page and 'aria-label="期限切れのページ送り"' in page
    assert 'name="next" value="/consultations/staff/follow-ups/"' in page

    second = client.get(reverse("consultations:follow_ups"), {"overdue_page": 2})
    assert [f.pk for f in second.context["overdue"]] == [f.pk for f in overdue[20:]]
    assert [f.pk for f in second.context["this_week"]] == [this_week.pk]
    assert 'href="?overdue_page=1"' in second.content.decode()

    # The staff member's own: none of these, on whatever page was asked for.
    own = client.get(reverse("consultations:follow_ups"), {"overdue_page": 2, "mine": 1})
    assert own.status_code == 200 and list(own.context["overdue"]) == []
    assert "期限切れ（0件）" in own.content.decode()


def test_follow_up_dashboard_for_one_owner_counts_only_theirs(client_for, staff_user, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC))
    mine = FollowUpFactory(due_on=dt.date(2026, 11, 2), owner=staff_user)
    FollowUpFactory(due_on=dt.date(2026, 11, 3))
    FollowUpFactory(due_on=dt.date(2026, 11, 26))
    response = client_for(staff_user).get(reverse("consultations:follow_ups"), {"mine": "1"})
    assert [f.pk for f in response.context["overdue"]] == [mine.pk]
    assert list(response.context["this_week"]) == []
    page = response.content.decode()
    assert "期限切れ（1件）" in page and "、0件）" in page and "ありません。" in page


def test_a_follow_up_done_twice_keeps_the_day_it_was_done(client_for, staff_user, time_machine):
    """A second 完了にする (a double click, another tab) leaves the follow-up as it was done."""
    time_machine.move_to(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC))
    follow_up = FollowUpFactory(due_on=dt.date(2026, 11, 20), done=True, done_on=dt.date(2026, 11, 21))
    response = client_for(staff_user).post(reverse("consultations:follow_up_done", args=[follow_up.pk]))
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done and follow_up.done_on == dt.date(2026, 11, 21)


def test_a_follow_up_of_an_anonymised_record_cannot_be_done(client_for, staff_user, time_machine):
    """An anonymised record is kept for the figures only: a follow-up left open on it is no longer
    listed as to do, offers no 完了にする, and cannot be changed."""
    time_machine.move_to(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC))
    follow_up = FollowUpFactory(
        consultation=ConsultationFactory(consulted_on=dt.date(2020, 5, 1)), due_on=dt.date(2020, 5, 15)
    )
    Consultation.objects.filter(pk=follow_up.consultation_id).update(
        anonymised_at=timezone.now(), is_anonymous=True, person=None
    )
    client = client_for(staff_user)
    page = client.get(reverse("consultations:follow_ups")).content.decode()
    assert reverse("consultations:follow_up_done", args=[follow_up.pk]) not in page
    detail = client.get(follow_up.consultation.get_absolute_url()).content.decode()
    assert reverse("consultations:follow_up_done", args=[follow_up.pk]) not in detail
    response = client.post(reverse("consultations:follow_up_done", args=[follow_up.pk]))
    assert response.status_code == 403
    follow_up.refresh_from_db()
    assert not follow_up.done and follow_up.done_on is None


def test_group_history_lists_only_that_group(client_for, staff_user):
    """The group's consultation page shows its consultations, newest first."""
    group = GroupFactory()
    mine = [ConsultationFactory(group=group, consulted_on=dt.date(2025, 5, d)) for d in (1, 20)]
    ConsultationFactory(with_group=True)
    response = client_for(staff_user).get(reverse("consultations:group_history", args=[group.pk]))
    assert [c.pk for c in response.context["page_obj"].object_list] == [mine[1].pk, mine[0].pk]


def test_related_events(client_for, staff_user, consultation):
    """A consultation links to the events that came from it."""
    from events.models import Event, Program

    event = Event.objects.create(program=Program.objects.first(), title="子ども食堂の立ち上げ講座")
    client_for(staff_user).post(
        reverse("consultations:related_links", args=[consultation.pk]), {"related_events": [event.pk]}
    )
    assert list(consultation.related_events.all()) == [event]
    assert (
        "子ども食堂の立ち上げ講座"
        in client_for(staff_user).get(consultation.get_absolute_url()).content.decode()
    )


def test_projects_and_matches_that_came_from_a_consultation(client_for, staff_user, consultation):
    """Projects are linked from the record; matches that name it as their origin are listed too."""
    from matching.models import Match
    from projects.models import Project

    from .factories import GroupFactory as Groups

    project = Project.objects.create(
        title="こども食堂ネットワーク事業", kind="registration", fiscal_year=2026
    )
    match = Match.objects.create(group_a=Groups(), group_b=Groups(), origin_consultation=consultation)
    client = client_for(staff_user)
    client.post(
        reverse("consultations:related_links", args=[consultation.pk]), {"related_projects": [project.pk]}
    )
    assert list(consultation.related_projects.all()) == [project]
    body = client.get(consultation.get_absolute_url()).content.decode()
    assert "こども食堂ネットワーク事業" in body
    assert match.get_absolute_url() in body


def test_the_string_of_a_consultation_names_no_one(consultation):
    """Other apps may print a consultation (a match's origin): its string holds no personal data."""
    assert consultation.person.name not in str(consultation)
    assert consultation.group.name not in str(consultation)


def test_group_history_link_for_other_apps_templates(rf, staff_user, official_user, consultation):
    """{% consultation_history_link group %} renders the link for permitted staff and nothing for others."""
    from django.template import Context, Template

    template = Template("{% load consultations %}{% consultation_history_link group %}")
    url = reverse("consultations:group_history", args=[consultation.group_id])
    for user, shown in ((staff_user, True), (official_user, False)):
        request = rf.get("/")
        request.user = user
        html = template.render(Context({"request": request, "group": consultation.group}))
        assert (url in html) is shown


@pytest.mark.parametrize("typed", ["0", "-30", "1441", "30.5"])
def test_a_duration_out_of_bounds_is_told_in_the_field_s_own_words(record, typed):
    """所要時間 of 0 or less, more than a day, or not whole minutes: the field says its bounds in
    words (not Django's generic 「1 以上」「数字で」), keeping what was typed, and nothing is saved."""
    response = record(duration_minutes=typed, new_person_name="山田 花子")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["duration_minutes"])
    assert "所要時間は1分から1,440分（24時間）までの分数で入力してください" in errors
    assert "以上でなければ" not in errors and "以下でなければ" not in errors
    assert f'value="{typed}"' in response.content.decode()
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"party_q": "さとう" * 101},
        {"target_q": "さとう" * 101, "mode": "referral"},
        {"q": "さとう", "mode": "all"},
    ],
)
def test_party_search_refuses_a_keyword_too_long_or_a_mode_that_is_no_choice(client_for, staff_user, params):
    """The search-as-you-type fragment and the plain page answer alike: a 400 saying what is wrong
    and no candidates. Before, party_q and target_q had no bound, and an unknown mode was read as
    「相談者」."""
    PersonFactory(name="佐藤 陽子", name_kana="さとう ようこ")
    client = client_for(staff_user)
    fragment = client.get(reverse("consultations:search"), params, HTTP_HX_REQUEST="true")
    page = client.get(reverse("consultations:search"), params)
    assert fragment.status_code == page.status_code == 400
    for response in (fragment, page):
        body = response.content.decode()
        assert 'role="alert"' in body and "佐藤 陽子" not in body
    assert "<html" not in fragment.content.decode()


def test_a_staff_member_without_a_name_is_unnamed_wherever_others_read_it(client_for, staff_user):
    """対応職員, 記録者 and フォローアップ担当 of a staff account without a name read 「（氏名未登録）」
    (User.__str__) on the record, in the lists and in the CSV: never the mail greeting 「ご利用者」,
    never the e-mail address in the name's place."""
    nameless = StaffFactory(email="nameless-staff@example.jp", full_name="")
    consultation = ConsultationFactory(staff=nameless, created_by=nameless)
    FollowUpFactory(consultation=consultation, owner=nameless)
    client = client_for(staff_user)

    detail = client.get(reverse("consultations:detail", args=[consultation.pk])).content.decode()
    assert "<dt>対応職員</dt><dd>（氏名未登録）</dd>" in detail
    assert "（（氏名未登録））" in detail  # 記録: the date and who recorded it
    assert "（担当: （氏名未登録））" in detail
    lists = "".join(
        client.get(reverse(name)).content.decode()
        for name in ("consultations:index", "consultations:follow_ups")
    )
    assert "<td>（氏名未登録）</td>" in lists
    for page in (detail, lists):
        assert "ご利用者" not in page and "nameless-staff@example.jp" not in page

    response = client.get(reverse("consultations:export"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("対応職員")] == "（氏名未登録）"
    assert not [cell for cell in rows[1] if "ご利用者" in cell or "nameless-staff" in cell]
