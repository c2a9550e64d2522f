"""A consultation's dates are plausible: no 相談日 after today, no follow-up due before the talk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from consultations import services
from consultations.models import Topic

from .factories import ConsultationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def record(day: dt.date):
    staff = StaffFactory()
    return services.consultation_create(
        actor=staff,
        staff=staff,
        consulted_on=day,
        topics=[Topic.objects.get(code="other")],
        question="助成金の相談",
        is_anonymous=True,
    )


def test_a_consultation_is_not_dated_after_today():
    today = timezone.localdate()
    assert record(today).consulted_on == today
    with pytest.raises(ValidationError) as caught:
        record(today + dt.timedelta(days=1))
    assert caught.value.message_dict["consulted_on"] == [
        f"相談日に先の日付は入れられません（今日は{date_format(today, 'Y年n月j日')}）。"
    ]


def test_a_follow_up_is_not_due_before_the_consultation():
    consultation = ConsultationFactory(consulted_on=timezone.localdate() - dt.timedelta(days=10))
    staff = consultation.staff
    with pytest.raises(ValidationError) as caught:
        services.follow_up_create(
            consultation=consultation,
            actor=staff,
            due_on=consultation.consulted_on - dt.timedelta(days=1),
            owner=staff,
        )
    assert "期限は相談日" in caught.value.message_dict["due_on"][0]
    follow_up = services.follow_up_create(
        consultation=consultation, actor=staff, due_on=consultation.consulted_on, owner=staff
    )
    assert follow_up.pk
