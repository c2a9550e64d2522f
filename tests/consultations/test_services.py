"""Services: the rules of recording, following up and closing consultations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations import services
from consultations.models import ConsultationStatus, Topic
from core.models import Person

from .factories import ConsultationFactory, FollowUpFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_a_refused_consultation_leaves_no_new_person_behind():
    """Without topics the record is refused, and the new person typed on the screen is not created."""
    staff = StaffFactory()
    with pytest.raises(ValidationError):
        services.consultation_create(
            actor=staff,
            staff=staff,
            consulted_on=timezone.localdate(),
            topics=[],
            question="x",
            new_person={"name": "山田 太郎", "name_kana": "", "phone": ""},
        )
    assert not Person.objects.exists()


def test_a_follow_up_opens_the_consultation_and_finishing_the_last_closes_it():
    """Adding a follow-up makes the record 対応中; when every follow-up is done it is 完了 again."""
    consultation = ConsultationFactory()
    staff = consultation.staff
    first = services.follow_up_create(
        consultation=consultation, actor=staff, due_on=timezone.localdate(), owner=staff
    )
    second = FollowUpFactory(consultation=consultation)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN
    services.follow_up_complete(follow_up=first, actor=staff)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN
    services.follow_up_complete(follow_up=second, actor=staff, done_on=dt.date(2026, 1, 5))
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED
    second.refresh_from_db()
    assert second.done_on == dt.date(2026, 1, 5)


def test_a_referral_needs_exactly_one_target():
    """つなぎ先 is a department, a group or a business: not none, not two."""
    from .factories import DepartmentFactory, GroupFactory

    consultation = ConsultationFactory()
    with pytest.raises(ValidationError):
        services.referral_create(consultation=consultation, actor=consultation.staff)
    with pytest.raises(ValidationError):
        services.referral_create(
            consultation=consultation,
            actor=consultation.staff,
            department=DepartmentFactory(),
            group=GroupFactory(),
        )


def test_the_record_needs_a_client_or_anonymous():
    """Neither a group, nor a person, nor 匿名: refused; 匿名 with a person: refused."""
    staff = StaffFactory()
    topic = Topic.objects.get(code="other")
    with pytest.raises(ValidationError):
        services.consultation_create(
            actor=staff, staff=staff, consulted_on=timezone.localdate(), topics=[topic], question="x"
        )
    consultation = services.consultation_create(
        actor=staff,
        staff=staff,
        consulted_on=timezone.localdate(),
        topics=[topic],
        question="x",
        is_anonymous=True,
    )
    assert consultation.client_label == "匿名"
