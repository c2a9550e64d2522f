"""Signing a Chromium page in (the `page` fixtures of tests/conftest.py), shared by the browser tests."""

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
