"""Retention: personal fields of old consultations are anonymised, the statistics stay the same."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from consultations import hooks, selectors, services
from consultations.models import AccessAction, Consultation, ConsultationAccessLog, FollowUp, Referral
from consultations.tasks import anonymise_expired_consultations
from core.fiscal import fiscal_year_of

from .factories import ConsultationFactory, FollowUpFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_and_new(settings):
    settings.CONSULTATION_RETENTION_YEARS = 5
    today = timezone.localdate()
    old_day = today - dt.timedelta(days=6 * 366)  # not replace(year=...): no 29 February six years ago
    old = [
        ConsultationFactory(consulted_on=old_day, channel="phone", topics=["funding", "venue"]),
        ConsultationFactory(consulted_on=old_day - dt.timedelta(days=40), channel="visit", with_group=True),
        ConsultationFactory(consulted_on=old_day, channel="email", anonymous=True, topics=["other"]),
    ]
    for consultation in old:
        ReferralFactory(consultation=consultation, note="田中さんに紹介", result_note="電話でつながった")
        FollowUpFactory(consultation=consultation, description="佐藤さんに電話", done=True)
    recent = ConsultationFactory(consulted_on=today - dt.timedelta(days=30))
    return old, recent


def statistics_snapshot(days) -> dict:
    years = sorted({fiscal_year_of(d) for d in days})
    snapshot = {}
    for fy in years:
        monthly = selectors.monthly_counts(fiscal_year=fy)
        summary = selectors.fiscal_year_summary(fiscal_year=fy)
        snapshot[fy] = {
            "channel": monthly["channel"].cells,
            "topic": monthly["topic"].cells,
            "total": summary["total"],
            "minutes": summary["minutes"],
            "referrals": summary["referrals"],
            "groups": summary["groups"],
        }
    yearly = selectors.fiscal_year_counts(first=min(years), last=max(years))
    snapshot["yearly"] = (yearly["channel"].cells, yearly["topic"].cells)
    return snapshot


def test_command_anonymises_old_consultations_and_keeps_the_statistics(old_and_new):
    """Older than the retention period: person, asked, answered and notes gone; counts unchanged."""
    old, recent = old_and_new
    days = [c.consulted_on for c in [*old, recent]]
    before = statistics_snapshot(days)
    persons = [c.person_id for c in old if c.person_id]
    assert persons

    out = StringIO()
    call_command("anonymise_consultations", stdout=out)

    assert "3件を匿名化しました" in out.getvalue()
    assert statistics_snapshot(days) == before
    for consultation in Consultation.objects.filter(pk__in=[c.pk for c in old]):
        assert consultation.person_id is None
        assert consultation.is_anonymous
        assert consultation.question == str(services.ANONYMISED_TEXT)
        assert consultation.answer == ""
        assert consultation.search_text == ""
        assert consultation.anonymised_at is not None
    assert not Referral.objects.filter(consultation__in=old).exclude(note="", result_note="").exists()
    assert not FollowUp.objects.filter(consultation__in=old).exclude(description="").exists()
    # The group (an organisation) and the referral targets stay for the group's history.
    assert Consultation.objects.filter(pk=old[1].pk, group__isnull=False).exists()
    recent.refresh_from_db()
    assert recent.anonymised_at is None
    assert recent.person_id is not None
    assert recent.question == "子ども食堂の助成金を探している。"


def test_anonymisation_is_logged_and_idempotent(old_and_new):
    """The run is one 匿名化 entry listing the records; a second run changes nothing and logs nothing."""
    old, _recent = old_and_new
    assert services.consultations_anonymise_expired() == 3
    entry = ConsultationAccessLog.objects.get(action=AccessAction.ANONYMISE)
    assert entry.consultation_ids == sorted(c.pk for c in old)
    assert entry.user is None
    assert services.consultations_anonymise_expired() == 0
    assert ConsultationAccessLog.objects.filter(action=AccessAction.ANONYMISE).count() == 1


def test_retention_years_come_from_settings(old_and_new, settings):
    """With a longer retention period nothing is old enough yet."""
    settings.CONSULTATION_RETENTION_YEARS = 10
    assert services.consultations_anonymise_expired() == 0
    out = StringIO()
    call_command("anonymise_consultations", "--dry-run", "--years", "5", stdout=out)
    assert "3件" in out.getvalue()
    assert not Consultation.objects.filter(anonymised_at__isnull=False).exists()


def test_the_yearly_task_is_scheduled_and_anonymises(old_and_new):
    """BEAT_SCHEDULE runs the task every 1 April; the task calls the same service."""
    entry = hooks.BEAT_SCHEDULE["consultations-anonymise-expired-yearly"]
    assert entry["task"] == anonymise_expired_consultations.name
    schedule = entry["schedule"]
    assert schedule.month_of_year == {4} and schedule.day_of_month == {1}
    assert anonymise_expired_consultations.delay().get() == 3
    assert Consultation.objects.filter(anonymised_at__isnull=False).count() == 3


def test_an_anonymised_record_cannot_be_edited(old_and_new, client_for, staff_user):
    """After anonymisation the record is read-only: the edit page sends back to the record."""
    old, _recent = old_and_new
    services.consultations_anonymise_expired()
    response = client_for(staff_user).get(f"/consultations/{old[0].pk}/edit/")
    assert response.status_code == 302
    detail = client_for(staff_user).get(f"/consultations/{old[0].pk}/")
    assert "匿名化しました" in detail.content.decode()


def test_guest_records_used_only_by_anonymised_consultations_are_deleted(settings, make_user):
    """A guest (no account) known only from old consultations disappears; anyone still referred to stays."""
    from core.models import Person

    from .factories import PersonFactory

    settings.CONSULTATION_RETENTION_YEARS = 5
    today = timezone.localdate()
    old_day = today - dt.timedelta(days=6 * 366)  # not replace(year=...): no 29 February six years ago
    only_old = PersonFactory(name="古川 一郎")
    also_recent = PersonFactory(name="新井 花子")
    with_account = PersonFactory(name="口座 持子", user=make_user(email="has-account@example.jp"))
    for person in (only_old, also_recent, with_account):
        ConsultationFactory(consulted_on=old_day, person=person)
    ConsultationFactory(consulted_on=today, person=also_recent)

    assert services.consultations_anonymise_expired() == 3

    assert not Person.objects.filter(pk=only_old.pk).exists()
    assert Person.objects.filter(pk__in=[also_recent.pk, with_account.pk]).count() == 2


def test_auditors_see_what_waits_and_can_run_it_again(old_and_new, client_for, auditor, staff_user):
    """The audit page shows how many records wait (a failed yearly run is visible) and runs it on request."""
    client = client_for(auditor)
    page = client.get("/consultations/staff/access-log/")
    assert page.context["retention"]["waiting"] == 3
    assert "今すぐ匿名化する" in page.content.decode()
    assert client_for(staff_user).post("/consultations/staff/anonymise/").status_code == 403
    response = client_for(auditor).post("/consultations/staff/anonymise/")
    assert response.status_code == 302
    assert Consultation.objects.filter(anonymised_at__isnull=False).count() == 3
    entry = ConsultationAccessLog.objects.get(action=AccessAction.ANONYMISE)
    assert entry.user == auditor
    assert client.get("/consultations/staff/access-log/").context["retention"]["waiting"] == 0


def test_the_access_log_page_says_what_the_scheduled_anonymisation_will_do(old_and_new, client_for, auditor):
    """Records waiting for anonymisation: the page says when the automatic run comes and what it
    removes, and points at the button, never at a command staff cannot run."""
    from django.urls import reverse

    html = client_for(auditor).get(reverse("consultations:access_log")).content.decode()
    next_run = selectors.retention_status()["next_run"]
    assert f"{next_run.year}年{next_run.month}月{next_run.day}日の自動の匿名化で" in html
    assert "相談者・相談内容・対応内容" in html and "今すぐ匿名化する" in html
    assert "manage.py" not in html and "anonymise_consultations" not in html
