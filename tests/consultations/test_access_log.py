"""Every view, change and export of a consultation is written to the access log, which nobody can edit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import AccessAction, Consultation, ConsultationAccessLog, Topic

from .factories import ConsultationFactory, FollowUpFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def last_entry() -> ConsultationAccessLog:
    return ConsultationAccessLog.objects.order_by("-id").first()


def test_viewing_a_consultation_is_logged(client_for, staff_user, consultation):
    """Opening the detail page writes one 閲覧 entry naming the user and the record."""
    client_for(staff_user).get(reverse("consultations:detail", args=[consultation.pk]))
    entry = last_entry()
    assert entry.action == AccessAction.VIEW
    assert entry.user == staff_user
    assert staff_user.email in entry.user_label
    assert entry.consultation_ids == [consultation.pk]
    assert entry.path == reverse("consultations:detail", args=[consultation.pk])


def test_the_list_logs_exactly_the_records_it_shows(client_for, staff_user, settings):
    """A list page logs the ids of the rows on that page, not the whole table."""
    settings.PAGINATE_BY = 3
    records = ConsultationFactory.create_batch(5)
    client_for(staff_user).get(reverse("consultations:index"))
    newest_first = sorted(records, key=lambda c: (c.consulted_on, c.pk), reverse=True)[:3]
    assert last_entry().consultation_ids == sorted(c.pk for c in newest_first)
    assert last_entry().record_count == 3


def test_a_search_logs_only_the_matching_records(client_for, staff_user):
    """Searching shows and logs only what matched."""
    hit = ConsultationFactory(question="NPO法人の設立について")
    ConsultationFactory(question="チラシの作り方")
    client_for(staff_user).get(reverse("consultations:index"), {"q": "ｎｐｏ法人"})
    assert last_entry().consultation_ids == [hit.pk]


def test_the_log_keeps_the_filters_but_not_the_typed_keywords(client_for, staff_user):
    """A keyword may name a citizen and the log can never be deleted: it records that a keyword
    was used, and keeps the filters, for the list, the export and the admin search alike."""
    ConsultationFactory(question="山田さんの相談")
    client = client_for(staff_user)
    client.get(reverse("consultations:index"), {"q": "山田", "channel": "visit", "group_name": "山田"})
    assert last_entry().path == "/consultations/?q=***&channel=visit&group_name=***"
    client.get(reverse("consultations:export"), {"q": "山田"})
    assert last_entry().action == AccessAction.EXPORT
    assert last_entry().path == reverse("consultations:export") + "?q=***"
    client.get(reverse("admin:consultations_consultation_changelist"), {"q": "山田"})
    assert last_entry().path == reverse("admin:consultations_consultation_changelist") + "?q=***"
    assert not ConsultationAccessLog.objects.filter(path__contains="%E5%B1%B1").exists()


def test_masking_leaves_paths_without_keywords_alone():
    assert services.without_free_text("/consultations/12/") == "/consultations/12/"
    assert services.without_free_text("/consultations/?page=2&q=") == "/consultations/?page=2&q="


def test_export_is_logged_with_every_exported_record(client_for, staff_user):
    """The CSV export writes a 書き出し entry listing all the records in the file."""
    records = ConsultationFactory.create_batch(3)
    response = client_for(staff_user).get(reverse("consultations:export"))
    assert response.status_code == 200
    entry = last_entry()
    assert entry.action == AccessAction.EXPORT
    assert entry.consultation_ids == sorted(c.pk for c in records)


def test_recording_a_consultation_is_logged_as_create(record):
    """Saving the record screen writes a 登録 entry for the new record."""
    response = record(
        channel="phone",
        duration_minutes="20",
        is_anonymous="on",
        topics=[Topic.objects.get(code="venue").pk],
        question="会議室を借りたい",
        _save="1",
        _another=None,
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    entry = last_entry()
    assert entry.action == AccessAction.CREATE
    assert entry.consultation_ids == [consultation.pk]


def test_changes_are_logged(client_for, staff_user, consultation):
    """A referral result, a finished follow-up and a new follow-up: each one 変更 entry."""
    client = client_for(staff_user)
    referral = ReferralFactory(consultation=consultation)
    follow_up = FollowUpFactory(consultation=consultation)
    before = ConsultationAccessLog.objects.count()
    client.post(reverse("consultations:referral_result", args=[referral.pk]), {"result": "connected"})
    client.post(reverse("consultations:follow_up_done", args=[follow_up.pk]))
    client.post(
        reverse("consultations:follow_up_add", args=[consultation.pk]),
        {"due_on": timezone.localdate().isoformat(), "owner": staff_user.pk, "description": "電話する"},
    )
    changes = ConsultationAccessLog.objects.filter(action=AccessAction.CHANGE).order_by("id")
    assert ConsultationAccessLog.objects.count() == before + 3
    assert [e.consultation_ids for e in changes] == [[consultation.pk]] * 3


def test_admin_views_and_changes_are_logged(client_for, staff_user, consultation):
    """The admin logs its list (records shown), its change page (view) and a save (change)."""
    client = client_for(staff_user)
    client.get(reverse("admin:consultations_consultation_changelist"))
    assert last_entry().action == AccessAction.VIEW
    assert consultation.pk in last_entry().consultation_ids
    client.get(reverse("admin:consultations_consultation_change", args=[consultation.pk]))
    assert last_entry().consultation_ids == [consultation.pk]
    assert "/admin/" in last_entry().path


def test_the_log_is_append_only():
    """No update or delete through the ORM, a model instance or the admin."""
    entry = services.access_log_write(user=None, action=AccessAction.VIEW, consultations=[1, 2])
    assert entry.user_label == "システム（自動処理）"
    entry.path = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ConsultationAccessLog.objects.all().update(path="x")
    with pytest.raises(PermissionError):
        ConsultationAccessLog.objects.all().delete()
    assert ConsultationAccessLog.objects.get().path == ""


def test_even_a_superuser_cannot_edit_the_log_in_the_admin(client_for, make_user):
    """The admin shows the log read-only: change, delete and add are refused for everyone."""
    superuser = make_user(email="root@example.jp", is_superuser=True, is_staff=True)
    entry = services.access_log_write(user=superuser, action=AccessAction.EXPORT, consultations=[7])
    client = client_for(superuser)
    assert client.get(reverse("admin:consultations_consultationaccesslog_changelist")).status_code == 200
    assert (
        client.post(
            reverse("admin:consultations_consultationaccesslog_change", args=[entry.pk]), {"path": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:consultations_consultationaccesslog_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:consultations_consultationaccesslog_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.path == ""


def test_auditor_filters_the_log_by_record(client_for, auditor):
    """The audit page finds the entries that touched one consultation."""
    services.access_log_write(user=auditor, action=AccessAction.VIEW, consultations=[12, 3])
    services.access_log_write(user=auditor, action=AccessAction.VIEW, consultations=[1, 23])
    response = client_for(auditor).get(reverse("consultations:access_log"), {"consultation": "3"})
    assert list(response.context["page_obj"].object_list.values_list("consultation_ids", flat=True)) == [
        [3, 12]
    ]


def test_the_log_can_be_filtered_by_staff_who_have_since_left(client_for, auditor, make_user):
    """The 利用者 choices are the people in the log, by name (never e-mail): a member of staff
    whose account was deactivated, or whose staff role was taken away, is still one of them and
    their entries are found; staff with no entry are not offered."""
    from core.roles import Role

    left = make_user(roles=(Role.STAFF,), email="left@example.jp", full_name="退職 一郎")
    moved = make_user(roles=(Role.STAFF,), email="moved@example.jp", full_name="異動 花子")
    make_user(roles=(Role.STAFF,), email="quiet@example.jp", full_name="未閲覧 次郎")
    services.access_log_write(user=left, action=AccessAction.VIEW, consultations=[7])
    services.access_log_write(user=moved, action=AccessAction.EXPORT, consultations=[8])
    services.access_log_write(user=auditor, action=AccessAction.VIEW, consultations=[9])
    left.is_active = False
    left.save()
    moved.groups.clear()
    client = client_for(auditor)
    url = reverse("consultations:access_log")

    choices = dict(client.get(url).context["filter"].form.fields["user"].choices)
    labels = {str(label) for label in choices.values()}
    assert {"退職 一郎", "異動 花子"} <= labels
    assert "未閲覧 次郎" not in labels
    assert not [label for label in labels if "@" in label]
    for user, ids in ((left, [7]), (moved, [8])):
        response = client.get(url, {"user": user.pk})
        assert response.status_code == 200
        assert [e.consultation_ids for e in response.context["page_obj"].object_list] == [ids]


def test_deleting_an_account_keeps_its_log_entries(make_user):
    """The entries stay, with the name and e-mail recorded at the time."""
    user = make_user(email="leaving@example.jp", full_name="退職 一郎")
    entry = services.access_log_write(user=user, action=AccessAction.VIEW, consultations=[5])
    user.delete()
    entry.refresh_from_db()
    assert entry.user is None
    assert "leaving@example.jp" in entry.user_label and entry.consultation_ids == [5]


def test_saving_in_the_admin_is_logged_as_change(client_for, staff_user, consultation):
    """A save on the admin's change form writes one 変更 entry for that record."""
    url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    data = {
        "consulted_on": consultation.consulted_on.isoformat(),
        "channel": "phone",
        "duration_minutes": "45",
        "staff": consultation.staff_id,
        "group": consultation.group_id,
        "person": consultation.person_id,
        "topics": [t.pk for t in consultation.topics.all()],
        "question": "変更した相談内容",
        "answer": "",
        "status": "closed",
        "referrals-TOTAL_FORMS": "0",
        "referrals-INITIAL_FORMS": "0",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
    }
    response = client_for(staff_user).post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    consultation.refresh_from_db()
    assert consultation.channel == "phone"
    assert last_entry().action == AccessAction.CHANGE
    assert last_entry().consultation_ids == [consultation.pk]


@pytest.mark.parametrize("query", ["西ケ丘", "こども食堂", "ﾆｼｹｶﾞｵｶ"])
def test_the_admin_search_finds_what_the_portal_list_finds_and_logs_it(client_for, staff_user, query):
    """The admin's search is the list's keyword search (widths, kana, ヶ/ケ, 子ども/こども), not
    the raw term against the normalised column; the changelist still logs exactly its rows."""
    hit = ConsultationFactory(question="西ヶ丘（にしけがおか）の子ども食堂を始めたい")
    ConsultationFactory(question="チラシの作り方")
    client = client_for(staff_user)
    listed = client.get(reverse("consultations:index"), {"q": query}).context["page_obj"]
    assert [c.pk for c in listed] == [hit.pk]
    response = client.get(reverse("admin:consultations_consultation_changelist"), {"q": query})
    assert [c.pk for c in response.context_data["cl"].result_list] == [hit.pk]
    assert last_entry().consultation_ids == [hit.pk]
    assert last_entry().path == reverse("admin:consultations_consultation_changelist") + "?q=***"


def test_the_admin_form_edits_what_the_portal_form_edits(client_for, staff_user, consultation):
    """The admin's record form offers every field the service takes (one list), plus the
    classifications and links; the bookkeeping is shown, never edited."""
    url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    form = client_for(staff_user).get(url).context["adminform"].form
    assert set(services.CHANGEABLE_FIELDS) <= set(form.fields)
    assert {"topics", "themes", "related_events", "related_projects"} <= set(form.fields)
    assert not {"created_by", "created_at", "anonymised_at"} & set(form.fields)


def test_an_account_without_a_name_is_logged_as_unnamed_not_greeted(make_user):
    """A list reads 「（氏名未登録）」 for an account without a name (core.models.UNNAMED_IN_LISTS),
    not the greeting 「ご利用者」 of a mail; the address stays beside it, not in its place."""
    user = make_user(email="nameless@example.jp", full_name="")
    entry = services.access_log_write(user=user, action=AccessAction.VIEW, consultations=[5])
    assert entry.user_label == "（氏名未登録） <nameless@example.jp>"


def test_the_log_finds_deleted_accounts_and_tells_namesakes_apart(client_for, auditor, make_user):
    """A deleted account's entries (user NULL, the recorded name left) are one of the 利用者 choices
    and are found; two people of one name are told apart by their ふりがな, never by e-mail."""
    gone = make_user(email="gone@example.jp", full_name="削除 三郎")
    first = make_user(email="a@example.jp", full_name="山田 太郎", full_name_kana="やまだ たろう")
    second = make_user(email="b@example.jp", full_name="山田 太郎", full_name_kana="やまだ たいろう")
    services.access_log_write(user=gone, action=AccessAction.VIEW, consultations=[4])
    services.access_log_write(user=first, action=AccessAction.VIEW, consultations=[5])
    services.access_log_write(user=second, action=AccessAction.VIEW, consultations=[6])
    gone.delete()
    client = client_for(auditor)
    url = reverse("consultations:access_log")

    choices = {
        str(label): value for value, label in client.get(url).context["filter"].form.fields["user"].choices
    }
    assert {
        "山田 太郎（やまだ たろう）",
        "山田 太郎（やまだ たいろう）",
        "削除 三郎（削除されたアカウント）",
    } <= set(choices)
    assert not [label for label in choices if "@" in label]
    response = client.get(url, {"user": choices["削除 三郎（削除されたアカウント）"]})
    assert response.status_code == 200
    assert [e.consultation_ids for e in response.context["page_obj"].object_list] == [[4]]
    assert client.get(url, {"user": "d999999"}).status_code == 400
