"""Signing up through allauth's form, as the core tests do it again and again."""

from __future__ import annotations

SIGN_UP_PASSWORD = "natsu-no-sora-2025"


def sign_up(client, *, host: str | None = None, **fields):
    """Posts the sign-up form: `fields` (氏名, ふりがな, another address...) over a new address and
    the password typed twice; `host` is the Host header the request arrives with."""
    data = {"email": "hanako@example.jp", "password1": SIGN_UP_PASSWORD, "password2": SIGN_UP_PASSWORD}
    headers = {"HTTP_HOST": host} if host else {}
    return client.post("/accounts/signup/", data | fields, **headers)
