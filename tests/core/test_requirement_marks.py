"""必須/任意 marks come from the rule the form validates with (core/forms.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from core.forms import OneOfRequired, RequiredWhen, RequirementsMixin

pytestmark = pytest.mark.django_db


class _Marks(HTMLParser):
    """{field id: mark text} for every <label for=…> and fieldset <legend id=…_legend>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: dict[str, str] = {}
        self._key: str | None = None
        self._in_badge = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self._key = a["for"]
        elif tag == "legend" and (a.get("id") or "").endswith("_legend"):
            self._key = a["id"].removesuffix("_legend")
        elif tag == "span" and self._key and (a.get("class") or "").startswith("badge-"):
            self._in_badge = True
            self.marks[self._key] = ""

    def handle_data(self, data):
        if self._in_badge and self._key:
            self.marks[self._key] += data

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_badge = False
        elif tag in ("label", "legend"):
            self._key = None


def marks(html: str) -> dict[str, str]:
    parser = _Marks()
    parser.feed(html)
    return parser.marks


class _ContactForm(RequirementsMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("person", "個人"), ("company", "法人")])
    number = forms.CharField(label="法人番号", required=False)
    email = forms.EmailField(label="メールアドレス", required=False)
    phone = forms.CharField(label="電話番号", required=False)
    note = forms.CharField(label="備考", required=False)

    requirements = (
        RequiredWhen(
            "number", when=lambda d: d.get("kind") == "company", mark="法人の場合は必須", message="番号を"
        ),
        OneOfRequired(("email", "phone"), mark="どちらかは必須", message="連絡先を"),
    )


def test_the_declared_rules_validate_and_mark_the_same_fields():
    form = _ContactForm({"kind": "company"})
    assert not form.is_valid()
    assert form.errors["number"] == ["番号を"] and form.errors["email"] == ["連絡先を"]
    assert _ContactForm({"kind": "person", "phone": "000-1"}).is_valid()
    assert marks(str(form)) == {
        "id_kind": "必須",
        "id_number": "法人の場合は必須",
        "id_email": "どちらかは必須",
        "id_phone": "どちらかは必須",
        "id_note": "任意",
    }


def test_a_draft_skips_the_rules_but_keeps_the_marks_of_submitting():
    form = _ContactForm({"kind": ""})
    form.relax_for_draft(keep=())
    assert form.is_valid()
    assert marks(str(form))["id_kind"] == "必須"
    assert marks(str(form))["id_number"] == "法人の場合は必須"


APPLY = reverse("groups:apply")


def test_group_application_marks_conditional_fields_in_words(client_for, make_user):
    html = client_for(make_user()).get(APPLY).content.decode()
    found = marks(html)
    assert found["id_corporate_number"] == "法人の場合は必須"
    assert found["id_email"] == found["id_phone"] == "メールアドレスか電話番号のどちらかは必須"
    assert found["id_name"] == "必須" and found["id_website"] == "任意"


@pytest.mark.parametrize("action", ["draft", "submit"])
def test_marks_stay_the_same_after_a_failed_save(client_for, make_user, action):
    """A draft save that fails (no name) shows the same marks as the empty form."""
    client = client_for(make_user())
    before = marks(client.get(APPLY).content.decode())
    response = client.post(APPLY, {"name": "", "legal_form": "npo", "action": action})
    assert response.status_code == 200
    assert "団体名を入力してください" in response.content.decode()
    assert marks(response.content.decode()) == before


def test_a_corporation_without_its_number_is_refused_with_the_marked_rule(client_for, make_user):
    response = client_for(make_user()).post(
        APPLY, {"name": "みらいの会", "legal_form": "npo", "email": "a@example.jp", "action": "submit"}
    )
    assert "法人の場合は法人番号（13桁）を入力してください。" in response.content.decode()


def test_search_forms_show_no_marks(client):
    html = client.get(reverse("groups:index")).content.decode()
    assert not re.search(r'class="badge-(optional|required|conditional)"', html)
