"""Control characters never reach the database through a model, and stored ones break no output."""

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from core.validators import NoControlCharacters, single_line
from tests.events.factories import EventFactory
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("みらいの会\r\nBcc: victim@example.jp", "改行（CR）"),
        ("みらいの会\nBcc: victim@example.jp", "改行（LF）"),
        ("みらい\x00の会", "NUL 文字"),
        ("みらいの会\u202egpj.exe", "U+202E"),
        ("みらいの会\u2066", "U+2066"),
    ],
)
def test_a_single_line_field_refuses_control_characters_in_japanese(value, what):
    """A group name with a line break, NUL or bidi override is refused by full_clean, the field named."""
    group = GroupFactory.build(name=value)
    with pytest.raises(ValidationError) as caught:
        group.full_clean(exclude=["registration_number"])
    errors = caught.value.message_dict
    assert "name" in errors
    assert what in errors["name"][0] and "使えません" in errors["name"][0]


def test_a_multi_line_field_keeps_line_breaks_but_not_nul_or_overrides():
    group = GroupFactory.build(purpose="一行目\r\n二行目\tタブ")
    group.full_clean(exclude=["registration_number"])
    for bad in ("説明\x00", "説明\u202e"):
        group.purpose = bad
        with pytest.raises(ValidationError) as caught:
            group.full_clean(exclude=["registration_number"])
        assert "purpose" in caught.value.message_dict


def test_every_text_field_of_every_project_model_has_the_rule():
    """One mechanism for all apps, new ones included (they are listed in PROJECT_APPS)."""
    missing = []
    for label in settings.PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.local_fields:
                if isinstance(field, models.CharField | models.TextField) and not any(
                    isinstance(v, NoControlCharacters) for v in field.validators
                ):
                    missing.append(f"{model._meta.label}.{field.name}")
    assert missing == []


def test_single_line_flattens_anything_stored():
    assert single_line("a\r\nBcc: b\u202e c\x00") == "a Bcc: b c"


def test_an_event_title_with_a_stored_line_break_still_gives_an_ics(client):
    """Rows written before the rule (or by SQL) must not make the calendar file a 500."""
    event = EventFactory()
    type(event).objects.filter(pk=event.pk).update(title="講座\r\nのお知らせ", venue="会議室\nA")
    response = client.get(reverse("events:ics", args=[event.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "X-WR-CALNAME:講座 のお知らせ" in body


def test_every_multi_line_field_people_type_into_is_bounded():
    """Every input has a bound: an editable TextField without its own max_length takes 20,000
    characters at most (an Excel cell holds 32,767), said in Japanese."""
    from core.validators import TEXT_MAX_LENGTH

    unbounded = []
    for label in settings.PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.local_fields:
                if isinstance(field, models.TextField) and field.editable and field.max_length is None:
                    try:
                        field.run_validators("あ" * (TEXT_MAX_LENGTH + 1))
                    except ValidationError:
                        continue
                    unbounded.append(f"{model._meta.label}.{field.name}")
    assert unbounded == []
    group = GroupFactory.build(purpose="あ" * (TEXT_MAX_LENGTH + 1))
    with pytest.raises(ValidationError) as caught:
        group.full_clean(exclude=["registration_number"])
    message = "20000文字以内で入力してください（いまは20001文字です）。"
    assert caught.value.message_dict["purpose"] == [message]
    group.purpose = "あ" * TEXT_MAX_LENGTH
    group.full_clean(exclude=["registration_number"])


@pytest.mark.django_db
def test_every_multi_line_form_field_is_bounded_like_the_models():
    """A form's own free text (core.form_helpers.text_area: a referral's result, a decision's
    reason) refuses a paste over 20,000 characters next to the field, as the model fields do,
    instead of passing it to whatever stores it. A max_length of its own still wins."""
    from consultations.forms import ReferralResultForm
    from core.form_helpers import text_area
    from core.validators import TEXT_MAX_LENGTH
    from tests.consultations.factories import ReferralFactory

    referral = ReferralFactory()
    data = {"result": referral.result or "maybe", "result_note": "あ" * (TEXT_MAX_LENGTH + 1)}
    form = ReferralResultForm(data, referral=referral)
    assert form.errors["result_note"] == ["20000文字以内で入力してください（いまは20001文字です）。"]
    assert 'maxlength="20000"' in str(form["result_note"])
    assert ReferralResultForm({**data, "result_note": "あ" * TEXT_MAX_LENGTH}, referral=referral).is_valid()
    assert text_area("メモ", rows=2, max_length=200).max_length == 200
