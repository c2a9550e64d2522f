"""The whole-page cache of the home page and the group directory (core/pagecache.py): anonymous
visitors share one copy; nobody signed in ever gets it or fills it; a change to what the page
shows is visible at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Event
from groups.models import Group
from tests.events.factories import EventFactory
from tests.groups.factories import GroupFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("groups:index")
MYPAGE_LINK = f'href="{reverse("core:mypage")}"'


def test_anonymous_visitors_get_the_cached_home_page(client, django_assert_num_queries):
    event = EventFactory(title="まちの未来を語る会")
    assert "まちの未来を語る会" in client.get("/").content.decode()
    # A change that sends no signal (a bulk update) is not seen: the page comes from the cache,
    # without a query.
    Event.objects.filter(pk=event.pk).update(title="書き換えた題名")
    with django_assert_num_queries(0):
        response = client.get("/")
    html = response.content.decode()
    assert "まちの未来を語る会" in html and "書き換えた題名" not in html
    assert "Cookie" in response["Vary"]


def test_anonymous_visitors_get_the_cached_directory(client, django_assert_num_queries):
    group = GroupFactory(name="みどりの会")
    assert "みどりの会" in client.get(DIRECTORY).content.decode()
    Group.objects.filter(pk=group.pk).update(name="名前を変えた会")
    with django_assert_num_queries(0):
        html = client.get(DIRECTORY).content.decode()
    assert "みどりの会" in html


def test_each_query_string_is_a_page_of_its_own(client):
    GroupFactory(name="あおぞら子ども会", name_kana="あおぞらこどもかい")
    GroupFactory(name="みなと環境クラブ", name_kana="みなとかんきょうくらぶ")
    assert "あおぞら子ども会" in client.get(DIRECTORY).content.decode()
    html = client.get(DIRECTORY, {"q": "みなと"}).content.decode()
    assert "みなと環境クラブ" in html and "あおぞら子ども会" not in html


def test_a_signed_in_person_never_gets_the_cached_page(client, member):
    anonymous_html = client.get("/").content.decode()
    assert MYPAGE_LINK not in anonymous_html and "ログアウト" not in anonymous_html
    client.force_login(member)
    html = client.get("/").content.decode()
    assert MYPAGE_LINK in html and "ログアウト" in html


def test_a_signed_in_persons_page_is_never_stored(client, member):
    client.force_login(member)
    signed_in_html = client.get(DIRECTORY).content.decode()
    assert MYPAGE_LINK in signed_in_html and "csrfmiddlewaretoken" in signed_in_html
    client.logout()
    client.cookies.clear()
    html = client.get(DIRECTORY).content.decode()
    assert MYPAGE_LINK not in html and "csrfmiddlewaretoken" not in html


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(client):
    event = EventFactory(title="新しい講座")
    client.get("/")
    Event.objects.filter(pk=event.pk).update(title="直したばかりの講座")
    client.cookies["messages"] = "anything"
    assert "直したばかりの講座" in client.get("/").content.decode()


def test_saving_a_group_refreshes_the_directory_and_the_home_page(client):
    group = GroupFactory(name="はじめの会")
    assert "はじめの会" in client.get(DIRECTORY).content.decode()
    assert "はじめの会" in client.get("/").content.decode()
    group.name = "あたらしい名前の会"
    group.save()
    assert "あたらしい名前の会" in client.get(DIRECTORY).content.decode()
    assert "あたらしい名前の会" in client.get("/").content.decode()


def test_a_new_group_and_a_deleted_one_show_at_once(client):
    GroupFactory(name="さきの会")
    client.get(DIRECTORY)
    newcomer = GroupFactory(name="あとから来た会")
    assert "あとから来た会" in client.get(DIRECTORY).content.decode()
    newcomer.delete()
    assert "あとから来た会" not in client.get(DIRECTORY).content.decode()


def test_saving_an_event_refreshes_the_home_page(client):
    event = EventFactory(title="春の交流会")
    assert "春の交流会" in client.get("/").content.decode()
    event.title = "夏の交流会"
    event.save()
    html = client.get("/").content.decode()
    assert "夏の交流会" in html and "春の交流会" not in html


def test_a_new_event_session_refreshes_the_home_page(client):
    client.get("/")
    EventFactory(title="追加された講座")
    assert "追加された講座" in client.get("/").content.decode()


def test_changing_a_groups_themes_refreshes_the_directory(client):
    from core.models import Theme

    theme = Theme.objects.order_by("pk").first()
    group = GroupFactory(name="テーマを変える会", themes=[])
    url = f"{DIRECTORY}?theme={theme.pk}"
    assert "テーマを変える会" not in client.get(url).content.decode()
    group.themes.add(theme)
    assert "テーマを変える会" in client.get(url).content.decode()


def test_an_invalid_filter_is_never_cached(client, monkeypatch):
    from core import pagecache

    stored = []
    real_set = pagecache.cache.set
    monkeypatch.setattr(
        pagecache.cache, "set", lambda key, *a, **k: (stored.append(key), real_set(key, *a, **k))
    )
    assert client.get(f"{DIRECTORY}?theme=999999").status_code == 400
    assert not [key for key in stored if key.startswith("pagecache:page2:")]
    assert client.get(DIRECTORY).status_code == 200
    assert [key for key in stored if key.startswith("pagecache:page2:")]


def test_the_cache_can_be_turned_off(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    event = EventFactory(title="切り替え前")
    client.get("/")
    Event.objects.filter(pk=event.pk).update(title="切り替え後")
    assert "切り替え後" in client.get("/").content.decode()


def test_a_registration_refreshes_the_seats_left_on_the_event_page(client):
    from tests.events.factories import RegistrationFactory

    event = EventFactory(title="定員のある講座", capacity=20)
    assert "残り20人" in client.get(event.get_absolute_url()).content.decode()
    RegistrationFactory(event=event)
    assert "残り19人" in client.get(event.get_absolute_url()).content.decode()


def test_saving_a_project_or_a_grant_refreshes_their_public_lists(client):
    import datetime as dt

    from django.utils import timezone

    from tests.info.factories import GrantFactory
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(title="川をきれいにする協働")
    grant = GrantFactory(title="まちづくり応援金", closes_on=timezone.localdate() + dt.timedelta(days=60))
    projects, grants = reverse("projects:index"), reverse("info:grant_list")
    assert "川をきれいにする協働" in client.get(projects).content.decode()
    assert "まちづくり応援金" in client.get(grants).content.decode()
    project.title = "海をきれいにする協働"
    project.save()
    grant.title = "ひとづくり応援金"
    grant.save()
    assert "海をきれいにする協働" in client.get(projects).content.decode()
    assert "ひとづくり応援金" in client.get(grants).content.decode()


def _token_in(html: str) -> str:
    import re

    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_page_with_a_form_is_stored_without_its_token(django_assert_num_queries):
    """The group page's contact form: the stored page holds no token, and each visitor gets the
    stored page with a token of their own, which their message is accepted with."""
    from django.conf import settings
    from django.middleware.csrf import _does_token_match
    from django.test import Client

    from core.pagecache import TOKEN_PLACEHOLDER

    group = GroupFactory(name="問い合わせのできる会", email="toiawase@example.jp")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_html = first.get(group.get_absolute_url()).content.decode()
    Group.objects.filter(pk=group.pk).update(name="名前を直した会")  # no signal: the copy stays
    with django_assert_num_queries(0):
        second_html = second.get(group.get_absolute_url()).content.decode()
    assert "問い合わせのできる会" in second_html and TOKEN_PLACEHOLDER not in second_html
    first_token, second_token = _token_in(first_html), _token_in(second_html)
    second_secret = second.cookies[settings.CSRF_COOKIE_NAME].value
    assert _does_token_match(second_token, second_secret)
    assert not _does_token_match(first_token, second_secret)
    assert not _does_token_match(second_token, first.cookies[settings.CSRF_COOKIE_NAME].value)
    message = {"name": "協働 太郎", "email": "taro@example.jp", "body": "見学できますか。", "homepage": ""}
    response = second.post(
        reverse("groups:contact", args=[group.pk]), {**message, "csrfmiddlewaretoken": second_token}
    )
    assert response.status_code == 302
    # Another visitor's token is refused with this visitor's cookie.
    response = second.post(
        reverse("groups:contact", args=[group.pk]), {**message, "csrfmiddlewaretoken": "x" * 64}
    )
    assert response.status_code == 403
    # Without an address there is no form, and the page is shared as before.
    quiet = GroupFactory(name="連絡先のない会", email="")
    assert "csrfmiddlewaretoken" not in Client().get(quiet.get_absolute_url()).content.decode()
    Group.objects.filter(pk=quiet.pk).update(name="書き換えた会")
    assert "連絡先のない会" in Client().get(quiet.get_absolute_url()).content.decode()


def test_a_token_outside_a_form_field_keeps_the_page_out_of_the_cache(rf):
    """Only the exact form field is replaced; a token of the visitor anywhere else (a script, an
    attribute) means the page is not stored at all."""
    from django.middleware.csrf import get_token

    from core.pagecache import TOKEN_FIELD, TOKEN_PLACEHOLDER, _without_tokens

    request = rf.get("/")
    token = get_token(request)
    in_form = TOKEN_FIELD.format(token)
    assert _without_tokens(request, in_form.encode()) == TOKEN_FIELD.format(TOKEN_PLACEHOLDER).encode()
    assert _without_tokens(request, f'{in_form}<div data-token="{get_token(request)}">'.encode()) is None
    # Text that merely looks like a token (64 letters) is no reason to refuse.
    assert _without_tokens(request, ("a" * 64).encode()) == ("a" * 64).encode()


def test_signed_in_searches_share_the_results_but_not_the_page(client, member, staff_user):
    """The directory's form and results are the same for everyone at one address: kept for
    signed-in people too (core.pagecache.fragment), while the menu around them is each person's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    group = GroupFactory(name="みどりの会", name_kana="みどりのかい")
    client.force_login(staff_user)
    assert "みどりの会" in client.get(DIRECTORY, {"q": "みどり"}).content.decode()
    client.force_login(member)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(DIRECTORY, {"q": "みどり"}).content.decode()
    assert "みどりの会" in html and MYPAGE_LINK in html
    assert not [q for q in ctx.captured_queries if "groups_group" in q["sql"]]
    # A save is seen at once, as on the anonymous visitors' pages.
    group.name = "あおばの会"
    group.save()
    html = client.get(DIRECTORY, {"q": "みどり"}).content.decode()
    assert "あおばの会" in html and "みどりの会" not in html
