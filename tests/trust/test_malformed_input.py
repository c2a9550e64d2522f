"""Malformed requests answer 4xx in Japanese, never 500."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("month", ["9999-12", "1-1", "0-0", "2025-13"])
def test_month_view_out_of_range_is_a_japanese_400(client, month):
    response = client.get(reverse("events:index"), {"view": "month", "month": month})
    assert response.status_code == 400
    assert "月" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/groups/invitations/%00/",
        "/consultations/search/?q=%00",
        "/events/staff/people/merge/?q=%00",
        "/events/staff/?program=%00",
        "/reports/staff/outcomes/?program=%00",
        "/groups/?theme=99999999999999999999",
    ],
)
def test_nul_and_overlong_numbers_are_a_japanese_400(client_for, staff_user, url):
    response = client_for(staff_user).get(url)
    assert response.status_code == 400
    assert "使えない文字" in response.content.decode()


@pytest.mark.parametrize("fy", ["99999999", "-5", "abc"])
def test_staff_events_refuse_an_impossible_fiscal_year(client_for, staff_user, fy):
    response = client_for(staff_user).get(reverse("events:staff_index"), {"fy": fy})
    assert response.status_code == 400
    assert "年度" in response.content.decode()


def test_a_path_id_beyond_any_column_is_404(client):
    assert client.get("/groups/99999999999999999999/").status_code == 404


def test_admin_regex_lookups_are_refused(client, make_user):
    admin = make_user(email="root@example.jp", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/groups/group/", {"name__regex": "("}).status_code == 400
    assert client.get("/admin/groups/group/", {"q": "x" * 5000}).status_code == 400
    assert client.get("/admin/groups/group/", {"q": "みらい"}).status_code == 200


def post_form(client, url: str, data: dict):
    """As a browser sends a form without files (the middleware reads those bodies)."""
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize(
    ("multipart", "message"),
    [
        # A form without files: the middleware makes the NUL U+FFFD, which the field's rule names.
        (False, "読み取れない文字（\ufffd）"),
        # A form with files keeps the NUL: Django's own check refuses it, in the site's words
        # (Django's Japanese says 「何か文字を入力してください。」).
        (True, "NUL 文字は使えません。取り除いてからもう一度入力してください。"),
    ],
)
def test_a_nul_typed_into_a_form_comes_back_named_with_the_text_kept(client, make_user, multipart, message):
    """A NUL in a form's value (pasted from somewhere) is not a 400 that loses the form: the page
    comes back with the field's message and everything typed."""
    from tests.matching.factories import GroupFactory

    editor = make_user(email="nul-editor@example.jp")
    group = GroupFactory(name="ぬるの会", editors=[editor])
    client.force_login(editor)
    data = {"party": f"group-{group.pk}", "title": "チラシ\x00を作ってほしい", "kind": "people",
            "description": "A4で100枚"}  # fmt: skip
    url = reverse("matching:need_create")
    response = client.post(url, data) if multipart else post_form(client, url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body and "何か文字を入力してください" not in body
    assert "A4で100枚" in body and "を作ってほしい" in body
    from matching.models import Need

    assert not Need.objects.exists()


def test_a_nul_in_a_form_field_s_name_is_still_a_400(client):
    response = post_form(client, reverse("account_login"), {"login\x00": "a", "password": "b"})
    assert response.status_code == 400


def test_an_overlong_number_in_a_form_says_what_to_do(client, make_user):
    editor = make_user(email="long-number@example.jp")
    client.force_login(editor)
    response = post_form(client, reverse("matching:need_create"), {"title": "99999999999999999999"})
    assert response.status_code == 400
    assert "19桁以上の数字は受け付けられません" in response.content.decode()
