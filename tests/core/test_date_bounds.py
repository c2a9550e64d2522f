"""Every date people edit has a bound (core.validators.DATE_YEARS, or the field's own): a year such
as 0001 or 9999 is refused by full_clean, so the admin, every ModelForm and the services refuse it."""

import datetime as dt

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.validators import plausible_date
from groups import csv_io
from tests.events.factories import EventFactory
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db

MESSAGE = "2000年から2100年までの日付を入力してください。"


def test_every_date_people_edit_in_every_project_model_is_bounded():
    """One mechanism for all apps, new ones included (they are listed in PROJECT_APPS)."""
    unbounded = []
    for label in settings.PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.local_fields:
                if not isinstance(field, models.DateField) or not field.editable:
                    continue
                kinds = {type(v) for v in field.validators}
                if (
                    plausible_date not in field.validators
                    and not {MinValueValidator, MaxValueValidator} <= kinds
                ):
                    unbounded.append(f"{model._meta.label}.{field.name}")
    assert unbounded == []


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        (dt.date(1, 1, 1), True),
        (dt.date(1999, 12, 31), True),
        (dt.date(2000, 1, 1), False),
        (dt.date(2100, 12, 31), False),
        (dt.date(9999, 12, 31), True),
        (dt.datetime(9999, 12, 31, 10, 0, tzinfo=dt.UTC), True),
        (None, False),
    ],
)
def test_plausible_date_says_which_years_in_japanese(value, refused):
    if refused:
        with pytest.raises(ValidationError) as caught:
            plausible_date(value)
        assert caught.value.messages == [MESSAGE]
    else:
        plausible_date(value)


def test_a_date_and_time_of_a_model_is_refused_by_full_clean():
    session = EventFactory().sessions.get()
    session.starts_at = dt.datetime(9999, 12, 31, 10, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as caught:
        session.full_clean()
    assert caught.value.message_dict["starts_at"] == [MESSAGE]


@pytest.mark.parametrize(
    ("registered_on", "error"),
    [
        ("1998/4/1", None),  # a registration older than the portal, kept from the center's books
        ("0001/1/1", "登録日は1868年（明治元年）以降の日付にしてください。"),
        ("9999-12-31", "登録日は2100年までの日付にしてください。"),
    ],
)
def test_a_group_s_registration_date_has_its_own_wider_bounds(registered_on, error):
    """Checked in the CSV preview too, where a refused date would otherwise fail the save after it."""
    text = f"団体名,ふりがな,法人格,登録日\r\nみらいの会,みらいのかい,任意団体,{registered_on}\r\n"
    preview = csv_io.parse(text.encode("utf-8"))
    if error is None:
        assert preview.is_valid, [r.errors for r in preview.bad_rows]
        group = GroupFactory.build(registered_on=dt.date(1998, 4, 1))
        group.full_clean(exclude=["registration_number"])
    else:
        assert preview.bad_rows[0].errors == [error]
