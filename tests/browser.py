"""Signing a Chromium page in (the `page` fixtures of tests/conftest.py) and filling its forms,
shared by the browser tests."""

from __future__ import annotations

from django.test import Client

from tests.conftest import PASSWORD


def sign_in_with_form(page, email: str) -> None:
    """Signs in through the login form, as a person would (the account's password is PASSWORD)."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def sign_in_as(page, user, live_server) -> None:
    """Puts a signed-in session of `user` into the browser, replacing whoever was signed in
    (quicker than the login form, which sign_in_with_form covers)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def signed_in_context(chromium_browser, live_server, user, **options):
    """(context, page): a fresh browser context like the `page` fixture's (Japanese locale, Tokyo
    time; `options` such as a viewport added), signed in as `user`. The caller closes the context."""
    context = chromium_browser.new_context(
        locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url, **options
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in_as(page, user, live_server)
    return context, page


def fill_by_label(page, values: dict[str, str]) -> None:
    """Types each value into the form field with that label, as a person finds it."""
    for label, value in values.items():
        page.get_by_label(label).fill(value)
