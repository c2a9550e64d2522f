"""A required field left empty says what to do and names the field, in every form of the portal
(core.forms.NamedRequiredBoundField through settings.FORM_RENDERER), never Django's
「この項目は必須です。」 alike on every field."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from core.forms import DJANGO_REQUIRED

pytestmark = pytest.mark.django_db

GENERIC = "この項目は必須です"


class _Form(forms.Form):
    name = forms.CharField(label="お名前")
    kind = forms.ChoiceField(label="種類", choices=[("a", "A")])
    file = forms.FileField(label="CSVファイル")
    agree = forms.BooleanField(label="利用目的に同意する")
    alt_text = forms.CharField(label="チラシの内容（画像の代わりの文章）")
    reason = forms.CharField(label="理由", error_messages={"required": "差し戻す理由を入力してください。"})


def test_each_kind_of_field_says_what_to_do_naming_itself():
    form = _Form(data={})
    assert not form.is_valid()
    assert form.errors == {
        "name": ["お名前を入力してください。"],
        "kind": ["種類を選んでください。"],
        "file": ["CSVファイルを選んでください。"],
        "agree": ["「利用目的に同意する」にチェックを入れてください。"],
        "alt_text": ["「チラシの内容（画像の代わりの文章）」を入力してください。"],
        "reason": ["差し戻す理由を入力してください。"],  # the form's own message is kept
    }


def test_the_message_is_the_forms_own_copy_and_a_later_label_is_named():
    """The class's field keeps Django's message; a label a form sets in __init__ is the one named."""
    form = _Form(data={})
    form.fields["name"].label = "団体名"
    form.is_valid()
    assert form.errors["name"] == ["団体名を入力してください。"]
    assert _Form.base_fields["name"].error_messages["required"] is DJANGO_REQUIRED


class _Short(forms.Form):
    name = forms.CharField(label="お名前", max_length=3)


def test_a_text_too_long_says_the_bound_and_the_length():
    """Django's max_length message in the wording of the text bound (core.validators), full-width （）."""
    assert _Short(data={"name": "協働太郎"}).errors["name"] == [
        "3文字以内で入力してください（いまは4文字です）。"
    ]


def test_a_public_form_and_the_sign_in_form_name_their_fields(client):
    """The newsletter (info) and allauth's sign-in form get the same messages."""
    html = client.post(reverse("info:newsletter_subscribe"), {"agree": "on"}).content.decode()
    assert "メールアドレスを入力してください。" in html and GENERIC not in html
    html = client.post(reverse("account_login"), {}).content.decode()
    assert "メールアドレスを入力してください。" in html and "パスワードを入力してください。" in html
    assert GENERIC not in html


def test_the_error_summary_names_a_field_once():
    """The summary prefixes the label only to a message that does not name the field itself:
    「お名前を入力してください。」, not 「お名前: お名前を入力してください。」."""
    from django.template.loader import render_to_string

    class _Contact(forms.Form):
        name = forms.CharField(label="お名前")
        body = forms.CharField(label="お問い合わせ内容", max_length=3)

    form = _Contact(data={"body": "長すぎる本文"})
    html = render_to_string("includes/form_errors.html", {"form": form})
    assert "お名前を入力してください。" in html and "お名前: お名前" not in html
    assert "お問い合わせ内容: 3文字以内で入力してください" in html
