"""Every error page is Japanese and drawn in the site's layout, for the signed-in user too."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LAYOUT = ('<html lang="ja">', 'class="site-header"', 'class="site-nav"')


def assert_in_layout(html: str) -> None:
    for marker in LAYOUT:
        assert marker in html
    assert settings.CENTER_NAME in html


@override_settings(ROOT_URLCONF="tests.core.urls_errors", DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/test-400/", 400, "アドレスまたは入力に誤りがあります"),
        ("/test-403/", 403, "このページを表示する権限がありません"),
        ("/no-such-page/", 404, "ページが見つかりません"),
        ("/test-429/", 429, "しばらく時間をおいてください"),
        ("/test-500/", 500, "システムでエラーが発生しました"),
    ],
)
def test_error_pages_are_japanese_in_the_layout(client_for, staff_user, url, status, heading):
    client = client_for(staff_user)
    client.raise_request_exception = False
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in html
    assert_in_layout(html)
    # Drawn with the request: the header knows who is signed in.
    assert "ログアウト" in html
    assert "/srv/kyodo" not in html and "Traceback" not in html


@override_settings(ROOT_URLCONF="tests.core.urls_errors", DEBUG=False)
def test_an_error_page_that_cannot_be_drawn_in_the_layout_falls_back_to_a_plain_page(client, monkeypatch):
    from core import errors

    def broken_render(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(errors, "render", broken_render)
    client.raise_request_exception = False
    response = client.get("/test-500/")
    assert response.status_code == 500
    assert "システムでエラーが発生しました" in response.content.decode()


def test_a_form_posted_without_a_valid_csrf_token_gets_a_japanese_page_in_the_layout(make_user):
    user = make_user(email="citizen@example.jp")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": "wrong"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>送信を受け付けられませんでした</h1>" in html
    assert "もう一度送信してください" in html
    assert_in_layout(html)
    # Django's English page and its technical reason stay out of it.
    assert "CSRF verification failed" not in html and "Forbidden" not in html
    assert "CSRF cookie" not in html


def test_the_csrf_page_for_a_visitor_without_a_cookie():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a", "password": "b"})
    assert response.status_code == 403
    assert "送信を受け付けられませんでした" in response.content.decode()
