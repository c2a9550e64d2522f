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


# --- Every form with a conditional requirement marks it with the rule it validates with ------------


def test_counter_registration_marks_phone_and_email_as_one_of_and_keeps_them_after_a_failure(
    client_for, staff_user
):
    from tests.events.factories import EventFactory

    url = reverse("events:staff_register", args=[EventFactory().pk])
    client = client_for(staff_user)
    before = marks(client.get(url).content.decode())
    assert before["id_phone"] == before["id_email"] == "電話番号かメールアドレスのどちらかは必須"
    assert before["id_name"] == "必須" and before["id_name_kana"] == "任意"
    response = client.post(url, {"name": "佐藤 陽子", "channel": "phone"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "連絡のため、電話番号かメールアドレスのどちらかを入力してください。" in html
    assert marks(html) == before


def test_a_consultation_asks_for_a_new_name_only_without_a_chosen_or_anonymous_client(staff_user):
    from consultations.forms import ConsultationForm

    base = {
        "consulted_on": "2027-01-13",
        "channel": "visit",
        "duration_minutes": "30",
        "staff": staff_user.pk,
        "question": "場所をさがしています",
        "status": "closed",
    }
    form = ConsultationForm(base)
    form.fields["topics"].required = False
    assert not form.is_valid()
    assert "「匿名の相談」にしてください" in form.errors["new_person_name"][0]
    assert marks(str(form))["id_new_person_name"] == "候補から選ばず匿名でもない場合は必須"
    anonymous = ConsultationForm({**base, "is_anonymous": "on"})
    anonymous.fields["topics"].required = False
    assert anonymous.is_valid(), anonymous.errors


def test_a_referral_marks_the_department_and_the_search_as_one_of(client_for, staff_user):
    from consultations.forms import ReferralForm
    from core.forms import requirement_mark
    from tests.consultations.factories import ConsultationFactory

    form = ReferralForm({"note": "紹介"})
    assert not form.is_valid()
    assert form.errors["department"] == [
        "つなぎ先を1つ選んでください（担当課、または団体・企業のどちらか）。"
    ]
    assert requirement_mark(form["target"]).text == "担当課か団体・企業のどちらかは必須"
    consultation = ConsultationFactory(staff=staff_user)
    html = (
        client_for(staff_user).get(reverse("consultations:detail", args=[consultation.pk])).content.decode()
    )
    found = marks(html)
    assert found["id_department"] == found["id_target_q"] == "担当課か団体・企業のどちらかは必須"


def test_a_side_resolution_needs_the_substitute_only_when_naming_one():
    from projects.forms import SideResolutionForm

    form = SideResolutionForm({"side": "department", "choice": "substitute"})
    assert not form.is_valid()
    assert form.errors["substitute"] == ["代わりの審査員を選んでください。"]
    assert marks(str(form))["id_substitute"] == "代わりの審査員を指名する場合は必須"
    assert SideResolutionForm({"side": "department", "choice": "remaining_side"}).is_valid()


def test_review_marks_stay_required_after_a_part_way_save():
    from types import SimpleNamespace

    from projects.forms import ReviewForm

    criteria = [SimpleNamespace(pk=1, name="公益性", weight=20, description="")]
    empty = marks(str(ReviewForm(criteria=criteria)))
    part_way = ReviewForm({"score_1": "9"}, criteria=criteria, partial=True)
    assert not part_way.is_valid()  # 9 is not a score: the part-way save fails
    assert empty["id_recommendation"] == "必須"
    assert marks(str(part_way)) == empty
    assert ReviewForm({}, criteria=criteria, partial=True).is_valid()


def test_a_proposal_marks_the_plan_as_needed_to_submit():
    from projects.forms import ProposalForm
    from tests.projects.factories import CallFactory

    found = marks(str(ProposalForm(call=CallFactory())))
    assert found["id_title"] == "必須"
    assert found["id_summary"] == found["id_plan_who"] == found["id_plan_how"] == "提出時は必須"
